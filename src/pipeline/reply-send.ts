/**
 * Sending a prepared reply, at most once (see reply.ts), and handing a claim to an agent
 * when its reply cannot go out as decided.
 */
import type pg from 'pg';
import { ClaimIntakeError } from '../domain/errors.ts';
import { SmtpPermanentError } from '../reply/outbound.ts';
import { connect, withTransaction } from '../store/database.ts';
import type { PrepareOutcome, ReplyDeps } from './reply.ts';

/** Sends the claim to an agent with `code` among its reasons, audited with `why`. */
export async function toReview(
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
