/**
 * The review queue: claims waiting for an agent (state 'review'), filtered, sorted and
 * paged. Subject and sender come from the message's facts (message-facts.ts), kept when it
 * was parsed for assessment: a listing never reads a raw source (up to 100 rows of up to
 * 25 MB, every 5 s per open console). Rows stored before facts were kept get theirs filled
 * a bounded few per listing.
 */
import type pg from 'pg';
import { formatClaimRef } from '../domain/claim-ref.ts';
import { formatAmount, parseDecimal } from '../domain/money.ts';
import {
  type FactsRow,
  factsColumns,
  factsFromRow,
  fillMissingFacts,
  type MessageFacts,
} from '../store/message-facts.ts';
import { ReviewError } from './errors.ts';

export interface QueueFilters {
  /** Claims with any of these reasons. */
  reasons?: string[];
  type?: string;
  vip?: boolean;
  minAgeMinutes?: number;
  maxAgeMinutes?: number;
  minAmount?: string;
  maxAmount?: string;
  mailbox?: string;
  /** An agent, or null for claims nobody has taken. */
  assignee?: string | null;
}

/** 'oldest' first, or 'priority': VIP first, then the larger amount, then the oldest. */
export type QueueSort = 'oldest' | 'priority';

export interface QueuePage {
  /** 1–100. @defaultValue 50 */
  limit?: number;
  /** The `nextCursor` of the page before; wins over offset. */
  cursor?: string;
  offset?: number;
}

export interface QueueItem {
  id: number;
  ref: string;
  type: string | null;
  decision: string | null;
  reasons: string[];
  account: string | null;
  amount: string | null;
  currency: string | null;
  vip: boolean;
  receivedAt: string;
  ageMinutes: number;
  mailbox: string;
  assignee: string | null;
  version: number;
  subject: string;
  from: string | null;
}

