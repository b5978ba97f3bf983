/**
 * The one sign-in procedure behind both doors: the JSON API (POST /api/session, which
 * console.js uses) and the login page's plain HTML form (POST /login, which works without
 * JavaScript). Each password check is reserved first against the limits of sign-in-limits.ts
 * (per account and address, per address, per account), so the limits hold for parallel
 * requests and across processes; a refused attempt gets no password check. Both doors count
 * into the same rows and write the same audit entries, so neither gets around the other.
 */
import { randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import {
  audit,
  createSession,
  findUser,
  replacePasswordHash,
  sha256,
  type UserRow,
} from './auth-store.ts';
import { ConcurrencyLimitBusy } from './concurrency-limit.ts';
import { ApiError } from './errors.ts';
import { SESSION_COOKIE } from './guard.ts';
import {
  decoyHash,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  verifyPassword,
} from './password.ts';
import { addressKey } from './sign-in-limits.ts';
import { type AttemptKey, cancelCheck, markCheckOk, reserveCheck } from './sign-in-store.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** SESSION_IDLE_MINUTES' default. */
export const DEFAULT_SESSION_IDLE_MINUTES = 60;

export interface SignInOptions {
  pool: pg.Pool;
  /** Marks the session cookie Secure. */
  cookieSecure: boolean;
  /** A session ends after this many minutes without a request. @defaultValue 60 */
  idleMinutes?: number | undefined;
}

export interface Credentials {
  /** Trimmed and lower-cased. */
  email: string;
  password: string;
}

export type SignInResult =
  | { ok: true; user: UserRow; csrfToken: string }
  | { ok: false; code: 'invalid_credentials' }
  | { ok: false; code: 'rate_limited'; waitMs: number; message?: string };

/** Signs in with credentials from either door; the session cookie is set on success. */
export type SignIn = (
  request: FastifyRequest,
  reply: FastifyReply,
  credentials: Credentials,
) => Promise<SignInResult>;

/**
 * The email and password of a parsed body (JSON or form), or undefined when either is missing,
 * not a single string, or too long: an absurd password never reaches scrypt.
 */
export function credentialsOf(body: unknown): Credentials | undefined {
  const b = body as { email?: unknown; password?: unknown } | null | undefined;
  const email = typeof b?.email === 'string' ? b.email.trim().toLowerCase() : undefined;
  const password = b?.password;
  if (
    !email ||
    email.length > 254 ||
    typeof password !== 'string' ||
    password.length > MAX_PASSWORD_LENGTH
  )
    return undefined;
  return { email, password };
}

/** The session cookie's attributes, for setting and for clearing it alike. */
export function sessionCookie(cookieSecure: boolean): CookieSerializeOptions {
  return {
    httpOnly: true,
    // Off only when explicitly asked, for plain-http local use.
    secure: cookieSecure,
    sameSite: 'strict',
    path: '/',
  };
}

/** A failed result as the API's error, with Retry-After set on the reply when it helps. */
export function refusal(
  reply: FastifyReply,
  result: Exclude<SignInResult, { ok: true }>,
): ApiError {
  if (result.code === 'invalid_credentials') return new ApiError('invalid_credentials');
  reply.header('retry-after', String(Math.max(1, Math.ceil(result.waitMs / 1000))));
  return new ApiError('rate_limited', result.message);
}

type CheckResult =
  | { busy: false; user: UserRow | undefined; ok: boolean }
  | { busy: true; user?: undefined; ok: false };

/** Checks the password (or a decoy's), releasing the reservation if the check never ran. */
async function check(
  pool: pg.Pool,
  attemptId: string,
  { email, password }: Credentials,
): Promise<CheckResult> {
  try {
    const user = await findUser(pool, email);
    // Always run scrypt, even for an unknown email, so response time does not tell them apart.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    return { busy: false, user, ok: ok && user !== undefined };
  } catch (error) {
    if (!(error instanceof ConcurrencyLimitBusy)) throw error;
    // Too many checks waiting: nothing was checked, so nothing may count against anyone.
    await cancelCheck(pool, attemptId);
    return { busy: true, ok: false };
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

export function signInWith({
  pool,
  cookieSecure,
  idleMinutes = DEFAULT_SESSION_IDLE_MINUTES,
}: SignInOptions): SignIn {
  return async (request, reply, credentials) => {
    const { email, password } = credentials;
    const key: AttemptKey = { email, address: addressKey(request.ip), ip: request.ip };
    const reservation = await reserveCheck(pool, key);
    if (!reservation.granted) {
      request.log.warn({ ip: request.ip, gate: reservation.gate }, 'sign-in refused: rate limited');
      return { ok: false, code: 'rate_limited', waitMs: reservation.waitMs };
    }
    const checked = await check(pool, reservation.attemptId, credentials);
    if (checked.busy)
      return {
        ok: false,
        code: 'rate_limited',
        waitMs: 1000,
        message: 'too many sign-ins at once; try again in a moment',
      };
    const { user, ok } = checked;
    if (!ok || !user || user.disabled) {
      await audit(pool, user ? `user:${user.email}` : 'anonymous', 'auth.sign_in_failed', {
        email,
        ip: request.ip,
        reason: user?.disabled ? 'disabled' : 'invalid_credentials',
      });
      return { ok: false, code: 'invalid_credentials' };
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
      ...sessionCookie(cookieSecure),
      maxAge: SESSION_TTL_MS / 1000,
    });
    return { ok: true, user, csrfToken };
  };
}
