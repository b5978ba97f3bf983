/**
 * The console's HTTP server: builds a Fastify instance (not listening) from a pool and a
 * logger. Every error leaves as `{ error: { code, message } }` from the table in errors.ts.
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ReadinessCheck } from '../ops/health.ts';
import { Metrics } from '../ops/metrics.ts';
import {
  CONSOLE_TIMEOUTS,
  type HttpTimeouts,
  type ProbeEndpoints,
  probeRoutes,
  timeoutOptions,
} from '../ops/ops-http.ts';
import type { ReplyTemplates } from '../reply/render/templates.ts';
import type { StageProducer } from '../review/actions.ts';
import { ApiError, fromStatus } from './errors.ts';
import { OPENAPI } from './openapi/index.ts';
import { pageRoutes } from './pages/routes.ts';
import { type OpsDeps, opsRoutes } from './routes/ops.ts';
import { recordRoutes } from './routes/records.ts';
import { reviewRoutes } from './routes/review.ts';
import { sessionRoutes } from './routes/session.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';

export interface ServerOptions {
  pool: pg.Pool;
  logger: Logger;
  /**
   * Marks the session cookie Secure; turn off only for plain-http local use.
   * @defaultValue true
   */
  cookieSecure?: boolean;
  /**
   * Proxies whose X-Forwarded-For gives request.ip (addresses/CIDRs, or a hop count); the
   * sign-in rate limit counts per request.ip. Off: the TCP peer's address.
   * @defaultValue false
   */
  trustProxy?: false | number | string[];
  /**
   * Where review decisions enqueue the next stage. Without one nothing is enqueued: the claim
   * is still owed in PostgreSQL ('assessed' at its new version) and the worker's sweep finds it.
   */
  producer?: StageProducer;
  /** The reply templates for previews; loaded on first use when not given. */
  templates?: ReplyTemplates;
  /**
   * /readyz and /metrics as the service wires them; without them, readiness checks the
   * database only and the metrics are this process's own.
   */
  probes?: ProbeEndpoints;
  /**
   * Serve /readyz and /metrics here. Off when they have a port of their own (METRICS_PORT):
   * the console, often public, then shows neither the metrics nor the checks (whose names carry
   * IMAP users and hosts). /healthz stays, for a load balancer. @defaultValue true
   */
  serveProbes?: boolean;
  /** Queues and mailbox states for the ops API and page; without them those answer 503. */
  ops?: OpsDeps;
  /** How long clients may take (tests shorten them). @defaultValue CONSOLE_TIMEOUTS */
  timeouts?: Partial<HttpTimeouts>;
  /**
   * The largest body PUT /api/records/{kind} accepts, in bytes.
   * @defaultValue 1 GiB
   */
  recordsBodyLimit?: number;
  /** SESSION_IDLE_MINUTES: a session ends after this long without a request. @defaultValue 60 */
  sessionIdleMinutes?: number;
  /** API_TOKEN_DAYS: a new API token's lifetime unless asked otherwise. @defaultValue 90 */
  apiTokenDays?: number;
  /** API_TOKEN_MAX_DAYS: the longest lifetime a new API token may ask for. @defaultValue 365 */
  apiTokenMaxDays?: number;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // API answers carry session and token secrets: no cache may keep them.
  'cache-control': 'no-store',
};

/** A hop count as the function Fastify runs per hop (its types take no number). */
function trustProxyOption(
  trust: false | number | string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const { pool } = options;
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'web' }),
    // Sign-in and token bodies are tiny; a big body is a mistake or an attack.
    bodyLimit: 64 * 1024,
    trustProxy: trustProxyOption(options.trustProxy ?? false),
    ...timeoutOptions({ ...CONSOLE_TIMEOUTS, ...options.timeouts }),
  }) as unknown as FastifyInstance;
  // Plugins load on ready()/listen()/inject(), before the first request.
  app.register(cookie);

  app.addHook('onSend', async (_request, reply, payload) => {
    // A route may set its own, stricter header (the sandboxed email document's CSP).
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    let apiError: ApiError;
    if (error instanceof ApiError) apiError = error;
    else {
      const status = (error as { statusCode?: number }).statusCode;
      apiError = fromStatus(status);
      // Only unexpected failures are logged with their error; the client sees the code alone.
      if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    }
    return reply.code(apiError.status).send(apiError.body());
  });
  app.setNotFoundHandler((_request, reply) => {
    const e = new ApiError('not_found');
    return reply.code(e.status).send(e.body());
  });

  app.get('/healthz', async () => ({ ok: true }));
  if (options.serveProbes ?? true)
    probeRoutes(
      app,
      options.probes ?? {
        readiness: new ReadinessCheck({ pool, logger: options.logger }),
        metrics: new Metrics({ defaultMetrics: false }),
      },
    );
  app.get('/api/openapi.json', async () => OPENAPI);
  sessionRoutes(app, {
    pool,
    cookieSecure: options.cookieSecure ?? true,
    idleMinutes: options.sessionIdleMinutes,
  });
  tokenRoutes(app, {
    pool,
    defaultDays: options.apiTokenDays,
    maxDays: options.apiTokenMaxDays,
  });
  userRoutes(app, { pool });
  recordRoutes(app, {
    pool,
    ...(options.recordsBodyLimit === undefined ? {} : { bodyLimit: options.recordsBodyLimit }),
  });
  reviewRoutes(app, {
    pool,
    producer: options.producer ?? { add: async () => undefined },
    ...(options.templates ? { templates: options.templates } : {}),
  });
  opsRoutes(app, { pool, ops: options.ops });
  pageRoutes(app, { pool, ops: options.ops });
  return app;
}
