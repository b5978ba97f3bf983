/** What bench:records prints: each data set's figures, then big and small side by side. */
import type { GeneratedClaim } from './records-claims.ts';
import type { RecordsScale } from './records-scale.ts';
import type { ServiceFigures } from './records-service.ts';
import type { CheckFigures, ImportFigures, SizeFigures } from './records-steps.ts';
import { spread } from './records-steps.ts';
import { percentile, printProblems, rate } from './support.ts';

export interface DataSetFigures {
  label: string;
  scale: RecordsScale;
  counts: Record<string, number>;
  claims: GeneratedClaim[];
  generateMs: number;
  recordsBytes: number;
  imported: ImportFigures;
  size: SizeFigures;
  check: CheckFigures;
  service: ServiceFigures;
}

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const kbMB = (kb: number) => (Number.isNaN(kb) ? '?' : `${(kb / 1024).toFixed(0)} MB`);
const s = (ms: number) => (Number.isNaN(ms) ? '?' : `${(ms / 1000).toFixed(2)} s`);
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const max = (xs: number[]) => Math.max(...xs.filter((x) => !Number.isNaN(x)));
const rows = (d: DataSetFigures) => Object.values(d.counts).reduce((a, b) => a + b, 0);
const base = (file: string) => file.replace(/\.jsonl?$/, '');

function summary(d: DataSetFigures) {
  const help = median(d.check.help.map((h) => h.wallMs));
  const check = median(d.check.checks.map((c) => c.wallMs));
  const p = d.service.pipeline;
  const examplesMs = d.service.examples.map((e) => e.ms);
  return {
    rows: rows(d),
    importMs: d.imported.wallMs,
    importRate: rate(rows(d), d.imported.wallMs),
    importRss: d.imported.peakRssKb,
    dbBytes: d.size.databaseBytes,
    help,
    helpRss: max(d.check.help.map((h) => h.peakRssKb)),
    check,
    checkRss: max(d.check.checks.map((c) => c.peakRssKb)),
    firstDecision: Math.min(
      ...d.service.examples.map((e) => e.assessedMs).filter((x) => !Number.isNaN(x)),
    ),
    slowestExample: examplesMs.some(Number.isNaN) ? Number.NaN : Math.max(...examplesMs),
    examplesMatch: d.service.examples.filter((e) => e.mismatches.length === 0).length,
    // Finished claims over the time to the last one finished (all of them unless it timed out).
    claimsPerSecond: p ? rate(p.finished, p.ms) : Number.NaN,
    assess: spread(p?.assess ?? []),
    reply: spread(p?.run.latencies ?? []),
    serviceRss: d.service.peakRssKb,
  };
}

