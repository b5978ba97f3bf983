/**
 * The review console's writes: an agent's decision on a flagged claim and who works on it.
 * The console (src/review/actions.ts) keeps the permissions, the optimistic-version check
 * and the audit entry; these are its statements, in the caller's transaction.
 */
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';

/** A claim as a decision reads it before writing. */
export interface ClaimUnderReview {
  state: string;
  version: number;
  reasons: string[];
  assessment: Assessment | null;
}

/** The claim's state, version, reasons and assessment (no lock); null for no such claim. */
export async function claimUnderReview(
  client: pg.PoolClient,
  claimId: number,
): Promise<ClaimUnderReview | null> {
  const { rows } = await client.query<ClaimUnderReview>(
    'SELECT state, version, reasons, assessment FROM claims WHERE id = $1',
    [claimId],
  );
  return rows[0] ?? null;
}

/**
 * The `review_above` of the policy the claim's latest assessment ran with, as stored
 * (decimal text); null when there is none.
 */
export async function reviewAboveOf(
  client: pg.PoolClient,
  claimId: number,
): Promise<string | null> {
  const { rows } = await client.query<{ limit: string | null }>(
    `SELECT s.policy->>'review_above' AS limit
       FROM claim_assessments a JOIN engine_settings s ON s.hash = a.settings
      WHERE a.claim_id = $1 ORDER BY a.version DESC LIMIT 1`,
    [claimId],
  );
  return rows[0]?.limit ?? null;
}

/**
 * review → assessed with the agent's decision, only if the claim is still at
 * `expectedVersion` and in review (the optimistic check: no lock is taken before).
 * `a` is stored whole as the claim's assessment. Returns the new version and the claim's
 * vip flag, or null when the check failed.
 */
export async function recordReviewDecision(
  client: pg.PoolClient,
  claimId: number,
  expectedVersion: number,
  a: Assessment,
): Promise<{ version: number; vip: boolean } | null> {
  const { rows } = await client.query<{ version: number; vip: boolean }>(
    `UPDATE claims SET decision = $4, amount = $5, reasons = $6, assessment = $7,
            state = 'assessed', version = version + 1, updated_at = now()
      WHERE id = $1 AND version = $2 AND state = $3 RETURNING version, vip`,
    [claimId, expectedVersion, 'review', a.decision, a.amount, a.reasons, a],
  );
  return rows[0] ?? null;
}

/**
 * Sets who works on the claim (null releases it), locking the row to read the previous
 * assignee. Returns the previous one, or null when there is no such claim.
 */
export async function assignClaim(
  client: pg.PoolClient,
  claimId: number,
  assignee: string | null,
): Promise<{ previous: string | null } | null> {
  const { rows } = await client.query<{ previous: string | null }>(
    `UPDATE claims c SET assignee = $2, updated_at = now()
       FROM (SELECT id, assignee AS previous FROM claims WHERE id = $1 FOR UPDATE) old
      WHERE c.id = old.id RETURNING old.previous`,
    [claimId, assignee],
  );
  return rows[0] ?? null;
}
