/**
 * bench:records' service step: the whole service as a child process (`claim-intake start`,
 * its RSS read from /proc) on a records database, first on the public examples (each timed
 * from delivery to its reply, decisions compared with examples/expected.jsonl), then on N
 * generated claims delivered at once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { FINISHED } from '../test/support/finished.ts';
import type { TestRedis } from '../test/support/redis.ts';
import { type ServiceProcess, startServiceProcess } from '../test/support/service-process.ts';
import type { GeneratedClaim } from './records-claims.ts';
import {
  dbNow,
  deliver,
  makeMaildir,
  procRss,
  type RunFigures,
  runFigures,
  stageFile,
  waitFinished,
} from './service-run.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');

export interface ExampleResult {
  file: string;
  /** Delivery → reply sent (or, ignored, → decided), ms; NaN when it never finished. */
  ms: number;
  /** Delivery → assessed, ms. */
  assessedMs: number;
  expected: string;
  decision: string;
  mismatches: string[];
}

export interface ServiceFigures {
  startMs: number;
  idleRssKb: number;
  examples: ExampleResult[];
  examplesPeakRssKb: number;
  pipeline?: {
    n: number;
    /** Claims finished when the wait ended (fewer than n when it timed out). */
    finished: number;
    ms: number;
    run: RunFigures;
    /** Message stored → assessment done, ms, ascending. */
    assess: number[];
    error?: string;
  };
  peakRssKb: number;
  problems: string[];
}

interface Expected {
  file: string;
  received: string;
  expect: Record<string, unknown>;
}

/**
 * The whole service as a child process on `databaseUrl`: first the public examples, each
 * timed from delivery to its reply; then `claims`, delivered at once.
 */
