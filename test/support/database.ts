/**
 * A fresh PostgreSQL database per test file, so files run in parallel without seeing each
 * other's rows. The server is the local one (127.0.0.1:5432, user postgres) unless
 * TEST_PG_URL names another: any database URL on that server with rights to create databases.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { createPool } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';

export const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  /** DATABASE_URL of the new database. */
  url: string;
  /** A pool on it, ended by drop(). */
  pool: pg.Pool;
  /** Ends the pool, terminates other sessions and drops the database; safe to call twice. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `claim_intake_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString());
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    pool,
    drop() {
      dropped ??= (async () => {
        await pool.end();
        await admin(async (c) => {
          // A CLI child killed mid-run may still hold a session; DROP refuses while one does.
          await c.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [name],
          );
          await c.query(`DROP DATABASE IF EXISTS ${name}`);
        });
      })();
      return dropped;
    },
  };
}

/**
 * A fresh, migrated database for each test of the file, dropped after it: `const db =
 * freshDatabasePerTest();` at the top of the file, then `db().pool` inside a test.
 */
export function freshDatabasePerTest(): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeEach(async () => {
    db = await createTestDatabase();
    await migrate(db.pool);
  }, 30_000);
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });
  return () => {
    if (!db) throw new Error('the test database exists only while a test runs');
    return db;
  };
}
