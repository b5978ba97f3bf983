/**
 * The stage_failures table (migration 010) and the hand-over it leads to: a failure counted
 * per (claim, stage, decision version), and a claim whose stage kept failing moved to review
 * with `stage_failed`, in the caller's transaction. pipeline/stage-failures.ts decides what
 * counts and when a claim is handed over.
 */
import type pg from 'pg';
import { writeAudit } from './audit-log.ts';
import { onlyRow } from './only-row.ts';

/** The stage that failed: a pipeline queue's name. */
export type FailedStage = 'assess' | 'settle' | 'reply';

/** One stage's work on one claim, as the failures are counted. */
export interface StageWork {
  claimId: number;
  stage: FailedStage;
  /** The decision version the job acted on; 0 for assessment (no version yet). */
  version: number;
}

/** Adds one failure with its error (as an agent reads it); returns the count so far. */
export async function countFailure(
  client: pg.PoolClient,
  w: StageWork,
  error: string,
): Promise<number> {
  const counted = await client.query<{ failures: number }>(
    `INSERT INTO stage_failures (claim_id, stage, version, failures, last_error)
     VALUES ($1, $2, $3, 1, $4)
     ON CONFLICT (claim_id, stage, version) DO UPDATE
       SET failures = stage_failures.failures + 1, last_error = EXCLUDED.last_error,
           last_failed_at = now()
     RETURNING failures`,
    [w.claimId, w.stage, w.version, error],
  );
  return onlyRow(counted.rows).failures;
}

/** Where a claim must still be for its stage's failure to hand it over (a later decision wins). */
const STILL_OWED: Record<FailedStage, string> = {
  assess: `state = 'received' AND $3::int = 0`,
  settle: `state = 'assessed' AND decision = 'approved' AND version = $3`,
  // An SMTP 5xx or a cut-off send already handed the claim over as reply_failed, with the answer.
  reply: `state IN ('assessed', 'settled', 'review') AND version = $3
          AND NOT ('reply_failed' = ANY (reasons))`,
};

export interface Poisoning extends StageWork {
  /** The count that reached the limit, for the audit trail. */
  failures: number;
  /** A permanent error: handed over on its first failure. */
  permanent: boolean;
  error: string;
}

/**
 * Moves the claim to review with `stage_failed` if it is still where its stage left it, marks
 * the failures row poisoned and audits the error. Returns whether the claim was handed over.
 *
 * Not claims-store's sendToReview: that moves the claim wherever it is and audits it anyway,
 * where this must leave a claim that a later decision (or reply_failed) has moved on.
 */
export async function poisonClaim(client: pg.PoolClient, p: Poisoning): Promise<boolean> {
  // Settlement found nothing it could pay: in review, the claim's decision is the agent's
  // again (as when settlement finds it paid already). A reply keeps the decision it owes.
  const moved = await client.query(
    `UPDATE claims SET state = 'review',
            decision = CASE WHEN $2::text = 'settle' THEN 'review' ELSE decision END,
            reasons = array_append(array_remove(reasons, 'stage_failed'), 'stage_failed'),
            updated_at = now()
      WHERE id = $1 AND ${STILL_OWED[p.stage]}`,
    [p.claimId, p.stage, p.version],
  );
  if (moved.rowCount !== 1) return false;
  await client.query(
    `UPDATE stage_failures SET poisoned_at = now()
      WHERE claim_id = $1 AND stage = $2 AND version = $3`,
    [p.claimId, p.stage, p.version],
  );
  await writeAudit(client, {
    actor: `system:${p.stage}`,
    action: 'claim.to_review',
    claimId: p.claimId,
    details: {
      reason: 'stage_failed',
      stage: p.stage,
      version: p.version,
      failures: p.failures,
      permanent: p.permanent,
      error: p.error,
    },
  });
  return true;
}
