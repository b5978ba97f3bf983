/**
 * The whole service (`claim-intake start --role all`) as a child process of the bench, as it
 * runs in production (LOG_LEVEL info), with bench/service-hook.mjs preloaded to count its
 * database and Redis traffic per stage and, optionally, to profile its CPU from the first
 * snapshot to the second (V8's sampler: Node 20 refuses --cpu-prof in NODE_OPTIONS). Its RSS comes
 * from /proc; its peak can be reset before a run (clear_refs), so the run's own peak is read.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceProcess, startServiceProcess } from '../test/support/service-process.ts';
import { waitFor } from '../test/support/wait.ts';
import { procRss } from './service-run.ts';

const HOOK = join(import.meta.dirname, 'service-hook.mjs');

/** What bench/service-hook.mjs counted for one stage (cumulative). */
export interface StageCounts {
  queries: number;
  queryMs: number;
  connects: number;
  connectWaitMs: number;
  connectWaits: number[];
  redis: Record<string, number>;
}

/** One statement's calls in one stage, with the first call's text and parameters. */
export interface StatementCount {
  stage: string;
  /** Whitespace folded, the first 140 characters. */
  sql: string;
  n: number;
  ms: number;
  full?: string;
  params?: unknown[];
}

/** One of bench/service-hook.mjs's snapshots. */
export interface HookSnapshot {
  monoUs: number;
  epochMs: number;
  cpu: { user: number; system: number };
  switches: { voluntary: number; involuntary: number };
  elu: { idle: number; active: number; utilization: number };
  gc: { count: number; ms: number };
  lag: { p50: number; p99: number; max: number };
  rssKb: number;
  hwmKb: number;
  heapUsed: number;
  /** Largest rss, heapTotal, heapUsed, external, arrayBuffers (bytes) seen after a GC. */
  memoryPeaks: Record<string, number>;
  stages: Record<string, StageCounts>;
  sql: StatementCount[];
}

export interface ServiceChild {
  pid: number;
  process: ServiceProcess;
  /** Asks the child for a snapshot and waits for it. */
  snapshot(): Promise<HookSnapshot>;
  /** Resets the child's peak RSS to its current RSS (so VmHWM is the peak from now on). */
  resetPeak(): void;
  rss(): { peakKb: number; nowKb: number };
  /** Warnings and errors it logged, as JSON lines (the first 300 characters). */
  problems(): string[];
  stop(): Promise<void>;
}

export async function startServiceChild(
  env: Record<string, string>,
  options: { cpuProfDir?: string } = {},
): Promise<ServiceChild> {
  const hookDir = mkdtempSync(join(tmpdir(), 'claim-intake-hook-'));
  const service = await startServiceProcess(
    'all',
    {
      ...env,
      // BENCH_NODE_OPTIONS: V8's settings for an experiment (--max-old-space-size=128, say).
      NODE_OPTIONS: `--import=${HOOK} ${process.env.BENCH_NODE_OPTIONS ?? ''}`.trim(),
      BENCH_HOOK_DIR: hookDir,
      ...(options.cpuProfDir ? { BENCH_CPU_PROF: options.cpuProfDir } : {}),
    },
    120_000,
  );
  let snaps = 0;
  return {
    pid: service.pid,
    process: service,
    async snapshot() {
      const file = join(hookDir, `snap-${++snaps}.json`);
      process.kill(service.pid, 'SIGUSR2');
      await waitFor(() => existsSync(file), { timeoutMs: 10_000, intervalMs: 20 });
      // Written with one writeFileSync: parse once it is whole.
      let parsed: HookSnapshot | undefined;
      await waitFor(
        () => {
          parsed = JSON.parse(readFileSync(file, 'utf8')) as HookSnapshot;
          return true;
        },
        { timeoutMs: 5000, intervalMs: 20 },
      );
      return parsed!;
    },
    resetPeak() {
      // "5" resets the peak resident set size (VmHWM) to the current one (proc(5)).
      writeFileSync(`/proc/${service.pid}/clear_refs`, '5');
    },
    rss: () => procRss(service.pid) ?? { peakKb: Number.NaN, nowKb: Number.NaN },
    problems: () =>
      service
        .logs()
        .filter((l) => Number(l.level) >= 40)
        .map((l) => JSON.stringify(l).slice(0, 300)),
    async stop() {
      try {
        await service.stop(30_000);
      } finally {
        rmSync(hookDir, { recursive: true, force: true });
      }
    },
  };
}
