/**
 * What the claim page's thread shows of the replies sent for a claim. The text and sender are
 * kept in the reply's row when it is prepared (migration 014), so the console never parses the
 * messages it sent; a reply prepared before has them read from its bytes once, and kept.
 */
import type pg from 'pg';
import type { EmailReader } from '../domain/email.ts';

export interface ReplyEntry {
  subject: string;
  from: string | null;
  to: string;
  /** Null once retention purged the reply. */
  text: string | null;
  state: string;
  kind: string;
  createdAt: Date;
  sentAt: Date | null;
  purgedAt: Date | null;
}

/** PostgreSQL text refuses NUL characters; a reply's text never needs one. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '');
}

interface Row {
  id: string;
  subject: string;
  from_address: string | null;
  to_address: string;
  text_part: string | null;
  needs_text: boolean;
  state: string;
  kind: string;
  created_at: Date;
  sent_at: Date | null;
  purged_at: Date | null;
}

/**
 * The claim's replies, oldest first, with their text. `read` parses the bytes of a reply
 * prepared before migration 014 (the calling feature's reading; the store never parses).
 */
export async function replyEntries(
  pool: pg.Pool,
  claimId: number,
  read: EmailReader,
): Promise<ReplyEntry[]> {
  const { rows } = await pool.query<Row>(
    `SELECT id, subject, from_address, to_address, text_part,
            text_part IS NULL AND raw IS NOT NULL AS needs_text,
            state, kind, created_at, sent_at, purged_at
       FROM replies WHERE claim_id = $1 ORDER BY id`,
    [claimId],
  );
  const entries: ReplyEntry[] = [];
  for (const row of rows) {
    const kept = row.needs_text ? await keepText(pool, row.id, read) : null;
    entries.push({
      subject: row.subject,
      from: kept?.from ?? row.from_address,
      to: row.to_address,
      text: kept?.text ?? row.text_part,
      state: row.state,
      kind: row.kind,
      createdAt: row.created_at,
      sentAt: row.sent_at,
      purgedAt: row.purged_at,
    });
  }
  return entries;
}

/** Reads an older reply's text and sender from its bytes (ours, a few KB) and keeps them. */
async function keepText(
  pool: pg.Pool,
  replyId: string,
  read: EmailReader,
): Promise<{ text: string; from: string | null } | null> {
  const { rows } = await pool.query<{ raw: Buffer | null }>(
    'SELECT raw FROM replies WHERE id = $1',
    [replyId],
  );
  const raw = rows[0]?.raw;
  if (!raw) return null; // purged meanwhile
  const email = await read(raw);
  const kept = { text: storableText(email.text), from: email.from };
  await pool.query(
    `UPDATE replies SET text_part = $2, from_address = COALESCE(from_address, $3)
      WHERE id = $1 AND raw IS NOT NULL`,
    [replyId, kept.text, kept.from],
  );
  return kept;
}
