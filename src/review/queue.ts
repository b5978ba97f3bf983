/**
 * The review queue: claims waiting for an agent (state 'review'), filtered, sorted and
 * paged. Subject and sender come from the message's facts (message-facts.ts), kept when it
 * was parsed for assessment: a listing never reads a raw source (up to 100 rows of up to
 * 25 MB, every 5 s per open console). Rows stored before facts were kept get theirs filled
 * a bounded few per listing. The statements are in store/review-queue-store.ts; this module
 * checks the filters and the page, and makes the items and the cursor.
 */
import type pg from 'pg';
import { formatClaimRef } from '../domain/claim-ref.ts';
import { formatAmount, parseDecimal } from '../domain/money.ts';
import { factsFromRow, fillMissingFacts, type MessageFacts } from '../store/message-facts.ts';
import {
  isQueueSort,
  type QueueFilters,
  type QueueRow,
  type QueueSort,
  reviewQueueReasonCounts,
  reviewQueueRows,
  reviewQueueTotal,
  sortKeyLength,
} from '../store/review-queue-store.ts';
import { ReviewError } from './errors.ts';
import { readOriginalEmail } from './original-email.ts';

export { type QueueChoices, queueChoices } from '../store/review-queue-store.ts';
export type { QueueFilters, QueueSort };

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

/** One page of the queue, with the total and the reason facet of the same filters. */
export async function listReviewQueue(
  pool: pg.Pool,
  filters: QueueFilters = {},
  sort: QueueSort = 'oldest',
  page: QueuePage = {},
): Promise<ReviewQueue> {
  const limit = page.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new ReviewError('invalid_input', 'limit must be an integer from 1 to 100');
  if (!isQueueSort(sort)) throw new ReviewError('invalid_input', `unknown sort '${sort}'`);
  const offset = page.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new ReviewError('invalid_input', 'offset must be a non-negative integer');

  const checked = checkedFilters(filters);
  const after =
    page.cursor === undefined ? undefined : decodeCursor(page.cursor, sortKeyLength(sort));
  // One row more than the page: whether it comes says whether there is a next page.
  const rows = await reviewQueueRows(pool, checked, sort, {
    limit: limit + 1,
    offset: after === undefined ? offset : 0,
    ...(after === undefined ? {} : { after }),
  });
  const more = rows.length > limit;
  const pageRows = rows.slice(0, limit);
  const [total, facets] = await Promise.all([
    reviewQueueTotal(pool, checked),
    reviewQueueReasonCounts(pool, checked),
  ]);
  // `raw IS NOT NULL` reads the row's null bitmap, not the source: quarantined-unread and
  // purged messages have nothing to fill from.
  const filled = await fillMissingFacts(
    pool,
    pageRows
      .filter((r) => r.has_raw && !r.facts_known)
      .map((r) => ({ messageId: r.message_id, size: Number(r.size) })),
    readOriginalEmail,
  );
  const items = pageRows.map((r) => toItem(r, factsFromRow(r) ?? filled.get(r.message_id)));
  const last = pageRows.at(-1);
  return {
    items,
    total,
    countsByReason: Object.fromEntries(facets.map((f) => [f.reason, f.n])),
    nextCursor: more && last ? encodeCursor(last.sort_key) : null,
  };
}

/** `facts` undefined: not known yet (filled by a later listing), or no source to read them from. */
function toItem(row: QueueRow, facts: MessageFacts | undefined): QueueItem {
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

/**
 * The filters as the store takes them: ages whole minutes of 0 or more, amounts decimal text
 * (trimmed). Checked in the filters' order, so the first bad one is the one reported.
 */
function checkedFilters(f: QueueFilters): QueueFilters {
  const out: QueueFilters = { ...f };
  if (f.minAgeMinutes !== undefined) out.minAgeMinutes = minutes(f.minAgeMinutes);
  if (f.maxAgeMinutes !== undefined) out.maxAgeMinutes = minutes(f.maxAgeMinutes);
  if (f.minAmount !== undefined) out.minAmount = amount(f.minAmount);
  if (f.maxAmount !== undefined) out.maxAmount = amount(f.maxAmount);
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
