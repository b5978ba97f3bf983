/**
 * The review queue's query string → the review service's filters, sort and page. The API
 * (/api/review/claims) and the console's queue page (/) read the same parameters, so a page
 * URL is also its API URL, and a bookmarked page shows what it showed.
 */
import { compareRatio, type Decimal, parseDecimal, ratioOf } from '../domain/money.ts';
import { zip } from '../domain/zip.ts';
import type { QueueFilters, QueueSort } from '../review/queue.ts';
import { ApiError } from './errors.ts';

export type Query = Record<string, string | string[] | undefined>;

export interface QueueQuery {
  filters: QueueFilters;
  sort: QueueSort;
  limit?: number;
  cursor?: string;
}

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw new ApiError('invalid_input', `give '${name}' once`);
  const t = v?.trim();
  return t === undefined || t === '' ? undefined : t;
}

function int(q: Query, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new ApiError('invalid_input', `'${name}' must be a whole number`);
  return Number(v);
}

/** An exact decimal kept as its text (never a float): the database compares it as numeric. */
/** The amount as given (the filter passes the text on) and its value (to compare the two). */
function amount(q: Query, name: string): { text: string; value: Decimal } | undefined {
  const text = one(q, name);
  if (text === undefined) return undefined;
  const value = text.length > 30 ? undefined : parseDecimal(text);
  if (value === undefined)
    throw new ApiError('invalid_input', `'${name}' must be an amount such as 100 or 99.50`);
  return { text, value };
}

/**
 * `reason` may repeat or be a comma list. `assignee` is an email, `none` for claims nobody
 * has taken, or `me` for the caller (`me` is the signed-in user's email; a token has none).
 */
export function queueQuery(q: Query, me: string | null = null): QueueQuery {
  const reasons = [q.reason ?? []]
    .flat()
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean);
  const vip = one(q, 'vip');
  if (vip !== undefined && vip !== 'true' && vip !== 'false')
    throw new ApiError('invalid_input', "'vip' is true or false");
  const sort = one(q, 'sort') ?? 'oldest';
  if (sort !== 'oldest' && sort !== 'priority')
    throw new ApiError('invalid_input', "'sort' is oldest or priority");
  const minAmount = amount(q, 'minAmount');
  const maxAmount = amount(q, 'maxAmount');
  if (
    minAmount !== undefined &&
    maxAmount !== undefined &&
    compareRatio(ratioOf(minAmount.value), ratioOf(maxAmount.value)) > 0
  )
    throw new ApiError('invalid_input', "'minAmount' is above 'maxAmount'");
  let assignee: string | null | undefined = one(q, 'assignee');
  if (assignee === 'none') assignee = null;
  else if (assignee === 'me') {
    if (me === null) throw new ApiError('invalid_input', "'assignee=me' needs a signed-in user");
    assignee = me;
  } else if (assignee !== undefined && assignee.length > 254)
    throw new ApiError('invalid_input', "'assignee' is an email, 'me' or 'none'");
  const limit = int(q, 'limit');
  if (limit !== undefined && (limit < 1 || limit > 100))
    throw new ApiError('invalid_input', "'limit' is a whole number from 1 to 100");

  const filters: QueueFilters = {};
  if (reasons.length) filters.reasons = reasons;
  const set = <K extends keyof QueueFilters>(k: K, v: QueueFilters[K] | undefined) => {
    if (v !== undefined) filters[k] = v;
  };
  set('type', one(q, 'type'));
  set('vip', vip === undefined ? undefined : vip === 'true');
  set('minAgeMinutes', int(q, 'minAge'));
  set('maxAgeMinutes', int(q, 'maxAge'));
  set('minAmount', minAmount?.text);
  set('maxAmount', maxAmount?.text);
  set('mailbox', one(q, 'mailbox'));
  set('assignee', assignee);
  const cursor = one(q, 'cursor');
  if (cursor !== undefined) checkCursor(cursor, sort);
  return {
    filters,
    sort,
    ...(limit === undefined ? {} : { limit }),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/**
 * What each sort's cursor holds, as PostgreSQL writes the keys (`::text`, DateStyle ISO, which
 * node-postgres needs anyway): the VIP rank, the negated amount, the received time, the id.
 */
const CURSOR_KEYS: Record<QueueQuery['sort'], ((v: string) => boolean)[]> = {
  oldest: [isTime, isId],
  priority: [
    (v) => v === '0' || v === '1',
    (v) => /^-?\d{1,20}(\.\d{1,12})?$/.test(v),
    isTime,
    isId,
  ],
};

function isId(v: string): boolean {
  return /^\d{1,18}$/.test(v);
}

/** `2026-03-02 10:05:00.123456+08` (or `+05:30`), a real date with an offset PostgreSQL takes. */
function isTime(v: string): boolean {
  const m =
    /^(\d{4})-(\d\d)-(\d\d)[ T]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,6})?[+-](\d\d)(:[0-5]\d){0,2}$/.exec(
      v,
    );
  if (!m) return false;
  const [year, month, day, offset] = [m[1], m[2], m[3], m[8]].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= days && offset <= 15;
}

/**
 * The cursor is opaque to clients but comes back from them: anything altered is refused here,
 * before its values reach SQL casts, where a bad one would be a database error (a 500) instead
 * of the caller's mistake.
 */
function checkCursor(cursor: string, sort: QueueQuery['sort']): void {
  const keys = CURSOR_KEYS[sort];
  let values: unknown;
  if (cursor.length <= 1024 && /^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      // refused below, as any other damage
    }
  }
  const ok =
    Array.isArray(values) &&
    values.length === keys.length &&
    zip(keys, values).every(([valid, v]) => typeof v === 'string' && valid(v));
  if (!ok) throw new ApiError('invalid_input', 'bad cursor (from another sort, or altered)');
}
