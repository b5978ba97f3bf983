/**
 * The reply stage: exactly one reply per (claim, decision version).
 *
 * prepare: in one transaction with the claim locked, apply loop and flood protection,
 * render the template, compose the complete message with its Message-ID, and insert it as
 * 'pending' (unique per claim and version). send: mark it 'sending', hand the stored bytes
 * to SMTP, mark it 'sent'. A retry after a failure the server reported (a 4xx, a dropped
 * connection) resends the same bytes and Message-ID.
 *
 * At most once: an attempt that died while sending (its job retried after a crash or a
 * kill, the row still 'sending' and nobody holding its lock) cannot know whether the server
 * accepted the message. It is not sent again: the reply is marked failed with "outcome
 * unknown" and the claim goes to an agent (`reply_failed`), who can check the mail server's
 * log and answer by hand. A customer never gets the same answer twice.
 */
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';
import { ClaimIntakeError } from '../domain/errors.ts';
import { parseEmail } from '../mail/parse.ts';
import { renderClaimReply } from '../reply/claim-reply.ts';
import { composeReply, SmtpPermanentError } from '../reply/outbound.ts';
import type { ReplyTransport } from '../reply/outbound-types.ts';
import { replyKind } from '../reply/reply-data.ts';
import type { ReplyTemplates } from '../reply/templates.ts';
import { connect, withTransaction } from '../store/database.ts';

export interface ReplyDeps {
  pool: pg.Pool;
  templates: ReplyTemplates;
  transport: ReplyTransport;
  /** Our address: the From of replies, and never an address we answer. */
  mailFrom: string;
  /** Automatic replies per sender per 24 hours; beyond it the claim goes to review. */
  replyLimitPerSender: number;
}

/** First key of the (int, int) advisory locks that serialise the flood count per recipient. */
const REPLY_LIMIT_LOCK = 0x52504c59; // 'RPLY'

export type PrepareOutcome =
  | { status: 'ready'; replyId: number }
  | { status: 'none'; why: string }
  | { status: 'to_review'; why: string };

