/**
 * `npm run bench:pipeline`: the running service end to end. Starts the whole service (role
 * `all`, default WORKER_CONCURRENCY_*) on a database and Redis prefix of its own, with the
 * example records plus bench/generate.ts's records imported and an SMTP sink that accepts
 * everything; delivers generated ~5 KB claims and times them until every claim is finished
 * (ignored, or answered or in review with its reply sent). Prints figures only; it asserts
 * nothing. With no settings it runs as it always has: 2,000 claims at once into a Maildir,
 * the service in this process, the engine alone as the baseline.
 *
 * Settings (environment):
 * - BENCH_N (2000): claims in a burst.
 * - BENCH_SOURCE=maildir|imap (maildir): `imap` starts a private Dovecot
 *   (test/support/dovecot.ts), points IMAP_URL at its INBOX and APPENDs the claims over one
 *   connection (MULTIAPPEND batches of BENCH_APPEND_BATCH, 100, all in flight); the run is
 *   timed from the first APPEND to the last reply captured at the SMTP sink, as issue #13's
 *   table measures.
 * - BENCH_RATE=R, BENCH_SECONDS=S (60): steady arrivals instead of a burst, R claims a second
 *   for S seconds, one APPEND (or rename) each; reports p50/p95/p99 of stored → reply sent
 *   (the database's timestamps) and of delivery → reply at the sink (the bench's clock).
 * - BENCH_BASELINES=1 (on with imap): in the same run, before the service starts, in a
 *   child process: IMAP fetch + parse alone, SMTP send alone (the service's transport, to the
 *   same sink, BENCH_SMTP_IN_FLIGHT 10 at once) and a naive loop (fetch → parse → assess →
 *   render → send → move, one at a time, no database); prints the slowest component's rate
 *   (the ceiling) and the service's rate over it and over the naive loop's.
 * - BENCH_SERVICE=child|in-process (child with imap or a rate, else in-process): `child`
 *   runs `claim-intake start --role all` as a process of its own (LOG_LEVEL info, as
 *   deployed), with bench/service-hook.mjs counting its SQL statements, pooled-connection
 *   waits and Redis commands per stage; prints its peak RSS, each process's CPU (service,
 *   PostgreSQL, Redis, Dovecot, bench) and per-claim segments from BullMQ's job timestamps.
 * - BENCH_CPU_PROF=dir (child only): V8's sampling profiler (what `node --cpu-prof` uses;
 *   Node 20 refuses that flag in NODE_OPTIONS) runs in the service from the delivery of the
 *   first claim to the last one finished, and writes dir/service-PID.cpuprofile; read it
 *   with `npx tsx bench/profile-summary.ts dir`.
 * - BENCH_EXPLAIN=1 (child only): after the run, each frequent statement is run again under
 *   EXPLAIN ANALYZE with its first parameters (bench/explain-statements.ts): PostgreSQL's
 *   own planning, execution and JIT time per statement.
 * - BENCH_SERVICE_ENV="NAME=value,…": extra service settings (WORKER_CONCURRENCY_ASSESS=8, …);
 *   a child needs LOG_LEVEL info or lower (its start is told by its 'claim-intake started' line).
 * - Experiments' knobs, not the service's settings: BENCH_PG_POOL_MAX (child only: the size
 *   of the service's PostgreSQL pool, fixed at 10 in src/store/database.ts) and
 *   BENCH_PG_OPTIONS (server settings for its sessions, e.g. "-c synchronous_commit=off"),
 *   BENCH_NODE_OPTIONS (child only: Node's options, e.g. --max-old-space-size=128).
 * - BENCH_OUT=file: the run's figures as JSON too. BENCH_TIMEOUT_MS (300000).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { RECORD_FILES } from '../src/domain/records.ts';
import { type RunningService, startService } from '../src/service/index.ts';
import { migrate } from '../src/store/migrate.ts';
import { importRecordsDir } from '../src/store/records-store.ts';
// Neither helper imports vitest: plain pg and ioredis, as bench/intake.ts uses them.
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { createTestRedis, type TestRedis } from '../test/support/redis.ts';
import { waitFor } from '../test/support/wait.ts';
import { printBaselines, runBaselines } from './baseline-run.ts';
import { explainStatements } from './explain-statements.ts';
import { benchEmails, benchRecords } from './generate.ts';
import { hookDelta, printHookDelta, printStatements } from './pipeline-report.ts';
import { printRun } from './pipeline-run-report.ts';
import { openSource, type Source, type SourceKind } from './pipeline-source.ts';
import {
  backendsOf,
  cpuMeter,
  pidsMatching,
  postgresHelpers,
  processTree,
  SERVICE_APPLICATION,
} from './proc-stats.ts';
import { type ServiceChild, startServiceChild } from './service-child.ts';
import { problemLog, runFigures, startSink, waitFinished } from './service-run.ts';
import { stageTimes } from './stage-times.ts';
import { cleanUp, printProblems } from './support.ts';

const env = process.env;
const SOURCE = (env.BENCH_SOURCE ?? 'maildir') as SourceKind;
if (SOURCE !== 'maildir' && SOURCE !== 'imap') throw new Error('BENCH_SOURCE: maildir or imap');
const RATE = env.BENCH_RATE ? Number(env.BENCH_RATE) : undefined;
const SECONDS = Number(env.BENCH_SECONDS ?? 60);
const N = RATE ? Math.round(RATE * SECONDS) : Number(env.BENCH_N ?? 2000);
const BASELINES = (env.BENCH_BASELINES ?? (SOURCE === 'imap' ? '1' : '0')) === '1';
const CHILD =
  (env.BENCH_SERVICE ?? (SOURCE === 'imap' || RATE ? 'child' : 'in-process')) === 'child';
const CPU_PROF = env.BENCH_CPU_PROF;
if (CPU_PROF && !CHILD) throw new Error('BENCH_CPU_PROF needs BENCH_SERVICE=child');
const SERVICE_ENV = Object.fromEntries(
  (env.BENCH_SERVICE_ENV ?? '')
    .split(',')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
);
const TIMEOUT_MS = Number(env.BENCH_TIMEOUT_MS ?? 5 * 60_000);
const EXAMPLE_RECORDS = join(import.meta.dirname, '..', 'examples', 'records');
/** The delivery time (the claim's received time), as bench/check.ts assesses them. */
const RECEIVED = new Date('2026-03-02T09:00:00+08:00');
const MAIL_FROM = 'claims@cloud.example';

