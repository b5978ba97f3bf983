/** When a claim is done with, as a SQL condition on `claims c` (scale test and bench:pipeline). */

/**
 * Done with: ignored; answered (or with an agent) and the reply for its version sent; or with
 * an agent because the worker sending its reply was killed mid-send (outcome unknown: never
 * sent again, see src/pipeline/reply.ts).
 */
export const FINISHED = `(c.state = 'ignored' OR (c.state IN ('answered', 'review') AND EXISTS (
  SELECT 1 FROM replies r WHERE r.claim_id = c.id AND r.decision_version = c.version AND r.state = 'sent'))
  OR (c.state = 'review' AND 'reply_failed' = ANY(c.reasons) AND EXISTS (
  SELECT 1 FROM replies r WHERE r.claim_id = c.id AND r.outcome_unknown)))`;
