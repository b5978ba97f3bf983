/**
 * The ops endpoints every role serves: /healthz (the process answers), /readyz (it can do
 * its work: 200, or 503 with the failing checks) and /metrics (Prometheus text format).
 *
 * None needs credentials, as is usual for probes and scrapers: they reveal counts and
 * check results, no claim and no address. Bind HTTP_HOST to an interface only the
 * orchestrator and Prometheus reach (the default is 127.0.0.1), or, where the console must be
 * public, give them METRICS_PORT (and METRICS_HOST) of their own: listen.ts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ReadinessCheck } from './health.ts';
import type { Metrics } from './metrics.ts';

export interface ProbeEndpoints {
  readiness: ReadinessCheck;
  metrics: Metrics;
}

/**
 * How long a client may take. Fastify leaves request and connection timeouts off, so a
 * client that trickles its headers a byte at a time (slow loris), trickles a body, or
 * connects and says nothing would hold a socket (and its memory) for as long as it likes;
 * a few thousand such clients take a server down without sending any real traffic.
 */
export interface HttpTimeouts {
  /** The request line and headers must arrive within this (the slow-loris guard). */
  headersMs: number;
  /** The whole request, body included, must arrive within this; at least headersMs. */
  requestMs: number;
  /** A connection silent this long is closed (Fastify's connectionTimeout). */
  idleMs: number;
  /** An idle keep-alive connection is kept this long between requests. */
  keepAliveMs: number;
}

/**
 * The console: a live feed's body (up to 1 GiB, PUT /api/records) must arrive within the
 * request timeout (5 minutes: about 3.5 MB/s); keep-alive outlasts a load balancer's usual
 * 60-second idle timeout, so the balancer never reuses a connection the server just closed.
 */
export const CONSOLE_TIMEOUTS: HttpTimeouts = Object.freeze({
  headersMs: 10_000,
  requestMs: 300_000,
  idleMs: 60_000,
  keepAliveMs: 72_000,
});

/** Probes and scrapes: GETs without bodies, answered within a few seconds. */
export const PROBE_TIMEOUTS: HttpTimeouts = Object.freeze({
  headersMs: 5_000,
  requestMs: 15_000,
  idleMs: 30_000,
  keepAliveMs: 5_000,
});

/** Fastify's server options for these timeouts. */
export function timeoutOptions(t: HttpTimeouts) {
  if (!(t.headersMs > 0 && t.requestMs >= t.headersMs && t.idleMs > 0 && t.keepAliveMs > 0))
    throw new RangeError('HTTP timeouts must be positive, and requestMs at least headersMs');
  return {
    connectionTimeout: t.idleMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    http: {
      headersTimeout: t.headersMs,
      // Node looks for expired headers and requests this often (30 s by default, which would
      // let a slow loris live up to 30 s past headersMs).
      connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(t.headersMs / 4))),
    },
  };
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

/**
 * The whole HTTP surface of a poller or worker process, or the metrics port of any role
 * (not listening yet).
 */
export function buildProbeServer(
  logger: Logger,
  probes: ProbeEndpoints,
  timeouts: Partial<HttpTimeouts> = {},
): FastifyInstance {
  const app = buildHealthServer(logger, timeouts);
  probeRoutes(app, probes);
  return app;
}

/**
 * /healthz alone: HTTP_PORT of a poller or worker whose probes and metrics are on METRICS_PORT
 * (the image's HEALTHCHECK asks HTTP_PORT whatever the role).
 */
export function buildHealthServer(
  logger: Logger,
  timeouts: Partial<HttpTimeouts> = {},
): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger.child({ component: 'ops-http' }),
    // Only GETs without bodies are served.
    bodyLimit: 1024,
    ...timeoutOptions({ ...PROBE_TIMEOUTS, ...timeouts }),
  }) as unknown as FastifyInstance;
  app.get('/healthz', async () => ({ ok: true }));
  return app;
}
