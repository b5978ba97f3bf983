/**
 * Runs the real `claim-intake` binary as a child and measures it: wall time from spawn to
 * exit, and the child's own peak RSS (ru_maxrss, written at exit by peak-rss-hook.mjs, so
 * a peak in the last milliseconds is not missed as polling /proc could miss it). For the
 * scale test's bounds and bench:records' figures.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, type CliResult, REPO_ROOT } from './cli.ts';

const HOOK = pathToFileURL(join(import.meta.dirname, 'peak-rss-hook.mjs')).href;

export interface MeasuredResult extends CliResult {
  wallMs: number;
  /** The child's peak resident set size in KB; NaN when it died before reporting it. */
  peakRssKb: number;
}

export function runMeasured(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; bin?: string } = {},
): Promise<MeasuredResult> {
  const dir = mkdtempSync(join(tmpdir(), 'claim-intake-rss-'));
  const file = join(dir, 'peak');
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', HOOK, options.bin ?? BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env, PEAK_RSS_FILE: file },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    // A child still running when this process exits (Ctrl-C on a bench) goes with it.
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.on('error', (error) => {
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
      fail(error);
    });
    child.on('close', (code) => {
      process.off('exit', kill);
      const wallMs = performance.now() - started;
      let peakRssKb = Number.NaN;
      try {
        peakRssKb = Number(readFileSync(file, 'utf8'));
      } catch {
        // killed, or crashed before the exit handler ran
      }
      rmSync(dir, { recursive: true, force: true });
      done({ code, stdout, stderr, wallMs, peakRssKb });
    });
  });
}
