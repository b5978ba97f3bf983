/**
 * The flood limits on automatic replies (DESIGN "Automatic replies (v1.1)"): per mailbox
 * (case and +tag folded) and per domain over 24 hours, and all replies over the last hour.
 * Counted in PostgreSQL from the replies table, where every reply is recorded before it is
 * sent, so the count is the same for every worker process.
 */
import type pg from 'pg';
import type { Recipient } from '../reply/recipient.ts';
import { onlyRow } from './only-row.ts';

export interface ReplyLimits {
  /** Automatic replies per mailbox per 24 hours. @defaultValue 5 */
  perSender: number;
  /** Automatic replies per domain per 24 hours, to addresses that are no account's contact. @defaultValue 50 */
  perDomain: number;
  /** Automatic replies in all per hour: sized for an outage day's burst of claims. @defaultValue 20000 */
  perHour: number;
}

export type LimitVerdict =
  | { within: true }
  | {
      within: false;
      /** One line for the audit trail, naming the limit. */
      why: string;
      /**
       * When the window next lets one more reply through (the oldest counted one leaves it),
       * as PostgreSQL's text of the time: exact to the microsecond, as the rows it comes from.
       */
      until: string;
      /** The same, as a wait from now on the database's clock (no clock skew with Redis). */
      waitMs: number;
    };

/** First key of the (int, int) advisory lock that serialises the count and the insert. */
const REPLY_LIMIT_LOCK = 0x52504c59; // 'RPLY'

/**
 * Whether one more automatic reply to `to` stays within the limits. Call it inside the
 * transaction that inserts the reply: it takes a transaction-scoped lock, released at
 * commit, so that no other worker counts until this reply is in the table or not. Without
 * it, concurrent jobs would all count the same earlier replies and all pass.
 *
 * One lock for all three limits: the hourly cap counts every reply, so the count-and-insert
 * of any two automatic replies must run one after the other anyway, which keeps the
 * per-mailbox and per-domain counts exact too; and a single lock cannot deadlock. It is
 * taken last, after the reply is rendered, so it is held for a few statements and a commit.
 */
export async function checkReplyLimits(
  client: pg.ClientBase,
  limits: ReplyLimits,
  to: Recipient,
): Promise<LimitVerdict> {
  await client.query('SELECT pg_advisory_xact_lock($1::int, 0)', [REPLY_LIMIT_LOCK]);
  const windows: Window[] = [
    {
      where: 'to_mailbox = $1',
      params: [to.mailbox],
      hours: 24,
      limit: limits.perSender,
      what: `replies to ${to.mailbox} in 24 hours`,
    },
    // A known account's contacts are counted per mailbox only: a big mail provider's many
    // customers must not take each other's replies, and an attacker cannot invent contacts.
    ...(to.contact
      ? []
      : [
          {
            where: 'to_domain = $1 AND NOT to_contact',
            params: [to.domain],
            hours: 24 as const,
            limit: limits.perDomain,
            what: `replies to addresses of ${to.domain} that no account knows in 24 hours`,
          },
        ]),
    {
      where: 'true',
      params: [],
      hours: 1,
      limit: limits.perHour,
      what: 'replies in the last hour',
    },
  ];
  // All windows in one round trip (the lock is held meanwhile), each counted only up to its
  // limit: beyond it the count says nothing more, and the hourly window holds up to a limit's
  // worth of rows. Only a window that is full reads when its oldest reply leaves it.
  const params: unknown[] = [];
  const counts = windows.map((w, i) => {
    const where = w.where.replace('$1', () => `$${params.push(...w.params)}`);
    const interval = `make_interval(hours => ${w.hours})`;
    return `SELECT ${i} AS w, count(*) AS n FROM (
              SELECT 1 FROM replies WHERE ${where} AND created_at > now() - ${interval}
               LIMIT ${w.limit}) AS counted`;
  });
  const { rows } = await client.query<{ w: number; n: string }>(
    `${counts.join(' UNION ALL ')} ORDER BY w`,
    params,
  );
  for (const [i, w] of windows.entries()) {
    if (Number(rows[i]?.n ?? 0) < w.limit) continue;
    return overLimit(client, w);
  }
  return { within: true };
}

/**
 * The verdict for a full window: how many replies it holds, and when its oldest leaves it. Without a
 * reply in the window (a limit of 0), nothing will leave it: look again a window from now.
 */
async function overLimit(client: pg.ClientBase, w: Window): Promise<LimitVerdict> {
  // `hours` is one of two constants, never input.
  const { rows } = await client.query<{ n: string; until: string; wait_ms: string }>(
    `WITH w AS (
       SELECT count(*) AS n, coalesce(min(created_at), now()) + make_interval(hours => ${w.hours}) AS until
         FROM replies WHERE ${w.where} AND created_at > now() - make_interval(hours => ${w.hours}))
     SELECT n, until::text AS until, ceil(extract(epoch FROM until - now()) * 1000) AS wait_ms FROM w`,
    w.params,
  );
  const row = onlyRow(rows);
  return {
    within: false,
    why: `${row.n} ${w.what} (limit ${w.limit})`,
    until: row.until,
    waitMs: Number(row.wait_ms),
  };
}

/** One limit: the replies it counts (a condition on replies), over how many hours, up to how many. */
interface Window {
  where: string;
  params: unknown[];
  hours: 24 | 1;
  limit: number;
  what: string;
}
