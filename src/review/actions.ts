/**
 * What an agent does to a flagged claim. Every action is one transaction that writes its
 * audit_log row with the change, and every decision is optimistic: the UPDATE names the
 * version the agent saw, so of two agents deciding the same claim only the first wins and
 * the second is told to reload (never a silent overwrite, never two replies).
 *
 * The next stage is enqueued after the commit. Should Redis be away then, the claim is
 * still owed in PostgreSQL ('assessed' at the new version) and the sweeps enqueue it.
 */
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';
import { editNeedsAdmin } from '../domain/edited-amount.ts';
import { decimal, formatMinor, minorDigitsOf, parseDecimal, toMinor } from '../domain/money.ts';
import { DEFAULT_POLICY } from '../domain/policy.ts';
import { type QueueName, REPLY_QUEUE, SETTLE_QUEUE, type WorkItem } from '../pipeline/queues.ts';
import { writeAudit } from '../store/audit-log.ts';
import { withTransaction } from '../store/database.ts';
import {
  assignClaim,
  type ClaimUnderReview,
  claimUnderReview,
  recordReviewDecision,
  reviewAboveOf,
} from '../store/review-decisions.ts';
import { applyDraft, type DecisionDraft, type ReviewedAssessment } from './draft.ts';
import { ReviewError } from './errors.ts';

/** The slice of PipelineProducer the actions use: a real producer or a test's fake. */
export interface StageProducer {
  add(queue: QueueName, items: WorkItem[]): Promise<void>;
}

export interface ActionInput {
  claimId: number;
  /** The claim version the agent decided on (from the queue or the detail page). */
  expectedVersion: number;
  /** 'agent:<email>' */
  actor: string;
}

export interface ApproveInput extends ActionInput {
  /** The amount to pay instead of the computed one; needs a note. */
  amount?: string;
  note?: string;
  /**
   * The approver's role. An edited amount above the computed one, or above the review limit
   * of the policy the claim was assessed with, needs 'admin' (DESIGN v1.1 "Agent decisions").
   * @defaultValue 'agent'
   */
  role?: string;
}

export interface RejectInput extends ActionInput {
  reasons: string[];
  note?: string;
}

export interface RequestInfoInput extends ActionInput {
  missing: string[];
  note?: string;
}

export interface Decided {
  claimId: number;
  version: number;
  decision: 'approved' | 'rejected' | 'needs_info';
}

export function approve(
  pool: pg.Pool,
  producer: StageProducer,
  input: ApproveInput,
): Promise<Decided> {
  const draft: DecisionDraft = {
    decision: 'approved',
    ...(input.amount === undefined ? {} : { amount: input.amount }),
    ...(input.note === undefined ? {} : { note: input.note }),
  };
  return decide(pool, producer, input, draft, 'review.approve', SETTLE_QUEUE, (client, a, was) =>
    checkEditAllowed(client, input, a, was),
  );
}

/**
 * Paying more than the engine found owed, or more than the policy lets pass without review,
 * is a second person's decision: only an admin may. Refused with 'invalid_input' (400) and
 * a message saying who may, like every other amount the request cannot have.
 */
async function checkEditAllowed(
  client: pg.PoolClient,
  input: ApproveInput,
  a: ReviewedAssessment,
  was: Assessment,
): Promise<void> {
  if (!a.currency || a.amount === null || a.amount === was.amount) return;
  const digits = minorDigitsOf(a.currency);
  const edited = toMinor(decimal(a.amount), digits);
  const computed = was.amount === null ? null : toMinor(decimal(was.amount), digits);
  const limit = toMinor(await reviewLimit(client, input.claimId), digits);
  const needs = editNeedsAdmin(edited, computed, limit);
  if (needs === null || (input.role ?? 'agent') === 'admin') return;
  const money = (units: bigint) => `${formatMinor(units, digits)} ${a.currency}`;
  throw new ReviewError(
    'invalid_input',
    needs === 'above_computed'
      ? `only an admin may approve more than the computed ${money(computed ?? 0n)} (asked: ${money(edited)})`
      : `only an admin may approve more than the review limit of ${money(limit)} (asked: ${money(edited)})`,
  );
}

/** The review limit of the policy the claim's latest assessment ran with (else policy v1's). */
async function reviewLimit(client: pg.PoolClient, claimId: number) {
  const limit = await reviewAboveOf(client, claimId);
  return parseDecimal(limit ?? undefined) ?? DEFAULT_POLICY.reviewAbove;
}

