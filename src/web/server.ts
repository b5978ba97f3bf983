/**
 * The console's HTTP server: builds a Fastify instance (not listening) from a pool and a
 * logger. Every error leaves as `{ error: { code, message } }` from the table in errors.ts.
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ApiError, fromStatus } from './errors.ts';
import { OPENAPI } from './openapi.ts';
import { sessionRoutes } from './routes-session.ts';
import { tokenRoutes } from './routes-tokens.ts';

export interface ServerOptions {
  pool: pg.Pool;
  logger: Logger;
  /**
   * Marks the session cookie Secure; turn off only for plain-http local use.
   * @defaultValue true
   */
  cookieSecure?: boolean;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // API answers carry session and token secrets: no cache may keep them.
  'cache-control': 'no-store',
};

export function buildServer(options: ServerOptions): FastifyInstance {
  const { pool } = options;
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'web' }),
    // Sign-in and token bodies are tiny; a big body is a mistake or an attack.
    bodyLimit: 64 * 1024,
  }) as unknown as FastifyInstance;
  // Plugins load on ready()/listen()/inject(), before the first request.
  app.register(cookie);

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
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
  app.get('/api/openapi.json', async () => OPENAPI);
  sessionRoutes(app, { pool, cookieSecure: options.cookieSecure ?? true });
  tokenRoutes(app, { pool });
  return app;
}
