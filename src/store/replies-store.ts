/**
 * The replies table's life: a reply prepared (pending), deferred while a flood limit's window
 * is full, sent at most once, failed; with the claim's matching transitions and audit entries
 * (pipeline/reply.ts and reply-send.ts say why each guarantee holds).
 */
import type pg from 'pg';
import { auditInsert } from './audit-log.ts';
import { sendToReview } from './claims-store.ts';
import { onlyRow } from './only-row.ts';

/** A complete reply, its bytes included, to be recorded before it is sent. */
export interface NewReply {
  claimId: number;
  version: number;
  kind: string;
  lang: string;
  to: { address: string; mailbox: string; domain: string; contact: boolean };
  /** With angle brackets. */
  messageId: string;
  subject: string;
  raw: Buffer;
  /** What the claim page's thread shows (store/reply-text.ts). */
  text: string;
  from: string;
}

/**
 * Records the reply as 'pending' (unique per claim and decision version), ends its deferral
 * if it waited, and audits it: one statement. Returns the reply's id.
 */
export async function insertReply(client: pg.PoolClient, r: NewReply): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `WITH reply AS (
       INSERT INTO replies (claim_id, decision_version, kind, lang, to_address, to_mailbox, to_domain,
                            to_contact, message_id, subject, raw, text_part, from_address)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
     ), waited AS (
       -- No longer waiting: the sweeps see the reply itself from now on.
       DELETE FROM reply_deferrals WHERE claim_id = $1 AND decision_version = $2
     ), audit AS (
       ${auditInsert(`SELECT 'system:reply', 'reply.prepared', $1::bigint, NULL::bigint, $14::jsonb FROM reply`)}
     )
     SELECT id FROM reply`,
    [
      r.claimId,
      r.version,
      r.kind,
      r.lang,
      r.to.address,
      r.to.mailbox,
      r.to.domain,
      r.to.contact,
      r.messageId,
      r.subject,
      r.raw,
      r.text,
      r.from,
      { kind: r.kind, lang: r.lang, message_id: r.messageId, version: r.version },
    ],
  );
  return Number(onlyRow(rows).id);
}

/**
 * Keeps a payment's reply waiting until `until`: recorded (so the sweeps offer the claim
 * again only once it is due) and audited the first time, not on every later look.
 */
export async function deferReply(
  client: pg.PoolClient,
  d: { claimId: number; version: number; until: string; why: string },
): Promise<void> {
  await client.query(
    `WITH deferral AS (
       INSERT INTO reply_deferrals (claim_id, decision_version, until, why) VALUES ($1, $2, $3, $4)
       ON CONFLICT (claim_id, decision_version) DO UPDATE SET until = EXCLUDED.until, why = EXCLUDED.why
       RETURNING (xmax = 0) AS first
     )
     ${auditInsert(
       `SELECT 'system:reply', 'reply.deferred', $1::bigint, NULL::bigint,
               jsonb_build_object('why', $4::text, 'until', $3::text, 'version', $2::int)
          FROM deferral WHERE first`,
     )}`,
    [d.claimId, d.version, d.until, d.why],
  );
}

/** First key of the (int, int) advisory locks held by the one attempt sending a reply. */
const SEND_LOCK = 0x53454e44; // 'SEND'

/** A reply this attempt may send, marked 'sending'. */
export interface SendingReply {
  claimId: number;
  raw: Buffer;
  toAddress: string;
  kind: string;
}

/**
 * Takes the reply's send lock (a session advisory lock on `conn`, held until `releaseSend`)
 * and marks the reply 'sending' when it may be sent: pending, or failed with a known
 * outcome. One statement. 'in_flight' when another attempt holds the lock; null when the
 * reply is not sendable (the caller asks `notSendable` why).
 */
