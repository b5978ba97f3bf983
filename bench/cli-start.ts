/**
 * How fast the CLI starts (issue #14): the median wall time of `--help` and of `check` of
 * one email with `--records`, each beside a bare `node -e 1` in the same run, and their
 * ratios (targets: at most 2.5× and 4×). `BENCH_RUNS` sets the runs of each (default 7).
 *
 *   npm run bench:cli
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BIN = join(ROOT, 'bin/claim-intake.js');
const EMAIL = join(ROOT, 'examples/emails/compensation-approved.eml');
const RECORDS = join(ROOT, 'examples/records');

const commands: [string, string[]][] = [
  ['node -e 1', ['-e', '1']],
  ['claim-intake --help', [BIN, '--help']],
  ['claim-intake check (one email, --records)', [BIN, 'check', EMAIL, '--records', RECORDS]],
];

function wallMs(args: string[]): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Interleaved, so a busy moment of the machine falls on every command alike.
const times = commands.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++)
  commands.forEach(([, args], i) => {
    times[i]!.push(wallMs(args));
  });
const base = median(times[0]!);
console.log(`node ${process.version}, ${RUNS} runs each, median wall time:`);
commands.forEach(([name], i) => {
  const m = median(times[i]!);
  const ratio = i === 0 ? '' : `  ${(m / base).toFixed(1)}× node -e 1`;
  console.log(`  ${name.padEnd(44)} ${m.toFixed(0).padStart(5)} ms${ratio}`);
});
