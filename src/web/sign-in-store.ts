/**
 * The sign-in limiter's memory in PostgreSQL, so it holds across processes and restarts.
 *
 * A password check is reserved before it runs: under transaction-scoped advisory locks on
 * the account and the address, the history is read, the rules decide, and the reservation
 * is written as a failed attempt, all before the lock is let go. Reading and then checking
 * without a reservation let 30 parallel guesses all see "4 failures so far" and all be
 * checked against a limit of 5 (issue #11). A success turns the row ok afterwards; a crash
 * mid-check leaves it a failure, the safe side.
 */
import type pg from 'pg';
import { withTransaction } from '../store/database.ts';
import { audit } from './auth-store.ts';
import {
  type FailureHistory,
  SIGN_IN_LIMITS,
  type SignInGate,
  type SignInLimits,
  waitBeforeCheck,
} from './sign-in-limits.ts';

/** Advisory lock classes (the two-key form): accounts and addresses never share a lock. */
const ACCOUNT_LOCK = 0x5131_0001;
const ADDRESS_LOCK = 0x5131_0002;
/** Refusals are counted per hour; the first of each (account or address) hour is audited. */
const REFUSAL_WINDOW = '1 hour';

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

/**
 * Reserves a password check for the attempt, or counts a refusal and says how long to wait.
 * Locks are always taken account first, then address, so two attempts cannot deadlock.
 */
export function reserveCheck(
  pool: pg.Pool,
  key: AttemptKey,
  limits: SignInLimits = SIGN_IN_LIMITS,
): Promise<Reservation> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ACCOUNT_LOCK, key.email]);
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      ADDRESS_LOCK,
      key.address,
    ]);
    const wait = waitBeforeCheck(await history(client, key, limits.windowMs), limits);
    if (wait) {
      await countRefusal(client, key, wait.gate, wait.waitMs);
      return { granted: false, ...wait };
    }
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO sign_in_attempts (email, ip, ok, at) VALUES ($1, $2, false, clock_timestamp())
       RETURNING id`,
      [key.email, key.address],
    );
    return { granted: true, attemptId: rows[0]!.id };
  });
}

async function history(
  client: pg.PoolClient,
  { email, address }: AttemptKey,
  windowMs: number,
): Promise<FailureHistory> {
  const { rows } = await client.query<{
    pair: string;
    pair_since_ms: number | null;
    account: string;
    address: string;
    address_since_ms: number | null;
  }>(
    `WITH pair_ok AS (
       SELECT coalesce(max(at), '-infinity') AS at FROM sign_in_attempts
        WHERE email = $1 AND ip = $2 AND ok
     ), failed AS (
       SELECT email, ip, at, (email = $1 AND ip = $2 AND at > (SELECT at FROM pair_ok)) AS in_pair
         FROM sign_in_attempts
        WHERE NOT ok AND at > clock_timestamp() - make_interval(secs => $3) AND (email = $1 OR ip = $2)
     )
     SELECT count(*) FILTER (WHERE in_pair) AS pair,
            extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE in_pair)) * 1000 AS pair_since_ms,
            count(*) FILTER (WHERE email = $1) AS account,
            count(*) FILTER (WHERE ip = $2) AS address,
            extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE ip = $2)) * 1000 AS address_since_ms
       FROM failed`,
    [email, address, windowMs / 1000],
  );
  const r = rows[0]!;
  const since = (ms: number | string | null) => (ms === null ? null : Number(ms));
  return {
    pair: { failures: Number(r.pair), sinceLastMs: since(r.pair_since_ms) },
    address: { failures: Number(r.address), sinceLastMs: since(r.address_since_ms) },
    account: { failures: Number(r.account) },
  };
}

/**
 * Adds one to the refusal counter of (account, address, hour), or of (address, hour) when
 * the address gate refused, so a client rotating account names shares one row. Only the
 * first refusal of a counter writes an audit entry: an anonymous client cannot grow
 * audit_log by asking again.
 */
async function countRefusal(
  client: pg.PoolClient,
  key: AttemptKey,
  gate: SignInGate,
  waitMs: number,
): Promise<void> {
  const email = gate === 'address' ? null : key.email;
  const { rows } = await client.query<{ refused: string }>(
    `INSERT INTO sign_in_refusals (email, ip, window_start)
     VALUES ($1, $2, date_bin($3::interval, now(), timestamptz 'epoch'))
     ON CONFLICT (email, ip, window_start)
       DO UPDATE SET refused = sign_in_refusals.refused + 1, last_at = now()
     RETURNING refused`,
    [email, key.address, REFUSAL_WINDOW],
  );
  if (rows[0]?.refused !== '1') return;
  await audit(client, 'anonymous', 'auth.sign_in_failed', {
    email: key.email,
    ip: key.ip,
    reason: 'rate_limited',
    gate,
    retryAfterSeconds: Math.ceil(waitMs / 1000),
    // Where the rest of this hour's refusals are counted.
    counted: { table: 'sign_in_refusals', email, ip: key.address },
  });
}

/** The reserved check succeeded: the row stops counting as a failure. */
export async function markCheckOk(pool: pg.Pool, attemptId: string): Promise<void> {
  await pool.query('UPDATE sign_in_attempts SET ok = true WHERE id = $1', [attemptId]);
}

/** The reserved check never ran (the server was too busy): it must not count against anyone. */
export async function cancelCheck(pool: pg.Pool, attemptId: string): Promise<void> {
  await pool.query('DELETE FROM sign_in_attempts WHERE id = $1', [attemptId]);
}

/** Deletes refusal counters older than `olderThanMs`, a batch at a time (housekeeping). */
export async function deleteOldRefusals(
  pool: pg.Pool,
  olderThanMs: number,
  batchSize: number,
  signal?: AbortSignal,
): Promise<number> {
  let total = 0;
  for (;;) {
    if (signal?.aborted) return total;
    const { rowCount } = await pool.query(
      `DELETE FROM sign_in_refusals WHERE ctid IN (
         SELECT ctid FROM sign_in_refusals
          WHERE window_start < now() - make_interval(secs => $2) LIMIT $1)`,
      [batchSize, olderThanMs / 1000],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return total;
  }
}

/** How many refusal counters deleteOldRefusals would delete (a dry run). */
export async function countOldRefusals(pool: pg.Pool, olderThanMs: number): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM sign_in_refusals WHERE window_start < now() - make_interval(secs => $1)',
    [olderThanMs / 1000],
  );
  return Number(rows[0]!.n);
}
