/**
 * The whole facts of a message (message-facts.ts) for the reply stage, the reply preview and
 * the claim page, completed on first use where they were kept before migration 013.
 */
import type { EmailReader } from '../domain/email.ts';
import type { ReplyLang } from '../reply/render/language.ts';
import {
  type AttachmentFact,
  type EmailFacts,
  factsOf,
  type Queryable,
  saveFacts,
} from './message-facts.ts';

/** The columns `emailFactsColumns` selects, as node-postgres reads them. */
export interface EmailRow {
  has_raw: boolean;
  subject: string | null;
  from_address: string | null;
  from_name: string | null;
  attachments: AttachmentFact[] | null;
  attachment_count: number | null;
  parse_error: string | null;
  header_message_id: string | null;
  in_reply_to: string | null;
  reference_ids: string[] | null;
  /** NULL: no facts, or facts kept before 013 (lists' only). */
  reply_lang: ReplyLang | null;
  to_addresses: string[] | null;
  /** bigint: node-postgres reads it as a string. */
  date_ms: string | null;
  text_excerpt: string | null;
  text_chars: number | null;
}

/**
 * The whole facts of a message, or null when it has none and no source to read them from
 * (purged, or quarantined unread). Facts kept before migration 013, or none (a message stored
 * before facts were kept, or not assessed yet), are completed here: the source is read and
 * parsed with `read` this once, and the facts saved, so claims of older versions keep working
 * and are migrated as they are read. `read` is the calling feature's reading of the email.
 */
export async function loadEmailFacts(
  db: Queryable,
  messageId: string | number,
  read: EmailReader,
): Promise<EmailFacts | null> {
  const { rows } = await db.query<EmailRow>(
    `SELECT ${emailFactsColumns('m', 'f')}
       FROM messages m LEFT JOIN message_facts f ON f.message_id = m.id WHERE m.id = $1`,
    [messageId],
  );
  const row = rows[0];
  if (!row) return null;
  const kept = keptEmailFacts(row);
  if (kept) return kept;
  if (!row.has_raw) return null;
  const source = await db.query<{ raw: Buffer | null }>('SELECT raw FROM messages WHERE id = $1', [
    messageId,
  ]);
  const raw = source.rows[0]?.raw;
  if (!raw) return null; // purged meanwhile
  const facts = factsOf(await read(raw));
  await saveFacts(db, messageId, facts);
  return facts;
}

/**
 * The columns of EmailRow, from `messages` as `m` and `message_facts` (LEFT JOINed) as `f`:
 * for a caller that reads a message's facts in a query of its own.
 */
export function emailFactsColumns(m: string, f: string): string {
  return `${m}.raw IS NOT NULL AS has_raw, ${f}.subject, ${f}.from_address, ${f}.from_name,
          ${f}.attachments, ${f}.attachment_count, ${f}.parse_error, ${f}.header_message_id,
          ${f}.in_reply_to, ${f}.reference_ids, ${f}.reply_lang, ${f}.to_addresses, ${f}.date_ms,
          ${f}.text_excerpt, ${f}.text_chars`;
}

/** The facts in `row` when they are whole; null when loadEmailFacts must complete them. */
export function keptEmailFacts(row: EmailRow): EmailFacts | null {
  return row.reply_lang === null ? null : emailFactsOf(row, row.reply_lang);
}

function emailFactsOf(row: EmailRow, lang: ReplyLang): EmailFacts {
  return {
    subject: row.subject ?? '',
    from: row.from_address,
    fromName: row.from_name,
    attachments: row.attachments ?? [],
    attachmentCount: row.attachment_count ?? 0,
    parseError: row.parse_error,
    messageId: row.header_message_id,
    inReplyTo: row.in_reply_to,
    references: row.reference_ids ?? [],
    lang,
    to: row.to_addresses ?? [],
    date: row.date_ms === null ? null : Number(row.date_ms),
    text: row.text_excerpt ?? '',
    textChars: row.text_chars ?? 0,
  };
}
