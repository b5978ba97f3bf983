/**
 * The review console's reads of one claim: whether it exists, what its page shows (the claim,
 * its thread's messages, its ledger entries), its original source, and what a reply preview
 * and the decision's records start from. The queue's reads are in review-queue-store.ts, the
 * audit trail's in audit-log.ts. The console (src/review) keeps the logic; the SQL is here.
 */
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';
import type { RecordsJson } from './record-slices.ts';

/** Whether a claim with this id exists. */
export async function claimExists(pool: pg.Pool, claimId: number): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM claims WHERE id = $1', [claimId]);
  return Boolean(rowCount);
}

/** What a reply preview starts from: the claim's assessment and its message. */
export interface ClaimToPreview {
  assessment: Assessment | null;
  message_id: string;
  has_raw: boolean;
  received_at: Date;
}

/** The claim's assessment, message id, whether its source is kept, and received time. */
export async function claimToPreview(
  pool: pg.Pool,
  claimId: number,
): Promise<ClaimToPreview | null> {
  const { rows } = await pool.query<ClaimToPreview>(
    // Not the source: the preview, like the reply stage, renders from the message's facts.
    `SELECT c.assessment, m.id AS message_id, m.raw IS NOT NULL AS has_raw, c.received_at
       FROM claims c JOIN messages m ON m.id = c.message_id WHERE c.id = $1`,
    [claimId],
  );
  return rows[0] ?? null;
}

/** The record slice stored with the claim's latest assessment; null when none was. */
export async function latestAssessmentSlice(
  pool: pg.Pool,
  claimId: number,
): Promise<{ version: number; created_at: Date; slice: RecordsJson } | null> {
  const { rows } = await pool.query<{ version: number; created_at: Date; slice: RecordsJson }>(
    `SELECT version, created_at, slice FROM claim_assessments
      WHERE claim_id = $1 ORDER BY version DESC LIMIT 1`,
    [claimId],
  );
  return rows[0] ?? null;
}

/** The incidents or orders with one of `ids`, as the records tables hold them now, by id. */
export async function currentRecordsById(
  pool: pg.Pool,
  table: 'incidents' | 'orders',
  ids: string[],
): Promise<{ id: string; data: unknown }[]> {
  const { rows } = await pool.query<{ id: string; data: unknown }>(
    `SELECT id, data FROM ${table} WHERE id = ANY($1::text[]) ORDER BY id`,
    [ids],
  );
  return rows;
}

/** A claim as its page shows it, with its message's mailbox and what is left of its source. */
export interface ClaimDetailRow {
  state: string;
  version: number;
  type: string | null;
  decision: string | null;
  account: string | null;
  amount: string | null;
  currency: string | null;
  vip: boolean;
  assignee: string | null;
  received_at: Date;
  reasons: string[];
  assessment: Assessment | null;
  mailbox: string;
  message_id: string;
  /** `raw IS NOT NULL`: read from the row's null bitmap, not the source. */
  has_raw: boolean;
  quarantine_reason: string | null;
  purged_at: Date | null;
}

/** The claim and its message's mailbox, source state and quarantine reason; null for none. */
export async function claimDetailRow(
  pool: pg.Pool,
  claimId: number,
): Promise<ClaimDetailRow | null> {
  const { rows } = await pool.query<ClaimDetailRow>(
    `SELECT c.state, c.version, c.type, c.decision, c.account, c.amount::text AS amount, c.currency,
            c.vip, c.assignee, c.received_at, c.reasons, c.assessment, m.mailbox, m.id AS message_id,
            m.raw IS NOT NULL AS has_raw, m.quarantine_reason, m.purged_at
       FROM claims c JOIN messages m ON m.id = c.message_id WHERE c.id = $1`,
    [claimId],
  );
  return rows[0] ?? null;
}

/** A customer message of a claim's thread, without its source. */
export interface ThreadMessageRow {
  message_id: string;
  has_raw: boolean;
  internal_date: Date;
  purged_at: Date | null;
}

/**
 * The claim's own message, then the customer's later messages linked to it (claim_messages),
 * unordered: the thread is put in time order with the replies by the caller.
 */
export async function claimThreadMessages(
  pool: pg.Pool,
  claimId: number,
): Promise<ThreadMessageRow[]> {
  const { rows } = await pool.query<ThreadMessageRow>(
    `SELECT m.id AS message_id, m.raw IS NOT NULL AS has_raw, m.internal_date, m.purged_at
       FROM claims c JOIN messages m ON m.id = c.message_id WHERE c.id = $1
     UNION ALL
     SELECT m.id, m.raw IS NOT NULL, m.internal_date, m.purged_at
       FROM claim_messages cm JOIN messages m ON m.id = cm.message_id WHERE cm.claim_id = $1`,
    [claimId],
  );
  return rows;
}

/** A ledger entry as the claim page lists it; the amount as exact decimal text. */
export interface ClaimLedgerRow {
  kind: string;
  incident: string | null;
  order_id: string | null;
  amount: string;
  currency: string;
  created_at: Date;
  exported_at: Date | null;
}

/** The claim's ledger entries in the order they were written. */
export async function claimLedgerEntries(
  pool: pg.Pool,
  claimId: number,
): Promise<ClaimLedgerRow[]> {
  const { rows } = await pool.query<ClaimLedgerRow>(
    `SELECT kind, incident, order_id, amount::text AS amount, currency, created_at, exported_at
         FROM ledger_entries WHERE claim_id = $1 ORDER BY id`,
    [claimId],
  );
  return rows;
}

/**
 * The claim's original source (up to 25 MB; null once purged, or never kept) and when
 * retention purged it; null for no such claim. For the two console reads that need the
 * source itself: the original email's HTML and attachment downloads.
 */
export async function claimSource(
  pool: pg.Pool,
  claimId: number,
): Promise<{ raw: Buffer | null; purged_at: Date | null } | null> {
  const { rows } = await pool.query<{ raw: Buffer | null; purged_at: Date | null }>(
    'SELECT m.raw, m.purged_at FROM claims c JOIN messages m ON m.id = c.message_id WHERE c.id = $1',
    [claimId],
  );
  return rows[0] ?? null;
}
