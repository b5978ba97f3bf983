/**
 * `npm run bench:records`: claim-intake on provider-sized platform records. Generates
 * records (default 1,000,000 accounts, 3,000,000 resources, 5,000,000 orders, 50,000
 * incidents, with refunds, payouts and ICP filings in proportion; bench/records-generate.ts)
 * as JSON Lines into a temporary directory, with the example records and N claim emails
 * about them; then, on a database of its own:
 *
 * 1. `claim-intake import DIR` (the real CLI, a child process): wall time, rows/s, peak RSS;
 * 2. the database's size and its biggest tables and indexes;
 * 3. `claim-intake check EMAIL --received …` against the database beside `check --help`
 *    (the same process's start-up alone): median wall time and peak RSS;
 * 4. the running service (`claim-intake start`, a child process, its RSS from /proc): the
 *    public examples, each timed from delivery to its reply and compared with
 *    examples/expected.jsonl; then N claims at once: claims/s, stored → assessed p50/p95,
 *    stored → reply sent p50/p95/p99, the service's peak RSS.
 *
 * The same run's baseline repeats it all on small records (BENCH_SMALL_ACCOUNTS, default
 * 500 accounts, the same number of incidents: claims then meet as many incidents as on the
 * big records, and only the tables' sizes differ). Prints figures only; asserts nothing.
 * Cleans up its databases, Redis keys and files, also on failure or Ctrl-C.
 *
 * BENCH_ACCOUNTS, BENCH_RESOURCES, BENCH_ORDERS, BENCH_INCIDENTS: sizes. BENCH_N (2000):
 * claims. BENCH_FORMAT=json writes JSON arrays instead (for an import that reads only
 * those). BENCH_CHECK_RUNS (6), BENCH_TIMEOUT_MS (15 min per wait), BENCH_SEED.
 * BENCH_ANALYZE=1 runs ANALYZE after the import, as autovacuum does some time later: it tells
 * what the planner's lack of statistics right after a bulk load costs from the rest.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../test/support/database.ts';
import { createTestRedis } from '../test/support/redis.ts';
import type { ServiceProcess } from '../test/support/service-process.ts';
import { generateRecords } from './records-generate.ts';
import { type DataSetFigures, printRecordsReport } from './records-report.ts';
import { type RecordsScale, recordsScale, scaleFromEnv } from './records-scale.ts';
import { measureService } from './records-service.ts';
import { databaseSize, measureCheck, measureImport } from './records-steps.ts';
import { startSink } from './service-run.ts';
import { cleanUp } from './support.ts';

const SCALE = scaleFromEnv();
const N = Number(process.env.BENCH_N ?? 2000);
const FORMAT = process.env.BENCH_FORMAT === 'json' ? 'json' : 'jsonl';
const SMALL = recordsScale(Number(process.env.BENCH_SMALL_ACCOUNTS ?? 500), {
  incidents: SCALE.incidents,
});
const CHECK_RUNS = Number(process.env.BENCH_CHECK_RUNS ?? 6);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000);
const SEED = Number(process.env.BENCH_SEED ?? 20260301);
const ANALYZE = process.env.BENCH_ANALYZE === '1';

/** Clean-up steps still owed, run in reverse order at the end, on failure or on Ctrl-C. */
const owed: [string, () => Promise<unknown>][] = [];
const owe = (name: string, step: () => Promise<unknown>) => owed.push([name, step]);
/** Runs the steps owed since `mark` (all by default), newest first. */
async function settle(mark = 0): Promise<void> {
  await cleanUp(owed.splice(mark).reverse());
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: cleaning up`);
    void settle().finally(() => process.exit(130));
  });
}

/** A progress line, with the machine's load (other work on it skews every figure). */
const log = (line: string) =>
  console.log(
    `[${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]!.toFixed(1)}] ${line}`,
  );
const bytesIn = (dir: string, files: string[]) =>
  files.reduce((s, f) => s + statSync(join(dir, f)).size, 0);

async function measureDataSet(
  label: string,
  scale: RecordsScale,
  root: string,
): Promise<DataSetFigures> {
  const mark = owed.length;
  const dir = join(root, label);
  const recordsDir = join(dir, 'records');
  const claimsDir = join(dir, 'claims');
  mkdirSync(claimsDir, { recursive: true });
  owe(`${label} files`, async () => rmSync(dir, { recursive: true, force: true }));

  log(
    `${label}: generating ${scale.accounts} accounts, ${scale.resources} resources, ${scale.orders} orders, ${scale.incidents} incidents and ${N} claims`,
  );
  const t = performance.now();
  const generated = generateRecords({
    dir: recordsDir,
    scale,
    format: FORMAT,
    seed: SEED,
    claims: { count: N, dir: claimsDir },
  });
  const generateMs = performance.now() - t;
  const recordsBytes = bytesIn(recordsDir, Object.keys(generated.counts));
  log(
    `${label}: generated in ${(generateMs / 1000).toFixed(1)} s, ${(recordsBytes / 2 ** 20).toFixed(0)} MB`,
  );

  const db = await createTestDatabase();
  owe(`${label} database`, () => db.drop());
  log(`${label}: claim-intake import`);
  const imported = await measureImport(recordsDir, db.url);
  log(`${label}: import exit ${imported.code} in ${(imported.wallMs / 1000).toFixed(1)} s`);
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr.slice(0, 2000)}`);
  if (ANALYZE) {
    const a = performance.now();
    await db.pool.query('ANALYZE');
    log(`${label}: ANALYZE (BENCH_ANALYZE=1) in ${((performance.now() - a) / 1000).toFixed(1)} s`);
  }
  const size = await databaseSize(db.pool);

  // One claim of each kind that reads the most: a whale's, then the common kinds.
  const samples = ['compensation', 'refund', 'icp', 'compensation-unlabelled', 'complaint']
    .map((kind) => generated.claims.find((c) => c.kind === kind))
    .filter((c) => c !== undefined);
  const whale = generated.claims.find((c) => generated.whales.includes(c.account));
  if (whale) samples.unshift(whale);
  log(`${label}: check against the database (${CHECK_RUNS} runs, beside check --help)`);
  const check = await measureCheck(samples, claimsDir, db.url, CHECK_RUNS);

  log(`${label}: the service, on the examples, then ${N} claims`);
  const redis = await createTestRedis();
  owe(`${label} redis`, () => redis.cleanup());
  const sink = await startSink();
  owe(`${label} smtp sink`, () => sink.stop());
  let service: ServiceProcess | undefined;
  owe(`${label} service`, async () => service?.stop(30_000));
  const serviceFigures = await measureService({
    databaseUrl: db.url,
    pool: db.pool,
    redis,
    smtpUrl: sink.url,
    root: dir,
    claims: generated.claims,
    claimsDir,
    timeoutMs: TIMEOUT_MS,
    onStarted: (s) => {
      service = s;
    },
  });
  log(`${label}: done; cleaning up`);
  await settle(mark);
  return {
    label,
    scale,
    counts: generated.counts,
    claims: generated.claims,
    generateMs,
    recordsBytes,
    imported,
    size,
    check,
    service: serviceFigures,
  };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'claim-intake-bench-records-'));
  owe('temp dir', async () => rmSync(root, { recursive: true, force: true }));
  try {
    const big = await measureDataSet('big', SCALE, root);
    const small = await measureDataSet('small', SMALL, root);
    printRecordsReport(big, small, { format: FORMAT, n: N });
  } finally {
    await settle();
  }
}

await main();
