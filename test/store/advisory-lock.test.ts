import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAdvisoryLock } from '../../src/store/advisory-lock.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/** A key of this file's own, so no other lock in the database is touched. */
const KEY = '7301';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 30_000);
afterAll(() => db?.drop());

/** True when the lock is free: another session can take it (and gives it back at once). */
async function lockIsFree(): Promise<boolean> {
  const other = new pg.Client({ connectionString: db.url });
  await other.connect();
  try {
    const { rows } = await other.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS ok',
      [KEY],
    );
    if (rows[0]?.ok) await other.query('SELECT pg_advisory_unlock($1::bigint)', [KEY]);
    return rows[0]?.ok === true;
  } finally {
    await other.end();
  }
}

describe('withAdvisoryLock', () => {
  it('runs the work while holding the lock, returns its value, and frees the lock after', async () => {
    let heldDuringRun: boolean | undefined;
    const run = await withAdvisoryLock(db.pool, KEY, async () => {
      heldDuringRun = !(await lockIsFree());
      return 42;
    });
    expect(run).toEqual({ acquired: true, value: 42 });
    expect(heldDuringRun).toBe(true);
    expect(await lockIsFree()).toBe(true);
  });

  it('skips the work while another session holds the lock', async () => {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::bigint)', [KEY]);
      let ran = false;
      const run = await withAdvisoryLock(db.pool, KEY, async () => {
        ran = true;
      });
      expect(run).toEqual({ acquired: false });
      expect(ran).toBe(false);
    } finally {
      await other.end();
    }
  });

  it('frees the lock and returns its connection to the pool when the work throws', async () => {
    await expect(
      withAdvisoryLock(db.pool, KEY, async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await lockIsFree()).toBe(true);
    expect(db.pool.idleCount).toBe(db.pool.totalCount);
  });
});
