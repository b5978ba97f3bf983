/** The progress line `import` draws on a terminal. */
import { describe, expect, it } from 'vitest';
import { ImportProgress } from '../../src/cli/import-progress.ts';

function drawn() {
  let now = 0;
  const out: string[] = [];
  const progress = new ImportProgress(
    (text) => out.push(text),
    () => now,
  );
  return { progress, out, at: (ms: number) => (now = ms) };
}

describe('the import progress line', () => {
  it('redraws in place with records and records/s, at most every 200 ms', () => {
    const { progress, out, at } = drawn();
    at(1000);
    progress.update({ file: 'orders.jsonl', records: 50_000, phase: 'reading' });
    at(1100);
    progress.update({ file: 'orders.jsonl', records: 55_000, phase: 'reading' });
    at(2000);
    progress.update({ file: 'orders.jsonl', records: 100_000, phase: 'reading' });
    expect(out).toEqual([
      '\r\x1b[Korders.jsonl: 50,000 records, 50,000 records/s',
      '\r\x1b[Korders.jsonl: 100,000 records, 50,000 records/s',
    ]);
  });

  it('ends each file with a line of its own giving the rate, and times the next file from there', () => {
    const { progress, out, at } = drawn();
    at(2000);
    progress.update({ file: 'orders.jsonl', records: 100_000, phase: 'merging' });
    at(4000);
    progress.update({ file: 'orders.jsonl', records: 100_000, phase: 'done' });
    progress.update({ file: 'refunds.json', records: 0, phase: 'done' });
    at(5000);
    progress.update({ file: 'icp_filings.json', records: 10, phase: 'done' });
    expect(out).toEqual([
      '\r\x1b[Korders.jsonl: 100,000 records read; merging',
      '\r\x1b[Korders.jsonl: 100,000 records in 4.0 s, 25,000 records/s\n',
      '\r\x1b[Krefunds.json: 0 records\n',
      '\r\x1b[Kicp_filings.json: 10 records in 1.0 s, 10 records/s\n',
    ]);
  });
});
