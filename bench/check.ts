/**
 * `npm run bench:check`: assesses N generated typical claims in one process (parse →
 * classify → extract → validate → decide, the whole `check` engine) and prints claims/s
 * and peak RSS, with the same run's baseline: mailparser alone on the same messages.
 * Prints figures only; it asserts nothing.
 */
import { simpleParser } from 'mailparser';
import { assess } from '../src/domain/assess/engine.ts';
import { CHINA_MAINLAND_CALENDAR } from '../src/domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY } from '../src/domain/policy.ts';
import { parseEmail } from '../src/mail/parse.ts';
import { contextOf } from '../test/support/builders.ts';
import { benchEmails, benchRecords } from './generate.ts';

const N = Number(process.env.BENCH_N ?? 20_000);
const received = Date.parse('2026-03-02T09:00:00+08:00');

const ctx = {
  ...contextOf(benchRecords()),
  policy: DEFAULT_POLICY,
  calendar: CHINA_MAINLAND_CALENDAR,
};
// A pool of distinct messages, cycled: N can grow without the inputs filling memory.
const pool = benchEmails(Math.min(N, 2000));
const emails = Array.from({ length: N }, (_, i) => pool[i % pool.length]!);
const bytes = emails.reduce((s, e) => s + e.length, 0);
const mb = (kb: number) => (kb / 1024).toFixed(0);

async function engine(): Promise<Record<string, number>> {
  const decisions: Record<string, number> = {};
  for (const raw of emails) {
    const a = assess({ email: await parseEmail(raw), receivedAt: received }, ctx);
    decisions[a.decision] = (decisions[a.decision] ?? 0) + 1;
  }
  return decisions;
}

async function baseline(): Promise<void> {
  for (const raw of emails)
    await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
}

// Warm up each path before timing it, so JIT compilation is not measured; the engine
// runs first so its peak RSS is not inflated by the baseline's garbage.
for (const raw of pool.slice(0, 500))
  assess({ email: await parseEmail(raw), receivedAt: received }, ctx);

const rssBefore = process.resourceUsage().maxRSS;
let t = performance.now();
const decisions = await engine();
const engineMs = performance.now() - t;
const enginePeak = process.resourceUsage().maxRSS;

for (const raw of pool.slice(0, 500)) await simpleParser(raw);
t = performance.now();
await baseline();
const baselineMs = performance.now() - t;

const rate = (ms: number) => Math.round((N / ms) * 1000);
console.log(
  `claims: ${N} generated, average ${Math.round(bytes / N)} bytes, ${(bytes / 2 ** 20).toFixed(1)} MB in all`,
);
console.log(`decisions: ${JSON.stringify(decisions)}`);
console.log(`engine (parse + assess): ${rate(engineMs)} claims/s (${engineMs.toFixed(0)} ms)`);
console.log(
  `baseline (mailparser simpleParser alone): ${rate(baselineMs)} messages/s (${baselineMs.toFixed(0)} ms)`,
);
console.log(
  `peak RSS: ${mb(enginePeak)} MB after the engine run (${mb(rssBefore)} MB before it, tsx, modules and inputs included)`,
);
