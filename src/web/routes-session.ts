/**
 * Sign-in, sign-out and "who am I". Sign-in is rate limited per email and per IP, counting
 * failures in `sign_in_attempts` (so the limit holds across processes and restarts), and
 * every outcome is written to the audit log.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import {
  audit,
  createSession,
  deleteSession,
  failedAttempts,
  findUser,
  recordAttempt,
  sha256,
} from './auth-store.ts';
import { ApiError } from './errors.ts';
import { guard, SESSION_COOKIE } from './guard.ts';
import { decoyHash, MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const RATE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 20;

export interface SessionRoutesOptions {
  pool: pg.Pool;
  cookieSecure: boolean;
}

export function sessionRoutes(
  app: FastifyInstance,
  { pool, cookieSecure }: SessionRoutesOptions,
): void {
  app.post('/api/session', async (request, reply) => {
    const body = request.body as { email?: unknown; password?: unknown } | null;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : undefined;
    const password = body?.password;
    if (
      !email ||
      email.length > 254 ||
      typeof password !== 'string' ||
      password.length > MAX_PASSWORD_LENGTH
    )
      throw new ApiError('bad_request', 'send {"email": …, "password": …}');
    const ip = request.ip;
    const failures = await failedAttempts(pool, email, ip, RATE_WINDOW_MS);
    if (failures.byEmail >= MAX_FAILURES_PER_EMAIL || failures.byIp >= MAX_FAILURES_PER_IP) {
      await audit(pool, 'anonymous', 'auth.sign_in_failed', { email, ip, reason: 'rate_limited' });
      request.log.warn({ ip, reason: 'rate_limited' }, 'sign-in refused');
      throw new ApiError('rate_limited');
    }
    const user = await findUser(pool, email);
    // Always run scrypt, even for an unknown email, so response time does not tell them apart.
    const ok =
      (await verifyPassword(password, user?.passwordHash ?? (await decoyHash()))) &&
      user !== undefined;
    if (!ok || !user || user.disabled) {
      await recordAttempt(pool, email, ip, false);
      await audit(pool, user ? `user:${user.email}` : 'anonymous', 'auth.sign_in_failed', {
        email,
        ip,
        reason: user?.disabled ? 'disabled' : 'invalid_credentials',
      });
      throw new ApiError('invalid_credentials');
    }
    await recordAttempt(pool, email, ip, true);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await createSession(pool, {
      tokenHash: sha256(token),
      userId: user.id,
      csrfToken,
      ttlMs: SESSION_TTL_MS,
    });
    await audit(pool, `user:${user.email}`, 'auth.sign_in', { ip });
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      // Off only when explicitly asked, for plain-http local use.
      secure: cookieSecure,
      sameSite: 'strict',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return { user: { email: user.email, role: user.role }, csrfToken };
  });

  app.delete('/api/session', { preHandler: guard(pool) }, async (request, reply) => {
    const principal = request.principal!;
    if (principal.kind === 'session') {
      await deleteSession(pool, principal.sessionId);
      await audit(pool, `user:${principal.email}`, 'auth.sign_out', {});
    }
    reply.clearCookie(SESSION_COOKIE, {
      path: '/',
      httpOnly: true,
      secure: cookieSecure,
      sameSite: 'strict',
    });
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
