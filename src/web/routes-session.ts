/**
 * Sign-in, sign-out and "who am I". Each password check is reserved first against the
 * limits of sign-in-limits.ts (per account and address, per address, per account), so the
 * limits hold for parallel requests and across processes; a refused attempt gets 429 with
 * Retry-After and no password check. Sessions end after 12 hours, or sooner when idle.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import {
  audit,
  createSession,
  deleteSession,
  findUser,
  replacePasswordHash,
  sha256,
  type UserRow,
} from './auth-store.ts';
import { ConcurrencyLimitBusy } from './concurrency-limit.ts';
import { ApiError } from './errors.ts';
import { guard, SESSION_COOKIE } from './guard.ts';
import {
  decoyHash,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  verifyPassword,
} from './password.ts';
import { addressKey, SIGN_IN_LIMITS } from './sign-in-limits.ts';
import { type AttemptKey, cancelCheck, markCheckOk, reserveCheck } from './sign-in-store.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** How long a sign-in failure counts (housekeeping keeps attempts at least this long). */
export const RATE_WINDOW_MS = SIGN_IN_LIMITS.windowMs;
/** SESSION_IDLE_MINUTES' default. */
export const DEFAULT_SESSION_IDLE_MINUTES = 60;

export interface SessionRoutesOptions {
  pool: pg.Pool;
  cookieSecure: boolean;
  /** A session ends after this many minutes without a request. @defaultValue 60 */
  idleMinutes?: number | undefined;
}

function refuse(reply: FastifyReply, waitMs: number, message?: string): never {
  reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
  throw new ApiError('rate_limited', message);
}

/** Checks the password (or a decoy's), releasing the reservation if the check never ran. */
async function check(
  pool: pg.Pool,
  reply: FastifyReply,
  attemptId: string,
  email: string,
  password: string,
): Promise<{ user: UserRow | undefined; ok: boolean }> {
  try {
    const user = await findUser(pool, email);
    // Always run scrypt, even for an unknown email, so response time does not tell them apart.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    return { user, ok: ok && user !== undefined };
  } catch (error) {
    if (!(error instanceof ConcurrencyLimitBusy)) throw error;
    // Too many checks waiting: nothing was checked, so nothing may count against anyone.
    await cancelCheck(pool, attemptId);
    return refuse(reply, 1000, 'too many sign-ins at once; try again in a moment');
  }
}

/** Replaces a hash of an older, weaker cost; a failure here never fails the sign-in. */
async function upgradeHash(
  pool: pg.Pool,
  request: FastifyRequest,
  user: UserRow,
  password: string,
): Promise<boolean> {
  if (!needsRehash(user.passwordHash)) return false;
  try {
    return await replacePasswordHash(
      pool,
      user.id,
      user.passwordHash,
      await hashPassword(password),
    );
  } catch (error) {
    request.log.warn({ err: error, userId: user.id }, 'password rehash skipped');
    return false;
  }
}

export function sessionRoutes(
  app: FastifyInstance,
  { pool, cookieSecure, idleMinutes = DEFAULT_SESSION_IDLE_MINUTES }: SessionRoutesOptions,
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
    const key: AttemptKey = { email, address: addressKey(request.ip), ip: request.ip };
    const reservation = await reserveCheck(pool, key);
    if (!reservation.granted) {
      request.log.warn({ ip: request.ip, gate: reservation.gate }, 'sign-in refused: rate limited');
      return refuse(reply, reservation.waitMs);
    }
    const { user, ok } = await check(pool, reply, reservation.attemptId, email, password);
    if (!ok || !user || user.disabled) {
      await audit(pool, user ? `user:${user.email}` : 'anonymous', 'auth.sign_in_failed', {
        email,
        ip: request.ip,
        reason: user?.disabled ? 'disabled' : 'invalid_credentials',
      });
      throw new ApiError('invalid_credentials');
    }
    await markCheckOk(pool, reservation.attemptId);
    const rehashed = await upgradeHash(pool, request, user, password);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await createSession(pool, {
      tokenHash: sha256(token),
      userId: user.id,
      csrfToken,
      ttlMs: SESSION_TTL_MS,
      idleMs: idleMinutes * 60_000,
    });
    await audit(pool, `user:${user.email}`, 'auth.sign_in', { ip: request.ip, rehashed });
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
