/**
 * Where a process's HTTP servers listen. Without METRICS_PORT, one server on HTTP_HOST:HTTP_PORT:
 * the console with the probes (roles all and web), or the probes alone (poller, worker). With
 * it, the probes and metrics get a server of their own on METRICS_HOST:METRICS_PORT, so a public
 * console port never serves /metrics, and HTTP_PORT keeps answering /healthz (the console's, or
 * a server of /healthz alone in a poller or worker): the image's HEALTHCHECK asks there.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ClaimIntakeError } from '../domain/errors.ts';
import { describeError } from '../store/database.ts';

export interface Listener {
  app: FastifyInstance;
  host: string;
  /** 0 asks the system for any free port. */
  port: number;
  /** The settings that chose host and port, named when it cannot listen ('HTTP_HOST/HTTP_PORT'). */
  settings: string;
}

/**
 * The addresses the settings give, for the servers a role runs: `front` on HTTP_PORT (the
 * console, or /healthz alone), `probes` on METRICS_PORT, or on HTTP_PORT without a front.
 */
export function listeners(
  http: { host: string; port: number },
  metrics: { host: string; port: number | undefined },
  servers: { front: FastifyInstance | undefined; probes: FastifyInstance | undefined },
): Listener[] {
  const out: Listener[] = [];
  if (servers.front) out.push({ app: servers.front, ...http, settings: 'HTTP_HOST/HTTP_PORT' });
  if (servers.probes)
    out.push(
      metrics.port === undefined
        ? { app: servers.probes, ...http, settings: 'HTTP_HOST/HTTP_PORT' }
        : {
            app: servers.probes,
            host: metrics.host,
            port: metrics.port,
            settings: 'METRICS_HOST/METRICS_PORT',
          },
    );
  return out;
}

/**
 * Listens on each in turn and returns the ports taken (the chosen ones for port 0). When one
 * cannot listen, those already listening are closed again and one line names its settings:
 * a busy port stops start-up cleanly, before any mailbox or queue work starts.
 */
export async function listenAll(all: Listener[]): Promise<number[]> {
  const open: FastifyInstance[] = [];
  for (const { app, host, port, settings } of all) {
    try {
      await app.listen({ host, port });
      open.push(app);
    } catch (error) {
      await Promise.all([...open, app].map((a) => a.close().catch(() => undefined)));
      throw new ClaimIntakeError(
        'listen_failed',
        `${settings}: cannot listen on ${host}:${port} (${describeError(error)})`,
        { cause: error },
      );
    }
  }
  return all.map(({ app }) => (app.server.address() as AddressInfo).port);
}
