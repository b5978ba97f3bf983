/**
 * The facts kept about a message when it is parsed for assessment, so that nothing after the
 * assessment parses its source again (issue #11 item 5, issue #13 item 2). Lists show the
 * subject, sender and attachment list (the review queue refreshes every 5 s per open console
 * and used to parse up to 100 sources of up to 25 MB each time); the reply stage and the
 * console's reply preview take the sender, subject, threading ids and reply language; the
 * claim page and its thread the recipients, Date and a bounded excerpt of the text. Only the
 * console's view of the original email (its HTML) and attachment downloads read the source.
 */
import type pg from 'pg';
import type { EmailReader, ParsedEmail } from '../domain/email.ts';
import { truncate } from '../mail/limits.ts';
import { type ReplyLang, replyLanguage } from '../reply/render/language.ts';
import { threadIdsOf } from './thread-ids.ts';

export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface AttachmentFact {
  filename: string | null;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the content; absent in facts kept before 013 until they are completed. */
  sha256?: string;
}

export interface MessageFacts {
  subject: string;
  from: string | null;
  fromName: string | null;
  /** The first MAX_ATTACHMENTS attachments; `attachmentCount` counts them all. */
  attachments: AttachmentFact[];
  attachmentCount: number;
  parseError: string | null;
}

/**
 * Everything kept: what lists show, and what the reply stage and the claim page need. The
 * sender, subject and ids are kept as the reply uses them, so a reply made from the facts is
 * byte for byte the reply made from the parsed email (test/store/reply-from-facts.test.ts).
 */
export interface EmailFacts extends MessageFacts {
  /** Threading ids, well-formed only, without angle brackets (thread-ids.ts). */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** The language a reply is written in, read from the customer's words at assessment. */
  lang: ReplyLang;
  /** To and Cc, the first MAX_ADDRESSES. */
  to: string[];
  /** The sender-controlled Date header, epoch ms. */
  date: number | null;
  /** The first MAX_EXCERPT_CHARS of the text; `textChars` is the whole text's length. */
  text: string;
  textChars: number;
}

/** A list shows a few; a hostile message may carry thousands (each row stays small). */
const MAX_ATTACHMENTS = 100;
const MAX_NAME_CHARS = 255;
const MAX_ADDRESSES = 100;
/**
 * What the claim page shows of the text: a customer's claim fits many times over (16 KB of
 * ASCII, 48 KB of Chinese); the rest is in the original email, which the page also shows.
 */
export const MAX_EXCERPT_CHARS = 16_000;

/** PostgreSQL text and jsonb refuse NUL characters, which hostile headers may decode to. */
function clean(value: string, max = Number.MAX_SAFE_INTEGER): string {
  return truncate(value.replaceAll('\u0000', ''), max);
}

function cleanOrNull(value: string | null, max?: number): string | null {
  return value === null ? null : clean(value, max);
}

/**
 * The sender and subject are kept whole (the parser bounds them: 4,000 characters of subject,
 * 256 KiB of header): the reply repeats them after its own clean-up, which a cut could change.
 */
export function factsOf(email: ParsedEmail): EmailFacts {
  return {
    subject: clean(email.subject),
    from: cleanOrNull(email.from),
    fromName: cleanOrNull(email.fromName),
    attachments: email.attachments.slice(0, MAX_ATTACHMENTS).map((a) => ({
      filename: cleanOrNull(a.filename, MAX_NAME_CHARS),
      contentType: clean(a.contentType, MAX_NAME_CHARS),
      size: a.size,
      sha256: a.sha256,
    })),
    attachmentCount: email.attachments.length,
    parseError: cleanOrNull(email.parseError, 1000),
    ...threadIdsOf(email),
    lang: replyLanguage(email),
    to: email.to.slice(0, MAX_ADDRESSES).map((a) => clean(a, 998)),
    date: email.date,
    text: clean(truncate(email.text, MAX_EXCERPT_CHARS)),
    textChars: email.text.length,
  };
}

/**
 * Keeps the facts of a parsed message; called where the message is first parsed for
 * assessment, in that transaction. Idempotent: a re-assessment writes the same facts.
 */
export async function saveMessageFacts(
  db: Queryable,
  messageId: string | number,
  email: ParsedEmail,
): Promise<void> {
  await saveFacts(db, messageId, factsOf(email));
}

