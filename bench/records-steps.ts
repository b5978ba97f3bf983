/**
 * The measured steps of bench:records on one data set besides the service
 * (records-service.ts): the real CLI's `import` and `check` as child processes (wall time,
 * peak RSS), and the database's size.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { RECORD_TABLES } from '../src/store/record-tables.ts';
import { runMeasured } from '../test/support/measured-cli.ts';
import type { GeneratedClaim } from './records-claims.ts';
import { percentile } from './support.ts';

export interface ImportFigures {
  code: number | null;
  wallMs: number;
  peakRssKb: number;
  /** Records the import reported, per file. */
  reported: Record<string, number>;
  stderr: string;
}

export async function measureImport(dir: string, databaseUrl: string): Promise<ImportFigures> {
  const r = await runMeasured(['import', dir], { env: { DATABASE_URL: databaseUrl } });
  const reported: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    try {
      const row = JSON.parse(line) as { file?: string; records?: number };
      if (row.file && typeof row.records === 'number') reported[row.file] = row.records;
    } catch {
      // not a count line
    }
  }
  return { code: r.code, wallMs: r.wallMs, peakRssKb: r.peakRssKb, reported, stderr: r.stderr };
}

export interface SizeFigures {
  databaseBytes: number;
  /** Records tables the planner has no statistics for yet (never analyzed). */
  unanalyzed: string[];
  tables: { name: string; bytes: number }[];
  indexes: { name: string; bytes: number }[];
}

export async function databaseSize(pool: pg.Pool): Promise<SizeFigures> {
  const total = await pool.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b');
  const biggest = async (kind: string, size: string) =>
    (
      await pool.query<{ name: string; bytes: string }>(
        `SELECT c.relname AS name, ${size}(c.oid) AS bytes FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = '${kind}' ORDER BY 2 DESC LIMIT 6`,
      )
    ).rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
  const { rows: unanalyzed } = await pool.query<{ relname: string }>(
    `SELECT relname FROM pg_stat_user_tables
      WHERE relname = ANY($1::text[]) AND last_analyze IS NULL AND last_autoanalyze IS NULL
      ORDER BY relname`,
    [RECORD_TABLES],
  );
  return {
    databaseBytes: Number(total.rows[0]!.b),
    unanalyzed: unanalyzed.map((r) => r.relname),
    tables: await biggest('r', 'pg_total_relation_size'),
    indexes: await biggest('i', 'pg_relation_size'),
  };
}

export interface CheckSample {
  file: string;
  kind: string;
  decision: string;
  reasons: string[];
  wallMs: number;
  peakRssKb: number;
}

export interface CheckFigures {
  help: { wallMs: number; peakRssKb: number }[];
  checks: CheckSample[];
}

/**
 * `check --help` (the same process's start-up alone) and `check EMAIL --received …` against
 * the database, alternated so drift in the machine's load touches both alike.
 */
export async function measureCheck(
  samples: GeneratedClaim[],
  claimsDir: string,
  databaseUrl: string,
  runs: number,
): Promise<CheckFigures> {
  const env = { DATABASE_URL: databaseUrl };
  const figures: CheckFigures = { help: [], checks: [] };
  for (let i = 0; i < runs; i++) {
    const help = await runMeasured(['check', '--help'], { env });
    figures.help.push({ wallMs: help.wallMs, peakRssKb: help.peakRssKb });
    const claim = samples[i % samples.length]!;
    const r = await runMeasured(
      ['check', join(claimsDir, claim.file), '--received', claim.received],
      { env },
    );
    const line = JSON.parse(r.stdout.trim().split('\n')[0] || '{}') as {
      decision?: string;
      reasons?: string[];
    };
    figures.checks.push({
      file: claim.file,
      kind: claim.kind,
      decision: line.decision ?? `exit ${r.code}: ${r.stderr.trim().slice(0, 200)}`,
      reasons: line.reasons ?? [],
      wallMs: r.wallMs,
      peakRssKb: r.peakRssKb,
    });
  }
  return figures;
}

/** p50/p95/p99 of ascending `ms`, rounded. */
export function spread(ms: number[]): { p50: number; p95: number; p99: number; max: number } {
  const p = (q: number) => Math.round(percentile(ms, q));
  return { p50: p(50), p95: p(95), p99: p(99), max: p(100) };
}
