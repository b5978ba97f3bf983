/**
 * Streaming import into a real PostgreSQL: JSON arrays and JSON Lines, the lines errors
 * name, all or nothing across files, and the derived columns for awkward strings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadRecordsDir } from '../../src/files/load.ts';
import { createPool } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { type ImportCount, importRecordsDir } from '../../src/store/records-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-import-'));
});
afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  await db.pool.query(
    'TRUNCATE accounts, resources, incidents, orders, refund_requests, past_compensations, icp_filings',
  );
});

const account = (id: string, emails: string[] = [`it@${id}.test`]) => ({
  id,
  emails,
  vip: false,
  currency: 'CNY',
  accumulated_recharge: '100.00',
  icp_rewarded: false,
});
const order = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  account: 'demo-shop',
  product: 'ECS',
  billing: 'monthly',
  amount: '300.00',
  purchased_at: '2026-03-01T10:00:00+08:00',
  status: 'paid',
  ...extra,
});
const jsonl = (records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** A records directory holding exactly `files` (name → text). */
function dirWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmp, 'records-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const countOf = (counts: ImportCount[], file: string) => counts.find((c) => c.file === file)!;

async function failure(dir: string) {
  return importRecordsDir(db.pool, dir).then(
    () => expect.unreachable('the import should fail'),
    (e: unknown) => e as Error & { field: string; line?: number },
  );
}

