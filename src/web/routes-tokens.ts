/**
 * API tokens for scripts (admin only). The token is shown once, in the creation response;
 * the database keeps only its SHA-256, so nobody can read it back later. A token acts with
 * its role; its scopes (TOKEN_SCOPES) add single capabilities, e.g. pushing records.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import {
  audit,
  createApiToken,
  revokeApiToken,
  sha256,
  TOKEN_SCOPES,
  type TokenScope,
  USER_ROLES,
  type UserRole,
} from './auth-store.ts';
import { ApiError } from './errors.ts';
import { actorOf, guard } from './guard.ts';

/** The prefix makes leaked tokens easy to spot (secret scanners, logs). */
export const TOKEN_PREFIX = 'cit_';

const USAGE = `send {"name": …, "role": ${USER_ROLES.join('|')}, "scopes"?: [${TOKEN_SCOPES.map((s) => `"${s}"`).join(', ')}]}`;

/** The `scopes` of a creation request: absent means none; each known, each once. */
function scopesOf(value: unknown): TokenScope[] {
  if (value === undefined) return [];
  if (
    !Array.isArray(value) ||
    !value.every((s) => (TOKEN_SCOPES as readonly unknown[]).includes(s))
  )
    throw new ApiError('bad_request', `${USAGE}; the scopes are ${TOKEN_SCOPES.join(', ')}`);
  return [...new Set(value as TokenScope[])];
}

export function tokenRoutes(app: FastifyInstance, { pool }: { pool: pg.Pool }): void {
  const adminOnly = guard(pool, ['admin']);

  app.post('/api/tokens', { preHandler: adminOnly }, async (request, reply) => {
    const body = request.body as { name?: unknown; role?: unknown; scopes?: unknown } | null;
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    const role = body?.role ?? 'agent';
    if (!name || name.length > 100 || !(USER_ROLES as readonly unknown[]).includes(role))
      throw new ApiError('bad_request', USAGE);
    const scopes = scopesOf(body?.scopes);
    const principal = request.principal!;
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = await createApiToken(pool, {
      name,
      tokenHash: sha256(token),
      role: role as UserRole,
      scopes,
      createdBy: principal.kind === 'session' ? principal.userId : null,
    });
    await audit(pool, actorOf(principal), 'token.create', { tokenId: id, name, role, scopes });
    return reply.code(201).send({ id, name, role, scopes, token });
  });

  app.delete('/api/tokens/:id', { preHandler: adminOnly }, async (request, reply) => {
    const raw = (request.params as { id: string }).id;
    if (!/^\d{1,18}$/.test(raw)) throw new ApiError('not_found');
    const id = Number(raw);
    if (!(await revokeApiToken(pool, id))) throw new ApiError('not_found');
    await audit(pool, actorOf(request.principal!), 'token.revoke', { tokenId: id });
    return reply.code(204).send();
  });
}
