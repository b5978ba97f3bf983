/**
 * The composition root of the running service: builds every component from one Config and
 * owns their lifetimes. Roles: `poller` (mailbox intake), `worker` (assessment), `web` (the
 * console's HTTP API), `all` (all three). This file keeps the order of start-up; each role's
 * parts are built in its own file (infra, poller, worker, web), and shutdown.ts stops them.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { keepHeapNearLiveData } from '../ops/heap-policy.ts';
import { listenAll } from '../ops/listen.ts';
import { createSweep } from '../pipeline/sweeps.ts';
import { mailTokens, startInfra } from './infra.ts';
import { mailboxPublishers, type Pollers, startPollers } from './poller.ts';
import { releaseInfra, stopOnce } from './shutdown.ts';
import { buildProbes, httpServers } from './web.ts';
import { startWorkerRole, type WorkerRole } from './worker.ts';

export const ROLES = ['all', 'poller', 'worker', 'web'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningService {
  /** Stops in order and waits for in-flight work; safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when every mailbox loop has ended (after stop). */
  done: Promise<void>;
  /** The HTTP port listened on (HTTP_PORT, or the one chosen for HTTP_PORT=0). */
  port: number;
  /** With METRICS_PORT: the port the probes and metrics listen on (the chosen one for 0). */
  metricsPort?: number;
}

export async function startService(
  config: Config,
  role: Role,
  logger: Logger,
): Promise<RunningService> {
  keepHeapNearLiveData();
  const infra = await startInfra(config, logger);
  const polls = role === 'all' || role === 'poller';
  const sends = role === 'all' || role === 'worker';
  const instance = `${hostname()}:${process.pid}`;
  const publishers = mailboxPublishers(
    polls ? config.mailboxes : [],
    infra.opsRedis,
    config.redis.prefix,
    instance,
    logger,
  );
  const intakeMetrics = infra.metrics.intake(publishers);
  const tokens = mailTokens(config, logger);
  const probes = buildProbes(config, {
    pool: infra.pool,
    opsRedis: infra.opsRedis,
    metrics: infra.metrics,
    local: polls ? (name: string) => intakeMetrics.local(name) : undefined,
    sends,
    smtpTokens: tokens.smtp,
    logger,
  });
  // Ports are taken before any mailbox or queue work starts, so a busy port stops start-up
  // cleanly.
  const withConsole = role === 'all' || role === 'web';
  const { servers, ownPort } = httpServers(config, withConsole, infra, probes, logger);
  let ports: number[];
  try {
    ports = await listenAll(servers);
  } catch (error) {
    await releaseInfra(infra);
    throw error;
  }

  const { pool, producer } = infra;
  const enqueue = (ids: number[]) => producer.enqueue(ids);
  const sweep = createSweep(pool, producer, logger.child({ component: 'sweep' }));
  const abort = new AbortController();
  let pollers: Pollers | undefined;
  let worker: WorkerRole | undefined;
  if (polls) {
    const deps = {
      pool,
      logger,
      enqueue,
      sweep,
      metrics: intakeMetrics,
      instance,
      tokens: tokens.imap,
    };
    pollers = startPollers(config, deps, abort.signal);
  }
  if (sends) {
    worker = await startWorkerRole(config, { infra, logger, sweep, smtpTokens: tokens.smtp });
  }

  logger.info({ role, mailboxes: config.mailboxes.map((m) => m.name) }, 'claim-intake started');
  const done = Promise.all(pollers?.loops ?? []).then(() => undefined);
  // HTTP_PORT is always listened on (the console, or the probes or /healthz alone) and first;
  // with METRICS_PORT the probes' server is last.
  const [port = config.httpPort] = ports;
  const stop = stopOnce({
    infra,
    abort,
    done,
    servers,
    publishers,
    lockRedis: pollers?.lockRedis,
    worker,
    graceMs: config.shutdownGraceMs,
    logger,
  });
  return { done, port, ...(ownPort ? { metricsPort: ports.at(-1) ?? 0 } : {}), stop };
}
