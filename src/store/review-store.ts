/**
 * The review console's reads: whether a claim exists, its queue and its detail. The console
 * (src/review) keeps the logic; the SQL is here.
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
