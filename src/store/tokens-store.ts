/**
 * API tokens in PostgreSQL. Only a token's SHA-256 is stored. Every token belongs to the
 * person who made it (created_by; a token made by a token belongs to that token's maker)
 * and can do nothing its maker no longer may: it stops when the maker is disabled, or
 * loses the admin role while the token has another role or a scope. It also expires.
 * Making and checking the token itself is auth/tokens.ts's.
 */
import type pg from 'pg';
import { onlyRow } from './only-row.ts';
import type { UserRole } from './users-store.ts';

/**
 * What an API token may do besides its role: `records` lets it push platform records
 * (PUT /api/records/{kind}), nothing else. Migration 008 checks the same list.
 */
export const TOKEN_SCOPES = ['records'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** A pool, or a client inside a transaction: whatever can run one statement. */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** A live token, as its bearer acts. */
export interface LiveToken {
  id: number;
  name: string;
  role: UserRole;
  scopes: TokenScope[];
  /** The person the token belongs to; null for tokens made outside the API. */
  createdBy: number | null;
}

export async function insertApiToken(
  pool: Queryable,
  token: {
    name: string;
    tokenHash: string;
    role: UserRole;
    scopes: TokenScope[];
    createdBy: number | null;
    expiresInDays: number;
  },
): Promise<{ id: number; expiresAt: string }> {
  const { rows } = await pool.query<{ id: string; expires_at: Date }>(
    `INSERT INTO api_tokens (name, token_hash, role, scopes, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING id, expires_at`,
    [token.name, token.tokenHash, token.role, token.scopes, token.createdBy, token.expiresInDays],
  );
  return { id: Number(onlyRow(rows).id), expiresAt: onlyRow(rows).expires_at.toISOString() };
}

/**
 * The live token with this hash, touching last_used_at: not revoked, not expired, and its
 * maker still allowed what it does (checked here too, so a maker disabled or demoted
 * straight in the database stops their tokens at once).
 */
export async function touchLiveToken(
  pool: Queryable,
  tokenHash: string,
): Promise<LiveToken | undefined> {
  const { rows } = await pool.query<{
    id: string;
    name: string;
    role: UserRole;
    scopes: TokenScope[];
    created_by: string | null;
  }>(
    `UPDATE api_tokens t SET last_used_at = now()
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id AND u.disabled)
        AND NOT EXISTS (
          SELECT 1 FROM users m WHERE m.id = t.created_by
             AND (m.disabled OR (m.role <> 'admin' AND (t.role <> m.role OR t.scopes <> '{}'))))
     RETURNING t.id, t.name, t.role, t.scopes, t.created_by`,
    [tokenHash],
  );
  const r = rows[0];
  return (
    r && {
      id: Number(r.id),
      name: r.name,
      role: r.role,
      scopes: r.scopes,
      createdBy: r.created_by === null ? null : Number(r.created_by),
    }
  );
}

/** True when a live token was revoked now. */
export async function revokeApiToken(pool: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  return rowCount === 1;
}

/**
 * After a change to a user (inside its transaction): revokes the user's tokens that now do
 * more than the user may: all of them when disabled; when no longer admin, those with
 * another role or any scope (only admins make tokens and push records). Returns how many.
 */
export async function revokeTokensBeyond(
  client: Queryable,
  userId: number,
  user: { role: UserRole; disabled: boolean },
): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE api_tokens SET revoked_at = now()
      WHERE created_by = $1 AND revoked_at IS NULL
        AND ($2 OR ($3 <> 'admin' AND (role <> $3 OR scopes <> '{}')))`,
    [userId, user.disabled, user.role],
  );
  return rowCount ?? 0;
}

export interface TokenSummary {
  id: number;
  name: string;
  role: UserRole;
  scopes: TokenScope[];
  createdBy: { id: number; email: string } | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Every token, newest first, with its maker; never the token or its hash. */
export async function listApiTokens(pool: Queryable): Promise<TokenSummary[]> {
  const { rows } = await pool.query<{
    id: string;
    name: string;
    role: UserRole;
    scopes: TokenScope[];
    maker_id: string | null;
    maker_email: string | null;
    created_at: Date;
    expires_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT t.id, t.name, t.role, t.scopes, u.id AS maker_id, u.email AS maker_email,
            t.created_at, t.expires_at, t.last_used_at, t.revoked_at
       FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
      ORDER BY t.id DESC`,
  );
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    role: r.role,
    scopes: r.scopes,
    createdBy: r.maker_id === null ? null : { id: Number(r.maker_id), email: r.maker_email! },
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  }));
}