function printDataSet(d: DataSetFigures): void {
  const sum = summary(d);
  console.log(`\n== ${d.label}: ${d.scale.accounts.toLocaleString('en')} accounts ==`);
  console.log(
    `records: ${Object.entries(d.counts)
      .map(([f, n]) => `${f} ${n.toLocaleString('en')}`)
      .join(
        ', ',
      )}; ${sum.rows.toLocaleString('en')} rows, ${MB(d.recordsBytes)} on disk, generated in ${s(d.generateMs)}`,
  );
  const kinds = new Map<string, number>();
  for (const c of d.claims) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
  console.log(`claims: ${d.claims.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  const missing = Object.entries(d.counts).filter(
    ([f, n]) => Object.entries(d.imported.reported).find(([r]) => base(r) === base(f))?.[1] !== n,
  );
  console.log(
    `import: ${s(sum.importMs)}, ${sum.importRate.toLocaleString('en')} rows/s, peak RSS ${kbMB(sum.importRss)}${missing.length > 0 ? `; NOT IMPORTED AS GENERATED: ${missing.map(([f, n]) => `${f} ${n} generated, ${JSON.stringify(d.imported.reported)} reported`).join('; ')}` : ''}`,
  );
  console.log(
    `database: ${MB(d.size.databaseBytes)}${d.size.unanalyzed.length ? ` (no planner statistics yet on ${d.size.unanalyzed.join(', ')})` : ''}; tables (with indexes) ${d.size.tables.map((t) => `${t.name} ${MB(t.bytes)}`).join(', ')}; indexes ${d.size.indexes.map((t) => `${t.name} ${MB(t.bytes)}`).join(', ')}`,
  );
  console.log(
    `check --help: median ${s(sum.help)}, peak RSS ${kbMB(sum.helpRss)} (${d.check.help.length} runs)`,
  );
  console.log(
    `check EMAIL against the database: median ${s(sum.check)} (${s(sum.check - sum.help)} more than --help), peak RSS ${kbMB(sum.checkRss)}`,
  );
  for (const c of d.check.checks)
    console.log(
      `  ${c.file}: ${c.decision}${c.reasons.length ? ` (${c.reasons.join(', ')})` : ''}, ${s(c.wallMs)}, ${kbMB(c.peakRssKb)}`,
    );
  const svc = d.service;
  console.log(
    `service: started in ${s(svc.startMs)}, RSS ${kbMB(svc.idleRssKb)} idle, peak ${kbMB(svc.examplesPeakRssKb)} after the examples, ${kbMB(svc.peakRssKb)} after the claims`,
  );
  console.log(
    `examples (delivery → assessed / → reply sent; decision vs examples/expected.jsonl): ${sum.examplesMatch} of ${svc.examples.length} as expected`,
  );
  for (const e of svc.examples)
    console.log(
      `  ${e.file}: ${s(e.assessedMs)} / ${s(e.ms)}, ${e.decision}${e.mismatches.length ? ` MISMATCH ${e.mismatches.join('; ')}` : ' as expected'}`,
    );
  const p = svc.pipeline;
  if (p) {
    console.log(
      `pipeline (${p.n} claims delivered at once → every one finished): ${s(p.ms)}, ${sum.claimsPerSecond} claims/s${p.error ? ` (${p.error}; the rate counts the ${p.finished} finished)` : ''}`,
    );
    console.log(
      `  outcomes: ${p.run.outcomes.map((o) => `${o.state}/${o.decision} ${o.n}`).join(', ')}; ${p.run.unsent} replies not sent`,
    );
    console.log(
      `  stored → assessed (${p.assess.length}): p50 ${sum.assess.p50} ms, p95 ${sum.assess.p95} ms, max ${sum.assess.max} ms`,
    );
    console.log(
      `  stored → reply sent (${p.run.latencies.length}): p50 ${sum.reply.p50} ms, p95 ${sum.reply.p95} ms, p99 ${sum.reply.p99} ms, max ${sum.reply.max} ms`,
    );
  }
  printProblems(svc.problems);
}

export function printRecordsReport(
  big: DataSetFigures,
  small: DataSetFigures,
  run: { format: string; n: number },
): void {
  printDataSet(big);
  printDataSet(small);
  const b = summary(big);
  const m = summary(small);
  const line = (name: string, x: string, y: string) =>
    console.log(`${name.padEnd(36)}${x.padStart(26)}${y.padStart(26)}`);
  console.log(`\n== summary (records as ${run.format}, ${run.n} claims) ==`);
  line(
    '',
    `big (${big.scale.accounts.toLocaleString('en')} accts)`,
    `small (${small.scale.accounts.toLocaleString('en')} accts)`,
  );
  line('rows imported', b.rows.toLocaleString('en'), m.rows.toLocaleString('en'));
  line('import wall time', s(b.importMs), s(m.importMs));
  line('import rows/s', b.importRate.toLocaleString('en'), m.importRate.toLocaleString('en'));
  line('import peak RSS', kbMB(b.importRss), kbMB(m.importRss));
  line('database size', MB(b.dbBytes), MB(m.dbBytes));
  line(
    'check --help median / peak RSS',
    `${s(b.help)} / ${kbMB(b.helpRss)}`,
    `${s(m.help)} / ${kbMB(m.helpRss)}`,
  );
  line(
    'check EMAIL median / peak RSS',
    `${s(b.check)} / ${kbMB(b.checkRss)}`,
    `${s(m.check)} / ${kbMB(m.checkRss)}`,
  );
  line('check minus --help', s(b.check - b.help), s(m.check - m.help));
  line('examples: first decision', s(b.firstDecision), s(m.firstDecision));
  line('examples: slowest reply', s(b.slowestExample), s(m.slowestExample));
  line(
    'examples as expected',
    `${b.examplesMatch}/${big.service.examples.length}`,
    `${m.examplesMatch}/${small.service.examples.length}`,
  );
  line('pipeline claims/s', String(b.claimsPerSecond), String(m.claimsPerSecond));
  line(
    'stored → assessed p50 / p95',
    `${b.assess.p50} / ${b.assess.p95} ms`,
    `${m.assess.p50} / ${m.assess.p95} ms`,
  );
  line(
    'stored → reply p50 / p95 / p99',
    `${b.reply.p50} / ${b.reply.p95} / ${b.reply.p99} ms`,
    `${m.reply.p50} / ${m.reply.p95} / ${m.reply.p99} ms`,
  );
  line('service peak RSS', kbMB(b.serviceRss), kbMB(m.serviceRss));
  console.log(
    `throughput big/small: ${(b.claimsPerSecond / m.claimsPerSecond).toFixed(3)} (${((1 - b.claimsPerSecond / m.claimsPerSecond) * 100).toFixed(1)}% lower with the big records)`,
  );
}
