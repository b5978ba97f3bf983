/**
 * Console sessions in PostgreSQL. A session's id is the SHA-256 of its cookie token, so the
 * table alone signs nobody in; the token, its lifetimes and the audit entries are
 * auth/sessions.ts's. Housekeeping deletes expired rows (retention.ts).
 */
import type pg from 'pg';
import type { UserRole } from './users-store.ts';

/** A pool, or a client inside a transaction: whatever can run one statement. */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** A live session with its user. */
export interface LiveSession {
  /** The SHA-256 of the cookie token. */
  id: string;
  csrfToken: string;
  userId: number;
  email: string;
  role: UserRole;
}

export async function insertSession(
  pool: Queryable,
  session: {
    /** The SHA-256 of the cookie token. */
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
 * The live session with this token hash, touching last_seen_at: not past its absolute expiry,
 * not idle longer than its idle timeout, its user not disabled.
 */
export async function touchLiveSession(
  pool: Queryable,
  tokenHash: string,
): Promise<LiveSession | undefined> {
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
    [tokenHash],
  );
  const r = rows[0];
  return (
    r && {
      id: r.id,
      csrfToken: r.csrf_token,
      userId: Number(r.user_id),
      email: r.email,
      role: r.role,
    }
  );
}

export async function deleteSession(pool: Queryable, sessionId: string): Promise<void> {
  await pool.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
}

/** Deletes every session of a user; returns how many. */
export async function deleteUserSessions(client: Queryable, userId: number): Promise<number> {
  const { rowCount } = await client.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  return rowCount ?? 0;
}
