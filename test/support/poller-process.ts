/**
 * The real service in a child process (`node bin/claim-intake.js start --role …`), so a test
 * can SIGKILL it at any moment, as a crash or an OOM kill would, and start it again.
 * Its JSON log lines are kept for the test to read; a child still alive when the test
 * process exits is killed with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { collectOutput } from './child-output.ts';
import { BIN, REPO_ROOT } from './cli.ts';

export interface PollerProcess {
  pid: number;
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it has exited. */
  readonly dead: boolean;
  /** stdout + stderr so far. */
  output(): string;
  /** stdout's JSON log lines so far (anything else is skipped). */
  logs(): Record<string, unknown>[];
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful stop) and wait for the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts `claim-intake start --role <role>` with exactly the given settings on top of a
 * minimal environment (PATH, HOME), so nothing from the developer's shell leaks in.
 * LOG_LEVEL defaults to warn.
 */
export function startPollerProcess(
  env: Record<string, string>,
  role: 'poller' | 'all' | 'worker' | 'web' = 'poller',
): PollerProcess {
  const child = spawn(process.execPath, [BIN, 'start', '--role', role], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      LOG_LEVEL: 'warn',
      // Every role serves /healthz, /readyz and /metrics: any free port, so processes and
      // test files run side by side.
      HTTP_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('claim-intake did not start');
  live.add(child);
  const { output, logs } = collectOutput(child);
  let dead = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      dead = true;
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (!dead) child.kill(signal);
    await exited;
  };
  return {
    pid: child.pid,
    exited,
    get dead() {
      return dead;
    },
    output,
    logs,
    kill: () => signalAndWait('SIGKILL'),
    async stop(graceMs = 10_000) {
      if (dead) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
