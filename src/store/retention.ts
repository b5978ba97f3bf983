/**
 * What housekeeping deletes, in bounded batches so no statement holds locks for long:
 * the raw source of old messages and sent replies (issue #6, part 9), expired console
 * sessions and sign-in attempts the rate limiter no longer reads (issue #5).
 *
 * Purging keeps every row and drops only the bytes (`raw = NULL, purged_at = now()`):
 * claims, decisions, the ledger and the audit log stay, and so do each message's SHA-256
 * (a redelivered copy is still recognised as a duplicate) and Message-ID (threading).
 * Attachments live inside the raw source, so they go with it.
 */
import type pg from 'pg';
import { asDatabaseError, withTransaction } from './database.ts';
import { isMigrated } from './migrate.ts';
import { onlyRow } from './only-row.ts';

/** The first schema version with the retention columns (005_retention.sql). */
const RETENTION_SCHEMA_VERSION = 5;

/**
 * Claim states after which no stage reads the raw message again. Every other state
 * (received, assessed, review, settling, settled) is unfinished work: assessment, settlement,
 * the reply and the agents all still read the customer's email, so it is never purged,
 * however old. A claim that waits in review for years keeps its email for years.
 *
 * 'answered' includes needs-info claims: a customer's answer arriving after the purge no
 * longer finds its original (assess-claim.ts skips a parent without raw) and is assessed on
 * its own as a new claim, which is the right outcome for an answer a year late.
 */
export const FINISHED_STATES = ['answered', 'closed', 'ignored', 'merged'] as const;

/** Rows changed per transaction. @defaultValue 500 */
export const DEFAULT_BATCH_SIZE = 500;

export interface PurgeCounts {
  messages: number;
  replies: number;
  /** Transactions that purged something. */
  batches: number;
}

/** True when a claim that is not finished reads this message (its own or a follow-up). */
const HAS_OPEN_CLAIM = `(EXISTS (SELECT 1 FROM claims c WHERE c.message_id = m.id AND c.state <> ALL($1::text[]))
   OR EXISTS (SELECT 1 FROM claim_messages cm JOIN claims c ON c.id = cm.claim_id
               WHERE cm.message_id = m.id AND c.state <> ALL($1::text[])))`;

const OLD_MESSAGE = `m.raw IS NOT NULL AND m.created_at < now() - make_interval(days => $2) AND NOT ${HAS_OPEN_CLAIM}`;

const OLD_REPLY = `r.raw IS NOT NULL AND r.state = 'sent' AND r.created_at < now() - make_interval(days => $2)
  AND EXISTS (SELECT 1 FROM claims c WHERE c.id = r.claim_id AND c.state = ANY($1::text[]))`;

/** A keyset position: (created_at as PostgreSQL prints it, so no microseconds are lost; id). */
interface Cursor {
  at: string;
  id: string;
}
const START: Cursor = { at: '-infinity', id: '0' };

function finished(): string[] {
  return [...FINISHED_STATES];
}

/**
 * Drops the raw source of messages stored more than `days` ago whose claims are all
 * finished, and of sent replies older than that on finished claims. `days` ≥ 1. An aborted
 * `signal` stops it between batches (shutdown); what was purged so far stays purged.
 */
export async function purgeRawSources(
  pool: pg.Pool,
  days: number,
  batchSize = DEFAULT_BATCH_SIZE,
  signal?: AbortSignal,
): Promise<PurgeCounts> {
  if (!Number.isInteger(days) || days < 1) throw new RangeError('days must be a whole number ≥ 1');
  const counts: PurgeCounts = { messages: 0, replies: 0, batches: 0 };
  for (const kind of [MESSAGES, REPLIES]) {
    for (let cursor: Cursor | null = START; cursor && !signal?.aborted; ) {
      const batch = await purgeBatch(pool, kind, days, batchSize, cursor);
      counts[kind.table] += batch.purged;
      if (batch.purged > 0) counts.batches++;
      cursor = batch.next;
    }
  }
  return counts;
}

/** What purgeRawSources would purge now, without changing anything. */
export async function countPurgeable(
  pool: pg.Pool,
  days: number,
): Promise<Omit<PurgeCounts, 'batches'>> {
  const { rows } = await pool.query<{ messages: string; replies: string }>(
    `SELECT (SELECT count(*) FROM messages m WHERE ${OLD_MESSAGE}) AS messages,
            (SELECT count(*) FROM replies r WHERE ${OLD_REPLY}) AS replies`,
    [finished(), days],
  );
  return { messages: Number(onlyRow(rows).messages), replies: Number(onlyRow(rows).replies) };
}

/** A table whose old rows lose their raw bytes: the condition on its alias, and what to lock first. */
interface Purgeable {
  table: 'messages' | 'replies';
  alias: 'm' | 'r';
  old: string;
  /** Runs in the batch's transaction before the update, with the ids it will purge. */
  lock?: (client: pg.PoolClient, ids: string[]) => Promise<void>;
}

