/**
 * Sign-in, sign-out and "who am I". Signing in has two doors, one procedure (auth/sign-in.ts):
 * the JSON API here, and the login page's plain form (pages/sign-in-form.ts), registered here
 * too so both share one set of options. A refused attempt gets 429 with Retry-After and no
 * password check. Sessions end after 12 hours, or sooner when idle (auth/sessions.ts).
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { endSession } from '../../auth/sessions.ts';
import { ApiError } from '../errors.ts';
import { guard, SESSION_COOKIE } from '../guard.ts';
import { signInFormRoutes } from '../pages/sign-in-form.ts';
import { credentialsOf, refusal, sessionCookie, signInWith } from '../sign-in.ts';

export interface SessionRoutesOptions {
  pool: pg.Pool;
  cookieSecure: boolean;
  /** A session ends after this many minutes without a request. @defaultValue 60 */
  idleMinutes?: number | undefined;
}

export function sessionRoutes(app: FastifyInstance, options: SessionRoutesOptions): void {
  const { pool, cookieSecure } = options;
  const signIn = signInWith(options);

  app.post('/api/session', async (request, reply) => {
    const credentials = credentialsOf(request.body);
    if (!credentials) throw new ApiError('bad_request', 'send {"email": …, "password": …}');
    const result = await signIn(request, reply, credentials);
    if (!result.ok) throw refusal(reply, result);
    return {
      user: { email: result.user.email, role: result.user.role },
      csrfToken: result.csrfToken,
    };
  });

  signInFormRoutes(app, { signIn, cookieSecure });

  app.delete('/api/session', { preHandler: guard(pool) }, async (request, reply) => {
    const principal = request.principal!;
    if (principal.kind === 'session') await endSession(pool, principal);
    reply.clearCookie(SESSION_COOKIE, sessionCookie(cookieSecure));
    return reply.code(204).send();
  });

  app.get('/api/me', { preHandler: guard(pool) }, async (request) => {
    const p = request.principal!;
    return p.kind === 'session'
      ? // The console's pages read the CSRF token here, so no page has to embed it.
        {
          role: p.role,
          user: { email: p.email, role: p.role },
          token: null,
          csrfToken: p.csrfToken,
        }
      : { role: p.role, user: null, token: { id: p.tokenId, name: p.name, scopes: p.scopes } };
  });
}
