/**
 * `npm run bench:intake`: IMAP intake throughput end to end. Loads N distinct generated
 * claims (~5 KB) into a private Dovecot, then runs the real poller (`startService`, role
 * `poller`) against a fresh database and Redis prefix and times INBOX → stored in
 * PostgreSQL and moved to Processed. The same run's baseline: one imapflow client fetching
 * every source read-only (EXAMINE). Prints figures only; it asserts nothing.
 */
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { ASSESS_QUEUE, queuePrefix } from '../src/pipeline/queues.ts';
import { type RunningService, startService } from '../src/service/index.ts';
import { migrate } from '../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { type DovecotServer, startDovecot } from '../test/support/dovecot.ts';
import { createTestRedis, type TestRedis } from '../test/support/redis.ts';
import { benchEmails } from './generate.ts';
import { cleanUp, mb, percentile, printProblems, rate, sleep } from './support.ts';

const N = Number(process.env.BENCH_N ?? 10_000);
const FETCH_CHUNK = 1000;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 10 * 60_000);

/**
 * The poller logs one 'batch stored and moved' line per batch; a log sink that timestamps
 * those lines gives per-batch latency (the gap since the previous batch, or since the
 * session opened) without touching the service. Warnings and errors are kept to print.
 */
function batchClock() {
  const batches: { at: number; stored: number }[] = [];
  const problems: string[] = [];
  let sessionOpenAt: number | undefined;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const at = performance.now();
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { level: number; msg?: string; stored?: number };
        if (entry.msg === 'batch stored and moved') batches.push({ at, stored: entry.stored ?? 0 });
        else if (entry.msg === 'IMAP session open') sessionOpenAt = at;
        if (entry.level >= 40) problems.push(line.slice(0, 300));
      }
      done();
    },
  });
  return {
    logger: createLogger('info', sink),
    batches,
    problems,
    /** Milliseconds per batch: gaps between successive batch lines (the first from session open). */
    latencies(): number[] {
      const out: number[] = [];
      let previous = sessionOpenAt;
      for (const b of batches) {
        if (previous !== undefined) out.push(b.at - previous);
        previous = b.at;
      }
      return out.sort((a, b) => a - b);
    },
  };
}

async function baselineFetch(dovecot: DovecotServer): Promise<{ ms: number; count: number }> {
  const client = await dovecot.connect();
  try {
    const box = await client.mailboxOpen('INBOX', { readOnly: true });
    const t = performance.now();
    let count = 0;
    for (let first = 1; first <= box.exists; first += FETCH_CHUNK) {
      const last = Math.min(box.exists, first + FETCH_CHUNK - 1);
      const got = await client.fetchAll(`${first}:${last}`, { uid: true, source: true });
      count += got.filter((m) => m.source).length;
    }
    return { ms: performance.now() - t, count };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function main(): Promise<void> {
  let dovecot: DovecotServer | undefined;
  let db: TestDatabase | undefined;
  let redis: TestRedis | undefined;
  let service: RunningService | undefined;
  let queue: Queue | undefined;
  try {
    [dovecot, db, redis] = await Promise.all([
      startDovecot(),
      createTestDatabase(),
      createTestRedis(),
    ]);
    await migrate(db.pool);

    const emails = benchEmails(N);
    const bytes = emails.reduce((s, e) => s + e.length, 0);
    let t = performance.now();
    await dovecot.appendMany(emails);
    const appendMs = performance.now() - t;
    const inInbox = await dovecot.count('INBOX');
    emails.length = 0; // the poller's memory is measured, not the inputs'

    // Warm-up is not needed for the baseline: it is I/O bound and imapflow is small.
    const baseline = await baselineFetch(dovecot);
    const rssBeforeIntake = process.resourceUsage().maxRSS;

    const clock = batchClock();
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      IMAP_URL: dovecot.url,
      IMAP_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'silent',
    });
    const stored = async () =>
      Number(
        (await db!.pool.query<{ n: string }>('SELECT count(*) AS n FROM messages')).rows[0]!.n,
      );
    t = performance.now();
    service = await startService(config, 'poller', clock.logger);
    let rows = 0;
    let left = inInbox;
    for (;;) {
      // Rows only grow: INBOX is asked (a fresh IMAP login each time, in this process) only
      // once every row is in, so the measuring does not compete with the poller meanwhile.
      rows = await stored();
      if (rows >= inInbox) left = await dovecot.count('INBOX');
      if (rows >= inInbox && left === 0) break;
      if (performance.now() - t > TIMEOUT_MS) {
        throw new Error(`intake timed out: ${rows} rows stored, ${left} still in INBOX`);
      }
      await sleep(100);
    }
    const intakeMs = performance.now() - t;
    const firstBatchMs = clock.batches.length > 0 ? clock.batches[0]!.at - t : Number.NaN;
    const peak = process.resourceUsage().maxRSS;

    // Enqueueing follows the MOVE, so the last batch's jobs may land just after.
    queue = new Queue(ASSESS_QUEUE, {
      connection: redis.client,
      prefix: queuePrefix(redis.prefix),
    });
    let jobs = 0;
    for (let i = 0; i < 50; i++) {
      jobs = await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized');
      if (jobs >= rows) break;
      await sleep(100);
    }
    const processed = await dovecot.count('Processed');

    const latencies = clock.latencies();
    const intakeRate = rate(rows, intakeMs);
    const baselineRate = rate(baseline.count, baseline.ms);
    console.log(
      `messages: ${N} generated, average ${Math.round(bytes / N)} bytes, ${(bytes / 2 ** 20).toFixed(1)} MB in all; ${inInbox} in INBOX`,
    );
    console.log(
      `append (MULTIAPPEND): ${rate(N, appendMs)} messages/s (${appendMs.toFixed(0)} ms)`,
    );
    console.log(
      `baseline (one imapflow client, EXAMINE, FETCH source in chunks of ${FETCH_CHUNK}): ${baselineRate} messages/s (${baseline.ms.toFixed(0)} ms, ${baseline.count} fetched)`,
    );
    console.log(
      `intake (poller: INBOX → stored + moved): ${intakeRate} messages/s (${intakeMs.toFixed(0)} ms from start, first batch after ${firstBatchMs.toFixed(0)} ms)`,
    );
    console.log(
      `result: ${rows} rows stored, ${left} left in INBOX, ${processed} in Processed, ${jobs} assess jobs queued`,
    );
    console.log(
      `ratio intake/baseline: ${(intakeRate / baselineRate).toFixed(3)} (${(baselineRate / intakeRate).toFixed(1)}x slower)`,
    );
    console.log(
      `batches: ${clock.batches.length}, latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${percentile(latencies, 100).toFixed(0)} ms`,
    );
    console.log(
      `peak RSS: ${mb(peak)} MB after intake (${mb(rssBeforeIntake)} MB before it, tsx, modules and baseline fetch included)`,
    );
    printProblems(clock.problems);
  } finally {
    await cleanUp([
      ['service', service && (() => service!.stop())],
      ['queue', queue && (() => queue!.close())],
      ['dovecot', dovecot && (() => dovecot!.stop())],
      ['redis', redis && (() => redis!.cleanup())],
      ['database', db && (() => db!.drop())],
    ]);
  }
}

await main();
