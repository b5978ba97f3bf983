/** The migrator against a real PostgreSQL: complete, idempotent, safe when started many times at once. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/store/database.ts';
import { isMigrated, listMigrations, migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let concurrent: TestDatabase;
let scratch: TestDatabase;
let dir: string;

beforeAll(async () => {
  [db, concurrent, scratch] = await Promise.all([
    createTestDatabase(),
    createTestDatabase(),
    createTestDatabase(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'claim-intake-migrations-'));
});
afterAll(async () => {
  await Promise.all([db?.drop(), concurrent?.drop(), scratch?.drop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('migrate', () => {
  it('applies every migration file in order and records each in schema_migrations', async () => {
    const files = await listMigrations();
    expect(files.map((f) => f.name)).toContain('001_initial');
    expect(await isMigrated(db.pool)).toBe(false);

    const logs: Record<string, unknown>[] = [];
    const { applied } = await migrate(db.pool, (obj) => logs.push(obj));

    expect(applied).toEqual(files.map((f) => f.name));
    expect(await isMigrated(db.pool)).toBe(true);
    const { rows } = await db.pool.query(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual(files.map((f) => ({ version: f.version, name: f.name })));
    expect(logs.filter((l) => l.msg === 'migration applied')).toHaveLength(files.length);
  });

  it('applies nothing the second time', async () => {
    expect(await migrate(db.pool)).toEqual({ applied: [] });
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe((await listMigrations()).length);
  });

  it('applies each migration exactly once when five instances start at the same moment', async () => {
    const pools = Array.from({ length: 5 }, () => createPool(concurrent.url, { max: 1 }));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool)));
      const appliedEverywhere = results.flatMap((r) => r.applied);
      expect(appliedEverywhere.sort()).toEqual((await listMigrations()).map((f) => f.name).sort());
      const { rows } = await concurrent.pool.query(
        'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version',
      );
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('releases its advisory lock, so a later run on another session is not blocked', async () => {
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('a failing migration', () => {
  it('is rolled back whole, names its file, and keeps the migrations before it', async () => {
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE first_table (id int);');
    writeFileSync(
      join(dir, '002_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT no_such_function();',
    );
    await expect(migrate(scratch.pool, undefined, dir)).rejects.toMatchObject({
      code: 'migration_failed',
      message: expect.stringContaining('002_broken.sql'),
    });
    const { rows } = await scratch.pool.query(
      "SELECT name, to_regclass('half_done')::text AS half FROM schema_migrations",
    );
    expect(rows).toEqual([{ name: '001_first', half: null }]);
  });

  it('and a file not named NNN_name.sql is refused before anything runs', async () => {
    writeFileSync(join(dir, 'cleanup.sql'), 'DROP TABLE first_table;');
    await expect(migrate(scratch.pool, undefined, dir)).rejects.toMatchObject({
      code: 'migration_failed',
      message: expect.stringContaining('cleanup.sql'),
    });
    const { rows } = await scratch.pool.query("SELECT to_regclass('first_table')::text AS t");
    expect(rows[0].t).toBe('first_table');
  });
});

describe('the audit log is append-only', () => {
  it('accepts new rows', async () => {
    const { rowCount } = await db.pool.query(
      "INSERT INTO audit_log (actor, action, details) VALUES ('system:test', 'test.appended', '{}')",
    );
    expect(rowCount).toBe(1);
  });

  it('rejects UPDATE, DELETE and TRUNCATE', async () => {
    const rejects = (sql: string) =>
      expect(db.pool.query(sql)).rejects.toMatchObject({
        code: 'P0001',
        message: 'audit_log is append-only',
      });
    await rejects("UPDATE audit_log SET action = 'test.rewritten'");
    await rejects('DELETE FROM audit_log');
    await rejects('TRUNCATE audit_log');
    const { rows } = await db.pool.query('SELECT action FROM audit_log');
    expect(rows).toEqual([{ action: 'test.appended' }]);
  });
});
