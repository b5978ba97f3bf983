/**
 * Runs the real `claim-intake` binary as a child and measures it: wall time from spawn to
 * exit, and the child's own peak RSS (ru_maxrss, written at exit by peak-rss-hook.mjs, so
 * a peak in the last milliseconds is not missed as polling /proc could miss it). For the
 * scale test's bounds and bench:records' figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CliResult, runCli } from './cli.ts';

const HOOK = pathToFileURL(join(import.meta.dirname, 'peak-rss-hook.mjs')).href;

export interface MeasuredResult extends CliResult {
  wallMs: number;
  /** The child's peak resident set size in KB; NaN when it died before reporting it. */
  peakRssKb: number;
}

export async function runMeasured(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; bin?: string } = {},
): Promise<MeasuredResult> {
  const dir = mkdtempSync(join(tmpdir(), 'claim-intake-rss-'));
  const file = join(dir, 'peak');
  try {
    const started = performance.now();
    const result = await runCli(args, {
      ...options,
      env: { ...options.env, PEAK_RSS_FILE: file },
      nodeArgs: ['--import', HOOK],
    });
    const wallMs = performance.now() - started;
    let peakRssKb = Number.NaN;
    try {
      peakRssKb = Number(readFileSync(file, 'utf8'));
    } catch {
      // killed, or crashed before the exit handler ran
    }
    return { ...result, wallMs, peakRssKb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
