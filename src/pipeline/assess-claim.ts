/**
 * The assessment stage: turns a stored claim's raw message into a decision with the same
 * engine as `check`, and records it with an audit event. Idempotent: the claim row is
 * locked and only a claim still 'received' is assessed, so a job that runs twice (retry,
 * stalled job, two workers) decides once.
 *
 * A customer's answer to a needs-info reply (by In-Reply-To/References or the claim
 * reference in the subject) does not open a new claim: it is attached to the earlier claim,
 * which is assessed again on both messages together, as a new decision version.
 */
import { UnrecoverableError } from 'bullmq';
import type pg from 'pg';
import { assess } from '../domain/assess/engine.ts';
import type { AssessInput, Assessment, EngineContext } from '../domain/assess/types.ts';
import type { ParsedEmail } from '../domain/email.ts';
import { mainBody } from '../domain/extract/body.ts';
import { parseEmail } from '../mail/parse.ts';
import { withTransaction } from '../store/database.ts';

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
  ctx: EngineContext,
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
    const senderAuthenticated = senderCheck ? await senderCheck(row.raw, email) : undefined;

    const parent = await followUpParent(client, claimId, email);
    if (parent) {
      const original = await parseEmail(parent.raw);
      // The answer first (its fields win), then the original. The ';' ends a phrase: joined
      // by a space, "Occurrences: 1" + "Compensation please" read as "1 compensation" (a
      // multiplier, not a count), and the answer's count was lost.
      const combined: ParsedEmail = {
        ...original,
        subject: [email.subject, original.subject].filter((s) => s.trim() !== '').join('; '),
        text: `${mainBody(email.text)}\n;\n${mainBody(original.text)}`,
      };
      await client.query(
        'INSERT INTO claim_messages (claim_id, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [parent.id, row.message_id],
      );
      await client.query(`UPDATE claims SET state = 'merged', updated_at = now() WHERE id = $1`, [
        claimId,
      ]);
      await audit(client, claimId, row.message_id, 'claim.merged', { into: parent.id });
      const input: AssessInput = {
        email: combined,
        receivedAt: parent.receivedAt.getTime(),
        senderAuthenticated,
      };
      const done = await record(
        client,
        parent.id,
        row.message_id,
        assess(input, ctx),
        ctx,
        'claim.reassessed',
      );
      return { ...done, mergedInto: parent.id };
    }
    const a = assess({ email, receivedAt: row.internal_date.getTime(), senderAuthenticated }, ctx);
    return record(client, claimId, row.message_id, a, ctx, 'claim.assessed');
  });
}

async function record(
  client: pg.PoolClient,
  claimId: number,
  messageId: string,
  a: Assessment,
  ctx: EngineContext,
  action: string,
): Promise<Assessed> {
  const vip = a.account ? (ctx.index.account(a.account)?.vip ?? false) : false;
  const { rows } = await client.query<{ version: number }>(
    `UPDATE claims SET state = $2, type = $3, decision = $4, account = $5, amount = $6, currency = $7,
            reasons = $8, assessment = $9, vip = $10, version = version + 1, updated_at = now()
      WHERE id = $1 RETURNING version`,
    [
      claimId,
      STATE_AFTER[a.decision],
      a.type,
      a.decision,
      a.account,
      a.amount,
      a.currency,
      a.reasons,
      a,
      vip,
    ],
  );
  await audit(client, claimId, messageId, action, {
    type: a.type,
    decision: a.decision,
    reasons: a.reasons,
    amount: a.amount,
  });
  return { claimId, messageId, version: rows[0]!.version, assessment: a, vip };
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

/** The needs-info claim this message answers, found by our reply's Message-ID or the claim reference. */
async function followUpParent(
  client: pg.PoolClient,
  claimId: number,
  email: ParsedEmail,
): Promise<{ id: number; raw: Buffer; receivedAt: Date } | null> {
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
  for (const id of candidates) {
    if (id === claimId) continue;
    const { rows } = await client.query<{
      decision: string | null;
      raw: Buffer | null;
      received_at: Date;
    }>(
      // The message row is locked too: when retention (store/retention.ts) purges this
      // claim's original while we wait for the claim, the lock makes us read the purged row
      // (raw NULL: no merge) instead of this statement's older snapshot of it.
      `SELECT c.decision, m.raw, c.received_at FROM claims c JOIN messages m ON m.id = c.message_id
        WHERE c.id = $1 FOR UPDATE OF c FOR SHARE OF m`,
      [id],
    );
    const parent = rows[0];
    if (parent?.decision === 'needs_info' && parent.raw)
      return { id, raw: parent.raw, receivedAt: parent.received_at };
  }
  return null;
}
