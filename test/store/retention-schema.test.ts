import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.ts';
import { hasRetentionSchema } from '../../src/store/retention.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
}, 30_000);
afterEach(() => db?.drop());

describe('hasRetentionSchema', () => {
  it('is false on a database that was never migrated', async () => {
    expect(await hasRetentionSchema(db.pool)).toBe(false);
  });

  it('is false while the schema stops before 005_retention.sql', async () => {
    await db.pool.query(`CREATE TABLE schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await db.pool.query(
      `INSERT INTO schema_migrations (version, name) VALUES (4, '004_review.sql')`,
    );
    expect(await hasRetentionSchema(db.pool)).toBe(false);
  });

  it('is true once migrate has run', async () => {
    await migrate(db.pool);
    expect(await hasRetentionSchema(db.pool)).toBe(true);
  });
});
