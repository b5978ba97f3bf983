/**
 * Signing in over HTTP, for both doors: the JSON API (POST /api/session, which console.js
 * uses) and the login page's plain HTML form (POST /login, which works without JavaScript).
 * The procedure, with its limits, password check and audit entries, is auth/sign-in.ts's;
 * here are what the doors share around it: reading the credentials, the session cookie, and
 * the API's answer to a refusal.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { MAX_PASSWORD_LENGTH } from '../auth/password.ts';
import { SESSION_TTL_MS } from '../auth/sessions.ts';
import { type Credentials, type SignInResult, signIn } from '../auth/sign-in.ts';
import { ApiError } from './errors.ts';
import { SESSION_COOKIE } from './guard.ts';

export interface SignInOptions {
  pool: pg.Pool;
  /** Marks the session cookie Secure. */
  cookieSecure: boolean;
  /** A session ends after this many minutes without a request. @defaultValue 60 */
  idleMinutes?: number | undefined;
}

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

export function signInWith({ pool, cookieSecure, idleMinutes }: SignInOptions): SignIn {
  return async (request, reply, credentials) => {
    const result = await signIn({ pool, idleMinutes }, credentials, {
      ip: request.ip,
      log: request.log,
    });
    if (result.ok)
      reply.setCookie(SESSION_COOKIE, result.sessionToken, {
        ...sessionCookie(cookieSecure),
        maxAge: SESSION_TTL_MS / 1000,
      });
    return result;
  };
}