export async function prepareReply(
  deps: ReplyDeps,
  claimId: number,
  version: number,
): Promise<PrepareOutcome> {
  return withTransaction(deps.pool, async (client) => {
    const { rows } = await client.query<{
      state: string;
      version: number;
      decision: Assessment['decision'] | null;
      assessment: Assessment | null;
      raw: Buffer | null;
      received_at: Date;
    }>(
      `SELECT c.state, c.version, c.decision, c.assessment, m.raw, c.received_at
         FROM claims c JOIN messages m ON m.id = c.message_id WHERE c.id = $1 FOR UPDATE OF c`,
      [claimId],
    );
    const claim = rows[0];
    if (!claim?.assessment || claim.raw === null)
      return { status: 'none', why: 'nothing to answer' };
    const existing = await client.query<{ id: string }>(
      'SELECT id FROM replies WHERE claim_id = $1 AND decision_version = $2',
      [claimId, version],
    );
    if (existing.rows[0]) return { status: 'ready', replyId: Number(existing.rows[0].id) };
    if (claim.version !== version)
      return { status: 'none', why: `decision version ${version} was superseded` };
    // The claim's decision now: the engine's, unless settlement sent it to review since.
    const a: Assessment = {
      ...claim.assessment,
      decision: claim.decision ?? claim.assessment.decision,
    };
    // RFC 3834 §2: never answer automatic mail (it was 'ignored' already).
    if (replyKind(a) === null)
      return { status: 'none', why: 'auto-generated mail is never answered' };
    const email = await parseEmail(claim.raw);
    const to = email.from;
    if (!to)
      return toReview(client, claimId, 'reply_failed', 'the message has no usable sender address');
    if (to === deps.mailFrom.toLowerCase()) {
      // A loop, or someone writing as us: never answered, and done with (left 'assessed',
      // the sweeps would keep offering it to this stage). A claim in review stays with the agents.
      await client.query(
        `UPDATE claims SET state = CASE WHEN state = 'review' THEN 'review' ELSE 'ignored' END, updated_at = now() WHERE id = $1`,
        [claimId],
      );
      await client.query(
        `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:reply', 'claim.ignored', $1, $2)`,
        [claimId, { reason: 'own_address', why: 'never answer our own address' }],
      );
      return { status: 'none', why: 'never answer our own address' };
    }
    // Replies to one address are prepared one at a time (until this transaction ends):
    // otherwise concurrent jobs all count the same earlier replies and all pass the limit.
    await client.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [
      REPLY_LIMIT_LOCK,
      to,
    ]);
    const recent = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM replies WHERE lower(to_address) = $1 AND created_at > now() - interval '24 hours'`,
      [to],
    );
    if (Number(recent.rows[0]!.n) >= deps.replyLimitPerSender) {
      return toReview(
        client,
        claimId,
        'reply_limit_reached',
        `more than ${deps.replyLimitPerSender} replies to ${to} in 24 hours`,
      );
    }
    const receipt = await client.query<{ receipt_no: string | null }>(
      'SELECT receipt_no FROM refund_settlements WHERE claim_id = $1',
      [claimId],
    );
    const reply = renderClaimReply(deps.templates, {
      claimId,
      assessment: a,
      email,
      receivedAt: claim.received_at.getTime(),
      receipt: receipt.rows[0]?.receipt_no ?? null,
    })!;
    const { kind, lang, ref } = reply;
    const domain = deps.mailFrom.split('@')[1] ?? 'claim-intake.local';
    const messageId = `<${ref.toLowerCase()}.v${version}.${Date.now().toString(36)}@${domain}>`;
    const raw = await composeReply({
      claimRef: ref,
      to,
      toName: email.fromName,
      from: deps.mailFrom,
      originalSubject: email.subject,
      originalMessageId: email.messageId,
      originalReferences: email.references,
      originalInReplyTo: email.inReplyTo,
      messageId,
      text: reply.text,
      html: reply.html,
      lang,
    });
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO replies (claim_id, decision_version, kind, lang, to_address, message_id, subject, raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [claimId, version, kind, lang, to, messageId, reply.subject, raw],
    );
    await client.query(
      `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:reply', 'reply.prepared', $1, $2)`,
      [claimId, { kind, lang, message_id: messageId, version }],
    );
    return { status: 'ready', replyId: Number(inserted.rows[0]!.id) };
  });
}

async function toReview(
  client: pg.PoolClient,
  claimId: number,
  code: string,
  why: string,
): Promise<PrepareOutcome> {
  await client.query(
    `UPDATE claims SET state = 'review', reasons = array_append(array_remove(reasons, $2), $2), updated_at = now() WHERE id = $1`,
    [claimId, code],
  );
  await client.query(
    `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:reply', 'claim.to_review', $1, $2)`,
    [claimId, { reason: code, why }],
  );
  return { status: 'to_review', why };
}

/** First key of the (int, int) advisory locks held by the one attempt sending a reply. */
const SEND_LOCK = 0x53454e44; // 'SEND'

/** Another attempt is sending this reply right now (a stalled job run twice): try later. */
export class ReplyInFlightError extends ClaimIntakeError {
  constructor(replyId: number) {
    super('reply_in_flight', `reply ${replyId} is being sent by another attempt`, {
      retryable: true,
    });
  }
}

/**
 * Sends a prepared reply; 'sent' replies are not sent again. Throws on failure.
 *
 * One attempt at a time per reply: the attempt holds a session advisory lock on its own
 * connection while it sends, so a second attempt (a stalled job run again while the first
 * is still talking to SMTP) fails with ReplyInFlightError instead of sending the message a
 * second time. A 'sending' row whose lock nobody holds is an attempt that died: it is retried.
 */
export async function sendReply(
  deps: ReplyDeps,
  replyId: number,
): Promise<'sent' | 'already_sent' | 'outcome_unknown'> {
  const lock = await connect(deps.pool);
  const onError = () => undefined; // a dead connection fails its pending query; nothing else to do
  lock.on('error', onError);
  const key = [SEND_LOCK, replyId % 2 ** 31];
  let broken: Error | undefined;
  try {
    const { rows } = await lock.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1::int, $2::int) AS ok',
      key,
    );
    if (!rows[0]?.ok) throw new ReplyInFlightError(replyId);
    try {
      return await sendLocked(deps, replyId);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1::int, $2::int)', key).catch((e: Error) => {
        broken = e; // the connection is dropped below, and its session's lock with it
      });
    }
  } finally {
    lock.off('error', onError);
    lock.release(broken);
  }
}

