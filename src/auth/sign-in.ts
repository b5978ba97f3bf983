/**
 * The one sign-in procedure behind every door (the JSON API and the login page's form, in
 * web/): each password check is reserved first against the limits of sign-in-limits.ts (per
 * account and address, per address, per account), so the limits hold for parallel requests
 * and across processes; a refused attempt gets no password check. Every door counts into the
 * same rows and writes the same audit entries, so none gets around another.
 */
import type pg from 'pg';
import { writeAudit } from '../store/audit-log.ts';
import { findUser, replacePasswordHash, type UserRow } from '../store/users-store.ts';
import { ConcurrencyLimitBusy } from './concurrency-limit.ts';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password.ts';
import { DEFAULT_SESSION_IDLE_MINUTES, startSession } from './sessions.ts';
import { addressKey } from './sign-in-limits.ts';
import { cancelCheck, markCheckOk, reserveCheck } from './sign-in-reservation.ts';

export interface SignInOptions {
  pool: pg.Pool;
  /** A session ends after this many minutes without a request. @defaultValue 60 */
  idleMinutes?: number | undefined;
}

export interface Credentials {
  /** Trimmed and lower-cased. */
  email: string;
  password: string;
}

/** Where the attempt comes from. */
export interface SignInClient {
  /** The client's address, as the limits and the audit log see it. */
  ip: string;
  /** The request's logger. */
  log: { warn(details: object, message: string): void };
}

export type SignInResult =
  | {
      ok: true;
      user: UserRow;
      csrfToken: string;
      /** For the session cookie; the database keeps only its hash. */
      sessionToken: string;
    }
  | { ok: false; code: 'invalid_credentials' }
  | { ok: false; code: 'rate_limited'; waitMs: number; message?: string };

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
  client: SignInClient,
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
    client.log.warn({ err: error, userId: user.id }, 'password rehash skipped');
    return false;
  }
}

/** Signs in with credentials from any door: a new session, or why not. */
export async function signIn(
  { pool, idleMinutes = DEFAULT_SESSION_IDLE_MINUTES }: SignInOptions,
  credentials: Credentials,
  client: SignInClient,
): Promise<SignInResult> {
  const { email, password } = credentials;
  const { ip } = client;
  const reservation = await reserveCheck(pool, { email, address: addressKey(ip), ip });
  if (!reservation.granted) {
    client.log.warn({ ip, gate: reservation.gate }, 'sign-in refused: rate limited');
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
    await writeAudit(pool, {
      actor: user ? `user:${user.email}` : 'anonymous',
      action: 'auth.sign_in_failed',
      details: { email, ip, reason: user?.disabled ? 'disabled' : 'invalid_credentials' },
    });
    return { ok: false, code: 'invalid_credentials' };
  }
  await markCheckOk(pool, reservation.attemptId);
  const rehashed = await upgradeHash(pool, client, user, password);
  const session = await startSession(pool, user.id, idleMinutes);
  await writeAudit(pool, {
    actor: `user:${user.email}`,
    action: 'auth.sign_in',
    details: { ip, rehashed },
  });
  return { ok: true, user, csrfToken: session.csrfToken, sessionToken: session.token };
}
