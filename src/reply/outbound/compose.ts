/**
 * Builds the complete reply (RFC 5322, MIME multipart/alternative, UTF-8) before anything
 * is sent. The bytes, and with them the Message-ID, are fixed here and stored with the
 * reply, so a retry after a crash or a 4xx sends the very same message and the customer's
 * client can tell a duplicate by its Message-ID.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { ReplyLang } from '../render/language.ts';
import { InvalidReplyError } from './errors.ts';
import {
  checkAddress,
  checkClaimRef,
  cleanDisplayName,
  normalizeMessageId,
  replyReferences,
  replySubject,
} from './headers.ts';

export interface ReplyInput {
  /** The claim's reference, e.g. 'CLM-000123'; shown in the subject as `[CLM-000123]`. */
  claimRef: string;
  /** The original sender's address (the reply goes there and nowhere else). */
  to: string;
  /** The original sender's display name, from their email (sanitised here). */
  toName?: string | null;
  /** MAIL_FROM. */
  from: string;
  /** Display name for From (e.g. 'Service Assurance'); none when absent. */
  fromName?: string | null | undefined;
  /** The original email's decoded subject. */
  originalSubject: string;
  /** The original Message-ID, with or without angle brackets; dropped when malformed. */
  originalMessageId: string | null;
  /** The original References ids, with or without angle brackets. */
  originalReferences: string[];
  /** The original In-Reply-To, used for References only when it has no References. */
  originalInReplyTo?: string | null;
  /** Our own Message-ID, fixed before sending, e.g. '<clm-123.v1@claims.example>'. */
  messageId: string;
  text: string;
  html: string;
  lang: ReplyLang;
  /** The Date header. @defaultValue now */
  date?: Date;
}

/**
 * BCP 47 tags for Content-Language (RFC 3282). Traditional Chinese is tagged by its script,
 * not a region: the same reply goes to Hong Kong, Macau and Taiwan.
 */
const CONTENT_LANGUAGE: Record<ReplyLang, string> = { en: 'en', zh: 'zh-CN', 'zh-Hant': 'zh-Hant' };

export async function composeReply(input: ReplyInput): Promise<Buffer> {
  checkClaimRef(input.claimRef);
  const messageId = normalizeMessageId(input.messageId);
  if (!messageId) {
    throw new InvalidReplyError(
      'messageId',
      `not a valid msg-id: ${JSON.stringify(input.messageId)}`,
    );
  }
  if (!Object.hasOwn(CONTENT_LANGUAGE, input.lang)) {
    const known = Object.keys(CONTENT_LANGUAGE).join(', ');
    throw new InvalidReplyError(
      'lang',
      `must be one of ${known}, got ${JSON.stringify(input.lang)}`,
    );
  }
  const to = checkAddress('to', input.to);
  const from = checkAddress('from', input.from);
  const toName = cleanDisplayName(input.toName);
  const fromName = cleanDisplayName(input.fromName);
  const inReplyTo = normalizeMessageId(input.originalMessageId);
  const references = replyReferences(
    input.originalReferences,
    input.originalMessageId,
    input.originalInReplyTo ?? null,
  );

  const composer = new MailComposer({
    from: fromName ? { name: fromName, address: from } : from,
    to: toName ? { name: toName, address: to } : to,
    subject: replySubject(input.originalSubject, input.claimRef),
    messageId,
    date: input.date ?? new Date(),
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references.length > 0 ? { references } : {}),
    headers: {
      // RFC 3834 §5: marks this as an automatic response, so well-behaved responders
      // (vacation notices, other ticket systems) do not answer it and no mail loop starts.
      'Auto-Submitted': 'auto-replied',
      // Exchange/Outlook ignore Auto-Submitted; this asks them not to send out-of-office,
      // delivery or read receipts back to us. (No `Precedence`: that header means bulk/list
      // mail, which this is not, and some filters drop it.)
      'X-Auto-Response-Suppress': 'All',
      'Content-Language': CONTENT_LANGUAGE[input.lang],
    },
    text: { content: input.text, contentType: 'text/plain; charset=utf-8' },
    html: { content: input.html, contentType: 'text/html; charset=utf-8' },
    // Bodies are strings we rendered; nothing may make the composer read a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
  });
  return composer.compile().build();
}
