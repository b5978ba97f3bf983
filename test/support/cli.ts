/** Runs the real `claim-intake` binary, as a user would, and collects its output. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { collectOutput } from './child-output.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const BIN = resolve(REPO_ROOT, 'bin/claim-intake.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Children still running when this process exits (Ctrl-C on a bench) go with it. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; bin?: string; nodeArgs?: string[] } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), options.bin ?? BIN, ...args],
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const { stdout, stderr } = collectOutput(child);
    running.add(child);
    child.on('error', (error) => {
      running.delete(child);
      fail(error);
    });
    child.on('close', (code) => {
      running.delete(child);
      done({ code, stdout: stdout(), stderr: stderr() });
    });
  });
}

/** stdout as JSON Lines. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
