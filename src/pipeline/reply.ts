/**
 * The reply stage: exactly one reply per (claim, decision version).
 *
 * prepare: in one transaction with the claim locked, apply loop and flood protection,
 * render the template, compose the complete message with its Message-ID, and insert it as
 * 'pending' (unique per claim and version). send: mark it 'sending', hand the stored bytes
 * to SMTP, mark it 'sent'. A retry after a failure the server reported (a 4xx, a dropped
 * connection) resends the same bytes and Message-ID.
 *
 * Automatic replies (DESIGN v1.1): none to unclassified mail from an address no account
 * knows, nor to a sender who failed authentication (backscatter); within the per-mailbox,
 * per-domain and hourly limits (floods). Beyond a limit a reply that tells of a payment is
 * deferred, its job delayed until the window allows it (no reply row yet, so still exactly
 * one when it is prepared); any other goes to an agent. An agent's decision is answered as
 * decided.
 *
 * At most once: an attempt that died while sending (its job retried after a crash or a
 * kill, the row still 'sending' and nobody holding its lock) cannot know whether the server
 * accepted the message. It is not sent again: the reply is marked failed with "outcome
 * unknown" and the claim goes to an agent (`reply_failed`), who can check the mail server's
 * log and answer by hand. A customer never gets the same answer twice.
 */
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';
import { noAutomaticReply, tellsOfPayment } from '../reply/automatic-reply.ts';
import { quotedHeaders, renderClaimReply } from '../reply/claim-reply.ts';
import { composeReply } from '../reply/outbound.ts';
import type { ReplyTransport } from '../reply/outbound-types.ts';
import { foldMailbox, recipientOf } from '../reply/recipient.ts';
import { replyKind } from '../reply/reply-data.ts';
import { checkReplyLimits, type LimitVerdict, type ReplyLimits } from '../reply/reply-limits.ts';
import type { ReplyTemplates } from '../reply/templates.ts';
import { withTransaction } from '../store/database.ts';
import { loadEmailFacts } from '../store/email-facts.ts';
import { storableText } from '../store/reply-text.ts';
import { toReview } from './reply-send.ts';

export { OUTCOME_UNKNOWN, ReplyInFlightError, sendReply } from './reply-send.ts';

export interface ReplyDeps {
  pool: pg.Pool;
  templates: ReplyTemplates;
  transport: ReplyTransport;
  /** Our address: the From of replies, and never an address we answer. */
  mailFrom: string;
  /** The flood limits on automatic replies; beyond them a claim goes to review (a payment waits). */
  limits: ReplyLimits;
}

export type PrepareOutcome =
  | { status: 'ready'; replyId: number }
  | { status: 'none'; why: string }
  | { status: 'to_review'; why: string }
  /** A reply telling of a payment, beyond a limit: run the job again in `waitMs`. */
  | { status: 'deferred'; why: string; waitMs: number };

