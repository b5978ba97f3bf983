/**
 * The console's pages and its two static files. Pages need the session cookie (browsers
 * carry no bearer token); without one they send the browser to /login rather than a JSON 401.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { getClaimDetail } from '../../review/detail.ts';
import { ReviewError } from '../../review/errors.ts';
import { sessionPrincipal } from '../auth-store.ts';
import { ApiError } from '../errors.ts';
import { SESSION_COOKIE } from '../guard.ts';
import type { Query } from '../queue-query.ts';
import { claimPage } from './claim-page.ts';
import { loginPage, queuePage } from './queue-page.ts';
import { queueView } from './queue-view.ts';

/** Read once at start-up: they are part of the build, not content that changes. */
const STATIC = {
  'console.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('../static/console.js', import.meta.url), 'utf8'),
  },
  'console.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('../static/console.css', import.meta.url), 'utf8'),
  },
} as const;

/** The session's user email, or undefined without a live session. */
async function signedInAs(pool: pg.Pool, request: FastifyRequest): Promise<string | undefined> {
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie === undefined ? undefined : (await sessionPrincipal(pool, cookie))?.email;
}

async function signedIn(pool: pg.Pool, request: FastifyRequest): Promise<boolean> {
  return (await signedInAs(pool, request)) !== undefined;
}

function html(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(body);
}

export function pageRoutes(app: FastifyInstance, { pool }: { pool: pg.Pool }): void {
  app.get('/static/:file', async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const entry = Object.hasOwn(STATIC, file) ? STATIC[file as keyof typeof STATIC] : undefined;
    if (!entry) throw new ApiError('not_found');
    return reply.type(entry.type).send(entry.body);
  });

  app.get('/login', async (_request, reply) => html(reply, loginPage()));

  app.get('/', async (request, reply) => {
    const me = await signedInAs(pool, request);
    if (!me) return reply.redirect('/login');
    return html(reply, queuePage(await queueView(pool, request.query as Query, me)));
  });

  app.get('/claims/:id', async (request, reply) => {
    if (!(await signedIn(pool, request))) return reply.redirect('/login');
    const raw = (request.params as { id: string }).id;
    if (!/^\d{1,15}$/.test(raw)) throw new ApiError('not_found');
    try {
      return html(reply, claimPage(await getClaimDetail(pool, Number(raw))));
    } catch (error) {
      if (error instanceof ReviewError && error.code === 'not_found')
        throw new ApiError('not_found');
      throw error;
    }
  });
}