/** Keeps facts made by `factsOf`: saveMessageFacts, and email-facts.ts completing old ones. */
export async function saveFacts(
  db: Queryable,
  messageId: string | number,
  f: EmailFacts,
): Promise<void> {
  await db.query(
    `INSERT INTO message_facts (message_id, subject, from_address, from_name, attachments,
                                attachment_count, parse_error, header_message_id, in_reply_to,
                                reference_ids, reply_lang, to_addresses, date_ms, text_excerpt,
                                text_chars)
     SELECT $1::bigint, $2::text, $3::text, $4::text, $5::jsonb, $6::int, $7::text, $8::text,
            $9::text, $10::text[], $11::text, $12::text[], $13::bigint, $14::text, $15::int
      -- Not for a source purged meanwhile: the facts go with it (migration 011's trigger).
      WHERE EXISTS (SELECT 1 FROM messages WHERE id = $1::bigint AND raw IS NOT NULL)
     ON CONFLICT (message_id) DO UPDATE
       SET subject = EXCLUDED.subject, from_address = EXCLUDED.from_address,
           from_name = EXCLUDED.from_name, attachments = EXCLUDED.attachments,
           attachment_count = EXCLUDED.attachment_count, parse_error = EXCLUDED.parse_error,
           header_message_id = EXCLUDED.header_message_id, in_reply_to = EXCLUDED.in_reply_to,
           reference_ids = EXCLUDED.reference_ids, reply_lang = EXCLUDED.reply_lang,
           to_addresses = EXCLUDED.to_addresses, date_ms = EXCLUDED.date_ms,
           text_excerpt = EXCLUDED.text_excerpt, text_chars = EXCLUDED.text_chars,
           parsed_at = now()`,
    [
      messageId,
      f.subject,
      f.from,
      f.fromName,
      JSON.stringify(f.attachments),
      f.attachmentCount,
      f.parseError,
      f.messageId,
      f.inReplyTo,
      f.references,
      f.lang,
      f.to,
      f.date,
      f.text,
      f.textChars,
    ],
  );
}

/**
 * Columns of `message_facts` (aliased `alias`) a list selects; read them with `factsFromRow`.
 * The sender is kept whole for the reply; a list reads at most 998 characters of it.
 */
export function factsColumns(alias: string): string {
  return `${alias}.message_id IS NOT NULL AS facts_known, ${alias}.subject AS facts_subject,
          left(${alias}.from_address, 998) AS facts_from, left(${alias}.from_name, 998) AS facts_from_name,
          ${alias}.attachments AS facts_attachments, ${alias}.attachment_count AS facts_attachment_count,
          ${alias}.parse_error AS facts_parse_error`;
}

export interface FactsRow {
  facts_known: boolean;
  facts_subject: string | null;
  facts_from: string | null;
  facts_from_name: string | null;
  facts_attachments: AttachmentFact[] | null;
  facts_attachment_count: number | null;
  facts_parse_error: string | null;
}

export function factsFromRow(row: FactsRow): MessageFacts | null {
  if (!row.facts_known) return null;
  return {
    subject: row.facts_subject ?? '',
    from: row.facts_from,
    fromName: row.facts_from_name,
    attachments: row.facts_attachments ?? [],
    attachmentCount: row.facts_attachment_count ?? 0,
    parseError: row.facts_parse_error,
  };
}

/** One fill parses at most this many messages, and at most FILL_BYTES of sources. */
export const FILL_MESSAGES = 4;
/** The first message is parsed whatever its size (up to MAX_MESSAGE_BYTES), so all get filled. */
export const FILL_BYTES = 16 * 2 ** 20;

/** One fill at a time per process: consoles refreshing together do not multiply the cost. */
let filling = false;

/**
 * Facts for messages stored before facts were kept, or not yet assessed: parses a bounded
 * few of `missing` (in order; each source read alone, parsed with `read`, saved and dropped)
 * and returns what it found. The rest wait for the next call: every list refresh fills a few
 * more, and each message is parsed once. Returns nothing while another fill runs in this
 * process. `read` is the caller's: the store reads rows, the feature reads the email.
 */
export async function fillMissingFacts(
  pool: pg.Pool,
  missing: { messageId: string; size: number }[],
  read: EmailReader,
): Promise<Map<string, MessageFacts>> {
  const found = new Map<string, MessageFacts>();
  if (missing.length === 0 || filling) return found;
  filling = true;
  try {
    let bytes = 0;
    for (const { messageId, size } of missing.slice(0, FILL_MESSAGES)) {
      if (found.size > 0 && bytes + size > FILL_BYTES) break;
      bytes += size;
      const { rows } = await pool.query<{ raw: Buffer | null }>(
        'SELECT raw FROM messages WHERE id = $1',
        [messageId],
      );
      const raw = rows[0]?.raw;
      if (!raw) continue; // purged or quarantined unread meanwhile: nothing to show
      const email = await read(raw);
      await saveMessageFacts(pool, messageId, email);
      found.set(messageId, factsOf(email));
    }
  } finally {
    filling = false;
  }
  return found;
}
