/**
 * Sending a prepared reply, at most once (see reply.ts), and handing a claim to an agent
 * when its reply cannot go out as decided.
 */
import type pg from 'pg';
import { ClaimIntakeError } from '../domain/errors.ts';
import { parseMailFrom } from '../reply/outbound/mail-from.ts';
import { SmtpPermanentError } from '../reply/outbound/transport.ts';
import { sendToReview } from '../store/claims-store.ts';
import { connect, inTransactionOn } from '../store/database.ts';
import {
  backToPending,
  markCutOff,
  markRefused,
  markSent,
  outcomeUnknown,
  releaseSend,
  type SendingReply,
  startSending,
} from '../store/replies-store.ts';
import type { PrepareOutcome, ReplyDeps } from './reply.ts';

/** Sends the claim to an agent with `code` among its reasons, audited with `why`. */
export async function toReview(
  client: pg.PoolClient,
  claimId: number,
  code: string,
  why: string,
): Promise<PrepareOutcome> {
  await sendToReview(client, claimId, {
    actor: 'system:reply',
    code,
    details: { reason: code, why },
  });
  return { status: 'to_review', why };
}

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
  // One connection for the attempt: its session holds the send lock, and every statement of
  // the attempt runs on it (none waits for a second connection from the pool).
  const conn = await connect(deps.pool);
  const onError = () => undefined; // a dead connection fails its pending query; nothing else to do
  conn.on('error', onError);
  let broken: Error | undefined;
  try {
    const reply = await startSending(conn, replyId);
    if (reply === 'in_flight') throw new ReplyInFlightError(replyId);
    try {
      return reply
        ? await sendLocked(deps, conn, replyId, reply)
        : await notSendable(conn, replyId);
    } finally {
      await releaseSend(conn, replyId).catch((e: Error) => {
        broken = e; // the connection is dropped below, and its session's lock with it
      });
    }
  } finally {
    conn.off('error', onError);
    conn.release(broken);
  }
}

/** Why a reply cut off mid-send is not sent again (the reply's last_error, the audit's why). */
export const OUTCOME_UNKNOWN =
  'outcome unknown: the attempt sending this reply stopped (crash or kill) before recording the answer of the mail server; not sent again, so the customer never gets it twice';

async function sendLocked(
  deps: ReplyDeps,
  conn: pg.PoolClient,
  replyId: number,
  reply: SendingReply,
): Promise<'sent'> {
  const { claimId } = reply;
  try {
    const result = await deps.transport.send(reply.raw, {
      from: parseMailFrom(deps.mailFrom).address,
      to: [reply.toAddress],
    });
    await markSent(conn, { replyId, claimId, kind: reply.kind, response: result.response });
    return 'sent';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof SmtpPermanentError) {
      await inTransactionOn(conn, () =>
        markRefused(conn, {
          replyId,
          claimId,
          response: error.response,
          why: `SMTP ${error.responseCode ?? ''}: ${error.response}`.slice(0, 500),
        }),
      );
    } else {
      await backToPending(conn, replyId, message);
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
  conn: pg.PoolClient,
  replyId: number,
): Promise<'already_sent' | 'outcome_unknown'> {
  return inTransactionOn(conn, async () => {
    const claimId = await markCutOff(conn, replyId, OUTCOME_UNKNOWN);
    if (claimId !== null) {
      await toReview(conn, claimId, 'reply_failed', OUTCOME_UNKNOWN);
      return 'outcome_unknown';
    }
    return (await outcomeUnknown(conn, replyId)) ? 'outcome_unknown' : 'already_sent';
  });
}