export async function measureService(options: {
  databaseUrl: string;
  pool: pg.Pool;
  redis: TestRedis;
  smtpUrl: string;
  root: string;
  claims: GeneratedClaim[];
  claimsDir: string;
  timeoutMs: number;
  onStarted: (service: ServiceProcess) => void;
}): Promise<ServiceFigures> {
  const { pool, redis, claims } = options;
  const maildir = makeMaildir(join(options.root, 'mail'));
  const started = performance.now();
  const service = await startServiceProcess(
    'all',
    {
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      MAILDIR_PATH: maildir,
      SMTP_URL: options.smtpUrl,
      MAIL_FROM: 'claims@cloud.example',
      // On small records each account sends several claims from one contact: the default
      // limit (5 replies per sender a day) would hand the rest to an agent unanswered,
      // which is not the path measured.
      REPLY_LIMIT_PER_SENDER: String(claims.length + 100),
    },
    120_000,
  );
  options.onStarted(service);
  const startMs = performance.now() - started;
  const rss = () => procRss(service.pid) ?? { peakKb: Number.NaN, nowKb: Number.NaN };
  const idleRssKb = rss().nowKb;
  const problems = () =>
    service
      .logs()
      .filter((l) => Number(l.level) >= 40)
      .map((l) => JSON.stringify(l).slice(0, 300));

  // (a) The public examples, with their received times, on an idle service.
  const expected = readFileSync(join(EXAMPLES, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Expected);
  const stamp = 1_770_000_000;
  const names = expected.map((e, i) =>
    stageFile(maildir, `${stamp}.example${i}.host`, join(EXAMPLES, e.file), new Date(e.received)),
  );
  const examplesAt = await dbNow(pool);
  deliver(maildir, names);
  const exampleWhere = `m.source_key LIKE '%.example%'`;
  await waitFinished(pool, expected.length, options.timeoutMs, exampleWhere).catch(() => {});
  const examples = await exampleResults(pool, redis, expected, names, examplesAt);
  const examplesPeakRssKb = rss().peakKb;
  if (claims.length === 0)
    return {
      startMs,
      idleRssKb,
      examples,
      examplesPeakRssKb,
      peakRssKb: rss().peakKb,
      problems: problems(),
    };

  // (b) N generated claims at once.
  const genNames = claims.map((c, i) =>
    stageFile(
      maildir,
      `${stamp + 1000 + i}.gen${i}.host`,
      join(options.claimsDir, c.file),
      new Date(c.received),
    ),
  );
  const genWhere = `m.source_key LIKE '%.gen%'`;
  const startedAt = await dbNow(pool);
  deliver(maildir, genNames);
  let error: string | undefined;
  await waitFinished(pool, claims.length, options.timeoutMs, genWhere).catch((e: Error) => {
    error = e.message;
  });
  const peakRssKb = rss().peakKb;
  const run = await runFigures(pool, genWhere);
  const ms = (run.finishedLast?.getTime() ?? Number.NaN) - startedAt.getTime();
  const assess = (await assessedAfterStored(pool, redis, genWhere)).sort((a, b) => a - b);
  const { rows: done } = await pool.query<{ n: string }>(
    `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id
      WHERE ${genWhere} AND ${FINISHED}`,
  );
  return {
    startMs,
    idleRssKb,
    examples,
    examplesPeakRssKb,
    pipeline: {
      n: claims.length,
      finished: Number(done[0]!.n),
      ms,
      run,
      assess,
      ...(error ? { error } : {}),
    },
    peakRssKb,
    problems: problems(),
  };
}

/**
 * When each claim's assessment finished: the assess job's finishedOn in Redis (BullMQ keeps
 * finished jobs a day), else the audit log's assessment entry (its transaction's start).
 */
async function assessedAt(
  pool: pg.Pool,
  redis: TestRedis,
  where: string,
): Promise<Map<string, { stored: Date; assessed: Date | undefined; finished: Date | undefined }>> {
  const { rows } = await pool.query<{
    id: string;
    stored: Date;
    audited: Date | null;
    finished: Date | null;
  }>(
    `SELECT c.id, m.created_at AS stored,
            (SELECT min(a.at) FROM audit_log a WHERE a.claim_id = c.id
                AND a.action IN ('claim.assessed', 'claim.ignored')) AS audited,
            CASE WHEN ${FINISHED} THEN coalesce(
              (SELECT max(r.sent_at) FROM replies r WHERE r.claim_id = c.id AND r.state = 'sent'),
              c.updated_at) END AS finished
       FROM claims c JOIN messages m ON m.id = c.message_id WHERE ${where}`,
  );
  const jobs = redis.client.pipeline();
  for (const r of rows) jobs.hget(`{${redis.prefix}}:assess:assess-${r.id}`, 'finishedOn');
  const done = (await jobs.exec()) ?? [];
  const out = new Map<
    string,
    { stored: Date; assessed: Date | undefined; finished: Date | undefined }
  >();
  rows.forEach((r, i) => {
    const finishedOn = Number(done[i]?.[1]);
    const assessed =
      Number.isFinite(finishedOn) && finishedOn > 0
        ? new Date(finishedOn)
        : (r.audited ?? undefined);
    out.set(r.id, { stored: r.stored, assessed, finished: r.finished ?? undefined });
  });
  return out;
}

async function assessedAfterStored(
  pool: pg.Pool,
  redis: TestRedis,
  where: string,
): Promise<number[]> {
  const times = await assessedAt(pool, redis, where);
  return [...times.values()]
    .filter((t) => t.assessed)
    .map((t) => t.assessed!.getTime() - t.stored.getTime());
}

async function exampleResults(
  pool: pg.Pool,
  redis: TestRedis,
  expected: Expected[],
  names: string[],
  deliveredAt: Date,
): Promise<ExampleResult[]> {
  const { rows } = await pool.query<{
    id: string;
    source_key: string;
    assessment: Record<string, unknown> | null;
  }>(
    `SELECT c.id, m.source_key, c.assessment FROM claims c JOIN messages m ON m.id = c.message_id
      WHERE m.source_key = ANY($1::text[])`,
    [names],
  );
  const times = await assessedAt(pool, redis, `m.source_key LIKE '%.example%'`);
  return expected.map((e, i) => {
    const row = rows.find((r) => r.source_key === names[i]);
    const t = row ? times.get(row.id) : undefined;
    const a = row?.assessment ?? {};
    const mismatches = Object.entries(e.expect)
      .filter(([key, want]) => JSON.stringify(a[key] ?? null) !== JSON.stringify(want))
      .map(
        ([key, want]) =>
          `${key}: ${JSON.stringify(a[key] ?? null)}, expected ${JSON.stringify(want)}`,
      );
    const since = (d: Date | undefined) => (d ? d.getTime() - deliveredAt.getTime() : Number.NaN);
    return {
      file: e.file,
      ms: since(t?.finished),
      assessedMs: since(t?.assessed),
      expected: String(e.expect.decision),
      decision: String(a.decision ?? '(not decided)'),
      mismatches: row ? mismatches : ['not stored'],
    };
  });
}
