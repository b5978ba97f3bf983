/**
 * `claim-intake import` streams: a few hundred thousand records, as JSON Lines and as one
 * JSON array, are imported by the real binary in a child process whose peak RSS
 * (getrusage's ru_maxrss, written at exit by test/support's preloaded hook) stays under the bound. The
 * same records held in memory, as import used to, took several times that.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { runMeasured } from '../support/measured-cli.ts';

const RECORDS = 300_000;
/** The bound for millions of records is 300 MB; this many must stay well under it. */
const PEAK_RSS_BOUND_MB = 250;

let db: TestDatabase;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-import-memory-'));
});
afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Writes RECORDS orders to `dir`/orders.{json,jsonl}, a line each, without holding them. */
async function generate(dir: string, format: 'json' | 'jsonl'): Promise<void> {
  mkdirSync(dir);
  const out = createWriteStream(join(dir, `orders.${format}`));
  if (format === 'json') out.write('[\n');
  for (let i = 0; i < RECORDS; i++) {
    const order = {
      id: `ORD-${format}-${String(i).padStart(8, '0')}`,
      account: `acct-${i % 50_000}`,
      product: 'ECS c7.large',
      billing: 'monthly',
      amount: `${(i % 9000) + 10}.00`,
      purchased_at: '2026-03-01T10:00:00+08:00',
      status: 'paid',
    };
    const sep = format === 'jsonl' ? '\n' : i + 1 < RECORDS ? ',\n' : '\n]\n';
    if (!out.write(JSON.stringify(order) + sep))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.end(() => resolve());
  });
}

describe('claim-intake import holds a batch, never the file', () => {
  for (const format of ['jsonl', 'json'] as const) {
    it(`imports ${RECORDS} orders as ${format} under ${PEAK_RSS_BOUND_MB} MB peak RSS`, async () => {
      const dir = join(tmp, format);
      await generate(dir, format);
      const r = await runMeasured(['import', dir], { env: { DATABASE_URL: db.url } });
      expect(r.code, r.stderr).toBe(0);
      const orders = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((c) => c.file === `orders.${format}`);
      expect(orders).toMatchObject({ records: RECORDS, inserted: RECORDS });
      expect(r.peakRssKb / 1024).toBeGreaterThan(0);
      expect(r.peakRssKb / 1024).toBeLessThan(PEAK_RSS_BOUND_MB);
      rmSync(dir, { recursive: true, force: true });
    }, 240_000);
  }
});