export function reject(
  pool: pg.Pool,
  producer: StageProducer,
  input: RejectInput,
): Promise<Decided> {
  const draft: DecisionDraft = {
    decision: 'rejected',
    reasons: input.reasons,
    ...(input.note === undefined ? {} : { note: input.note }),
  };
  return decide(pool, producer, input, draft, 'review.reject', REPLY_QUEUE);
}

export function requestInfo(
  pool: pg.Pool,
  producer: StageProducer,
  input: RequestInfoInput,
): Promise<Decided> {
  const draft: DecisionDraft = {
    decision: 'needs_info',
    missing: input.missing,
    ...(input.note === undefined ? {} : { note: input.note }),
  };
  return decide(pool, producer, input, draft, 'review.request_info', REPLY_QUEUE);
}

async function decide(
  pool: pg.Pool,
  producer: StageProducer,
  input: ActionInput,
  draft: DecisionDraft,
  action: string,
  next: QueueName,
  /** Refuses the decision (throws ReviewError) before anything is written. */
  allowed?: (client: pg.PoolClient, a: ReviewedAssessment, was: Assessment) => Promise<void>,
): Promise<Decided> {
  checkActor(input.actor);
  const done = await withTransaction(pool, async (client) => {
    const claim = await current(client, input.claimId);
    checkDecidable(claim, input.expectedVersion);
    if (!claim.assessment)
      throw new ReviewError('invalid_input', 'the claim has no assessment to decide on');
    const a = applyDraft(claim.assessment, draft, input.actor, new Date());
    await allowed?.(client, a, claim.assessment);
    // No lock was taken above: the version and state in the WHERE clause are the check,
    // so an agent who loaded the claim before someone else decided it loses here.
    const row = await recordReviewDecision(client, input.claimId, input.expectedVersion, a);
    if (!row) throw conflict();
    await writeAudit(client, {
      actor: input.actor,
      action,
      claimId: input.claimId,
      details: {
        decision: a.decision,
        note: a.agent?.note ?? null,
        amount: a.amount,
        original_amount: claim.assessment.amount,
        reasons: a.reasons,
        original_reasons: claim.reasons,
        from_version: input.expectedVersion,
        version: row.version,
      },
    });
    return { version: row.version, vip: row.vip, decision: a.decision as Decided['decision'] };
  });
  await producer.add(next, [{ claimId: input.claimId, version: done.version, vip: done.vip }]);
  return { claimId: input.claimId, version: done.version, decision: done.decision };
}

export interface AssignInput {
  claimId: number;
  /** The agent taking the claim ('agent:<email>' or a bare email), or null to release it. */
  assignee: string | null;
  actor: string;
}

/** Who works on a claim is not a decision: no version change, last writer wins, audited. */
export async function assign(
  pool: pg.Pool,
  input: AssignInput,
): Promise<{ assignee: string | null }> {
  checkActor(input.actor);
  const assignee = input.assignee?.trim() ? input.assignee.trim() : null;
  return withTransaction(pool, async (client) => {
    const row = await assignClaim(client, input.claimId, assignee);
    if (!row) throw new ReviewError('not_found', `claim ${input.claimId} does not exist`);
    await writeAudit(client, {
      actor: input.actor,
      action: 'review.assign',
      claimId: input.claimId,
      details: { assignee, previous: row.previous },
    });
    return { assignee };
  });
}

type Current = ClaimUnderReview;

async function current(client: pg.PoolClient, claimId: number): Promise<Current> {
  const claim = await claimUnderReview(client, claimId);
  if (!claim) throw new ReviewError('not_found', `claim ${claimId} does not exist`);
  return claim;
}

function checkDecidable(claim: Current, expectedVersion: number): void {
  if (claim.version !== expectedVersion) throw conflict();
  if (claim.state !== 'review')
    throw new ReviewError('not_reviewable', `the claim is ${claim.state}, not waiting for review`);
}

function conflict(): ReviewError {
  return new ReviewError(
    'version_conflict',
    'This claim was decided by someone else meanwhile; reload it',
  );
}

function checkActor(actor: string): void {
  // The audit trail must say which agent it was; the HTTP layer passes the session's user.
  if (!/^agent:\S+@\S+$/.test(actor))
    throw new ReviewError('invalid_input', `actor must be 'agent:<email>', got '${actor}'`);
}
