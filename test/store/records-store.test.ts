/** Importing platform records into a real PostgreSQL and reading them back. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Records } from '../../src/domain/records.ts';
import { loadRecordsDir } from '../../src/files/load.ts';
import { createPool } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import {
  derivedRefundId,
  type ImportCount,
  importRecordsDir,
  loadRecordsFromDb,
} from '../../src/store/records-store.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const EXAMPLES = join(REPO_ROOT, 'examples/records');
let db: TestDatabase;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-records-'));
});
afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A copy of the example records with some files replaced. */
function recordsWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmp, 'records-'));
  cpSync(EXAMPLES, dir, { recursive: true });
  for (const [file, json] of Object.entries(files))
    writeFileSync(join(dir, file), JSON.stringify(json));
  return dir;
}

function example(file: string): Record<string, unknown>[] {
  return JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'));
}

function countOf(counts: ImportCount[], file: string): ImportCount {
  return counts.find((c) => c.file === file)!;
}

async function rowCount(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

/** Each list in a canonical order: the database returns rows by key, a directory by position. */
function canonical(records: Records): Records {
  const sorted = { ...records };
  for (const kind of Object.keys(sorted) as (keyof Records)[]) {
    (sorted[kind] as unknown[]) = [...sorted[kind]].sort((a, b) =>
      JSON.stringify(a) < JSON.stringify(b) ? -1 : 1,
    );
  }
  return sorted;
}

describe('importing a records directory', () => {
  it('inserts every record of the examples', async () => {
    const counts = await importRecordsDir(db.pool, EXAMPLES);
    expect(countOf(counts, 'accounts.json')).toMatchObject({ records: 2, inserted: 2, updated: 0 });
    expect(countOf(counts, 'incidents.json')).toMatchObject({ records: 3, inserted: 3 });
    expect(countOf(counts, 'icp_filings.json')).toMatchObject({ records: 1, inserted: 1 });
    expect(countOf(counts, 'refunds.json')).toMatchObject({ records: 0, inserted: 0 });
    expect(await rowCount(db.pool, 'incidents')).toBe(3);
    const { rows } = await db.pool.query("SELECT data FROM accounts WHERE id = 'demo-shop'");
    expect(rows[0].data).toEqual(example('accounts.json')[0]);
  });

  it('reads back from the database the same records as the directory loader', async () => {
    const fromDb = await loadRecordsFromDb(db.pool);
    expect(canonical(fromDb)).toEqual(canonical(await loadRecordsDir(EXAMPLES)));
  });

  it('is idempotent: importing again changes nothing and adds no rows', async () => {
    const before = await db.pool.query('SELECT id, imported_at FROM incidents ORDER BY id');
    const counts = await importRecordsDir(db.pool, EXAMPLES);
    for (const c of counts) {
      expect(c).toMatchObject({ inserted: 0, updated: 0, unchanged: c.records });
    }
    expect(await rowCount(db.pool, 'accounts')).toBe(2);
    expect(await rowCount(db.pool, 'incidents')).toBe(3);
    const after = await db.pool.query('SELECT id, imported_at FROM incidents ORDER BY id');
    expect(after.rows).toEqual(before.rows);
  });

  it('updates a record whose data changed, and only that one', async () => {
    const accounts = example('accounts.json');
    accounts[0] = { ...accounts[0], vip: true };
    const counts = await importRecordsDir(db.pool, recordsWith({ 'accounts.json': accounts }));
    expect(countOf(counts, 'accounts.json')).toMatchObject({
      records: 2,
      inserted: 0,
      updated: 1,
      unchanged: 1,
    });
    const records = await loadRecordsFromDb(db.pool);
    expect(records.accounts.find((a) => a.id === 'demo-shop')?.vip).toBe(true);
  });

  it('writes nothing when any file holds an invalid record, naming file, index and field', async () => {
    const incidents = example('incidents.json');
    incidents[0] = { ...incidents[0], end: '2026-03-02T11:30:00+08:00' };
    const orders = example('orders.json');
    orders[1] = { ...orders[1], amount: 'twelve' };
    const dir = recordsWith({ 'incidents.json': incidents, 'orders.json': orders });

    await expect(importRecordsDir(db.pool, dir)).rejects.toMatchObject({
      code: 'invalid_input',
      file: join(dir, 'orders.json'),
      field: '[1].amount',
    });
    const { rows } = await db.pool.query(
      "SELECT data->>'end' AS end FROM incidents WHERE id = 'INC-9001'",
    );
    expect(rows[0].end).toBe('2026-03-02T10:30:00+08:00');
  });

  it('rejects two records with the same key, naming the second and the first', async () => {
    const resources = example('resources.json');
    const dir = recordsWith({ 'resources.json': [...resources, { ...resources[0], host: false }] });
    await expect(importRecordsDir(db.pool, dir)).rejects.toMatchObject({
      code: 'invalid_input',
      field: '[2].id',
      message: expect.stringContaining('repeats record [0]'),
    });
  });

  it('rejects a record PostgreSQL cannot store (U+0000) before writing anything', async () => {
    const orders = example('orders.json');
    orders[0] = { ...orders[0], product: 'ECS\u0000large' };
    await expect(
      importRecordsDir(db.pool, recordsWith({ 'orders.json': orders })),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      field: '[0]',
    });
  });

  it('keys a past refund request without an id by its account, time and orders', async () => {
    const refunds = [
      { account: 'demo-shop', at: '2026-03-01T10:00:00+08:00', orders: ['CS2603020001'] },
      { id: 'R-1', account: 'demo-shop', at: '2026-03-01T11:00:00+08:00', orders: [] },
    ];
    const dir = recordsWith({ 'refunds.json': refunds });
    const first = await importRecordsDir(db.pool, dir);
    const second = await importRecordsDir(db.pool, dir);
    expect(countOf(first, 'refunds.json')).toMatchObject({ inserted: 2 });
    expect(countOf(second, 'refunds.json')).toMatchObject({ inserted: 0, unchanged: 2 });
    const { rows } = await db.pool.query('SELECT id FROM refund_requests ORDER BY id');
    const derived = derivedRefundId({
      account: 'demo-shop',
      at: Date.parse('2026-03-01T02:00:00Z'),
      orders: ['CS2603020001'],
    });
    expect(rows.map((r) => r.id).sort()).toEqual(['R-1', derived].sort());
    const stored = await loadRecordsFromDb(db.pool);
    expect(stored.refunds).toHaveLength(2);
  });

  it('imports 20,000 incidents with batched statements, not one per row', async () => {
    const incidents = Array.from({ length: 20_000 }, (_, i) => ({
      id: `GEN-${String(i).padStart(5, '0')}`,
      start: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      end: new Date(Date.UTC(2026, 0, 1) + i * 60_000 + 300_000).toISOString(),
      cause: 'platform',
      scenario: i % 2 ? 'other' : 'unavailable',
      scope: [{ service: 'ECS', region: `cn-north-${i % 4}` }],
    }));
    const dir = recordsWith({ 'incidents.json': incidents });
    // A pool of its own whose clients count statements: the fast path is the point here.
    const pool = createPool(db.url, { max: 1 });
    let statements = 0;
    pool.on('acquire', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        statements++;
        return query(...args);
      };
    });
    try {
      const counts = await importRecordsDir(pool, dir);
      expect(countOf(counts, 'incidents.json')).toMatchObject({
        records: 20_000,
        inserted: 20_000,
      });
      expect(statements).toBeGreaterThan(0);
      expect(statements).toBeLessThan(50);
    } finally {
      await pool.end();
    }
    expect(await rowCount(db.pool, 'incidents')).toBe(20_003);
    // A large write refreshes the table's planner statistics at once (ANALYZE), so the next
    // claim's look-ups use their indexes; the accounts, barely touched, are left to autovacuum.
    const stats = await db.pool.query<{ relname: string; reltuples: number }>(
      "SELECT relname, reltuples FROM pg_class WHERE relname IN ('incidents', 'accounts') ORDER BY relname",
    );
    expect(stats.rows).toEqual([
      { relname: 'accounts', reltuples: -1 },
      { relname: 'incidents', reltuples: 20_003 },
    ]);
    const { rows } = await db.pool.query("SELECT starts_at FROM incidents WHERE id = 'GEN-00001'");
    expect(rows[0].starts_at.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect((await loadRecordsFromDb(db.pool)).incidents).toHaveLength(20_003);
  });
});

describe('reading records from the database', () => {
  it('validates every stored record and names the table in errors', async () => {
    await db.pool.query(
      `UPDATE accounts SET data = data || '{"currency":"XYZ"}' WHERE id = 'star-vip'`,
    );
    await expect(loadRecordsFromDb(db.pool)).rejects.toMatchObject({
      code: 'invalid_input',
      file: 'database:accounts',
      field: '[1].currency',
    });
  });
});
