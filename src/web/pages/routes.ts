/**
 * The console's pages and their static files. Pages need the session cookie (browsers
 * carry no bearer token); without one they send the browser to /login rather than a JSON 401,
 * naming the page so the sign-in comes back to it. The login page itself: sign-in-form.ts.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { SessionPrincipal } from '../../auth/principal.ts';
import { sessionPrincipal } from '../../auth/sessions.ts';
import type { UserRole } from '../../auth/users.ts';
import { getClaimDetail } from '../../review/detail.ts';
import { ReviewError } from '../../review/errors.ts';
import { ApiError } from '../errors.ts';
import { SESSION_COOKIE } from '../guard.ts';
import type { Query } from '../queue-query.ts';
import { OPS_ROLES, type OpsDeps } from '../routes/ops.ts';
import { claimPage } from './claim-page.ts';
import { withRoleLinks } from './layout.ts';
import { loadOpsSnapshot, opsForbiddenPage, opsPage } from './ops-page.ts';
import { queuePage } from './queue-page.ts';
import { queueView } from './queue-view.ts';
import { loginUrl } from './sign-in-form.ts';

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
  'ops.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('../static/ops.js', import.meta.url), 'utf8'),
  },
  'records.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('../static/records.js', import.meta.url), 'utf8'),
  },
  'records.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('../static/records.css', import.meta.url), 'utf8'),
  },
  'ops.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('../static/ops.css', import.meta.url), 'utf8'),
  },
} as const;

/** The live session of the request's cookie, if any. */
async function sessionOf(
  pool: pg.Pool,
  request: FastifyRequest,
): Promise<SessionPrincipal | undefined> {
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie === undefined ? undefined : sessionPrincipal(pool, cookie);
}

/** A page with the nav links the viewer's role allows. */
function html(reply: FastifyReply, body: string, role?: UserRole): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(withRoleLinks(body, role));
}

export function pageRoutes(
  app: FastifyInstance,
  { pool, ops }: { pool: pg.Pool; ops?: OpsDeps | undefined },
): void {
  app.get('/static/:file', async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const entry = Object.hasOwn(STATIC, file) ? STATIC[file as keyof typeof STATIC] : undefined;
    if (!entry) throw new ApiError('not_found');
    return reply.type(entry.type).send(entry.body);
  });

  app.get('/', async (request, reply) => {
    const me = await sessionOf(pool, request);
    if (!me) return reply.redirect(loginUrl(request.url));
    return html(reply, queuePage(await queueView(pool, request.query as Query, me.email)), me.role);
  });

  app.get('/claims/:id', async (request, reply) => {
    const me = await sessionOf(pool, request);
    if (!me) return reply.redirect(loginUrl(request.url));
    const raw = (request.params as { id: string }).id;
    if (!/^\d{1,15}$/.test(raw)) throw new ApiError('not_found');
    try {
      return html(reply, claimPage(await getClaimDetail(pool, Number(raw))), me.role);
    } catch (error) {
      if (error instanceof ReviewError && error.code === 'not_found')
        throw new ApiError('not_found');
      throw error;
    }
  });

  // Agents get a page saying why, not the API's JSON 403.
  app.get('/ops', async (request, reply) => {
    const me = await sessionOf(pool, request);
    if (!me) return reply.redirect(loginUrl(request.url));
    if (!(OPS_ROLES as readonly UserRole[]).includes(me.role))
      return html(reply.code(403), opsForbiddenPage(me.role), me.role);
    return html(reply, opsPage(await loadOpsSnapshot(ops)), me.role);
  });
}
