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
import { parseMailFrom } from '../reply/outbound/mail-from.ts';
import { composeReply } from '../reply/outbound/transport.ts';
import type { ReplyTransport } from '../reply/outbound/types.ts';
import { foldMailbox, recipientOf } from '../reply/recipient.ts';
import { quotedHeaders, renderClaimReply } from '../reply/render/claim-reply.ts';
import { replyKind } from '../reply/render/reply-data.ts';
import type { ReplyTemplates } from '../reply/render/templates.ts';
import { lockClaimToAnswer, markIgnored } from '../store/claims-store.ts';
import { withTransaction } from '../store/database.ts';
import { loadEmailFacts } from '../store/email-facts.ts';
import { deferReply, insertReply } from '../store/replies-store.ts';
import { checkReplyLimits, type LimitVerdict, type ReplyLimits } from '../store/reply-limits.ts';
import { storableText } from '../store/reply-text.ts';
import { readForAssessment } from './assess-claim.ts';
import { toReview } from './reply-send.ts';

export { OUTCOME_UNKNOWN, ReplyInFlightError, sendReply } from './reply-send.ts';

export interface ReplyDeps {
  pool: pg.Pool;
  templates: ReplyTemplates;
  transport: ReplyTransport;
  /**
   * MAIL_FROM, `claims@example.com` or `Claims Desk <claims@example.com>`: the From of
   * replies. Its bare address is never answered and is the envelope sender.
   */
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
    const claim = await lockClaimToAnswer(client, claimId, version);
    if (!claim?.assessment || !claim.hasRaw) return { status: 'none', why: 'nothing to answer' };
    if (claim.replyId !== null) return { status: 'ready', replyId: claim.replyId };
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
    // Parsed only for a claim assessed before the facts kept all this (then saved for next time),
    // and read as the assessment reads: the facts are its record of the email, an older
    // version kept fewer of them, and the reply must answer the email the assessment decided.
    const email = claim.email ?? (await loadEmailFacts(client, claim.messageId, readForAssessment));
    if (!email) return { status: 'none', why: 'nothing to answer' };
    if (!email.from)
      return toReview(client, claimId, 'reply_failed', 'the message has no usable sender address');
    const from = parseMailFrom(deps.mailFrom);
    // Folded: claims+x@ reaches our own mailbox as surely as claims@ does.
    if (foldMailbox(email.from).mailbox === foldMailbox(from.address).mailbox) {
      // A loop, or someone writing as us: never answered, and done with (left 'assessed',
      // the sweeps would keep offering it to this stage). A claim in review stays with the agents.
      const why = 'never answer our own address';
      await markIgnored(client, claimId, { reason: 'own_address', why });
      return { status: 'none', why };
    }
    const to = await recipientOf(client, email.from);
    // The rules on automatic replies are not for an agent's decision: the agent chose to answer.
    const automatic = !claim.assessment.agent;
    const refused = automatic
      ? noAutomaticReply({
          type: a.type,
          reasons: a.reasons,
          senderAuthenticated: claim.senderAuthenticated,
          contact: to.contact,
        })
      : null;
    if (refused) return toReview(client, claimId, 'no_automatic_reply', refused);
    const reply = renderClaimReply(deps.templates, {
      claimId,
      assessment: a,
      email,
      receivedAt: claim.receivedAt.getTime(),
      receipt: claim.receiptNo,
      contact: to.contact,
    })!;
    const { lang, ref } = reply;
    const domain = from.address.split('@')[1] ?? 'claim-intake.local';
    const messageId = `<${ref.toLowerCase()}.v${version}.${Date.now().toString(36)}@${domain}>`;
    const quoted = quotedHeaders(email, to.contact);
    const raw = await composeReply({
      claimRef: ref,
      to: to.address,
      toName: quoted.name,
      from: from.address,
      fromName: from.name,
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
    const replyId = await insertReply(client, {
      claimId,
      version,
      kind,
      lang,
      to,
      messageId,
      subject: reply.subject,
      raw,
      text: storableText(reply.text),
      from: from.address,
    });
    return { status: 'ready', replyId };
  });
}

/** Keeps a payment's reply waiting for the limit's window (replies-store.ts `deferReply`). */
async function defer(
  client: pg.PoolClient,
  claimId: number,
  version: number,
  verdict: Extract<LimitVerdict, { within: false }>,
): Promise<PrepareOutcome> {
  await deferReply(client, { claimId, version, until: verdict.until, why: verdict.why });
  return { status: 'deferred', why: verdict.why, waitMs: Math.max(verdict.waitMs, MIN_DEFER_MS) };
}
