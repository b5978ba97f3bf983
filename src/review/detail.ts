/**
 * Everything the claim page shows: the email, what was extracted and where, the records the
 * decision used (decision-records.ts), the computation, every reason in plain words, the
 * thread, the audit trail and the ledger. The email's fields and the thread come from the
 * facts kept when each message was assessed (message-facts.ts); only the original email
 * itself (its HTML, `getOriginalEmail`) and its attachments (`downloadAttachment`) are read
 * from the source, which may be 25 MB. Its HTML is returned raw: the web layer sanitizes it
 * before showing it. The statements are in store/review-store.ts and store/audit-log.ts.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';
import { formatClaimRef } from '../domain/claim-ref.ts';
import type { AttachmentInfo } from '../domain/email.ts';
import { formatAmount } from '../domain/money.ts';
import { REASON_TEXT, type ReasonCode } from '../domain/reasons.ts';
import { type Actor, claimAuditTrail, writeAudit } from '../store/audit-log.ts';
import { loadEmailFacts } from '../store/email-facts.ts';
import type { RecordsJson } from '../store/record-slices.ts';
import { replyEntries } from '../store/reply-text.ts';
import {
  claimDetailRow,
  claimLedgerEntries,
  claimSource,
  claimThreadMessages,
} from '../store/review-store.ts';
import { decisionRecords, type RecordsSource } from './decision-records.ts';
import type { AgentSection, ReviewedAssessment } from './draft.ts';
import { ReviewError } from './errors.ts';
import { type ExtractedAttachment, readAttachment, readOriginalEmail } from './original-email.ts';

export interface ThreadEntry {
  /** 'customer' for received messages, 'reply' for what we sent (or are sending). */
  direction: 'customer' | 'reply';
  at: string;
  subject: string;
  from: string | null;
  to: string[];
  text: string;
  /** Replies: pending, sending, sent or failed. */
  state?: string;
  kind?: string;
  /** Set when retention dropped this message's source: subject, addresses and text are gone. */
  purgedAt?: string;
}

export interface ClaimDetail {
  id: number;
  ref: string;
  state: string;
  version: number;
  type: string | null;
  decision: string | null;
  account: string | null;
  amount: string | null;
  currency: string | null;
  vip: boolean;
  assignee: string | null;
  receivedAt: string;
  mailbox: string;
  email: {
    subject: string;
    from: string | null;
    fromName: string | null;
    to: string[];
    /** The sender-controlled Date header; the received time is `receivedAt`. */
    date: string | null;
    /** The text, its first MAX_EXCERPT_CHARS (message-facts.ts); the whole is in the original. */
    text: string;
    /** The whole text's length: more than `text`'s when `text` is an excerpt. */
    textChars: number;
    /** The first 100 attachments (`/attachments/:index` downloads any by its place). */
    attachments: AttachmentInfo[];
    /** How many attachments there are, listed or not. */
    attachmentCount: number;
    /** Set when the message could not be parsed normally (or was too large to keep, or purged). */
    parseError: string | null;
    /** When retention dropped the original (with its attachments); null while it is kept. */
    purgedAt: string | null;
  };
  assessment: Assessment | null;
  /** Where each extracted field was found: subject or body. */
  sources: Assessment['details']['sources'];
  reasons: { code: string; text: string; items: string[] }[];
  /** The incidents the decision matched, from `records`. */
  incidents: { id: string; data: unknown }[];
  /** The orders the claim names, from `records`. */
  orders: { id: string; data: unknown }[];
  /**
   * Where `records` come from: 'assessment', the slice stored with the decision (version
   * `recordsVersion`, made at `recordsAssessedAt`); 'current', the records tables now, for a
   * claim assessed before slices were stored (its matched incidents and orders only).
   */
  recordsSource: RecordsSource;
  recordsVersion: number | null;
  recordsAssessedAt: string | null;
  records: RecordsJson;
  compensation: Assessment['details']['compensation'];
  refund: Assessment['details']['refund'];
  agent: AgentSection | null;
  thread: ThreadEntry[];
  audit: { at: string; actor: string; action: string; details: unknown }[];
  ledger: {
    kind: string;
    incident: string | null;
    order: string | null;
    amount: string;
    currency: string;
    createdAt: string;
    exportedAt: string | null;
  }[];
}

