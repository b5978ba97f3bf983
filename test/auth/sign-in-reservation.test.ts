/**
 * Reserving password checks (auth/sign-in-reservation.ts) against a real database: the
 * limits hold for attempts that arrive together, and a refusal is counted, not logged, after
 * the first. Through HTTP, with real password checks: test/web/sign-in-limits.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS } from '../../src/auth/sign-in-limits.ts';
import { type AttemptKey, markCheckOk, reserveCheck } from '../../src/auth/sign-in-reservation.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

const key = (email: string, ip: string): AttemptKey => ({ email, address: ip, ip });

describe('reserving password checks', () => {
  it('grants 5 of 30 parallel attempts of one pair, and refuses the rest with a wait', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => reserveCheck(db.pool, key('ann@example.com', '192.0.2.1'))),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(SIGN_IN_LIMITS.pairFree);
    for (const r of results.filter((r) => !r.granted))
      expect(r).toMatchObject({ gate: 'pair', waitMs: expect.any(Number) });
  });

  it('audits the first refusal of an hour and counts the others in one row', async () => {
    const { rows: audits } = await db.pool.query(
      "SELECT 1 FROM audit_log WHERE action = 'auth.sign_in_failed' AND details->>'ip' = '192.0.2.1'",
    );
    expect(audits).toHaveLength(1);
    const { rows } = await db.pool.query<{ refused: string }>(
      "SELECT refused FROM sign_in_refusals WHERE ip = '192.0.2.1'",
    );
    expect(rows.map((r) => Number(r.refused))).toEqual([25]);
  });

  it('forgets a pair’s failures once it succeeds', async () => {
    const k = key('bob@example.com', '192.0.2.2');
    for (let i = 0; i < SIGN_IN_LIMITS.pairFree - 1; i++)
      expect((await reserveCheck(db.pool, k)).granted).toBe(true);
    const last = await reserveCheck(db.pool, k);
    if (!last.granted) throw new Error('the 5th check was refused');
    await markCheckOk(db.pool, last.attemptId);
    expect((await reserveCheck(db.pool, k)).granted).toBe(true);
  });
});
