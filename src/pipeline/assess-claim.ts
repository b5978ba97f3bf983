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
import type { ParsedEmail } from '../domain/email.ts';
import { combineFollowUp, mayAmend } from '../domain/follow-up.ts';
import { RecordIndex } from '../domain/record-index.ts';
import { parseEmail } from '../mail/parse.ts';
import { type EngineSettings, recordDecision } from '../store/assessment-inputs.ts';
import { withTransaction } from '../store/database.ts';
import { saveMessageFacts } from '../store/message-facts.ts';
import { readSlice } from '../store/record-slices.ts';

export interface Assessed {
  /** The claim that was decided: this one, or the earlier claim a follow-up amended. */
  claimId: number;
  /** The stored message (messages.id) this assessment read. */
  messageId: string;
  version: number;
  assessment: Assessment;
  vip: boolean;
  mergedInto?: number;
}

/** Decides whether the sender is authenticated (sender-auth.ts); undefined when unknown. */
export type SenderCheck = (raw: Buffer, email: ParsedEmail) => Promise<boolean | undefined>;

const STATE_AFTER: Record<Assessment['decision'], string> = {
  ignored: 'ignored',
  review: 'review',
  needs_info: 'assessed',
  approved: 'assessed',
  rejected: 'assessed',
};

const CLAIM_REF = /\[CLM-(\d{6,12})\]/i;

/** Assesses one claim; null when it was assessed before. */
export async function assessClaim(
  pool: pg.Pool,
  claimId: number,
  engine: EngineSettings,
  senderCheck?: SenderCheck,
): Promise<Assessed | null> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      state: string;
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
    if (!row) throw new UnrecoverableError(`claim ${claimId} does not exist`);
    if (row.state !== 'received') return null;
    if (row.raw === null) throw new UnrecoverableError(`claim ${claimId} has no raw message`);
    const email = await parseEmail(row.raw);
    // What lists show of it (subject, sender, attachments), so no list parses the source again.
    await saveMessageFacts(client, row.message_id, email);
    const senderAuthenticated = senderCheck ? await senderCheck(row.raw, email) : undefined;

    const parent = await followUpParent(client, claimId, email, senderAuthenticated);
    if (parent) {
      await client.query(
        'INSERT INTO claim_messages (claim_id, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [parent.id, row.message_id],
      );
      await client.query(`UPDATE claims SET state = 'merged', updated_at = now() WHERE id = $1`, [
        claimId,
      ]);
      await audit(client, claimId, row.message_id, 'claim.merged', { into: parent.id });
      const input: AssessInput = {
        email: combineFollowUp(email, parent.email),
        receivedAt: parent.receivedAt.getTime(),
        senderAuthenticated,
      };
      const done = await decideAndRecord(client, engine, {
        claimId: parent.id,
        messageIds: [row.message_id, parent.messageId],
        input,
        action: 'claim.reassessed',
      });
      return { ...done, mergedInto: parent.id };
    }
    const input = { email, receivedAt: row.internal_date.getTime(), senderAuthenticated };
    return decideAndRecord(client, engine, {
      claimId,
      messageIds: [row.message_id],
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
  job: { claimId: number; messageIds: string[]; input: AssessInput; action: string },
): Promise<Assessed> {
  const { claimId, input } = job;
  const messageId = job.messageIds[0]!;
  const slice = await readSlice(client, input.email, engine.policy);
  const index = new RecordIndex(slice.records);
  const a = assess(input, { index, policy: engine.policy, calendar: engine.calendar });
  const vip = a.account ? (index.account(a.account)?.vip ?? false) : false;
  const version = await recordDecision(client, {
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
  return { claimId, messageId, version, assessment: a, vip };
}

async function audit(
  client: pg.PoolClient,
  claimId: number,
  messageId: string,
  action: string,
  details: object,
) {
  await client.query(
    `INSERT INTO audit_log (actor, action, claim_id, message_id, details) VALUES ('system:worker', $3, $1, $2, $4)`,
    [claimId, messageId, action, details],
  );
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
  const candidates: number[] = [];
  if (ids.length > 0) {
    const { rows } = await client.query<{ claim_id: string }>(
      'SELECT claim_id FROM replies WHERE message_id = ANY($1::text[])',
      [ids],
    );
    candidates.push(...rows.map((r) => Number(r.claim_id)));
  }
  const ref = CLAIM_REF.exec(email.subject)?.[1];
  if (ref) candidates.push(Number(ref));
  // In-Reply-To and the subject often name the same claim: read it once.
  for (const id of new Set(candidates)) {
    if (id === claimId) continue;
    const { rows } = await client.query<{
      decision: string | null;
      account: string | null;
      raw: Buffer | null;
      received_at: Date;
      message_id: string;
    }>(
      // The message row is locked too: when retention (store/retention.ts) purges this
      // claim's original while we wait for the claim, the lock makes us read the purged row
      // (raw NULL: no merge) instead of this statement's older snapshot of it.
      `SELECT c.decision, c.account, m.raw, c.received_at, m.id AS message_id
         FROM claims c JOIN messages m ON m.id = c.message_id
        WHERE c.id = $1 FOR UPDATE OF c FOR SHARE OF m`,
      [id],
    );
    const parent = rows[0];
    if (parent?.decision !== 'needs_info' || !parent.raw) continue;
    const original = await parseEmail(parent.raw);
    const request = {
      answer: email,
      authenticated,
      originalSender: original.from,
      contacts: await contactsOf(client, parent.account),
    };
    if (mayAmend(request))
      return {
        id,
        email: original,
        receivedAt: parent.received_at,
        messageId: parent.message_id,
      };
  }
  return null;
}

/**
 * The contact addresses (lower-cased, as import stores them) of the claim's account: one
 * row by primary key, never a scan. [] without an account, or for an id not in the records.
 */
async function contactsOf(client: pg.PoolClient, account: string | null): Promise<string[]> {
  if (account === null) return [];
  const { rows } = await client.query<{ emails: string[] }>(
    'SELECT emails FROM accounts WHERE id = $1',
    [account],
  );
  return rows[0]?.emails ?? [];
}
