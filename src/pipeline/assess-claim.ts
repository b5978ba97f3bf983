/**
 * The assessment stage: turns a stored claim's raw message into a decision with the same
 * engine as `check`, on the records this email needs (read per claim through indexes,
 * store/record-slices.ts), and records it with an audit event and the inputs that made it
 * (store/assessment-inputs.ts), so it can be replayed. Idempotent: the claim row is
 * locked and only a claim still 'received' is assessed, so a job that runs twice (retry,
 * stalled job, two workers) decides once.
 *
 * A customer's answer to a needs-info reply (by In-Reply-To/References or the claim
 * reference in the subject) does not open a new claim when its sender may amend that claim
 * (domain/follow-up.ts `mayAmend`): it is attached to the earlier claim, which is assessed
 * again on both messages together, as a new decision version. Any other answer is a claim
 * of its own, assessed like every other email.
 */
import { UnrecoverableError } from 'bullmq';
import type pg from 'pg';
import { assess } from '../domain/assess/engine.ts';
import type { AssessInput, Assessment } from '../domain/assess/types.ts';
import { parseClaimRef } from '../domain/claim-ref.ts';
import type { ClaimState } from '../domain/claim-state.ts';
import type { EmailReader, ParsedEmail } from '../domain/email.ts';
import { combineFollowUp, mayAmend } from '../domain/follow-up.ts';
import { RecordIndex } from '../domain/record-index.ts';
import { parseEmail } from '../mail/parse.ts';
import type { ReviewedAssessment } from '../review/draft.ts';
import type { EngineSettings } from '../store/assessment-inputs.ts';
import {
  claimsAnsweredBy,
  lockClaimForAssessment,
  lockParentClaim,
  markMerged,
  recordDecision,
} from '../store/claims-store.ts';
import { withSavepoint, withTransaction } from '../store/database.ts';
import { saveMessageFacts } from '../store/message-facts.ts';
import { readSlice } from '../store/record-slices.ts';
import { accountContacts } from '../store/records-store.ts';
import { type SettleResult, settleLocked } from './settle.ts';

export interface Assessed {
  /** The claim that was decided: this one, or the earlier claim a follow-up amended. */
  claimId: number;
  /** The stored message (messages.id) this assessment read. */
  messageId: string;
  version: number;
  assessment: Assessment;
  vip: boolean;
  mergedInto?: number;
  /**
   * An automatic approval settled in the assessment's own transaction; undefined when there
   * was nothing to settle, or when settling failed (undone: the settle stage tries it then).
   */
  settled?: SettleResult;
  /** Why settling with the assessment failed, when it did. */
  settleError?: unknown;
}

/** Decides whether the sender is authenticated (sender-auth.ts); undefined when unknown. */
export type SenderCheck = (raw: Buffer, email: ParsedEmail) => Promise<boolean | undefined>;

const STATE_AFTER: Record<Assessment['decision'], ClaimState> = {
  ignored: 'ignored',
  review: 'review',
  needs_info: 'assessed',
  approved: 'assessed',
  rejected: 'assessed',
};

export interface AssessOptions {
  /**
   * Settle an approval in the assessment's transaction (the workers do): one job, one
   * connection and one commit fewer per approved claim. Without it the claim is left
   * 'assessed' for the settle stage. @defaultValue false
   */
  settle?: boolean;
}

/**
 * How the assessment reads a stored email: the one reading the engine decides on. Replay
 * (replay.ts) reads a decision's stored emails with it, so a replay sees what the assessment
 * saw; the reply stage (reply.ts) completes with it the facts an older version kept fewer of,
 * since the facts are the assessment's record of the email (saved here, from this reading).
 */
export const readForAssessment: EmailReader = parseEmail;