async function ids(table: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`);
  return rows.map((r) => r.id);
}

describe('importing JSON Lines and JSON arrays', () => {
  it('imports both forms alike, and a second import of the same lines changes nothing', async () => {
    const dir = dirWith({
      'accounts.json': JSON.stringify([account('a1'), account('a2')], null, 2),
      'orders.jsonl': `${jsonl([order('O1'), order('O2')])}\n\n${jsonl([order('O3')])}`,
    });
    const first = await importRecordsDir(db.pool, dir);
    expect(first.map((c) => c.file)).toEqual([
      'accounts.json',
      'resources.json',
      'incidents.json',
      'orders.jsonl',
      'refunds.json',
      'compensations.json',
      'icp_filings.json',
    ]);
    expect(countOf(first, 'accounts.json')).toMatchObject({ records: 2, inserted: 2 });
    expect(countOf(first, 'orders.jsonl')).toMatchObject({ records: 3, inserted: 3, updated: 0 });
    const again = await importRecordsDir(db.pool, dir);
    for (const c of again)
      expect(c).toMatchObject({ inserted: 0, updated: 0, unchanged: c.records });
    expect(await ids('orders')).toEqual(['O1', 'O2', 'O3']);
    const { rows } = await db.pool.query("SELECT data FROM orders WHERE id = 'O2'");
    expect(rows[0].data).toEqual(order('O2'));
  });

  it('accepts a byte order mark in either form, and empty files as empty lists', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const dir = dirWith({
      'accounts.jsonl': Buffer.concat([bom, Buffer.from(jsonl([account('a1')]))]),
      'orders.json': Buffer.concat([bom, Buffer.from(JSON.stringify([order('O1')]))]),
      'resources.json': '',
      'incidents.jsonl': '\n\n',
      'refunds.json': '[]',
    });
    const counts = await importRecordsDir(db.pool, dir);
    expect(countOf(counts, 'accounts.jsonl')).toMatchObject({ records: 1, inserted: 1 });
    expect(countOf(counts, 'orders.json')).toMatchObject({ records: 1, inserted: 1 });
    for (const file of ['resources.json', 'incidents.jsonl', 'refunds.json'])
      expect(countOf(counts, file)).toMatchObject({ records: 0, inserted: 0 });
  });

  it('loads a small directory in memory from either form too (check --records)', async () => {
    const dir = dirWith({
      'accounts.json': JSON.stringify([account('a1')]),
      'orders.jsonl': jsonl([order('O1'), order('O2')]),
    });
    const records = await loadRecordsDir(dir);
    expect(records.accounts.map((a) => a.id)).toEqual(['a1']);
    expect(records.orders.map((o) => [o.id, o.purchasedAt])).toEqual([
      ['O1', Date.parse('2026-03-01T02:00:00Z')],
      ['O2', Date.parse('2026-03-01T02:00:00Z')],
    ]);
    await expect(
      loadRecordsDir(dirWith({ 'orders.jsonl': `${jsonl([order('O1')])}{"id": 1}\n` })),
    ).rejects.toThrow('orders.jsonl: line 2: [1].id: must be a non-empty string');
  });

  it('refuses a directory holding orders.json and orders.jsonl, naming both', async () => {
    const dir = dirWith({ 'orders.json': '[]', 'orders.jsonl': '' });
    const e = await failure(dir);
    expect(e.message).toBe(
      `${join(dir, 'orders.json')}: (file): both orders.json and orders.jsonl exist; keep one of them`,
    );
  });
});

describe('errors name the file, the line, the record and the field', () => {
  it('for an invalid record in JSON Lines, and nothing from any file is written', async () => {
    const lines = [order('O0'), order('O1'), order('O2'), order('O3'), order('O4'), order('O5')];
    const dir = dirWith({
      'accounts.jsonl': jsonl([account('new-account')]),
      'orders.jsonl': `${jsonl(lines)}${JSON.stringify(order('O6', { amount: 'x' }))}\n`,
    });
    const e = await failure(dir);
    expect(e.message).toBe(
      `${join(dir, 'orders.jsonl')}: line 7: [6].amount: must be a non-negative decimal string, got "x"`,
    );
    expect(await ids('accounts')).toEqual([]);
    expect(await ids('orders')).toEqual([]);
  });

  it('for a JSON syntax error, with the column', async () => {
    const text = JSON.stringify([order('O1'), order('O2')], null, 2).replace(
      '"paid"\n  }',
      '"paid",\n  }',
    );
    const dir = dirWith({ 'accounts.json': JSON.stringify([account('a1')]), 'orders.json': text });
    const e = await failure(dir);
    expect(e.message).toBe(
      `${join(dir, 'orders.json')}: line 10, column 3: (json): not valid JSON: unexpected "}"`,
    );
    expect(await ids('accounts')).toEqual([]);
  });

  it('for a repeated key: both records, and the line of the later one', async () => {
    const dir = dirWith({
      'orders.jsonl': jsonl([order('O1'), order('O2'), order('O3'), order('O2', { amount: '1' })]),
      // Keys compare as stored: the same instant written in two offsets is the same filing.
      'icp_filings.json': JSON.stringify([
        {
          account: 'a',
          submitted_at: '2026-03-01T10:00:00+08:00',
          first_time: true,
          status: 'pending',
        },
        {
          account: 'a',
          submitted_at: '2026-03-01T02:00:00Z',
          first_time: true,
          status: 'approved',
        },
      ]),
    });
    const e = await failure(dir);
    expect(e.message).toBe(
      `${join(dir, 'orders.jsonl')}: line 4: [3].id: repeats record [1] (same id)`,
    );
    writeFileSync(join(dir, 'orders.jsonl'), jsonl([order('O1')]));
    const filing = await failure(dir);
    expect(filing.message).toMatch(
      /icp_filings\.json: line 1: \[1\]\.submitted_at: repeats record \[0\] \(same account and submitted_at\)$/,
    );
    expect(await ids('orders')).toEqual([]);
  });

  it('for a record PostgreSQL cannot store (U+0000)', async () => {
    const dir = dirWith({
      'orders.jsonl': jsonl([order('O1'), order('O2', { product: 'ECS\u0000large' })]),
    });
    const e = await failure(dir);
    expect(e.message).toMatch(/orders\.jsonl: line 2: \[1\]: contains U\+0000/);
  });

  it('leaves the connection usable after a failed import', async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      const bad = dirWith({ 'orders.jsonl': jsonl([order('O1'), order('O1')]) });
      await expect(importRecordsDir(pool, bad)).rejects.toThrow('repeats record [0]');
      const syntax = dirWith({ 'orders.jsonl': `${jsonl([order('O1')])}{"id":\n` });
      await expect(importRecordsDir(pool, syntax)).rejects.toThrow('line 2');
      const good = dirWith({ 'orders.jsonl': jsonl([order('O1')]) });
      const counts = await importRecordsDir(pool, good);
      expect(countOf(counts, 'orders.jsonl')).toMatchObject({ inserted: 1 });
    } finally {
      await pool.end();
    }
  });
});

describe('derived columns', () => {
  // Every character an array literal or COPY treats specially, and some that are merely rare.
  const AWKWARD = [
    'a,b',
    'say "hi"',
    'back\\slash',
    '{braces}',
    'tab\there',
    'new\nline',
    'NULL',
    'ünïcødé 中文 😀',
    "it's",
    '\\N',
  ];

  it('are filled exactly for ids, contacts and references holding awkward characters', async () => {
    const emails = AWKWARD.map((s, i) => `${s}-${i}@Example.TEST`);
    const dir = dirWith({
      'accounts.jsonl': jsonl(AWKWARD.map((id) => account(id, emails))),
      'resources.json': JSON.stringify(
        AWKWARD.map((s, i) => ({
          id: `R ${s}`,
          account: AWKWARD[(i + 1) % AWKWARD.length],
          service: 'ECS',
          region: 'cn-north-4',
          billing: 'monthly',
          daily_fee: '1.00',
        })),
      ),
      'incidents.jsonl': jsonl([
        {
          id: 'INC {1}, "x"',
          start: '2026-03-02T10:00:00+08:00',
          end: '2026-03-02T11:00:00+08:00',
          cause: 'platform',
          scenario: 'unavailable',
          resources: AWKWARD.map((s) => `R ${s}`),
          scope: AWKWARD.map((s) => ({ service: s, region: `r ${s}` })),
        },
      ]),
      'orders.jsonl': jsonl(AWKWARD.map((s) => order(`O ${s}`, { account: s }))),
      'refunds.json': JSON.stringify([
        { id: 'R,1', account: 'a,b', at: '2026-03-01T10:00:00+08:00', orders: AWKWARD },
      ]),
    });
    await importRecordsDir(db.pool, dir);

    const accounts = await db.pool.query<{ id: string; emails: string[]; same: boolean }>(
      `SELECT id, emails,
              emails = ARRAY(SELECT lower(btrim(e)) FROM jsonb_array_elements_text(data -> 'emails') e) AS same
         FROM accounts`,
    );
    expect(accounts.rows.map((r) => r.id).sort()).toEqual([...AWKWARD].sort());
    for (const r of accounts.rows) {
      expect(r.emails).toEqual(emails.map((e) => e.toLowerCase()));
      expect(r.same).toBe(true);
    }
    const resources = await db.pool.query<{ id: string; account: string }>(
      'SELECT id, account FROM resources',
    );
    for (const r of resources.rows) {
      const i = AWKWARD.indexOf(r.id.slice(2));
      expect(r.account).toBe(AWKWARD[(i + 1) % AWKWARD.length]);
    }
    const incident = await db.pool.query<{ resources: string[]; scopes: string[]; ends: Date }>(
      'SELECT resources, scopes, ends_at AS ends FROM incidents',
    );
    expect(incident.rows[0]!.resources).toEqual(AWKWARD.map((s) => `R ${s}`));
    expect(incident.rows[0]!.scopes).toEqual(AWKWARD.map((s) => `${s}\u001fr ${s}`));
    expect(incident.rows[0]!.ends.toISOString()).toBe('2026-03-02T03:00:00.000Z');
    const orders = await db.pool.query<{ id: string; account: string }>(
      'SELECT id, account FROM orders',
    );
    for (const r of orders.rows) expect(r.id).toBe(`O ${r.account}`);
    expect(orders.rows).toHaveLength(AWKWARD.length);
    const refunds = await db.pool.query<{ orders: string[] }>('SELECT orders FROM refund_requests');
    expect(refunds.rows[0]!.orders).toEqual(AWKWARD.map((s) => s.toLowerCase()));
  });
});
