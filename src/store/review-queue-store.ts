/**
 * The review queue's reads: claims in review (state 'review'), filtered, in one of two
 * orders, a page at a time; how many match; how many match per reason; and what the
 * mailbox and assignee filters offer. The console (src/review/queue.ts) validates the
 * filters and the page, makes the cursor and turns rows into items; the SQL is here.
 */
import type pg from 'pg';
import { type FactsRow, factsColumns } from './message-facts.ts';

/**
 * Filters on claims in review, as the statements take them: already checked by the caller
 * (ages whole minutes of 0 or more, amounts decimal text), so nothing here refuses a value.
 */
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

/** Whether `sort` names one of the queue's orders. */
export function isQueueSort(sort: string): sort is QueueSort {
  return Object.hasOwn(KEYS, sort);
}

/** How many values a row's sort key (`QueueRow.sort_key`, and so a cursor) holds. */
export function sortKeyLength(sort: QueueSort): number {
  return KEYS[sort].length;
}

/** A claim in review as the queue lists it, with its message's kept facts (message-facts.ts). */
export interface QueueRow extends FactsRow {
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
  /** `raw IS NOT NULL`: read from the row's null bitmap, not the source. */
  has_raw: boolean;
  age_minutes: number;
  /** The row's sort key as text, each value in the order's own type when read back. */
  sort_key: string[];
}

/** Which rows of the order to read. */
export interface QueueWindow {
  /** How many rows at most. */
  limit: number;
  /** Rows to skip first. */
  offset: number;
  /** A row's `sort_key`: only the rows after it in the order are read. */
  after?: string[];
}

/** The claims in review matching `filters`, in `sort` order, the window's rows of them. */
export async function reviewQueueRows(
  pool: pg.Pool,
  filters: QueueFilters,
  sort: QueueSort,
  window: QueueWindow,
): Promise<QueueRow[]> {
  const keys = KEYS[sort];
  const pageParams: unknown[] = [];
  const pageWhere = conditions(filters, pageParams, false);
  if (window.after !== undefined) {
    const holes = window.after.map((v, i) => {
      pageParams.push(v);
      return `$${pageParams.length}::${KEY_TYPES[sort][i]}`;
    });
    pageWhere.push(`(${keys.join(', ')}) > (${holes.join(', ')})`);
  }
  pageParams.push(window.limit, window.offset);
  const { rows } = await pool.query<QueueRow>(
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
  return rows;
}

/** How many claims in review match `filters`, over all pages. */
export async function reviewQueueTotal(pool: pg.Pool, filters: QueueFilters): Promise<number> {
  const params: unknown[] = [];
  const where = conditions(filters, params, false);
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM claims c JOIN messages m ON m.id = c.message_id
        WHERE ${where.join(' AND ')}`,
    params,
  );
  // count(*) without GROUP BY answers exactly one row.
  return rows[0]?.n ?? 0;
}

/**
 * Per reason, how many claims in review match every filter but `reasons` (the reason facet:
 * choosing one reason must not hide the others' counts), by reason.
 */
export async function reviewQueueReasonCounts(
  pool: pg.Pool,
  filters: QueueFilters,
): Promise<{ reason: string; n: number }[]> {
  const facetParams: unknown[] = [];
  const facetWhere = conditions(filters, facetParams, true);
  const { rows } = await pool.query<{ reason: string; n: number }>(
    `SELECT r.reason, count(*)::int AS n
         FROM claims c JOIN messages m ON m.id = c.message_id, unnest(c.reasons) AS r(reason)
        WHERE ${facetWhere.join(' AND ')} GROUP BY r.reason ORDER BY r.reason`,
    facetParams,
  );
  return rows;
}

/** What the queue's mailbox and assignee filters offer. */
export interface QueueChoices {
  /** Every mailbox the service reads (it registers each), so all of them can be chosen. */
  mailboxes: string[];
  /** Enabled agents and admins, and whoever holds a claim in review now. */
  assignees: string[];
}

/** The mailboxes and assignees to choose from, each sorted. */
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
    out.push(`c.received_at <= now() - make_interval(mins => ${hole(f.minAgeMinutes)})`);
  if (f.maxAgeMinutes !== undefined)
    out.push(`c.received_at >= now() - make_interval(mins => ${hole(f.maxAgeMinutes)})`);
  if (f.minAmount !== undefined) out.push(`c.amount >= ${hole(f.minAmount)}::numeric`);
  if (f.maxAmount !== undefined) out.push(`c.amount <= ${hole(f.maxAmount)}::numeric`);
  if (f.mailbox !== undefined) out.push(`m.mailbox = ${hole(f.mailbox)}`);
  if (f.assignee === null) out.push('c.assignee IS NULL');
  else if (f.assignee !== undefined) out.push(`c.assignee = ${hole(f.assignee)}`);
  return out;
}