/**
 * The service's DATABASE_URL: its sessions named SERVICE_APPLICATION (a URL's setting wins
 * over the pool's own name), so their CPU is told apart from the bench's polling; with
 * BENCH_PG_OPTIONS, server settings for them (an experiment's knob, e.g.
 * "-c synchronous_commit=off").
 */
function serviceDatabaseUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', SERVICE_APPLICATION);
  if (env.BENCH_PG_OPTIONS) u.searchParams.set('options', env.BENCH_PG_OPTIONS);
  return u.toString();
}

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
  let source: Source | undefined;
  let service: RunningService | undefined;
  let child: ServiceChild | undefined;
  const root = mkdtempSync(join(tmpdir(), 'claim-intake-bench-'));
  try {
    [db, redis, sink] = await Promise.all([createTestDatabase(), createTestRedis(), startSink()]);
    const pool = db.pool;
    await migrate(pool);
    writeRecords(join(root, 'records'));
    await importRecordsDir(pool, join(root, 'records'));
    source = await openSource(SOURCE, root, RECEIVED, {
      appendBatch: Number(env.BENCH_APPEND_BATCH ?? 100),
      needDovecot: BASELINES,
    });

    const baseline = BASELINES
      ? await runBaselines({
          appender: source.appender!,
          dovecot: source.dovecot!,
          smtpUrl: sink.url,
          messages: benchEmails(RATE ? 2000 : N),
          received: RECEIVED,
          inFlight: Number(env.BENCH_SMTP_IN_FLIGHT ?? 10),
        })
      : undefined;
    sink.reset();

    const serviceEnv: Record<string, string> = {
      DATABASE_URL: serviceDatabaseUrl(db.url),
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      ...source.env,
      SMTP_URL: sink.url,
      MAIL_FROM,
      // 500 accounts write all N claims: the default limits (5 replies per sender a day, 1,000
      // an hour in all) would hold most replies back, which is not the path measured.
      REPLY_LIMIT_PER_SENDER: String(N),
      REPLY_LIMIT_PER_HOUR: String(10 * N),
      ...SERVICE_ENV,
      ...(env.BENCH_PG_POOL_MAX ? { BENCH_PG_POOL_MAX: env.BENCH_PG_POOL_MAX } : {}),
    };
    const log = problemLog();
    if (CHILD)
      child = await startServiceChild(serviceEnv, CPU_PROF ? { cpuProfDir: CPU_PROF } : {});
    else
      service = await startService(
        loadConfig({ ...serviceEnv, HTTP_PORT: '0' }),
        'all',
        log.logger,
      );
    // Idle on an empty mailbox (its first pass done) before the clock starts.
    await waitFor(
      async () =>
        (await pool.query('SELECT 1 FROM mailboxes WHERE last_poll_at IS NOT NULL')).rowCount! > 0,
      { timeoutMs: 60_000, message: 'the service polled its mailbox' },
    );

    let emails = benchEmails(N);
    const bytes = emails.reduce((s, e) => s + e.length, 0);
    source.prepare(emails);
    emails = []; // the service's memory is measured, not the inputs'

    const servicePid = child?.pid ?? process.pid;
    const dovecotMaster = source.dovecot ? pidsMatching(source.dovecot.configFile)[0] : undefined;
    const cpu = await cpuMeter([
      {
        name: `service (pid ${servicePid}${CHILD ? '' : ', the bench itself'})`,
        pids: [servicePid],
      },
      { name: 'PostgreSQL backends (the service)', pids: backendsOf(pool, db.name, 'service') },
      { name: 'PostgreSQL backends (the bench)', pids: backendsOf(pool, db.name, 'bench') },
      { name: 'PostgreSQL helpers (WAL, checkpoints)', pids: postgresHelpers },
      { name: 'Redis server (whole)', pids: () => pidsMatching('redis-server 127.0.0.1:6379') },
      ...(dovecotMaster ? [{ name: 'Dovecot', pids: () => processTree(dovecotMaster) }] : []),
      ...(CHILD ? [{ name: 'bench (sink, delivery, polling)', pids: [process.pid] }] : []),
    ]);
    const before = await child?.snapshot();
    const startKb = child?.rss().peakKb;
    child?.resetPeak();
    const idleRssKb = child ? child.rss().nowKb : process.resourceUsage().maxRSS;

    const delivered = RATE ? await source.steady(RATE) : await source.burst();
    await waitFinished(pool, N, TIMEOUT_MS);
    // The last reply reaches the sink before its row says 'sent': nothing more to wait for.
    const after = await child?.snapshot();
    const cpuUse = await cpu.finish();
    const peak = child
      ? child.rss()
      : { peakKb: process.resourceUsage().maxRSS, nowKb: Number.NaN };

    const run = await runFigures(pool);
    const segments = await stageTimes({
      pool,
      redis: redis.client,
      prefix: redis.prefix,
      delivered: delivered.at,
      atSink: sink.arrivals,
    });
    const hook = before && after ? hookDelta(before, after) : undefined;
    const figures = await printRun({
      mode: RATE ? { rate: RATE, seconds: SECONDS } : 'burst',
      source: SOURCE,
      service: CHILD ? `a child process (pid ${servicePid})` : 'this process',
      serviceEnv: {
        ...SERVICE_ENV,
        ...(env.BENCH_PG_POOL_MAX ? { BENCH_PG_POOL_MAX: env.BENCH_PG_POOL_MAX } : {}),
        ...(env.BENCH_PG_OPTIONS ? { BENCH_PG_OPTIONS: `"${env.BENCH_PG_OPTIONS}"` } : {}),
        ...(env.BENCH_NODE_OPTIONS ? { BENCH_NODE_OPTIONS: `"${env.BENCH_NODE_OPTIONS}"` } : {}),
      },
      n: N,
      bytes,
      delivered,
      run,
      sink,
      segments,
      pool,
      received: RECEIVED,
      cpu: cpuUse,
      rss: {
        ...(startKb ? { startKb } : {}),
        idleKb: idleRssKb,
        peakKb: peak.peakKb,
        benchKb: process.resourceUsage().maxRSS,
      },
    });
    if (baseline) printBaselines(baseline, RATE ? undefined : figures.endToEndRate);
    if (hook) {
      printHookDelta(hook, N);
      printStatements(hook, N);
      if (env.BENCH_EXPLAIN === '1') await explainStatements(pool, hook.sql, N);
    }
    if (CPU_PROF)
      console.log(`CPU profile of the run: ${CPU_PROF}/service-${child!.pid}.cpuprofile`);
    printProblems([...log.problems, ...(child?.problems() ?? [])]);
    if (env.BENCH_OUT)
      writeFileSync(
        env.BENCH_OUT,
        JSON.stringify({
          figures,
          baseline,
          hook,
          cpu: cpuUse,
          segments,
          window: [before?.monoUs, after?.monoUs],
        }),
      );
  } finally {
    await cleanUp([
      ['service', service && (() => service!.stop())],
      ['service process', child && (() => child!.stop())],
      ['smtp sink', sink && (() => sink!.stop())],
      ['mail source', source && (() => source!.stop())],
      ['redis', redis && (() => redis!.cleanup())],
      ['database', db && (() => db!.drop())],
    ]);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
