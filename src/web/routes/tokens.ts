/**
 * API tokens for scripts (admin only). The token is shown once, in the creation response;
 * the database keeps only its SHA-256, so nobody can read it back later, and the list shows
 * everything else. A token acts with its role; its scopes (TOKEN_SCOPES) add single
 * capabilities, e.g. pushing records. It belongs to the admin who made it (see
 * auth/tokens.ts) and expires after `expiresInDays` (API_TOKEN_DAYS unless asked, at most
 * API_TOKEN_MAX_DAYS): a forgotten token in an old script or a leaked CI log dies by itself.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { actorOf } from '../../auth/principal.ts';
import { sha256 } from '../../auth/secrets.ts';
import {
  createApiToken,
  DEFAULT_TOKEN_DAYS,
  listApiTokens,
  newApiToken,
  revokeApiToken,
  TOKEN_SCOPES,
  type TokenScope,
} from '../../auth/tokens.ts';
import { USER_ROLES, type UserRole } from '../../auth/users.ts';
import { writeAudit } from '../../store/audit-log.ts';
import { ApiError } from '../errors.ts';
import { guard } from '../guard.ts';

/** API_TOKEN_MAX_DAYS' default. */
export const DEFAULT_TOKEN_MAX_DAYS = 365;

export interface TokenRoutesOptions {
  pool: pg.Pool;
  /** A new token's lifetime when the request names none. @defaultValue 90 */
  defaultDays?: number | undefined;
  /** The longest lifetime a request may ask for. @defaultValue 365 */
  maxDays?: number | undefined;
}

const usage = (maxDays: number) =>
  `send {"name": …, "role": ${USER_ROLES.join('|')}, "scopes"?: [${TOKEN_SCOPES.map((s) => `"${s}"`).join(', ')}], "expiresInDays"?: 1–${maxDays}}`;

/** The `scopes` of a creation request: absent means none; each known, each once. */
function scopesOf(value: unknown, maxDays: number): TokenScope[] {
  if (value === undefined) return [];
  if (
    !Array.isArray(value) ||
    !value.every((s) => (TOKEN_SCOPES as readonly unknown[]).includes(s))
  )
    throw new ApiError(
      'bad_request',
      `${usage(maxDays)}; the scopes are ${TOKEN_SCOPES.join(', ')}`,
    );
  return [...new Set(value as TokenScope[])];
}

/** The `expiresInDays` of a creation request: a whole number from 1 to maxDays. */
function lifetimeOf(value: unknown, defaultDays: number, maxDays: number): number {
  if (value === undefined) return defaultDays;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxDays)
    throw new ApiError(
      'bad_request',
      `expiresInDays must be a whole number of days from 1 to ${maxDays}`,
    );
  return value;
}

export function tokenRoutes(
  app: FastifyInstance,
  { pool, maxDays = DEFAULT_TOKEN_MAX_DAYS, ...options }: TokenRoutesOptions,
): void {
  const defaultDays = options.defaultDays ?? Math.min(DEFAULT_TOKEN_DAYS, maxDays);
  if (!(Number.isInteger(defaultDays) && defaultDays >= 1 && defaultDays <= maxDays))
    throw new RangeError('a token lifetime is 1 day to maxDays');
  const adminOnly = guard(pool, ['admin']);

  app.get('/api/tokens', { preHandler: adminOnly }, async () => ({
    tokens: await listApiTokens(pool),
  }));

  app.post('/api/tokens', { preHandler: adminOnly }, async (request, reply) => {
    const body = request.body as {
      name?: unknown;
      role?: unknown;
      scopes?: unknown;
      expiresInDays?: unknown;
    } | null;
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    const role = body?.role ?? 'agent';
    if (!name || name.length > 100 || !(USER_ROLES as readonly unknown[]).includes(role))
      throw new ApiError('bad_request', usage(maxDays));
    const scopes = scopesOf(body?.scopes, maxDays);
    const expiresInDays = lifetimeOf(body?.expiresInDays, defaultDays, maxDays);
    const principal = request.principal!;
    const token = newApiToken();
    const { id, expiresAt } = await createApiToken(pool, {
      name,
      tokenHash: sha256(token),
      role: role as UserRole,
      scopes,
      // A token made by a token belongs to that token's maker: disabling the person ends both.
      createdBy: principal.kind === 'session' ? principal.userId : principal.createdBy,
      expiresInDays,
    });
    await writeAudit(pool, {
      actor: actorOf(principal),
      action: 'token.create',
      details: { tokenId: id, name, role, scopes, expiresAt },
    });
    return reply.code(201).send({ id, name, role, scopes, expiresAt, token });
  });

  app.delete('/api/tokens/:id', { preHandler: adminOnly }, async (request, reply) => {
    const raw = (request.params as { id: string }).id;
    if (!/^\d{1,18}$/.test(raw)) throw new ApiError('not_found');
    const id = Number(raw);
    if (!(await revokeApiToken(pool, id))) throw new ApiError('not_found');
    await writeAudit(pool, {
      actor: actorOf(request.principal!),
      action: 'token.revoke',
      details: { tokenId: id },
    });
    return reply.code(204).send();
  });
}
