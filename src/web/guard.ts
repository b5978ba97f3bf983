/**
 * Who is calling, and may they: a preHandler per protected route. Credentials are a
 * bearer token (`Authorization: Bearer cit_…`) or the session cookie. Cookie-authenticated
 * state changes must also carry X-CSRF-Token: a browser attaches the cookie to requests
 * another site triggers (ambient authority), but that site cannot read our CSRF token.
 * Bearer requests are exempt, since a browser never adds that header on its own.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Principal } from '../auth/principal.ts';
import { sessionPrincipal } from '../auth/sessions.ts';
import { type TokenScope, tokenPrincipal } from '../auth/tokens.ts';
import type { UserRole } from '../auth/users.ts';
import { ApiError } from './errors.ts';

export const SESSION_COOKIE = 'ci_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function identify(pool: pg.Pool, request: FastifyRequest): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    // A bad Authorization header is a failed sign-in, not a fall-back to the cookie.
    return m ? tokenPrincipal(pool, m[1]!) : undefined;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie ? sessionPrincipal(pool, cookie) : undefined;
}

/**
 * A preHandler (or onRequest hook) that admits any signed-in caller, or only the given
 * roles, or (with `scope`) also an API token holding that scope whatever its role.
 */
export function guard(pool: pg.Pool, roles?: readonly UserRole[], scope?: TokenScope) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const principal = await identify(pool, request);
    if (!principal) throw new ApiError('unauthenticated');
    if (principal.kind === 'session' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameSecret(sent, principal.csrfToken))
        throw new ApiError('csrf_failed');
    }
    const scoped =
      scope !== undefined && principal.kind === 'token' && principal.scopes.includes(scope);
    if (roles && !roles.includes(principal.role) && !scoped) throw new ApiError('forbidden');
    request.principal = principal;
  };
}
