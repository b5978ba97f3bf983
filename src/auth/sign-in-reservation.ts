/**
 * The sign-in limiter, across processes and restarts: a password check is reserved before
 * it runs. Under transaction-scoped advisory locks on the account and the address, the
 * history is read, the rules (sign-in-limits.ts) decide, and the reservation is written as a
 * failed attempt, all before the lock is let go. Reading and then checking without a
 * reservation let 30 parallel guesses all see "4 failures so far" and all be checked against
 * a limit of 5 (issue #11). A success turns the row ok afterwards; a crash mid-check leaves
 * it a failure, the safe side.
 */
import type pg from 'pg';
import { writeAudit } from '../store/audit-log.ts';
import { withTransaction } from '../store/database.ts';
import {
  countRefusal,
  deleteAttempt,
  failureHistory,
  insertPendingAttempt,
  lockAttemptSubject,
  markAttemptOk,
} from '../store/sign-in-store.ts';
import {
  SIGN_IN_LIMITS,
  type SignInGate,
  type SignInLimits,
  waitBeforeCheck,
} from './sign-in-limits.ts';

export type Reservation =
  | { granted: true; attemptId: string }
  | { granted: false; gate: SignInGate; waitMs: number };

export interface AttemptKey {
  /** The lower-cased email the attempt names (known or not). */
  email: string;
  /** addressKey() of the client: what the limits count. */
  address: string;
  /** The client's own address, for the audit entry. */
  ip: string;
}

/** Reserves a password check for the attempt, or counts a refusal and says how long to wait. */
export function reserveCheck(
  pool: pg.Pool,
  key: AttemptKey,
  limits: SignInLimits = SIGN_IN_LIMITS,
): Promise<Reservation> {
  return withTransaction(pool, async (client) => {
    await lockAttemptSubject(client, key);
    const wait = waitBeforeCheck(await failureHistory(client, key, limits.windowMs), limits);
    if (wait) {
      await refuse(client, key, wait.gate, wait.waitMs);
      return { granted: false, ...wait };
    }
    return { granted: true, attemptId: await insertPendingAttempt(client, key) };
  });
}

/**
 * Counts a refusal per (account, address, hour), or per (address, hour) when the address
 * gate refused, so a client rotating account names shares one counter. Only the first
 * refusal of a counter writes an audit entry: an anonymous client cannot grow audit_log by
 * asking again.
 */
async function refuse(
  client: pg.PoolClient,
  key: AttemptKey,
  gate: SignInGate,
  waitMs: number,
): Promise<void> {
  const email = gate === 'address' ? null : key.email;
  if ((await countRefusal(client, email, key.address)) !== 1) return;
  await writeAudit(client, {
    actor: 'anonymous',
    action: 'auth.sign_in_failed',
    details: {
      email: key.email,
      ip: key.ip,
      reason: 'rate_limited',
      gate,
      retryAfterSeconds: Math.ceil(waitMs / 1000),
      // Where the rest of this hour's refusals are counted.
      counted: { table: 'sign_in_refusals', email, ip: key.address },
    },
  });
}

/** The reserved check succeeded: the row stops counting as a failure. */
export function markCheckOk(pool: pg.Pool, attemptId: string): Promise<void> {
  return markAttemptOk(pool, attemptId);
}

/** The reserved check never ran (the server was too busy): it must not count against anyone. */
export function cancelCheck(pool: pg.Pool, attemptId: string): Promise<void> {
  return deleteAttempt(pool, attemptId);
}
