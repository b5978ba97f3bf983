/**
 * The database commands through the real binary: migrate, import, and check reading its
 * records from DATABASE_URL instead of --records.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const EXAMPLES = join(REPO_ROOT, 'examples');
const UNREACHABLE = 'postgres://127.0.0.1:1/claim_intake';
let db: TestDatabase;
let fresh: TestDatabase;
let tmp: string;

beforeAll(async () => {
  [db, fresh] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-db-cli-'));
});
afterAll(async () => {
  await Promise.all([db?.drop(), fresh?.drop()]);
  rmSync(tmp, { recursive: true, force: true });
});

const withDb = (url: string) => ({ env: { DATABASE_URL: url } });

describe('claim-intake migrate', () => {
  it('applies the migrations and says which, as one JSON line', async () => {
    const r = await runCli(['migrate'], withDb(db.url));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ applied: expect.arrayContaining(['001_initial']) }]);
  });

  it('applies nothing the second time', async () => {
    const r = await runCli(['migrate'], withDb(db.url));
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ applied: [] }]);
  });
});

describe('claim-intake import', () => {
  it('prints the counts per file, then unchanged counts when run again', async () => {
    const first = await runCli(['import', join(EXAMPLES, 'records')], withDb(db.url));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = jsonLines(first.stdout);
    expect(lines.map((l) => l.file)).toEqual([
      'accounts.json',
      'resources.json',
      'incidents.json',
      'orders.json',
      'refunds.json',
      'compensations.json',
      'icp_filings.json',
    ]);
    expect(lines[2]).toEqual({
      file: 'incidents.json',
      records: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
    });

    const again = await runCli(['import', join(EXAMPLES, 'records')], withDb(db.url));
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout)[2]).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
  });

  it('creates the schema first on a database never migrated', async () => {
    const r = await runCli(['import', join(EXAMPLES, 'records')], withDb(fresh.url));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('001_initial');
    expect(jsonLines(r.stdout)[0]).toMatchObject({ file: 'accounts.json', inserted: 2 });
  });

  it('exits 2 naming file, index and field for an invalid record, and writes nothing', async () => {
    const records = mkdtempSync(join(tmp, 'records-'));
    cpSync(join(EXAMPLES, 'records'), records, { recursive: true });
    const accounts = JSON.parse(readFileSync(join(records, 'accounts.json'), 'utf8'));
    accounts.push({ id: 'new-account', emails: [], currency: 'CNY' });
    writeFileSync(join(records, 'accounts.json'), JSON.stringify(accounts));
    const incidents = JSON.parse(readFileSync(join(records, 'incidents.json'), 'utf8'));
    incidents[1].start = 'yesterday';
    writeFileSync(join(records, 'incidents.json'), JSON.stringify(incidents));

    const r = await runCli(['import', records], withDb(db.url));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('incidents.json: line 1: [1].start: must be an ISO 8601 time');
    const { rows } = await db.pool.query("SELECT id FROM accounts WHERE id = 'new-account'");
    expect(rows).toEqual([]);
  });

  it('exits 2 without a directory', async () => {
    const r = await runCli(['import'], withDb(db.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('import DIR');
  });
});

describe('claim-intake check without --records reads the database', () => {
  const expected = readFileSync(join(EXAMPLES, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { file: string; received: string; expect: object })
    .filter((c) => c.received === '2026-03-04T09:00:00+08:00');

  it('decides the examples received at 2026-03-04T09:00:00+08:00 as expected', async () => {
    expect(expected.length).toBeGreaterThan(0);
    const files = expected.map((c) => c.file);
    const r = await runCli(
      [
        'check',
        ...files,
        '--policy',
        'policy.json',
        '--calendar',
        'calendar.json',
        '--received',
        '2026-03-04T09:00:00+08:00',
      ],
      { cwd: EXAMPLES, ...withDb(db.url) },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.file)).toEqual(files);
    expected.forEach((c, i) => {
      expect(lines[i]).toMatchObject({ file: c.file, ...c.expect });
    });
  });

  it('exits 2 naming DATABASE_URL when the database has no schema', async () => {
    const empty = await createTestDatabase();
    try {
      const r = await runCli(
        ['check', join(EXAMPLES, 'emails/compensation-approved.eml')],
        withDb(empty.url),
      );
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('DATABASE_URL');
      expect(r.stderr).toContain('claim-intake migrate');
    } finally {
      await empty.drop();
    }
  });
});

describe('an unreachable DATABASE_URL ends each command with one line naming it', () => {
  const cases = [
    { args: ['migrate'], code: 1 },
    { args: ['import', join(EXAMPLES, 'records')], code: 1 },
    { args: ['check', join(EXAMPLES, 'emails/compensation-approved.eml')], code: 2 },
  ];
  for (const { args, code } of cases) {
    it(`${args[0]} exits ${code}`, async () => {
      const r = await runCli(args, withDb(UNREACHABLE));
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`DATABASE_URL (${UNREACHABLE})`);
      expect(r.stderr).toContain('cannot connect');
    });
  }

  it('and the password in DATABASE_URL is never printed', async () => {
    const r = await runCli(['migrate'], withDb('postgres://app:hunter2@127.0.0.1:1/claim_intake'));
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('hunter2');
  });
});
