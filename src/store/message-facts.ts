/**
 * The facts lists show about a message (subject, sender, attachment list), kept beside it
 * when it is parsed for assessment, so a list never reads or parses a raw source: the review
 * queue refreshes every 5 s per open console and used to parse up to 100 sources of up to
 * 25 MB each time. The single claim page still reads the source (it shows the email).
 */
import type pg from 'pg';
import type { ParsedEmail } from '../domain/email.ts';
import { truncate } from '../mail/limits.ts';
import { parseEmail } from '../mail/parse.ts';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface AttachmentFact {
  filename: string | null;
  contentType: string;
  size: number;
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

/** A list shows a few; a hostile message may carry thousands (each row stays small). */
const MAX_ATTACHMENTS = 100;
const MAX_NAME_CHARS = 255;

/** PostgreSQL text and jsonb refuse NUL characters, which hostile headers may decode to. */
function clean(value: string, max = Number.MAX_SAFE_INTEGER): string {
  return truncate(value.replaceAll('\u0000', ''), max);
}

function cleanOrNull(value: string | null, max?: number): string | null {
  return value === null ? null : clean(value, max);
}

export function factsOf(email: ParsedEmail): MessageFacts {
  return {
    subject: clean(email.subject),
    from: cleanOrNull(email.from, 998),
    fromName: cleanOrNull(email.fromName, 998),
    attachments: email.attachments.slice(0, MAX_ATTACHMENTS).map((a) => ({
      filename: cleanOrNull(a.filename, MAX_NAME_CHARS),
      contentType: clean(a.contentType, MAX_NAME_CHARS),
      size: a.size,
    })),
    attachmentCount: email.attachments.length,
    parseError: cleanOrNull(email.parseError, 1000),
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
  const f = factsOf(email);
  await db.query(
    `INSERT INTO message_facts (message_id, subject, from_address, from_name, attachments,
                                attachment_count, parse_error)
     SELECT $1::bigint, $2::text, $3::text, $4::text, $5::jsonb, $6::int, $7::text
      -- Not for a source purged meanwhile: the facts go with it (migration 011's trigger).
      WHERE EXISTS (SELECT 1 FROM messages WHERE id = $1::bigint AND raw IS NOT NULL)
     ON CONFLICT (message_id) DO UPDATE
       SET subject = EXCLUDED.subject, from_address = EXCLUDED.from_address,
           from_name = EXCLUDED.from_name, attachments = EXCLUDED.attachments,
           attachment_count = EXCLUDED.attachment_count, parse_error = EXCLUDED.parse_error,
           parsed_at = now()`,
    [
      messageId,
      f.subject,
      f.from,
      f.fromName,
      JSON.stringify(f.attachments),
      f.attachmentCount,
      f.parseError,
    ],
  );
}

/** Columns of `message_facts` (aliased `alias`) a list selects; read them with `factsFromRow`. */
export function factsColumns(alias: string): string {
  return `${alias}.message_id IS NOT NULL AS facts_known, ${alias}.subject AS facts_subject,
          ${alias}.from_address AS facts_from, ${alias}.from_name AS facts_from_name,
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
 * few of `missing` (in order; each source read alone, parsed, saved and dropped) and returns
 * what it found. The rest wait for the next call: every list refresh fills a few more, and
 * each message is parsed once. Returns nothing while another fill runs in this process.
 */
export async function fillMissingFacts(
  pool: pg.Pool,
  missing: { messageId: string; size: number }[],
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
      const email = await parseEmail(raw);
      await saveMessageFacts(pool, messageId, email);
      found.set(messageId, factsOf(email));
    }
  } finally {
    filling = false;
  }
  return found;
}
