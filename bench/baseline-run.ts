/**
 * The parent's side of bench/baselines.ts: fills two folders of the Dovecot with the same
 * claims (untimed), runs the baselines in a child process against the same SMTP sink, and
 * prints each component's rate, the slowest one's (the ceiling), and the service's ratios.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../test/support/cli.ts';
import type { BaselineInput, BaselineResult } from './baselines.ts';
import type { ImapAppender } from './imap-append.ts';
import { mb, rate } from './support.ts';

const FETCH = 'BenchFetch';
const NAIVE = 'BenchNaive';

export async function runBaselines(options: {
  appender: ImapAppender;
  dovecot: { port: number; user: string; password: string };
  smtpUrl: string;
  messages: Buffer[];
  received: Date;
  inFlight: number;
}): Promise<BaselineResult & { n: number }> {
  const { appender, messages, received } = options;
  for (const folder of [FETCH, NAIVE, `${NAIVE}Done`]) await appender.create(folder);
  for (const folder of [FETCH, NAIVE])
    for (let i = 0; i < messages.length; i += 500)
      await appender.append(folder, messages.slice(i, i + 500), received);
  const input: BaselineInput = {
    ...options.dovecot,
    smtpUrl: options.smtpUrl,
    n: messages.length,
    fetchFolder: FETCH,
    naiveFolder: NAIVE,
    received: received.toISOString(),
    inFlight: options.inFlight,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/baselines.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_BASELINE: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const last = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{'))
    throw new Error(`baselines exited with ${code}: ${out.slice(-2000)}`);
  return { ...(JSON.parse(last) as BaselineResult), n: messages.length };
}

/** The baselines' rates, the ceiling (the slowest component) and the service's ratios. */
export function printBaselines(
  b: BaselineResult & { n: number },
  /** The service's burst rate; undefined for a steady run, whose rate is the arrivals'. */
  serviceRate: number | undefined,
): void {
  const fetchParse = rate(b.n, b.fetchParseMs);
  const smtp = rate(b.smtpSent, b.smtpMs);
  const naive = rate(b.n, b.naiveMs);
  const ceiling = Math.min(fetchParse, smtp);
  console.log(
    `baselines (same run, same Dovecot and SMTP sink, a child process of their own, peak RSS ${mb(b.peakRssKb)} MB):`,
  );
  console.log(
    `  IMAP fetch + parse alone: ${fetchParse} claims/s (${b.n} in ${b.fetchParseMs.toFixed(0)} ms)`,
  );
  console.log(`  SMTP send alone: ${smtp} replies/s (${b.smtpSent} in ${b.smtpMs.toFixed(0)} ms)`);
  console.log(
    `  naive loop (fetch → parse → assess → render → send → move, one at a time, no database): ${naive} claims/s (${b.naiveSent} replies in ${b.naiveMs.toFixed(0)} ms)`,
  );
  const ratios =
    serviceRate === undefined
      ? 'no ratios: a steady run goes at the arrival rate'
      : `service/ceiling ${(serviceRate / ceiling).toFixed(3)}; service/naive ${(serviceRate / naive).toFixed(2)}`;
  console.log(`  ceiling (slowest component): ${ceiling} claims/s; ${ratios}`);
}