/** Assesses one claim; null when it was assessed before. */
export async function assessClaim(
  pool: pg.Pool,
  claimId: number,
  engine: EngineSettings,
  senderCheck?: SenderCheck,
  options: AssessOptions = {},
): Promise<Assessed | null> {
  return withTransaction(pool, async (client) => {
    const row = await lockClaimForAssessment(client, claimId);
    if (!row) throw new UnrecoverableError(`claim ${claimId} does not exist`);
    if (row.state !== 'received') return null;
    if (row.raw === null) throw new UnrecoverableError(`claim ${claimId} has no raw message`);
    const email = await readForAssessment(row.raw);
    // What lists show of it (subject, sender, attachments), so no list parses the source again.
    await saveMessageFacts(client, row.messageId, email);
    const senderAuthenticated = senderCheck ? await senderCheck(row.raw, email) : undefined;

    const parent = await followUpParent(client, claimId, email, senderAuthenticated);
    if (parent) {
      await markMerged(client, { claimId, into: parent.id, messageId: row.messageId });
      const input: AssessInput = {
        email: combineFollowUp(email, parent.email),
        receivedAt: parent.receivedAt.getTime(),
        senderAuthenticated,
      };
      const done = await decideAndRecord(client, engine, options, {
        claimId: parent.id,
        messageIds: [row.messageId, parent.messageId],
        input,
        action: 'claim.reassessed',
      });
      return { ...done, mergedInto: parent.id };
    }
    const input = { email, receivedAt: row.internalDate.getTime(), senderAuthenticated };
    return decideAndRecord(client, engine, options, {
      claimId,
      messageIds: [row.messageId],
      input,
      action: 'claim.assessed',
    });
  });
}

/**
 * Reads the records this email needs, runs the engine on them, and records the decision
 * with the inputs that made it (the slice, policy and calendar), for replay.
 */
async function decideAndRecord(
  client: pg.PoolClient,
  engine: EngineSettings,
  options: AssessOptions,
  job: { claimId: number; messageIds: string[]; input: AssessInput; action: string },
): Promise<Assessed> {
  const { claimId, input } = job;
  const messageId = job.messageIds[0]!;
  const slice = await readSlice(client, input.email, engine.policy);
  const index = new RecordIndex(slice.records);
  const a = assess(input, { index, policy: engine.policy, calendar: engine.calendar });
  const vip = a.account ? (index.account(a.account)?.vip ?? false) : false;
  const { version, receivedAt } = await recordDecision(client, {
    claimId,
    state: STATE_AFTER[a.decision],
    assessment: a,
    vip,
    messageIds: job.messageIds,
    receivedAt: input.receivedAt,
    senderAuthenticated: input.senderAuthenticated,
    settings: engine.hash,
    slice: slice.json,
    audit: {
      actor: 'system:worker',
      action: job.action,
      messageId,
      details: { type: a.type, decision: a.decision, reasons: a.reasons, amount: a.amount },
    },
  });
  const done: Assessed = { claimId, messageId, version, assessment: a, vip };
  if (a.decision !== 'approved' || !options.settle) return done;
  // Approved by the engine: paid now, in this transaction (the claim is locked, and the
  // ledger's unique indexes make each credit once whatever runs twice), which spares the
  // claim a job, a connection and a commit. When paying fails, only the payment is undone:
  // the decision stands and the settle stage tries again, with its retries and limits.
  const settle = await withSavepoint(client, 'settle_with_assessment', () =>
    settleLocked(client, claimId, {
      state: 'assessed',
      decision: 'approved',
      assessment: a as ReviewedAssessment,
      receivedAt,
    }),
  );
  return settle.ok ? { ...done, settled: settle.value } : { ...done, settleError: settle.error };
}

interface Parent {
  id: number;
  email: ParsedEmail;
  receivedAt: Date;
  messageId: string;
}

/**
 * The needs-info claim this message answers (found by our reply's Message-ID or the claim
 * reference) and that its sender may amend; null when there is none.
 */
async function followUpParent(
  client: pg.PoolClient,
  claimId: number,
  email: ParsedEmail,
  authenticated: boolean | undefined,
): Promise<Parent | null> {
  const ids = [email.inReplyTo, ...email.references]
    .filter((x): x is string => !!x)
    .map((x) => `<${x}>`);
  const candidates = await claimsAnsweredBy(client, ids);
  const ref = parseClaimRef(email.subject);
  if (ref !== null) candidates.push(ref);
  // In-Reply-To and the subject often name the same claim: read it once.
  for (const id of new Set(candidates)) {
    if (id === claimId) continue;
    const parent = await lockParentClaim(client, id);
    if (parent?.decision !== 'needs_info' || !parent.raw) continue;
    const original = await readForAssessment(parent.raw);
    const request = {
      answer: email,
      authenticated,
      originalSender: original.from,
      contacts: await accountContacts(client, parent.account),
    };
    if (mayAmend(request))
      return {
        id,
        email: original,
        receivedAt: parent.receivedAt,
        messageId: parent.messageId,
      };
  }
  return null;
}
