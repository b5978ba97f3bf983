/**
 * The console on a real port (127.0.0.1, any free port) behind a "reverse proxy": loopback
 * is trusted, so a test speaks for any client address through X-Forwarded-For, exactly as
 * a proxy in front of the service would. Requests go through fetch, over TCP.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { createLogger } from '../../src/logger.ts';
import { buildServer, type ServerOptions } from '../../src/web/server.ts';

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** The ci_session cookie's name=value, when the answer set one. */
  cookie: string | undefined;
}

export interface LiveConsole {
  app: FastifyInstance;
  url: string;
  /** Every log line the server wrote. */
  logs: string[];
  signIn(email: string, password: string, from?: string): Promise<Answer>;
  request(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: unknown; from?: string },
  ): Promise<Answer>;
  close(): Promise<void>;
}

export async function listenConsole(
  pool: pg.Pool,
  options: Partial<ServerOptions> = {},
): Promise<LiveConsole> {
  const logs: string[] = [];
  const app = buildServer({
    pool,
    logger: createLogger('info', { write: (line: string) => void logs.push(line) }),
    trustProxy: ['loopback'],
    ...options,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const url = `http://127.0.0.1:${address.port}`;

  const request: LiveConsole['request'] = async (method, path, { headers, body, from } = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      // A redirect is an answer to check (the pages send /login), not something to follow.
      redirect: 'manual',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(from === undefined ? {} : { 'x-forwarded-for': from }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const session = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('ci_session=') && c !== 'ci_session=');
    return {
      status: res.status,
      headers: res.headers,
      body: res.headers.get('content-type')?.startsWith('application/json')
        ? (JSON.parse(text) as Record<string, unknown>)
        : {},
      cookie: session,
    };
  };

  return {
    app,
    url,
    logs,
    request,
    signIn: (email, password, from) =>
      request('POST', '/api/session', { body: { email, password }, ...(from ? { from } : {}) }),
    close: () => app.close(),
  };
}

/** Cookie and CSRF headers of a signed-in answer, for state-changing requests. */
export function sessionHeaders(answer: Answer): Record<string, string> {
  if (answer.status !== 200 || !answer.cookie)
    throw new Error(`sign-in failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { cookie: answer.cookie, 'x-csrf-token': String(answer.body.csrfToken) };
}
