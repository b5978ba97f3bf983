/**
 * The sign-in limiter's memory in PostgreSQL, so it holds across processes and restarts:
 * every password check as a row of sign_in_attempts (a failure until marked ok), and refused
 * attempts as counters per hour in sign_in_refusals. The limiter itself (reserving a check
 * under these locks, the rules that decide) is auth/sign-in-reservation.ts's.
 */
import type pg from 'pg';
import { onlyRow } from './only-row.ts';

/** Advisory lock classes (the two-key form): accounts and addresses never share a lock. */
const ACCOUNT_LOCK = 0x5131_0001;
const ADDRESS_LOCK = 0x5131_0002;
/** Refusals are counted per hour. */
const REFUSAL_WINDOW = '1 hour';

/** What the database knows about an attempt's past, within the window. */
export interface FailureHistory {
  /** Failures of this account from this address since the pair's last success. */
  pair: { failures: number; sinceLastMs: number | null };
  /** Failures from this address, any account. */
  address: { failures: number; sinceLastMs: number | null };
  /** Failures of this account, any address. */
  account: { failures: number };
}

/** What sign-in attempts are counted under. */
export interface AttemptSubject {
  /** The lower-cased email the attempt names (known or not). */
  email: string;
  /** The client's address as the limits count it (auth/sign-in-limits.ts, addressKey). */
  address: string;
}

/**
 * Takes the transaction-scoped advisory locks of the account and the address, always the
 * account first, so two attempts cannot deadlock. Held until the transaction ends.
 */
export async function lockAttemptSubject(
  client: pg.PoolClient,
  { email, address }: AttemptSubject,
): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ACCOUNT_LOCK, email]);
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ADDRESS_LOCK, address]);
}

/** The failures of the account and the address within the last `windowMs`. */
export async function failureHistory(
  client: pg.PoolClient,
  { email, address }: AttemptSubject,
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
  const r = onlyRow(rows);
  const since = (ms: number | string | null) => (ms === null ? null : Number(ms));
  return {
    pair: { failures: Number(r.pair), sinceLastMs: since(r.pair_since_ms) },
    address: { failures: Number(r.address), sinceLastMs: since(r.address_since_ms) },
    account: { failures: Number(r.account) },
  };
}

/** Writes an attempt about to be checked, as a failure until markAttemptOk; returns its id. */
export async function insertPendingAttempt(
  client: pg.PoolClient,
  { email, address }: AttemptSubject,
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO sign_in_attempts (email, ip, ok, at) VALUES ($1, $2, false, clock_timestamp())
     RETURNING id`,
    [email, address],
  );
  return onlyRow(rows).id;
}

/**
 * Adds one to the refusal counter of (email, address, this hour), email null for a counter
 * of the address alone; returns the counter's new value (1 for the first refusal).
 */
export async function countRefusal(
  client: pg.PoolClient,
  email: string | null,
  address: string,
): Promise<number> {
  const { rows } = await client.query<{ refused: string }>(
    `INSERT INTO sign_in_refusals (email, ip, window_start)
     VALUES ($1, $2, date_bin($3::interval, now(), timestamptz 'epoch'))
     ON CONFLICT (email, ip, window_start)
       DO UPDATE SET refused = sign_in_refusals.refused + 1, last_at = now()
     RETURNING refused`,
    [email, address, REFUSAL_WINDOW],
  );
  return Number(onlyRow(rows).refused);
}

/** The attempt's check succeeded: the row stops counting as a failure. */
export async function markAttemptOk(pool: pg.Pool, attemptId: string): Promise<void> {
  await pool.query('UPDATE sign_in_attempts SET ok = true WHERE id = $1', [attemptId]);
}

/** Deletes an attempt whose check never ran. */
export async function deleteAttempt(pool: pg.Pool, attemptId: string): Promise<void> {
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
  return Number(onlyRow(rows).n);
}
