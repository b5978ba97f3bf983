/**
 * bench:pipeline's main figures: what was delivered, what became of it, the rates (from the
 * database's clock as before, and from the first delivery to the last reply at the SMTP
 * sink as issue #13 measures), latencies, per-claim segments, peak RSS and CPU by process,
 * and the engine alone on the same messages (the baseline the bench always printed).
 */
import type pg from 'pg';
import { assess } from '../src/domain/assess/engine.ts';
import { CHINA_MAINLAND_CALENDAR } from '../src/domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY } from '../src/domain/policy.ts';
import { RecordIndex } from '../src/domain/record-index.ts';
import { parseEmail } from '../src/mail/parse.ts';
import { loadRecordsFromDb } from '../src/store/records-store.ts';
import { benchEmails } from './generate.ts';
import type { Delivered } from './imap-append.ts';
import { type CpuReading, printCpu } from './proc-stats.ts';
import type { RunFigures } from './service-run.ts';
import { printSegments, type Segment } from './stage-times.ts';
import { mb, percentile, rate } from './support.ts';

export interface RunReport {
  mode: 'burst' | { rate: number; seconds: number };
  source: string;
  service: string;
  serviceEnv: Record<string, string>;
  n: number;
  bytes: number;
  delivered: Delivered;
  run: RunFigures;
  sink: { received(): number; arrivals: Map<string, number> };
  segments: Segment[];
  pool: pg.Pool;
  received: Date;
  cpu: CpuReading[];
  rss: { startKb?: number; idleKb: number; peakKb: number; benchKb: number };
}

const ms = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms, max ${percentile(values, 100).toFixed(0)} ms`;

export async function printRun(r: RunReport) {
  const { run, n, delivered } = r;
  const deliveries = [...delivered.at.values()];
  const first = Math.min(...deliveries);
  const lastDelivery = Math.max(...deliveries);
  const arrivals = [...r.sink.arrivals.values()];
  const lastReply = Math.max(...arrivals, run.finishedLast.getTime());
  const endToEndMs = lastReply - first;
  const pipelineMs = run.finishedLast.getTime() - first;
  const endToEndRate = rate(n, endToEndMs);
  const toSink = [...delivered.at]
    .map(([id, at]) => (r.sink.arrivals.get(id) ?? Number.NaN) - at)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const settings = Object.entries(r.serviceEnv).map(([k, v]) => `${k}=${v}`);

  console.log(
    `mode: ${r.mode === 'burst' ? 'burst' : `steady ${r.mode.rate}/s for ${r.mode.seconds} s`}, source ${r.source}, the service in ${r.service}, role all${settings.length ? `, ${settings.join(' ')}` : ', default settings'}`,
  );
  console.log(
    `claims: ${n} generated, average ${Math.round(r.bytes / n)} bytes, ${(r.bytes / 2 ** 20).toFixed(1)} MB in all; delivered in ${(lastDelivery - first).toFixed(0)} ms (${rate(n, Math.max(1, lastDelivery - first))}/s), the last saved ${(delivered.lastSavedAt - first).toFixed(0)} ms after the first delivery`,
  );
  console.log(
    `outcomes: ${run.outcomes.map((o) => `${o.state}/${o.decision} ${o.n}`).join(', ')}; ${r.sink.received()} replies at the SMTP sink, ${run.unsent} not sent`,
  );
  console.log(
    `pipeline (delivered → stored → assess → settle → reply sent): ${rate(n, pipelineMs)} claims/s (${pipelineMs.toFixed(0)} ms from the first delivery to the last claim finished, the database's clock)`,
  );
  console.log(
    `end to end (first delivery → last reply at the SMTP sink): ${endToEndRate} claims/s (${endToEndMs.toFixed(0)} ms)${r.mode === 'burst' ? '' : `; the last reply ${(lastReply - lastDelivery).toFixed(0)} ms after the last delivery`}`,
  );
  const fromStoredMs = lastReply - run.storedFirst.getTime();
  console.log(
    `  of which intake: every message stored after ${(run.storedLast.getTime() - first).toFixed(0)} ms (first at ${(run.storedFirst.getTime() - first).toFixed(0)} ms); from the first stored to the last reply at the sink: ${rate(n, fromStoredMs)} claims/s (${fromStoredMs.toFixed(0)} ms)`,
  );
  console.log(
    `latency, message stored → reply sent (${run.latencies.length} replies): ${ms(run.latencies)}`,
  );
  console.log(
    `latency, delivered → reply at the SMTP sink (${toSink.length} replies): ${ms(toSink)}`,
  );
  printSegments(r.segments);
  console.log(
    `peak RSS: the service ${mb(r.rss.peakKb)} MB during the run (${r.rss.startKb ? `${mb(r.rss.startKb)} MB peak while starting, ` : ''}${mb(r.rss.idleKb)} MB started and idle); the bench process ${mb(r.rss.benchKb)} MB`,
  );
  printCpu(r.cpu, endToEndMs / 1000, n);

  // Baseline: the engine alone (parse + assess, as bench/check.ts) on the same messages and
  // the same records read back from the database, without the settled history (the run
  // just paid most of them), in this process.
  const ctx = {
    index: new RecordIndex(await loadRecordsFromDb(r.pool)),
    policy: DEFAULT_POLICY,
    calendar: CHINA_MAINLAND_CALENDAR,
  };
  const emails = benchEmails(Math.min(n, 2000));
  for (const raw of emails.slice(0, 200))
    assess({ email: await parseEmail(raw), receivedAt: r.received.getTime() }, ctx);
  const e = performance.now();
  for (const raw of emails)
    assess({ email: await parseEmail(raw), receivedAt: r.received.getTime() }, ctx);
  const engineRate = rate(emails.length, performance.now() - e);
  console.log(
    `baseline (engine alone, parse + assess, one loop, this process): ${engineRate} claims/s; ratio end-to-end/engine ${(endToEndRate / engineRate).toFixed(3)}`,
  );
  return {
    endToEndRate,
    endToEndMs,
    pipelineRate: rate(n, pipelineMs),
    fromStoredRate: rate(n, fromStoredMs),
    engineRate,
    storedToSent: pick(run.latencies),
    deliveredToSink: pick(toSink),
    rss: r.rss,
  };
}

const pick = (v: number[]) => ({
  p50: percentile(v, 50),
  p95: percentile(v, 95),
  p99: percentile(v, 99),
  max: percentile(v, 100),
});
