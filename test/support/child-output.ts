/**
 * A child process's output as it comes, for tests that run the real CLI or service: stdout
 * and stderr kept whole, and stdout's JSON log lines read back.
 */
import type { ChildProcess } from 'node:child_process';

export interface ChildOutput {
  stdout(): string;
  stderr(): string;
  /** stdout + stderr so far. */
  output(): string;
  /** stdout's JSON log lines so far; anything else (a line cut by SIGKILL) is skipped. */
  logs(): Record<string, unknown>[];
}

/** Starts collecting at once; the child must have been spawned with piped stdout and stderr. */
export function collectOutput(child: ChildProcess): ChildOutput {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => `${stdout}${stderr}`,
    logs: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
  };
}