const MESSAGES: Purgeable = {
  table: 'messages',
  alias: 'm',
  old: OLD_MESSAGE,
  // The claims are checked again under a share lock: a follow-up may have reopened a
  // needs-info claim since the look-up (assess-claim.ts locks the claim FOR UPDATE and then
  // reads its raw). Whichever transaction locks first, the other sees its result.
  lock: async (client, ids) => {
    await client.query(
      `SELECT c.id FROM claims c
        WHERE c.message_id = ANY($1::bigint[])
           OR c.id IN (SELECT claim_id FROM claim_messages WHERE message_id = ANY($1::bigint[]))
        ORDER BY c.id FOR SHARE`,
      [ids],
    );
  },
};

// A sent reply is never read for sending again (reply.ts sends only pending or failed ones),
// and a later answer finds its claim by the reply's Message-ID, which stays.
const REPLIES: Purgeable = { table: 'replies', alias: 'r', old: OLD_REPLY };

/** One transaction: the next `limit` old rows after `after` (keyset order) lose their raw. */
async function purgeBatch(
  pool: pg.Pool,
  { table, alias: a, old, lock }: Purgeable,
  days: number,
  limit: number,
  after: Cursor,
): Promise<{ purged: number; next: Cursor | null }> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; at: string }>(
      `SELECT ${a}.id, ${a}.created_at::text AS at FROM ${table} ${a}
        WHERE ${old} AND (${a}.created_at, ${a}.id) > ($3::timestamptz, $4::bigint)
        ORDER BY ${a}.created_at, ${a}.id LIMIT $5`,
      [finished(), days, after.at, after.id, limit],
    );
    if (rows.length === 0) return { purged: 0, next: null };
    const ids = rows.map((r) => r.id);
    await lock?.(client, ids);
    const purged = await client.query(
      `UPDATE ${table} ${a} SET raw = NULL, purged_at = now() WHERE ${a}.id = ANY($3::bigint[]) AND ${old}`,
      [finished(), days, ids],
    );
    return { purged: purged.rowCount ?? 0, next: nextCursor(rows, limit) };
  });
}

/** Where the next batch starts: after the last row looked at; null when this one was short. */
function nextCursor(rows: { id: string; at: string }[], limit: number): Cursor | null {
  const last = rows[rows.length - 1];
  return rows.length < limit || !last ? null : { at: last.at, id: last.id };
}

/** Deletes console sessions past their expiry (they no longer sign anyone in). */
export async function deleteExpiredSessions(
  pool: pg.Pool,
  batchSize = DEFAULT_BATCH_SIZE,
  signal?: AbortSignal,
): Promise<number> {
  return deleteInBatches(
    pool,
    `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < now() LIMIT $1)`,
    [],
    batchSize,
    signal,
  );
}

/** Deletes sign-in attempts older than `olderThanMs`, oldest first. */
export async function deleteOldSignInAttempts(
  pool: pg.Pool,
  olderThanMs: number,
  batchSize = DEFAULT_BATCH_SIZE,
  signal?: AbortSignal,
): Promise<number> {
  return deleteInBatches(
    pool,
    `DELETE FROM sign_in_attempts WHERE id IN (
       SELECT id FROM sign_in_attempts WHERE at < now() - make_interval(secs => $2) ORDER BY id LIMIT $1)`,
    [olderThanMs / 1000],
    batchSize,
    signal,
  );
}

/** What the two deletions above would remove now. */
export async function countConsoleLeftovers(
  pool: pg.Pool,
  attemptsOlderThanMs: number,
): Promise<{ sessions: number; signInAttempts: number }> {
  const { rows } = await pool.query<{ sessions: string; attempts: string }>(
    `SELECT (SELECT count(*) FROM sessions WHERE expires_at < now()) AS sessions,
            (SELECT count(*) FROM sign_in_attempts WHERE at < now() - make_interval(secs => $1)) AS attempts`,
    [attemptsOlderThanMs / 1000],
  );
  return {
    sessions: Number(onlyRow(rows).sessions),
    signInAttempts: Number(onlyRow(rows).attempts),
  };
}

/**
 * Runs a `DELETE … LIMIT $1` (each its own transaction) until a batch comes back short or
 * `signal` is aborted.
 */
async function deleteInBatches(
  pool: pg.Pool,
  sql: string,
  params: unknown[],
  batchSize: number,
  signal?: AbortSignal,
): Promise<number> {
  let total = 0;
  while (!signal?.aborted) {
    const { rowCount } = await pool.query(sql, [batchSize, ...params]);
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) break;
  }
  return total;
}

/**
 * True when the schema has the columns housekeeping works on: `migrate` has run and applied
 * 005_retention.sql or later. `housekeeping` checks this first, so an old schema gets an
 * instruction to migrate rather than an undefined-column error mid-run.
 */
export async function hasRetentionSchema(pool: pg.Pool): Promise<boolean> {
  if (!(await isMigrated(pool))) return false;
  try {
    const { rows } = await pool.query(
      'SELECT 1 FROM schema_migrations WHERE version >= $1 LIMIT 1',
      [RETENTION_SCHEMA_VERSION],
    );
    return rows.length > 0;
  } catch (error) {
    throw asDatabaseError(error);
  }
}