export async function startSending(
  conn: pg.PoolClient,
  replyId: number,
): Promise<SendingReply | 'in_flight' | null> {
  const { rows } = await conn.query<{
    locked: boolean;
    claim_id: string | null;
    raw: Buffer | null;
    to_address: string | null;
    kind: string | null;
  }>(
    // The lock is taken first (the UPDATE reads it); the UPDATE re-checks the row's state
    // after any concurrent change commits, so a reply marked meanwhile is not sent.
    `WITH lock AS (SELECT pg_try_advisory_lock($2::int, $3::int) AS locked),
     sending AS (
       UPDATE replies SET state = 'sending', attempts = attempts + 1
        WHERE id = $1 AND (SELECT locked FROM lock)
          AND (state = 'pending' OR (state = 'failed' AND NOT outcome_unknown))
        RETURNING claim_id, raw, to_address, kind
     )
     SELECT l.locked, s.claim_id, s.raw, s.to_address, s.kind FROM lock l LEFT JOIN sending s ON true`,
    [replyId, ...sendKey(replyId)],
  );
  const row = onlyRow(rows);
  if (!row.locked) return 'in_flight';
  if (row.claim_id === null) return null;
  return {
    claimId: Number(row.claim_id),
    raw: row.raw!,
    toAddress: row.to_address!,
    kind: row.kind!,
  };
}

/** Releases the send lock `startSending` took (whether or not it marked the reply). */
export async function releaseSend(conn: pg.PoolClient, replyId: number): Promise<void> {
  await conn.query('SELECT pg_advisory_unlock($1::int, $2::int)', sendKey(replyId));
}

function sendKey(replyId: number): [number, number] {
  return [SEND_LOCK, replyId % 2 ** 31];
}

/**
 * sending → sent, and the claim answered (a review acknowledgement leaves it with the
 * agents), audited with the server's response: one statement, so one commit.
 */
export async function markSent(
  db: pg.PoolClient | pg.Pool,
  s: { replyId: number; claimId: number; kind: string; response: string },
): Promise<void> {
  await db.query(
    `WITH sent AS (
       UPDATE replies SET state = 'sent', sent_at = now(), last_error = NULL WHERE id = $1
     ), answered AS (
       UPDATE claims SET state = CASE WHEN state = 'review' THEN 'review' ELSE 'answered' END,
              updated_at = now()
        WHERE id = $2
     )
     ${auditInsert(`SELECT 'system:reply', 'reply.sent', $2::bigint, NULL::bigint, $3::jsonb`)}`,
    [
      s.replyId,
      s.claimId,
      { reply_id: s.replyId, kind: s.kind, response: s.response.slice(0, 500) },
    ],
  );
}

/** The server refused the reply for good: failed, and the claim to an agent. */
export async function markRefused(
  client: pg.PoolClient,
  r: { replyId: number; claimId: number; response: string; why: string },
): Promise<void> {
  await client.query(`UPDATE replies SET state = 'failed', last_error = $2 WHERE id = $1`, [
    r.replyId,
    r.response,
  ]);
  await sendToReview(client, r.claimId, {
    actor: 'system:reply',
    code: 'reply_failed',
    details: { reason: 'reply_failed', why: r.why },
  });
}

/** Back to 'pending' for the retry: 'sending' means an attempt is talking to SMTP now. */
export async function backToPending(
  db: pg.PoolClient | pg.Pool,
  replyId: number,
  error: string,
): Promise<void> {
  await db.query(`UPDATE replies SET state = 'pending', last_error = $2 WHERE id = $1`, [
    replyId,
    error.slice(0, 500),
  ]);
}

/**
 * A reply still 'sending' while its lock is free (the caller holds it) was cut off mid-send:
 * marked failed with an unknown outcome; returns its claim, or null when it was not sending.
 */
export async function markCutOff(
  client: pg.PoolClient,
  replyId: number,
  why: string,
): Promise<number | null> {
  const { rows } = await client.query<{ claim_id: string }>(
    `UPDATE replies SET state = 'failed', outcome_unknown = true, last_error = $2
      WHERE id = $1 AND state = 'sending'
      RETURNING claim_id`,
    [replyId, why],
  );
  return rows[0] ? Number(rows[0].claim_id) : null;
}

/** Whether the reply's outcome is unknown (cut off mid-send, marked so earlier). */
export async function outcomeUnknown(db: pg.PoolClient | pg.Pool, replyId: number) {
  const { rows } = await db.query<{ outcome_unknown: boolean }>(
    'SELECT outcome_unknown FROM replies WHERE id = $1',
    [replyId],
  );
  return rows[0]?.outcome_unknown === true;
}
