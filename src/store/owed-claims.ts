/**
 * What each stage still owes, as PostgreSQL says: claims stored but not assessed, approved but
 * not settled, decided but not answered. PostgreSQL, not the queue, is the source of truth;
 * pipeline/sweeps.ts hands what is read here to the queues again.
 */
import type { Queryable } from './message-facts.ts';

/** A claim some stage owes work, at its current decision version. */
export interface OwedClaim {
  claimId: number;
  version: number;
  /** VIP customers' work runs first. */
  vip: boolean;
}

/** Work younger than this is probably in flight already. */
const GRACE = "interval '30 seconds'";

/** Claims (alias c) stored but not assessed. */
const OWES_ASSESS = `c.state = 'received'`;

/** Claims (alias c) approved but not settled. */
const OWES_SETTLE = `c.state = 'assessed' AND c.decision = 'approved'`;

/**
 * Claims (alias c) decided, settled or sent to review, whose current version is not answered.
 * Not those an agent must answer: over a reply limit, a failed reply, mail that gets no
 * automatic reply (spam, a sender who failed authentication), or a stage that kept
 * failing (stage_failed: a claim in review is otherwise owed its acknowledgement, and the
 * reply that kept failing would run again on every sweep). A payment's reply deferred by a
 * limit is owed again once its wait is over (its delayed job is normally there first).
 */
const OWES_REPLY = `((c.state = 'assessed' AND c.decision IN ('rejected', 'needs_info')) OR c.state = 'settled'
                    OR (c.state = 'review' AND c.decision IS NOT NULL))
  AND NOT (c.reasons && ARRAY['reply_limit_reached', 'reply_failed', 'stage_failed', 'no_automatic_reply'])
  AND NOT EXISTS (SELECT 1 FROM reply_deferrals d WHERE d.claim_id = c.id AND d.decision_version = c.version
                  AND d.until > now())
  AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.claim_id = c.id AND r.decision_version = c.version
                  AND r.state IN ('sent', 'failed'))`;

/** The stages whose work one claim can be found owing (after its assessment). */
export type OwingStage = 'settle' | 'reply';

const OWES: Record<OwingStage, string> = { settle: OWES_SETTLE, reply: OWES_REPLY };

type Row = { id: string; version: number; vip: boolean };
const toOwed = (r: Row): OwedClaim => ({ claimId: Number(r.id), version: r.version, vip: r.vip });

/** The claim, if `stage` owes it work now (no grace: its previous stage has just committed). */
export async function claimOwedBy(
  db: Queryable,
  stage: OwingStage,
  claimId: number,
): Promise<OwedClaim[]> {
  const { rows } = await db.query<Row>(
    `SELECT c.id, c.version, c.vip FROM claims c WHERE c.id = $1 AND ${OWES[stage]}`,
    [claimId],
  );
  return rows.map(toOwed);
}

/** Up to 1,000 claims per stage that it owes work, untouched for the grace period, oldest id first. */
export interface OwedWork {
  assess: OwedClaim[];
  settle: OwedClaim[];
  reply: OwedClaim[];
}

/** What every stage owes, read one stage after the other (assess, settle, reply). */
export async function findOwedWork(db: Queryable): Promise<OwedWork> {
  const owed = async (condition: string) =>
    (
      await db.query<Row>(
        `SELECT c.id, c.version, c.vip FROM claims c
          WHERE ${condition} AND c.updated_at < now() - ${GRACE} ORDER BY c.id LIMIT 1000`,
      )
    ).rows.map(toOwed);
  const assess = await owed(OWES_ASSESS);
  const settle = await owed(OWES_SETTLE);
  const reply = await owed(OWES_REPLY);
  return { assess, settle, reply };
}
