/**
 * `npm run bench:pipeline`: the running service end to end. Starts the whole service
 * (`startService`, role `all`, default WORKER_CONCURRENCY_*) in this process on a database
 * and Redis prefix of its own, with the example records plus bench/generate.ts's records
 * imported and an in-process SMTP sink that accepts everything; then delivers N generated
 * ~5 KB claims into its Maildir and times the first delivery → every claim finished
 * (ignored, or answered or in review with its reply sent). Prints claims/s, per-claim
 * latency (message stored → reply sent) and peak RSS, with the same run's baseline: the
 * assessment engine alone on the same messages. Prints figures only; it asserts nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { assess } from '../src/domain/assess/engine.ts';
import { CHINA_MAINLAND_CALENDAR } from '../src/domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY } from '../src/domain/policy.ts';
import { RecordIndex } from '../src/domain/record-index.ts';
import { RECORD_FILES } from '../src/domain/records.ts';
import { parseEmail } from '../src/mail/parse.ts';
import { type RunningService, startService } from '../src/service.ts';
import { migrate } from '../src/store/migrate.ts';
import { importRecordsDir, loadRecordsFromDb } from '../src/store/records-store.ts';
// Neither helper imports vitest: plain pg and ioredis, as bench/intake.ts uses them.
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { createTestRedis, type TestRedis } from '../test/support/redis.ts';
import { benchEmails, benchRecords } from './generate.ts';
import {
  dbNow,
  deliver,
  makeMaildir,
  problemLog,
  runFigures,
  stage,
  startSink,
  waitFinished,
} from './service-run.ts';
import { cleanUp, mb, percentile, printProblems, rate } from './support.ts';

const N = Number(process.env.BENCH_N ?? 2000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 5 * 60_000);
const EXAMPLE_RECORDS = join(import.meta.dirname, '..', 'examples', 'records');
/** The Maildir delivery time (the claim's received time), as bench/check.ts assesses them. */
const RECEIVED = new Date('2026-03-02T09:00:00+08:00');
const MAIL_FROM = 'claims@cloud.example';

/** The example records and the generated ones in one directory, for one import. */
function writeRecords(dir: string): void {
  mkdirSync(dir);
  const generated = benchRecords();
  for (const [kind, file] of Object.entries(RECORD_FILES)) {
    const examples = JSON.parse(readFileSync(join(EXAMPLE_RECORDS, file), 'utf8')) as unknown[];
    const extra = generated[kind as keyof typeof generated] ?? [];
    writeFileSync(join(dir, file), JSON.stringify([...examples, ...extra]));
  }
}

async function main(): Promise<void> {
  let db: TestDatabase | undefined;
  let redis: TestRedis | undefined;
  let sink: Awaited<ReturnType<typeof startSink>> | undefined;
  let service: RunningService | undefined;
  const root = mkdtempSync(join(tmpdir(), 'claim-intake-bench-'));
  try {
    [db, redis, sink] = await Promise.all([createTestDatabase(), createTestRedis(), startSink()]);
    const pool = db.pool;
    await migrate(pool);
    writeRecords(join(root, 'records'));
    await importRecordsDir(pool, join(root, 'records'));
    const maildir = makeMaildir(join(root, 'mail'));

    const log = problemLog();
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      MAILDIR_PATH: maildir,
      SMTP_URL: sink.url,
      MAIL_FROM,
      HTTP_PORT: '0',
      // 500 accounts write all N claims: the default limits (5 replies per sender a day,
      // 1,000 an hour in all) would hold most replies back (to an agent, or a payment's reply
      // deferred an hour: with N = 2,000 the run never finished), which is not the path measured.
      REPLY_LIMIT_PER_SENDER: String(N),
      REPLY_LIMIT_PER_HOUR: String(10 * N),
    });
    service = await startService(config, 'all', log.logger);
    const rssBefore = process.resourceUsage().maxRSS;

    let emails = benchEmails(N);
    const bytes = emails.reduce((s, e) => s + e.length, 0);
    const staged = stage(
      maildir,
      emails.map((raw, i) => ({
        name: `${1_770_000_000 + i}.bench${i}.host`,
        raw,
        received: RECEIVED,
      })),
    );
    emails = []; // the service's memory is measured, not the inputs'
    // The service is up and idle on an empty new/: the clock starts at the first delivery,
    // on the database's clock, which also stamps messages stored and replies sent.
    const startedAt = await dbNow(pool);
    const t = performance.now();
    deliver(maildir, staged);
    const deliverMs = performance.now() - t;

    await waitFinished(pool, N, TIMEOUT_MS);
    const peak = process.resourceUsage().maxRSS;

    const run = await runFigures(pool);
    const { outcomes, unsent, latencies } = run;
    const pipelineMs = run.finishedLast.getTime() - startedAt.getTime();
    const intakeMs = run.storedLast.getTime() - startedAt.getTime();

    // Baseline: the engine alone (parse + assess, as bench/check.ts) on the same messages and
    // the same records read back from the database, without the settled history (the run
    // just paid most of them). Already warm: the workers ran the same code.
    const ctx = {
      index: new RecordIndex(await loadRecordsFromDb(pool)),
      policy: DEFAULT_POLICY,
      calendar: CHINA_MAINLAND_CALENDAR,
    };
    emails = benchEmails(N);
    const e = performance.now();
    for (const raw of emails)
      assess({ email: await parseEmail(raw), receivedAt: RECEIVED.getTime() }, ctx);
    const engineMs = performance.now() - e;

    const pipelineRate = rate(N, pipelineMs);
    const engineRate = rate(N, engineMs);
    console.log(
      `claims: ${N} generated, average ${Math.round(bytes / N)} bytes, ${(bytes / 2 ** 20).toFixed(1)} MB in all; renamed into the Maildir's new/ in ${deliverMs.toFixed(0)} ms`,
    );
    console.log(
      `outcomes: ${outcomes.map((o) => `${o.state}/${o.decision} ${o.n}`).join(', ')}; ${sink.received()} replies at the SMTP sink, ${unsent} not sent`,
    );
    console.log(
      `pipeline (Maildir → stored → assess → settle → reply sent, role all, concurrency ${config.concurrency.assess}/${config.concurrency.settle}/${config.concurrency.reply}): ${pipelineRate} claims/s (${pipelineMs.toFixed(0)} ms from the first delivery to the last claim finished)`,
    );
    console.log(
      `  of which intake: every message stored after ${intakeMs.toFixed(0)} ms (first at ${(run.storedFirst.getTime() - startedAt.getTime()).toFixed(0)} ms)`,
    );
    console.log(
      `latency (message stored → reply sent, ${latencies.length} replies): p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${percentile(latencies, 100).toFixed(0)} ms`,
    );
    console.log(
      `baseline (engine alone, parse + assess, one loop): ${engineRate} claims/s (${engineMs.toFixed(0)} ms)`,
    );
    console.log(
      `ratio pipeline/engine: ${(pipelineRate / engineRate).toFixed(3)} (${(engineRate / pipelineRate).toFixed(1)}x slower)`,
    );
    console.log(
      `peak RSS: ${mb(peak)} MB after the pipeline run (${mb(rssBefore)} MB with the service started and idle; tsx, modules, the SMTP sink and the generated inputs included)`,
    );
    printProblems(log.problems);
  } finally {
    await cleanUp([
      ['service', service && (() => service!.stop())],
      ['smtp sink', sink && (() => sink!.stop())],
      ['redis', redis && (() => redis!.cleanup())],
      ['database', db && (() => db!.drop())],
    ]);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