export async function getClaimDetail(pool: pg.Pool, id: number): Promise<ClaimDetail> {
  const c = await claimDetailRow(pool, id);
  if (!c) throw new ReviewError('not_found', `claim ${id} does not exist`);
  // Once reviewed, the stored assessment carries the agent's section too (draft.ts).
  const a = c.assessment as ReviewedAssessment | null;
  // Parsed only for a message assessed before the facts kept all this (then saved for next time).
  const email = c.has_raw ? await loadEmailFacts(pool, c.message_id, readOriginalEmail) : null;
  const [used, thread, audit, ledger] = await Promise.all([
    decisionRecords(pool, id, a),
    threadOf(pool, id),
    claimAuditTrail(pool, id),
    claimLedgerEntries(pool, id),
  ]);
  return {
    id,
    ref: formatClaimRef(id),
    state: c.state,
    version: c.version,
    type: c.type,
    decision: c.decision,
    account: c.account,
    amount: c.amount !== null && c.currency ? formatAmount(c.amount, c.currency) : c.amount,
    currency: c.currency,
    vip: c.vip,
    assignee: c.assignee,
    receivedAt: c.received_at.toISOString(),
    mailbox: c.mailbox,
    email: {
      subject: email?.subject ?? '',
      from: email?.from ?? null,
      fromName: email?.fromName ?? null,
      to: email?.to ?? [],
      date: email?.date == null ? null : new Date(email.date).toISOString(),
      text: email?.text ?? '',
      textChars: email?.textChars ?? 0,
      attachments: (email?.attachments ?? []).map((a) => ({ ...a, sha256: a.sha256 ?? '' })),
      attachmentCount: email?.attachmentCount ?? 0,
      parseError: email ? email.parseError : missingReason(c),
      purgedAt: c.purged_at?.toISOString() ?? null,
    },
    assessment: a,
    sources: a?.details.sources ?? {},
    // The claim's reasons, not the assessment's: later stages add some (reply_failed, …).
    reasons: c.reasons.map((code) => ({
      code,
      text: REASON_TEXT[code as ReasonCode]?.en ?? code,
      items: Object.entries(a?.details.perItem ?? {})
        .filter(([, codes]) => codes.includes(code as ReasonCode))
        .map(([item]) => item),
    })),
    incidents: used.incidents,
    orders: used.orders,
    recordsSource: used.source,
    recordsVersion: used.version,
    recordsAssessedAt: used.assessedAt,
    records: used.records,
    compensation: a?.details.compensation ?? [],
    refund: a?.details.refund ?? [],
    agent: a?.agent ?? null,
    thread,
    audit: audit.map((r) => ({ ...r, at: r.at.toISOString() })),
    ledger: ledger.map((r) => ({
      kind: r.kind,
      incident: r.incident,
      order: r.order_id,
      amount: formatAmount(r.amount, r.currency),
      currency: r.currency,
      createdAt: r.created_at.toISOString(),
      exportedAt: r.exported_at?.toISOString() ?? null,
    })),
  };
}

/** Why there is no email to show: purged by retention, kept in Quarantine, or unknown. */
function missingReason(c: { purged_at: Date | null; quarantine_reason: string | null }): string {
  if (c.purged_at) return `original purged on ${c.purged_at.toISOString().slice(0, 10)}`;
  return c.quarantine_reason ?? 'no raw message stored';
}

/** The claim's own message, the customer's later messages and our replies, in time order. */
async function threadOf(pool: pg.Pool, claimId: number): Promise<ThreadEntry[]> {
  const messages = await claimThreadMessages(pool, claimId);
  const customer = await Promise.all(
    messages.map(async (m): Promise<ThreadEntry> => {
      const e = m.has_raw ? await loadEmailFacts(pool, m.message_id, readOriginalEmail) : null;
      return {
        direction: 'customer',
        at: m.internal_date.toISOString(),
        subject: e?.subject ?? '',
        from: e?.from ?? null,
        to: e?.to ?? [],
        text: e?.text ?? '',
        ...(m.purged_at ? { purgedAt: m.purged_at.toISOString() } : {}),
      };
    }),
  );
  const replies = (await replyEntries(pool, claimId, readOriginalEmail)).map(
    (r): ThreadEntry => ({
      direction: 'reply',
      at: (r.sentAt ?? r.createdAt).toISOString(),
      // A purged reply keeps its subject, sender and recipient in its row; its text is gone.
      subject: r.subject,
      from: r.from,
      to: [r.to],
      text: r.text ?? '',
      state: r.state,
      kind: r.kind,
      ...(r.purgedAt ? { purgedAt: r.purgedAt.toISOString() } : {}),
    }),
  );
  return [...customer, ...replies].sort((x, y) => x.at.localeCompare(y.at));
}

/** The original email as received, for the console's view of it (sanitized by the web layer). */
export interface OriginalEmail {
  /** Unsanitized; null when the email has no HTML part, or is gone. */
  html: string | null;
  /** The whole text: what the view shows of an email without HTML. */
  text: string;
  /** When retention dropped the original; null while it is kept. */
  purgedAt: string | null;
}

/**
 * The original email, parsed from its source (original-email.ts): the console's one reading
 * of a customer's whole source (besides attachment downloads), since its HTML, up to 2 MB,
 * is not among the facts kept.
 */
export async function getOriginalEmail(pool: pg.Pool, id: number): Promise<OriginalEmail> {
  const m = await claimSource(pool, id);
  if (!m) throw new ReviewError('not_found', `claim ${id} does not exist`);
  const email = m.raw ? await readOriginalEmail(m.raw) : null;
  return {
    html: email?.html ?? null,
    text: email?.text ?? '',
    purgedAt: m.purged_at?.toISOString() ?? null,
  };
}

/**
 * The index-th attachment of the claim's original email (in the order the claim page lists
 * them), for download, with an audit entry saying who downloaded what (its name, size and
 * SHA-256). Null when there is no such claim or attachment; ReviewError 'not_found' saying
 * so when retention purged the original, attachments and all.
 */
export async function downloadAttachment(
  pool: pg.Pool,
  claimId: number,
  index: number,
  actor: Actor,
): Promise<ExtractedAttachment | null> {
  const m = await claimSource(pool, claimId);
  if (m?.purged_at)
    throw new ReviewError(
      'not_found',
      `the original email was purged on ${m.purged_at.toISOString().slice(0, 10)}; its attachments are gone`,
    );
  const attachment = m?.raw ? await readAttachment(m.raw, index) : null;
  if (!attachment) return null;
  await writeAudit(pool, {
    actor,
    action: 'attachment.download',
    claimId,
    details: {
      index,
      filename: attachment.filename || null,
      size: attachment.content.length,
      sha256: createHash('sha256').update(attachment.content).digest('hex'),
    },
  });
  return attachment;
}
