/**
 * `claim-intake import` streams: a few hundred thousand records, as JSON Lines and as one
 * JSON array, are imported by the real binary in a child process whose peak RSS
 * (getrusage's ru_maxrss, written at exit by a preloaded hook) stays under the bound. The
 * same records held in memory, as import used to, took several times that.
 */
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const RECORDS = 300_000;
/** The bound for millions of records is 300 MB; this many must stay well under it. */
const PEAK_RSS_BOUND_MB = 250;

let db: TestDatabase;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-import-memory-'));
  // Written here, not kept in the repository: it only reports this test's child.
  writeFileSync(
    join(tmp, 'peak-rss.mjs'),
    `import { writeFileSync } from 'node:fs';
     const file = process.env.PEAK_RSS_OUT;
     process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));`,
  );
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

function importMeasured(
  dir: string,
): Promise<{ code: number | null; stdout: string; stderr: string; peakMb: number }> {
  const peakFile = join(tmp, 'peak');
  const hook = pathToFileURL(join(tmp, 'peak-rss.mjs')).href;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', hook, BIN, 'import', dir], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: db.url, PEAK_RSS_OUT: peakFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const peakMb = Number(readFileSync(peakFile, 'utf8')) / 1024;
      done({ code, stdout, stderr, peakMb });
    });
  });
}

describe('claim-intake import holds a batch, never the file', () => {
  for (const format of ['jsonl', 'json'] as const) {
    it(`imports ${RECORDS} orders as ${format} under ${PEAK_RSS_BOUND_MB} MB peak RSS`, async () => {
      const dir = join(tmp, format);
      await generate(dir, format);
      const r = await importMeasured(dir);
      expect(r.code, r.stderr).toBe(0);
      const orders = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((c) => c.file === `orders.${format}`);
      expect(orders).toMatchObject({ records: RECORDS, inserted: RECORDS });
      expect(r.peakMb).toBeGreaterThan(0);
      expect(r.peakMb).toBeLessThan(PEAK_RSS_BOUND_MB);
      rmSync(dir, { recursive: true, force: true });
    }, 240_000);
  }
});
