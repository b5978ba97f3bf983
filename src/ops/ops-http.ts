/**
 * The ops endpoints every role serves: /healthz (the process answers), /readyz (it can do
 * its work: 200, or 503 with the failing checks) and /metrics (Prometheus text format).
 *
 * None needs credentials, as is usual for probes and scrapers: they reveal counts and
 * check results, no claim and no address. Bind HTTP_HOST to an interface only the
 * orchestrator and Prometheus reach (the default is 127.0.0.1).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ReadinessCheck } from './health.ts';
import type { Metrics } from './metrics.ts';

export interface ProbeEndpoints {
  readiness: ReadinessCheck;
  metrics: Metrics;
}

/** /readyz and /metrics on an existing server (the console has its own /healthz). */
export function probeRoutes(app: FastifyInstance, probes: ProbeEndpoints): void {
  app.get('/readyz', async (_request, reply) => {
    const result = await probes.readiness.check();
    return reply
      .code(result.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(result);
  });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await probes.metrics.exposition();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

/** The whole HTTP surface of a poller or worker process (not listening yet). */
export function buildProbeServer(logger: Logger, probes: ProbeEndpoints): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger.child({ component: 'ops-http' }),
    // Only GETs without bodies are served.
    bodyLimit: 1024,
  }) as unknown as FastifyInstance;
  app.get('/healthz', async () => ({ ok: true }));
  probeRoutes(app, probes);
  return app;
}
