/**
 * The console's tables in PostgreSQL: users, sessions, API tokens, sign-in attempts and
 * the audit entries they write. Secrets arrive here already hashed (sha256) or as scrypt hashes.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

export const USER_ROLES = ['agent', 'ops', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * What an API token may do besides its role: `records` lets it push platform records
 * (PUT /api/records/{kind}), nothing else. Migration 008 checks the same list.
 */
export const TOKEN_SCOPES = ['records'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** A pool, or a client inside a transaction: whatever can run one statement. */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface UserRow {
  id: number;
  email: string;
  role: UserRole;
  passwordHash: string;
  disabled: boolean;
}

export interface SessionPrincipal {
  kind: 'session';
  sessionId: string;
  csrfToken: string;
  userId: number;
  email: string;
  role: UserRole;
}

export interface TokenPrincipal {
  kind: 'token';
  tokenId: number;
  name: string;
  role: UserRole;
  scopes: TokenScope[];
}

export type Principal = SessionPrincipal | TokenPrincipal;

/** Random tokens of 256 bits need no slow hash: SHA-256 is enough to make a stolen table useless. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function createUser(
  pool: pg.Pool,
  user: { email: string; role: UserRole; passwordHash: string },
): Promise<number | undefined> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING RETURNING id`,
    [user.email, user.role, user.passwordHash],
  );
  return rows[0] ? Number(rows[0].id) : undefined;
}

export async function findUser(pool: pg.Pool, email: string): Promise<UserRow | undefined> {
  const { rows } = await pool.query<{
    id: string;
    email: string;
    role: UserRole;
    password_hash: string;
    disabled: boolean;
  }>('SELECT id, email, role, password_hash, disabled FROM users WHERE email = $1', [email]);
  const r = rows[0];
  return (
    r && {
      id: Number(r.id),
      email: r.email,
      role: r.role,
      passwordHash: r.password_hash,
      disabled: r.disabled,
    }
  );
}

/** Failed attempts in the window, by email and by IP: the rate limiter's two counters. */
export async function failedAttempts(
  pool: pg.Pool,
  email: string,
  ip: string,
  windowMs: number,
): Promise<{ byEmail: number; byIp: number }> {
  const { rows } = await pool.query<{ by_email: string; by_ip: string }>(
    `SELECT count(*) FILTER (WHERE email = $1) AS by_email, count(*) FILTER (WHERE ip = $2) AS by_ip
       FROM sign_in_attempts
      WHERE NOT ok AND at > now() - make_interval(secs => $3) AND (email = $1 OR ip = $2)`,
    [email, ip, windowMs / 1000],
  );
  return { byEmail: Number(rows[0]?.by_email ?? 0), byIp: Number(rows[0]?.by_ip ?? 0) };
}

export async function recordAttempt(
  pool: pg.Pool,
  email: string,
  ip: string,
  ok: boolean,
): Promise<void> {
  await pool.query('INSERT INTO sign_in_attempts (email, ip, ok) VALUES ($1, $2, $3)', [
    email,
    ip,
    ok,
  ]);
}

/** Writes one audit entry; pass the transaction's client to make it part of a change. */
export async function audit(
  pool: Queryable,
  actor: string,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  await pool.query('INSERT INTO audit_log (actor, action, details) VALUES ($1, $2, $3)', [
    actor,
    action,
    JSON.stringify(details),
  ]);
}

export async function createSession(
  pool: pg.Pool,
  session: { tokenHash: string; userId: number; csrfToken: string; ttlMs: number },
): Promise<void> {
  await pool.query(
    `INSERT INTO sessions (id, user_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [session.tokenHash, session.userId, session.csrfToken, session.ttlMs / 1000],
  );
}

/** The live session for a cookie token (not expired, user not disabled), touching last_seen_at. */
export async function sessionPrincipal(
  pool: pg.Pool,
  token: string,
): Promise<SessionPrincipal | undefined> {
  const { rows } = await pool.query<{
    id: string;
    csrf_token: string;
    user_id: string;
    email: string;
    role: UserRole;
  }>(
    `UPDATE sessions s SET last_seen_at = now()
       FROM users u
      WHERE s.id = $1 AND u.id = s.user_id AND s.expires_at > now() AND NOT u.disabled
     RETURNING s.id, s.csrf_token, s.user_id, u.email, u.role`,
    [sha256(token)],
  );
  const r = rows[0];
  return (
    r && {
      kind: 'session',
      sessionId: r.id,
      csrfToken: r.csrf_token,
      userId: Number(r.user_id),
      email: r.email,
      role: r.role,
    }
  );
}

export async function deleteSession(pool: pg.Pool, sessionId: string): Promise<void> {
  await pool.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
}

export async function createApiToken(
  pool: pg.Pool,
  token: {
    name: string;
    tokenHash: string;
    role: UserRole;
    /** @defaultValue none */
    scopes?: TokenScope[];
    createdBy: number | null;
  },
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO api_tokens (name, token_hash, role, scopes, created_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [token.name, token.tokenHash, token.role, token.scopes ?? [], token.createdBy],
  );
  return Number(rows[0]!.id);
}

/** The live (not revoked) token for a bearer value, touching last_used_at. */
export async function tokenPrincipal(
  pool: pg.Pool,
  token: string,
): Promise<TokenPrincipal | undefined> {
  const { rows } = await pool.query<{
    id: string;
    name: string;
    role: UserRole;
    scopes: TokenScope[];
  }>(
    `UPDATE api_tokens t SET last_used_at = now()
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id AND u.disabled)
     RETURNING t.id, t.name, t.role, t.scopes`,
    [sha256(token)],
  );
  const r = rows[0];
  return (
    r && { kind: 'token', tokenId: Number(r.id), name: r.name, role: r.role, scopes: r.scopes }
  );
}

/** True when a live token was revoked now. */
export async function revokeApiToken(pool: pg.Pool, id: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  return rowCount === 1;
}

export interface UserSummary {
  id: number;
  email: string;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
}

/** Every user, oldest first; never the password hashes. */
export async function listUsers(pool: pg.Pool): Promise<UserSummary[]> {
  const { rows } = await pool.query<{
    id: string;
    email: string;
    role: UserRole;
    disabled: boolean;
    created_at: Date;
  }>('SELECT id, email, role, disabled, created_at FROM users ORDER BY id');
  return rows.map((r) => ({
    id: Number(r.id),
    email: r.email,
    role: r.role,
    disabled: r.disabled,
    createdAt: r.created_at.toISOString(),
  }));
}

/**
 * Changes a user's role and/or disabled flag in one transaction with its audit entry;
 * disabling also deletes the user's sessions. False when there is no such user.
 */
export async function updateUser(
  pool: pg.Pool,
  id: number,
  changes: { role?: UserRole; disabled?: boolean },
  actor: string,
): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ email: string; role: UserRole; disabled: boolean }>(
      `UPDATE users SET role = coalesce($2, role), disabled = coalesce($3, disabled)
        WHERE id = $1 RETURNING email, role, disabled`,
      [id, changes.role ?? null, changes.disabled ?? null],
    );
    const row = rows[0];
    if (!row) {
      await client.query('ROLLBACK');
      return false;
    }
    let sessionsDeleted = 0;
    if (changes.disabled === true) {
      const deleted = await client.query('DELETE FROM sessions WHERE user_id = $1', [id]);
      sessionsDeleted = deleted.rowCount ?? 0;
    }
    await client.query('INSERT INTO audit_log (actor, action, details) VALUES ($1, $2, $3)', [
      actor,
      'user.update',
      JSON.stringify({ userId: id, email: row.email, changes, sessionsDeleted }),
    ]);
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