/** The shortest wait of a deferred reply: a clock a little ahead must not spin the job. */
const MIN_DEFER_MS = 1000;

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
      assessment: (Assessment & { agent?: unknown }) | null;
      message_id: string;
      has_raw: boolean;
      received_at: Date;
      sender_authenticated: boolean | null;
    }>(
      // Not the source: the reply is made from the facts the assessment kept (message-facts.ts).
      `SELECT c.state, c.version, c.decision, c.assessment, m.id AS message_id,
              m.raw IS NOT NULL AS has_raw, c.received_at, ca.sender_authenticated
         FROM claims c JOIN messages m ON m.id = c.message_id
         LEFT JOIN claim_assessments ca ON ca.claim_id = c.id AND ca.version = c.version
        WHERE c.id = $1 FOR UPDATE OF c`,
      [claimId],
    );
    const claim = rows[0];
    if (!claim?.assessment || !claim.has_raw) return { status: 'none', why: 'nothing to answer' };
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
    const kind = replyKind(a);
    if (kind === null) return { status: 'none', why: 'auto-generated mail is never answered' };
    // Parsed only for a claim assessed before the facts kept all this (then saved for next time).
    const email = await loadEmailFacts(client, claim.message_id);
    if (!email) return { status: 'none', why: 'nothing to answer' };
    if (!email.from)
      return toReview(client, claimId, 'reply_failed', 'the message has no usable sender address');
    // Folded: claims+x@ reaches our own mailbox as surely as claims@ does.
    if (foldMailbox(email.from).mailbox === foldMailbox(deps.mailFrom).mailbox) {
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
    const to = await recipientOf(client, email.from);
    // The rules on automatic replies are not for an agent's decision: the agent chose to answer.
    const automatic = !claim.assessment.agent;
    const refused = automatic
      ? noAutomaticReply({
          type: a.type,
          reasons: a.reasons,
          senderAuthenticated: claim.sender_authenticated,
          contact: to.contact,
        })
      : null;
    if (refused) return toReview(client, claimId, 'no_automatic_reply', refused);
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
      contact: to.contact,
    })!;
    const { lang, ref } = reply;
    const domain = deps.mailFrom.split('@')[1] ?? 'claim-intake.local';
    const messageId = `<${ref.toLowerCase()}.v${version}.${Date.now().toString(36)}@${domain}>`;
    const quoted = quotedHeaders(email, to.contact);
    const raw = await composeReply({
      claimRef: ref,
      to: to.address,
      toName: quoted.name,
      from: deps.mailFrom,
      originalSubject: quoted.subject,
      originalMessageId: email.messageId,
      originalReferences: email.references,
      originalInReplyTo: email.inReplyTo,
      messageId,
      text: reply.text,
      html: reply.html,
      lang,
    });
    // Counted last, under the limits' lock, so the lock is held for a few statements only.
    const verdict = automatic ? await checkReplyLimits(client, deps.limits, to) : null;
    if (verdict && !verdict.within) {
      if (tellsOfPayment(kind)) return defer(client, claimId, version, verdict);
      return toReview(client, claimId, 'reply_limit_reached', verdict.why);
    }
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO replies (claim_id, decision_version, kind, lang, to_address, to_mailbox, to_domain,
                            to_contact, message_id, subject, raw, text_part, from_address)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        claimId,
        version,
        kind,
        lang,
        to.address,
        to.mailbox,
        to.domain,
        to.contact,
        messageId,
        reply.subject,
        raw,
        // What the claim page's thread shows, so the console does not parse what we sent.
        storableText(reply.text),
        deps.mailFrom,
      ],
    );
    // No longer waiting: the sweeps see the reply itself from now on.
    await client.query(
      'DELETE FROM reply_deferrals WHERE claim_id = $1 AND decision_version = $2',
      [claimId, version],
    );
    await client.query(
      `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:reply', 'reply.prepared', $1, $2)`,
      [claimId, { kind, lang, message_id: messageId, version }],
    );
    return { status: 'ready', replyId: Number(inserted.rows[0]!.id) };
  });
}

/**
 * Keeps a payment's reply waiting for the limit's window: recorded (so the sweeps offer the
 * claim again only once it is due) and audited the first time, not on every later look.
 */
async function defer(
  client: pg.PoolClient,
  claimId: number,
  version: number,
  verdict: Extract<LimitVerdict, { within: false }>,
): Promise<PrepareOutcome> {
  const { rows } = await client.query<{ first: boolean }>(
    `INSERT INTO reply_deferrals (claim_id, decision_version, until, why) VALUES ($1, $2, $3, $4)
     ON CONFLICT (claim_id, decision_version) DO UPDATE SET until = EXCLUDED.until, why = EXCLUDED.why
     RETURNING (xmax = 0) AS first`,
    [claimId, version, verdict.until, verdict.why],
  );
  if (rows[0]?.first)
    await client.query(
      `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:reply', 'reply.deferred', $1, $2)`,
      [claimId, { why: verdict.why, until: verdict.until, version }],
    );
  return { status: 'deferred', why: verdict.why, waitMs: Math.max(verdict.waitMs, MIN_DEFER_MS) };
}
