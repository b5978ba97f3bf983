/**
 * Storing received messages: the raw source, its receipt time and a claim, in one
 * transaction, unique per mailbox + source key (UIDVALIDITY:UID or Maildir name) and per
 * content hash. Only after this commits may the source move the message out of its inbox.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { writeAudit } from './audit-log.ts';
import { withTransaction } from './database.ts';
import { onlyRow } from './only-row.ts';

export type QuarantineReason = 'too_large' | 'unparseable';

export interface IncomingMessage {
  /** 'UIDVALIDITY:UID' for IMAP, the file's unique name for Maildir. */
  sourceKey: string;
  uidValidity: number | null;
  uid: number | null;
  /** The raw source; null only for a message too large to keep in the database. */
  raw: Buffer | null;
  size: number;
  /** The server's receipt time: the received time of the claim. */
  internalDate: Date;
  messageId: string | null;
  sha256: Buffer;
  quarantine: QuarantineReason | null;
  quarantineDetail?: string;
}

export interface StoreOutcome {
  sourceKey: string;
  /** 'duplicate' when this source key or this content was stored before. */
  status: 'stored' | 'duplicate';
  claimId: number | null;
  quarantined: boolean;
}

export interface Checkpoint {
  uidValidity: number | null;
  lastUid: number;
}

export function sha256Of(raw: Buffer): Buffer {
  return createHash('sha256').update(raw).digest();
}

/** Registers a mailbox (idempotent) and returns its checkpoint. */
export async function ensureMailbox(pool: pg.Pool, name: string): Promise<Checkpoint> {
  await pool.query('INSERT INTO mailboxes (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [
    name,
  ]);
  const { rows } = await pool.query<{ uid_validity: string | null; last_uid: string }>(
    'SELECT uid_validity, last_uid FROM mailboxes WHERE name = $1',
    [name],
  );
  const row = onlyRow(rows);
  return {
    uidValidity: row.uid_validity === null ? null : Number(row.uid_validity),
    lastUid: Number(row.last_uid),
  };
}

/** A new UIDVALIDITY: every UID before it means nothing now, so the checkpoint restarts. */
export async function resetCheckpoint(
  pool: pg.Pool,
  name: string,
  uidValidity: number,
): Promise<void> {
  await pool.query(
    'UPDATE mailboxes SET uid_validity = $2, last_uid = 0, updated_at = now() WHERE name = $1',
    [name, uidValidity],
  );
}

export async function markPolled(pool: pg.Pool, name: string): Promise<void> {
  await pool.query('UPDATE mailboxes SET last_poll_at = now() WHERE name = $1', [name]);
}

const COLUMNS = 11;

/**
 * Sources per INSERT statement at most; a larger message goes alone. pg copies every
 * parameter into the statement's wire buffer (which grows as it fills), so one statement for
 * a whole batch would hold the batch twice over on top of the sources themselves; statement
 * by statement, the copy is never more than one large message. Also keeps the parameter
 * count far below PostgreSQL's 65,535 whatever INTAKE_BATCH_SIZE is.
 */
const STATEMENT_BYTES = 4 * 2 ** 20;
const STATEMENT_ROWS = 1000;

/** Consecutive runs of messages for one INSERT each (see STATEMENT_BYTES). */
function statements(messages: IncomingMessage[]): IncomingMessage[][] {
  const out: IncomingMessage[][] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.raw?.length ?? 0;
    const last = out.at(-1);
    if (last && last.length < STATEMENT_ROWS && bytes + size <= STATEMENT_BYTES) {
      last.push(m);
      bytes += size;
    } else {
      out.push([m]);
      bytes = size;
    }
  }
  return out;
}

interface InsertedRow {
  id: string;
  source_key: string;
  /** bigint, as text. */
  size: string;
  state: 'stored' | 'quarantined';
  quarantine_reason: string | null;
}