/** Why a reply cut off mid-send is not sent again (the reply's last_error, the audit's why). */
export const OUTCOME_UNKNOWN =
  'outcome unknown: the attempt sending this reply stopped (crash or kill) before recording the answer of the mail server; not sent again, so the customer never gets it twice';

async function sendLocked(
  deps: ReplyDeps,
  replyId: number,
): Promise<'sent' | 'already_sent' | 'outcome_unknown'> {
  const { rows } = await deps.pool.query<{
    claim_id: string;
    raw: Buffer;
    to_address: string;
    kind: string;
  }>(
    `UPDATE replies SET state = 'sending', attempts = attempts + 1
      WHERE id = $1 AND (state = 'pending' OR (state = 'failed' AND NOT outcome_unknown))
      RETURNING claim_id, raw, to_address, kind`,
    [replyId],
  );
  const reply = rows[0];
  if (!reply) return notSendable(deps.pool, replyId);
  const claimId = Number(reply.claim_id);
  try {
    const result = await deps.transport.send(reply.raw, {
      from: deps.mailFrom,
      to: [reply.to_address],
    });
    await withTransaction(deps.pool, async (client) => {
      await client.query(
        `UPDATE replies SET state = 'sent', sent_at = now(), last_error = NULL WHERE id = $1`,
        [replyId],
      );
      // A review acknowledgement leaves the claim with the agents; any other reply ends it.
      await client.query(
        `UPDATE claims SET state = CASE WHEN state = 'review' THEN 'review' ELSE 'answered' END, updated_at = now() WHERE id = $1`,
        [claimId],
      );
      await client.query(
        `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:reply', 'reply.sent', $1, $2)`,
        [claimId, { reply_id: replyId, kind: reply.kind, response: result.response.slice(0, 500) }],
      );
    });
    return 'sent';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof SmtpPermanentError) {
      await withTransaction(deps.pool, async (client) => {
        await client.query(`UPDATE replies SET state = 'failed', last_error = $2 WHERE id = $1`, [
          replyId,
          error.response,
        ]);
        await toReview(
          client,
          claimId,
          'reply_failed',
          `SMTP ${error.responseCode ?? ''}: ${error.response}`.slice(0, 500),
        );
      });
    } else {
      // Back to 'pending' for the retry: 'sending' means an attempt is talking to SMTP now.
      await deps.pool.query(`UPDATE replies SET state = 'pending', last_error = $2 WHERE id = $1`, [
        replyId,
        message.slice(0, 500),
      ]);
    }
    throw error;
  }
}

/**
 * Why a reply cannot be sent now. One still 'sending' while its lock is free (the caller holds
 * it) was cut off mid-send: it is marked failed, outcome unknown, and its claim handed to an
 * agent. One marked so earlier stays unknown; anything else was sent.
 */
async function notSendable(
  pool: pg.Pool,
  replyId: number,
): Promise<'already_sent' | 'outcome_unknown'> {
  return withTransaction(pool, async (client) => {
    const cut = await client.query<{ claim_id: string }>(
      `UPDATE replies SET state = 'failed', outcome_unknown = true, last_error = $2
        WHERE id = $1 AND state = 'sending'
        RETURNING claim_id`,
      [replyId, OUTCOME_UNKNOWN],
    );
    if (cut.rows[0]) {
      await toReview(client, Number(cut.rows[0].claim_id), 'reply_failed', OUTCOME_UNKNOWN);
      return 'outcome_unknown';
    }
    const { rows } = await client.query<{ outcome_unknown: boolean }>(
      'SELECT outcome_unknown FROM replies WHERE id = $1',
      [replyId],
    );
    return rows[0]?.outcome_unknown ? 'outcome_unknown' : 'already_sent';
  });
}