export interface ReviewQueue {
  items: QueueItem[];
  /** Claims matching the filters, over all pages. */
  total: number;
  /** Per reason, the claims matching every filter but `reasons` (the reason facet). */
  countsByReason: Record<string, number>;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Sort keys, every one ascending so a keyset cursor is one row comparison. Priority:
 * VIP (0) before others (1), then amount descending (negated; no amount sorts last).
 */
const KEYS: Record<QueueSort, string[]> = {
  oldest: ['c.received_at', 'c.id'],
  priority: [
    'CASE WHEN c.vip THEN 0 ELSE 1 END',
    '-COALESCE(c.amount, -1)',
    'c.received_at',
    'c.id',
  ],
};
const KEY_TYPES: Record<QueueSort, string[]> = {
  oldest: ['timestamptz', 'bigint'],
  priority: ['int', 'numeric', 'timestamptz', 'bigint'],
};

export async function listReviewQueue(
  pool: pg.Pool,
  filters: QueueFilters = {},
  sort: QueueSort = 'oldest',
  page: QueuePage = {},
): Promise<ReviewQueue> {
  const limit = page.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new ReviewError('invalid_input', 'limit must be an integer from 1 to 100');
  if (!(sort in KEYS)) throw new ReviewError('invalid_input', `unknown sort '${sort}'`);
  const offset = page.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new ReviewError('invalid_input', 'offset must be a non-negative integer');

  const params: unknown[] = [];
  const where = conditions(filters, params, false);
  const facetParams: unknown[] = [];
  const facetWhere = conditions(filters, facetParams, true);
  const keys = KEYS[sort];
  const pageWhere = [...where];
  const pageParams = [...params];
  if (page.cursor !== undefined) {
    const values = decodeCursor(page.cursor, keys.length);
    const holes = values.map((v, i) => {
      pageParams.push(v);
      return `$${pageParams.length}::${KEY_TYPES[sort][i]}`;
    });
    pageWhere.push(`(${keys.join(', ')}) > (${holes.join(', ')})`);
  }
  pageParams.push(limit + 1, page.cursor === undefined ? offset : 0);
  const { rows } = await pool.query<Row>(
    `SELECT c.id, c.type, c.decision, c.reasons, c.account, c.amount::text AS amount, c.currency,
            c.vip, c.received_at, c.assignee, c.version, m.mailbox, m.id AS message_id, m.size,
            m.raw IS NOT NULL AS has_raw, ${factsColumns('f')},
            floor(extract(epoch FROM now() - c.received_at) / 60)::int AS age_minutes,
            ARRAY[${keys.map((k) => `(${k})::text`).join(', ')}] AS sort_key
       FROM claims c JOIN messages m ON m.id = c.message_id
            LEFT JOIN message_facts f ON f.message_id = m.id
      WHERE ${pageWhere.join(' AND ')}
      ORDER BY ${keys.join(', ')}
      LIMIT $${pageParams.length - 1} OFFSET $${pageParams.length}`,
    pageParams,
  );
  const more = rows.length > limit;
  const pageRows = rows.slice(0, limit);
  const [count, facets] = await Promise.all([
    pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM claims c JOIN messages m ON m.id = c.message_id
        WHERE ${where.join(' AND ')}`,
      params,
    ),
    pool.query<{ reason: string; n: number }>(
      `SELECT r.reason, count(*)::int AS n
         FROM claims c JOIN messages m ON m.id = c.message_id, unnest(c.reasons) AS r(reason)
        WHERE ${facetWhere.join(' AND ')} GROUP BY r.reason ORDER BY r.reason`,
      facetParams,
    ),
  ]);
  // `raw IS NOT NULL` reads the row's null bitmap, not the source: quarantined-unread and
  // purged messages have nothing to fill from.
  const filled = await fillMissingFacts(
    pool,
    pageRows
      .filter((r) => r.has_raw && !r.facts_known)
      .map((r) => ({ messageId: r.message_id, size: Number(r.size) })),
  );
  const items = pageRows.map((r) => toItem(r, factsFromRow(r) ?? filled.get(r.message_id)));
  const last = pageRows.at(-1);
  return {
    items,
    total: count.rows[0]!.n,
    countsByReason: Object.fromEntries(facets.rows.map((f) => [f.reason, f.n])),
    nextCursor: more && last ? encodeCursor(last.sort_key) : null,
  };
}

/** What the queue's mailbox and assignee filters offer. */
export interface QueueChoices {
  /** Every mailbox the service reads (it registers each), so all of them can be chosen. */
  mailboxes: string[];
  /** Enabled agents and admins, and whoever holds a claim in review now. */
  assignees: string[];
}

export async function queueChoices(pool: pg.Pool): Promise<QueueChoices> {
  const [mailboxes, assignees] = await Promise.all([
    pool.query<{ name: string }>('SELECT name FROM mailboxes ORDER BY name'),
    pool.query<{ email: string }>(
      `SELECT email FROM users WHERE role IN ('agent', 'admin') AND NOT disabled
        UNION SELECT assignee FROM claims WHERE state = 'review' AND assignee IS NOT NULL
        ORDER BY 1`,
    ),
  ]);
  return {
    mailboxes: mailboxes.rows.map((r) => r.name),
    assignees: assignees.rows.map((r) => r.email),
  };
}

interface Row extends FactsRow {
  id: string;
  type: string | null;
  decision: string | null;
  reasons: string[];
  account: string | null;
  amount: string | null;
  currency: string | null;
  vip: boolean;
  received_at: Date;
  assignee: string | null;
  version: number;
  mailbox: string;
  message_id: string;
  size: string;
  has_raw: boolean;
  age_minutes: number;
  sort_key: string[];
}

/** `facts` undefined: not known yet (filled by a later listing), or no source to read them from. */
function toItem(row: Row, facts: MessageFacts | undefined): QueueItem {
  const id = Number(row.id);
  return {
    id,
    ref: formatClaimRef(id),
    type: row.type,
    decision: row.decision,
    reasons: row.reasons,
    account: row.account,
    amount:
      row.amount !== null && row.currency ? formatAmount(row.amount, row.currency) : row.amount,
    currency: row.currency,
    vip: row.vip,
    receivedAt: row.received_at.toISOString(),
    ageMinutes: row.age_minutes,
    mailbox: row.mailbox,
    assignee: row.assignee,
    version: row.version,
    subject: facts?.subject ?? '',
    from: facts?.from ?? null,
  };
}

/** SQL conditions for the filters, their values appended to `params`. */
function conditions(f: QueueFilters, params: unknown[], skipReasons: boolean): string[] {
  const out = [`c.state = 'review'`];
  const hole = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (f.reasons?.length && !skipReasons) out.push(`c.reasons && ${hole(f.reasons)}::text[]`);
  if (f.type !== undefined) out.push(`c.type = ${hole(f.type)}`);
  if (f.vip !== undefined) out.push(`c.vip = ${hole(f.vip)}`);
  if (f.minAgeMinutes !== undefined)
    out.push(`c.received_at <= now() - make_interval(mins => ${hole(minutes(f.minAgeMinutes))})`);
  if (f.maxAgeMinutes !== undefined)
    out.push(`c.received_at >= now() - make_interval(mins => ${hole(minutes(f.maxAgeMinutes))})`);
  if (f.minAmount !== undefined) out.push(`c.amount >= ${hole(amount(f.minAmount))}::numeric`);
  if (f.maxAmount !== undefined) out.push(`c.amount <= ${hole(amount(f.maxAmount))}::numeric`);
  if (f.mailbox !== undefined) out.push(`m.mailbox = ${hole(f.mailbox)}`);
  if (f.assignee === null) out.push('c.assignee IS NULL');
  else if (f.assignee !== undefined) out.push(`c.assignee = ${hole(f.assignee)}`);
  return out;
}

function minutes(n: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new ReviewError('invalid_input', 'ages are whole minutes, 0 or more');
  return n;
}

function amount(text: string): string {
  if (!parseDecimal(text)) throw new ReviewError('invalid_input', `not an amount: '${text}'`);
  return text.trim();
}

function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, length: number): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string'))
      return key;
  } catch {
    // falls through to the error below: a cursor is opaque, any damage is the caller's
  }
  throw new ReviewError('invalid_input', 'bad cursor (from another sort, or altered)');
}
