/**
 * The console's tables in PostgreSQL: users, sessions and the audit entries they write
 * (API tokens: token-store.ts; sign-in attempts: sign-in-store.ts). Secrets arrive here
 * already hashed (sha256) or as scrypt hashes.
 */
import type pg from 'pg';
import { writeAudit } from '../store/audit-log.ts';
import { revokeTokensBeyond, sha256, type TokenPrincipal } from './token-store.ts';

export {
  createApiToken,
  revokeApiToken,
  sha256,
  TOKEN_SCOPES,
  type TokenPrincipal,
  type TokenScope,
  tokenPrincipal,
} from './token-store.ts';

export const USER_ROLES = ['agent', 'ops', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

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

export type Principal = SessionPrincipal | TokenPrincipal;

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

/** Replaces a password hash (a rehash at sign-in) unless it changed meanwhile. */
export async function replacePasswordHash(
  pool: pg.Pool,
  userId: number,
  from: string,
  to: string,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2',
    [userId, from, to],
  );
  return rowCount === 1;
}

/** Writes one audit entry; pass the transaction's client to make it part of a change. */
export async function audit(
  pool: Queryable,
  actor: string,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  await writeAudit(pool, { actor, action, details });
}

export async function createSession(
  pool: pg.Pool,
  session: {
    tokenHash: string;
    userId: number;
    csrfToken: string;
    /** The absolute lifetime. */
    ttlMs: number;
    /** The session ends after this long without a request. */
    idleMs: number;
  },
): Promise<void> {
  await pool.query(
    `INSERT INTO sessions (id, user_id, csrf_token, expires_at, idle_timeout_s)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5)`,
    [
      session.tokenHash,
      session.userId,
      session.csrfToken,
      session.ttlMs / 1000,
      Math.max(1, Math.round(session.idleMs / 1000)),
    ],
  );
}

/**
 * The live session for a cookie token, touching last_seen_at: not past its absolute expiry,
 * not idle longer than its idle timeout, its user not disabled.
 */
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
        AND s.last_seen_at > now() - make_interval(secs => s.idle_timeout_s)
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
 * disabling also deletes the user's sessions, and any change revokes the user's API tokens
 * that now do more than the user may (revokeTokensBeyond). False when there is no such user.
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
    const tokensRevoked = await revokeTokensBeyond(client, id, row);
    await writeAudit(client, {
      actor,
      action: 'user.update',
      details: { userId: id, email: row.email, changes, sessionsDeleted, tokensRevoked },
    });
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