async function insertMessages(
  client: pg.PoolClient,
  mailbox: string,
  messages: IncomingMessage[],
): Promise<InsertedRow[]> {
  const values: unknown[] = [];
  const rows = messages.map((m, i) => {
    values.push(
      mailbox,
      m.uidValidity,
      m.uid,
      m.sourceKey,
      m.messageId,
      m.sha256,
      m.internalDate,
      m.size,
      m.raw,
      m.quarantine === null ? 'stored' : 'quarantined',
      m.quarantine === null
        ? null
        : `${m.quarantine}${m.quarantineDetail ? `: ${m.quarantineDetail}` : ''}`,
    );
    const base = i * COLUMNS;
    return `(${Array.from({ length: COLUMNS }, (_, k) => `$${base + k + 1}`).join(', ')})`;
  });
  const inserted = await client.query<InsertedRow>(
    `INSERT INTO messages (mailbox, uid_validity, uid, source_key, message_id, sha256, internal_date, size, raw,
                           state, quarantine_reason)
     VALUES ${rows.join(', ')}
     ON CONFLICT DO NOTHING
     RETURNING id, source_key, size, state, quarantine_reason`,
    values,
  );
  return inserted.rows;
}

/**
 * Stores a batch in one transaction and advances the checkpoint with it, so "UID ≤
 * last_uid" always means "stored". Messages already stored come back as duplicates.
 */
export async function storeMessages(
  pool: pg.Pool,
  mailbox: string,
  messages: IncomingMessage[],
  checkpoint?: Checkpoint,
): Promise<StoreOutcome[]> {
  if (messages.length === 0) return [];
  return withTransaction(pool, async (client) => {
    const inserted: InsertedRow[] = [];
    for (const run of statements(messages)) {
      inserted.push(...(await insertMessages(client, mailbox, run)));
    }
    const claimIds = new Map<string, number>();
    if (inserted.length > 0) {
      const ids = inserted.map((r) => r.id);
      const claims = await client.query<{ id: string; message_id: string }>(
        `INSERT INTO claims (message_id, state, received_at, reasons)
         SELECT m.id,
                CASE WHEN m.state = 'quarantined' THEN 'review' ELSE 'received' END,
                m.internal_date,
                CASE WHEN m.state = 'quarantined'
                     THEN ARRAY['message_' || split_part(m.quarantine_reason, ':', 1)]
                     ELSE '{}'::text[] END
           FROM messages m WHERE m.id = ANY($1::bigint[])
         RETURNING id, message_id`,
        [ids],
      );
      const claimByMessage = new Map(claims.rows.map((c) => [c.message_id, Number(c.id)]));
      // One entry per stored message and its claim, in the order stored, from the rows as
      // stored (RETURNING above): the details are what the database holds, not the input.
      await writeAudit(
        client,
        ...inserted
          .filter((r) => claimByMessage.has(r.id))
          .map((r) => ({
            actor: 'system:intake',
            action: r.state === 'quarantined' ? 'message.quarantined' : 'message.stored',
            claimId: claimByMessage.get(r.id),
            messageId: r.id,
            details: {
              mailbox,
              source_key: r.source_key,
              size: Number(r.size),
              quarantine_reason: r.quarantine_reason,
            },
          })),
      );
      for (const r of inserted) claimIds.set(r.source_key, claimByMessage.get(r.id) ?? 0);
    }
    if (checkpoint) {
      await client.query(
        `UPDATE mailboxes SET uid_validity = $2, last_uid = GREATEST(last_uid, $3), last_poll_at = now(), updated_at = now()
          WHERE name = $1`,
        [mailbox, checkpoint.uidValidity, checkpoint.lastUid],
      );
    }
    return messages.map((m) => {
      const claimId = claimIds.get(m.sourceKey);
      return {
        sourceKey: m.sourceKey,
        status: claimId === undefined ? 'duplicate' : 'stored',
        claimId: claimId ?? null,
        quarantined: m.quarantine !== null,
      };
    });
  });
}

/** The state ('stored' | 'quarantined') of each of these source keys found in the mailbox. */
export async function storedStates(
  pool: pg.Pool,
  mailbox: string,
  sourceKeys: string[],
): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ source_key: string; state: string }>(
    'SELECT source_key, state FROM messages WHERE mailbox = $1 AND source_key = ANY($2::text[])',
    [mailbox, sourceKeys],
  );
  return new Map(rows.map((r) => [r.source_key, r.state]));
}

/** Claims stored but not yet assessed: the enqueue sweep hands them to the queue again. */
export async function claimsAwaitingAssessment(pool: pg.Pool, limit = 1000): Promise<number[]> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM claims WHERE state = 'received' AND created_at < now() - interval '5 seconds' ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => Number(r.id));
}
