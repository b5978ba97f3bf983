/**
 * A claim's state transitions, each with the audit entry that tells of it, in the caller's
 * transaction (domain/claim-state.ts draws the states). The pipeline's stages call these and
 * write no SQL of their own, so the data path can be made faster in this one place.
 *
 * Each transition is one statement where the guarantees allow (the change and its audit
 * entry in one data-modifying WITH): on two cores a statement costs the database a wake-up
 * as much as its work, and the assess and reply stages run one per claim.
 */
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';
import type { ClaimState } from '../domain/claim-state.ts';
import type { AssessmentInputs } from './assessment-inputs.ts';
import { auditInsert } from './audit-log.ts';
import { type EmailRow, emailFactsColumns, keptEmailFacts } from './email-facts.ts';
import type { EmailFacts } from './message-facts.ts';

/** A claim locked for its assessment, with its stored message. */
export interface ReceivedClaim {
  state: ClaimState;
  raw: Buffer | null;
  internalDate: Date;
  /** messages.id of its message. */
  messageId: string;
}

/** Locks the claim (FOR UPDATE) and reads its message; null when there is no such claim. */
export async function lockClaimForAssessment(
  client: pg.PoolClient,
  claimId: number,
): Promise<ReceivedClaim | null> {
  const { rows } = await client.query<{
    state: ClaimState;
    raw: Buffer | null;
    internal_date: Date;
    message_id: string;
  }>(
    `SELECT c.state, m.raw, m.internal_date, m.id AS message_id
       FROM claims c JOIN messages m ON m.id = c.message_id
      WHERE c.id = $1 FOR UPDATE OF c`,
    [claimId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    state: row.state,
    raw: row.raw,
    internalDate: row.internal_date,
    messageId: row.message_id,
  };
}

/** A claim a follow-up may amend, locked with its message. */
export interface ParentClaim {
  decision: Assessment['decision'] | null;
  account: string | null;
  raw: Buffer | null;
  receivedAt: Date;
  messageId: string;
}

/**
 * Locks a claim a follow-up names. Its message row is locked too: when retention
 * (store/retention.ts) purges the original while we wait for the claim, the lock makes us
 * read the purged row (raw NULL: no merge) instead of this statement's older snapshot of it.
 */
export async function lockParentClaim(
  client: pg.PoolClient,
  claimId: number,
): Promise<ParentClaim | null> {
  const { rows } = await client.query<{
    decision: Assessment['decision'] | null;
    account: string | null;
    raw: Buffer | null;
    received_at: Date;
    message_id: string;
  }>(
    `SELECT c.decision, c.account, m.raw, c.received_at, m.id AS message_id
       FROM claims c JOIN messages m ON m.id = c.message_id
      WHERE c.id = $1 FOR UPDATE OF c FOR SHARE OF m`,
    [claimId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    decision: row.decision,
    account: row.account,
    raw: row.raw,
    receivedAt: row.received_at,
    messageId: row.message_id,
  };
}

/** The claims our replies with these Message-IDs (angle brackets included) answered. */
export async function claimsAnsweredBy(client: pg.PoolClient, ids: string[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<{ claim_id: string }>(
    'SELECT claim_id FROM replies WHERE message_id = ANY($1::text[])',
    [ids],
  );
  return rows.map((r) => Number(r.claim_id));
}

/** received → merged: the follow-up's message joins the claim it answers. */
export async function markMerged(
  client: pg.PoolClient,
  m: { claimId: number; into: number; messageId: string },
): Promise<void> {
  await client.query(
    `WITH joined AS (
       INSERT INTO claim_messages (claim_id, message_id) VALUES ($2, $3) ON CONFLICT DO NOTHING
     ), merged AS (
       UPDATE claims SET state = 'merged', updated_at = now() WHERE id = $1
     )
     ${auditInsert(`SELECT 'system:worker', 'claim.merged', $1::bigint, $3::bigint, $4::jsonb`)}`,
    [m.claimId, m.into, m.messageId, { into: m.into }],
  );
}

/** A decision to record: the claim's new state, what made it (for replay), and the audit entry. */
export interface RecordedDecision extends Omit<AssessmentInputs, 'version'> {
  state: ClaimState;
  vip: boolean;
  audit: { actor: string; action: string; messageId: string; details: object };
}

/**
 * received → assessed, review or ignored (or a merged claim's new version): the claim's new
 * decision version, the inputs that made it (claim_assessments, for replay) and its audit
 * entry, in one statement. Returns the new version and the claim's received time.
 */
export async function recordDecision(
  client: pg.PoolClient,
  d: RecordedDecision,
): Promise<{ version: number; receivedAt: Date }> {
  const a = d.assessment;
  const { rows } = await client.query<{ version: number; received_at: Date }>(
    `WITH claim AS (
       UPDATE claims SET state = $2, type = $3, decision = $4, account = $5, amount = $6,
              currency = $7, reasons = $8, assessment = $9, vip = $10, version = version + 1,
              updated_at = now()
        WHERE id = $1 RETURNING id, version, received_at
     ), inputs AS (
       INSERT INTO claim_assessments
         (claim_id, version, message_ids, received_at, sender_authenticated, settings, slice, assessment)
       SELECT id, version, $11, $12, $13, $14, $15, $9 FROM claim
     ), audit AS (
       ${auditInsert('SELECT $16, $17, id, $18, $19 FROM claim')}
     )
     SELECT version, received_at FROM claim`,
    [
      d.claimId,
      d.state,
      a.type,
      a.decision,
      a.account,
      a.amount,
      a.currency,
      a.reasons,
      a,
      d.vip,
      d.messageIds,
      new Date(d.receivedAt),
      d.senderAuthenticated ?? null,
      d.settings,
      d.slice,
      d.audit.actor,
      d.audit.action,
      d.audit.messageId,
      d.audit.details,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error(`claim ${d.claimId} vanished while being assessed`);
  return { version: row.version, receivedAt: row.received_at };
}

/** An approved claim locked for settlement. */
export interface ClaimToSettle<A> {
  state: ClaimState;
  decision: string | null;
  assessment: A | null;
  receivedAt: Date;
}

export async function lockClaimForSettlement<A>(
  client: pg.PoolClient,
  claimId: number,
): Promise<ClaimToSettle<A> | null> {
  const { rows } = await client.query<{
    state: ClaimState;
    decision: string | null;
    assessment: A | null;
    received_at: Date;
  }>('SELECT state, decision, assessment, received_at FROM claims WHERE id = $1 FOR UPDATE', [
    claimId,
  ]);
  const row = rows[0];
  if (!row) return null;
  return {
    state: row.state,
    decision: row.decision,
    assessment: row.assessment,
    receivedAt: row.received_at,
  };
}

/** assessed → settled, with what was paid. */
export async function markSettled(
  client: pg.PoolClient,
  claimId: number,
  details: object,
): Promise<void> {
  await client.query(
    `WITH settled AS (UPDATE claims SET state = 'settled', updated_at = now() WHERE id = $1)
     ${auditInsert(`SELECT 'system:settle', 'claim.settled', $1::bigint, NULL::bigint, $2::jsonb`)}`,
    [claimId, details],
  );
}

/**
 * To an agent with `code` among the reasons. `decision` true also makes the decision
 * 'review' (settlement found the claim paid already: its approval no longer stands).
 */
export async function sendToReview(
  client: pg.PoolClient,
  claimId: number,
  r: { actor: string; code: string; details: object; decision?: boolean },
): Promise<void> {
  await client.query(
    `WITH review AS (
       UPDATE claims SET state = 'review',
              decision = CASE WHEN $4 THEN 'review' ELSE decision END,
              reasons = array_append(array_remove(reasons, $2), $2), updated_at = now()
        WHERE id = $1
     )
     ${auditInsert(`SELECT $3, 'claim.to_review', $1::bigint, NULL::bigint, $5::jsonb`)}`,
    [claimId, r.code, r.actor, r.decision === true, r.details],
  );
}

/**
 * Done with, unanswered (a message from our own address): 'ignored', unless it is with the
 * agents already ('review' stays).
 */
export async function markIgnored(
  client: pg.PoolClient,
  claimId: number,
  details: object,
): Promise<void> {
  await client.query(
    `WITH ignored AS (
       UPDATE claims SET state = CASE WHEN state = 'review' THEN 'review' ELSE 'ignored' END,
              updated_at = now()
        WHERE id = $1
     )
     ${auditInsert(`SELECT 'system:reply', 'claim.ignored', $1::bigint, NULL::bigint, $2::jsonb`)}`,
    [claimId, details],
  );
}

/** A claim locked for its reply, with everything the reply is made from. */
export interface ClaimToAnswer {
  state: ClaimState;
  version: number;
  decision: Assessment['decision'] | null;
  assessment: (Assessment & { agent?: unknown }) | null;
  /** messages.id of the claim's message. */
  messageId: string;
  hasRaw: boolean;
  receivedAt: Date;
  senderAuthenticated: boolean | null;
  /** The reply already prepared for the version asked about, if any. */
  replyId: number | null;
  /** The refund's receipt number, once settled. */
  receiptNo: string | null;
  /** The message's facts; null when they must be completed (loadEmailFacts). */
  email: EmailFacts | null;
}

/**
 * Locks the claim, then reads what its reply for `version` needs. Two statements, not one:
 * a statement that waits for the claim's lock sees the other tables as they were when it
 * began, so a reply or a receipt committed by the holder of the lock (a twin job, the
 * settlement) would be missed. Read after the lock, they are seen.
 */
export async function lockClaimToAnswer(
  client: pg.PoolClient,
  claimId: number,
  version: number,
): Promise<ClaimToAnswer | null> {
  const locked = await client.query('SELECT 1 FROM claims WHERE id = $1 FOR UPDATE', [claimId]);
  if (locked.rowCount === 0) return null;
  const { rows } = await client.query<
    EmailRow & {
      state: ClaimState;
      version: number;
      decision: Assessment['decision'] | null;
      assessment: (Assessment & { agent?: unknown }) | null;
      message_id: string;
      received_at: Date;
      sender_authenticated: boolean | null;
      reply_id: string | null;
      receipt_no: string | null;
    }
  >(
    // Not the source: the reply is made from the facts the assessment kept (message-facts.ts).
    `SELECT c.state, c.version, c.decision, c.assessment, m.id AS message_id, c.received_at,
            ca.sender_authenticated, r.id AS reply_id, rs.receipt_no,
            ${emailFactsColumns('m', 'f')}
       FROM claims c JOIN messages m ON m.id = c.message_id
       LEFT JOIN claim_assessments ca ON ca.claim_id = c.id AND ca.version = c.version
       LEFT JOIN replies r ON r.claim_id = c.id AND r.decision_version = $2
       LEFT JOIN refund_settlements rs ON rs.claim_id = c.id
       LEFT JOIN message_facts f ON f.message_id = m.id
      WHERE c.id = $1`,
    [claimId, version],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    state: row.state,
    version: row.version,
    decision: row.decision,
    assessment: row.assessment,
    messageId: row.message_id,
    hasRaw: row.has_raw,
    receivedAt: row.received_at,
    senderAuthenticated: row.sender_authenticated,
    replyId: row.reply_id === null ? null : Number(row.reply_id),
    receiptNo: row.receipt_no,
    email: keptEmailFacts(row),
  };
}
