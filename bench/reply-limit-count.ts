/**
 * `npx tsx bench/reply-limit-count.ts`: what the hourly reply limit's count costs as replies
 * accumulate. src/store/reply-limits.ts counts every reply of the last hour, under one
 * advisory lock that every reply's preparation takes in turn, so this cost is paid once per
 * reply and serially. Fills a fresh database's replies table to the volumes an hour holds at
 * a few rates (2,000 up to 1.44 million, 400 a second for an hour) and times the statement as
 * the reply stage runs it, EXPLAIN ANALYZE, median of five, before and after VACUUM (fresh
 * rows are not yet all-visible, so an index-only scan still reads the heap). Prints figures
 * only.
 */
import type pg from 'pg';
import { migrate } from '../src/store/migrate.ts';
import { createTestDatabase } from '../test/support/database.ts';

/** The hourly window's statement, as src/store/reply-limits.ts builds it. */
const HOURLY = `WITH w AS (
    SELECT count(*) AS n, coalesce(min(created_at), now()) + make_interval(hours => 1) AS until
      FROM replies WHERE true AND created_at > now() - make_interval(hours => 1))
  SELECT n, until::text AS until, ceil(extract(epoch FROM until - now()) * 1000) AS wait_ms FROM w`;

const VOLUMES = [2_000, 20_000, 180_000, 720_000, 1_440_000];

async function medianMs(pool: pg.Pool): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { rows } = await pool.query<{ 'QUERY PLAN': Record<string, number>[] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${HOURLY}`,
    );
    const plan = rows[0]!['QUERY PLAN'][0]!;
    times.push(plan['Planning Time']! + plan['Execution Time']!);
  }
  return times.sort((a, b) => a - b)[2]!.toFixed(2);
}

const db = await createTestDatabase();
try {
  const { pool } = db;
  await migrate(pool);
  await pool.query(`INSERT INTO mailboxes (name) VALUES ('INBOX')`);
  const { rows: messages } = await pool.query<{ id: string }>(
    `INSERT INTO messages (mailbox, source_key, sha256, internal_date, size, raw)
     VALUES ('INBOX', 'k', 'x', now(), 1, 'x') RETURNING id`,
  );
  const { rows: claims } = await pool.query<{ id: string }>(
    `INSERT INTO claims (message_id, state, received_at) VALUES ($1, 'answered', now()) RETURNING id`,
    [messages[0]!.id],
  );
  let have = 0;
  for (const volume of VOLUMES) {
    // One claim's replies by decision version: only the count's columns matter here.
    await pool.query(
      `INSERT INTO replies (claim_id, decision_version, kind, lang, to_address, message_id, subject,
                            raw, state, sent_at, created_at, to_mailbox, to_domain, to_contact)
       SELECT $1, g, 'approved', 'en', 'ops@acct-' || (g % 500) || '.test', 'r' || g, 's', 'x',
              'sent', now(), now() - random() * interval '55 minutes',
              'ops@acct-' || (g % 500) || '.test', 'acct-' || (g % 500) || '.test', true
         FROM generate_series($2::int, $3::int) g`,
      [claims[0]!.id, have + 1, volume],
    );
    have = volume;
    await pool.query('ANALYZE replies');
    const fresh = await medianMs(pool);
    await pool.query('VACUUM ANALYZE replies');
    const vacuumed = await medianMs(pool);
    console.log(
      `${volume} replies in the last hour: the hourly count takes ${fresh} ms before VACUUM, ${vacuumed} ms after`,
    );
  }
} finally {
  await db.drop();
}
