/**
 * Console sessions: a random token for the cookie (the table keeps only its SHA-256) and a
 * CSRF token beside it. A session ends after SESSION_TTL_MS whatever happens, sooner after
 * SESSION_IDLE_MINUTES without a request, and at once when its user is disabled.
 */
import type pg from 'pg';
import { writeAudit } from '../store/audit-log.ts';
import { deleteSession, insertSession, touchLiveSession } from '../store/sessions-store.ts';
import type { SessionPrincipal } from './principal.ts';
import { newSecret, sha256 } from './secrets.ts';

/** A session's absolute lifetime. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** SESSION_IDLE_MINUTES' default. */
export const DEFAULT_SESSION_IDLE_MINUTES = 60;

export interface NewSession {
  /** For the cookie; never stored. */
  token: string;
  csrfToken: string;
}

/** Starts a session for a user who just proved who they are. */
export async function startSession(
  pool: pg.Pool,
  userId: number,
  idleMinutes: number = DEFAULT_SESSION_IDLE_MINUTES,
): Promise<NewSession> {
  const token = newSecret();
  const csrfToken = newSecret();
  await insertSession(pool, {
    tokenHash: sha256(token),
    userId,
    csrfToken,
    ttlMs: SESSION_TTL_MS,
    idleMs: idleMinutes * 60_000,
  });
  return { token, csrfToken };
}

/** The live session of a cookie token (which it keeps alive), or undefined. */
export async function sessionPrincipal(
  pool: pg.Pool,
  token: string,
): Promise<SessionPrincipal | undefined> {
  const s = await touchLiveSession(pool, sha256(token));
  return (
    s && {
      kind: 'session',
      sessionId: s.id,
      csrfToken: s.csrfToken,
      userId: s.userId,
      email: s.email,
      role: s.role,
    }
  );
}

/** Signs out: the session ends, and the audit log says so. */
export async function endSession(pool: pg.Pool, session: SessionPrincipal): Promise<void> {
  await deleteSession(pool, session.sessionId);
  await writeAudit(pool, { actor: `user:${session.email}`, action: 'auth.sign_out', details: {} });
}
