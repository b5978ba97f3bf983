/**
 * Issue #11, "Sign-in and tokens": the sign-in limiter against the real console on a real
 * port and a real database. Client addresses come through X-Forwarded-For from loopback,
 * the trusted proxy, as behind a reverse proxy. A password check leaves exactly one row in
 * sign_in_attempts (reserved before the check), so those rows count the checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { runHousekeeping } from '../../src/ops/housekeeping.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type Answer, type LiveConsole, listenConsole } from './live-console.ts';
import { runUserAdd } from './web-harness.ts';

const ADMIN_PASSWORD = 'the admin passphrase';
const OWNER_PASSWORD = 'the owner passphrase';
let db: TestDatabase;
let web: LiveConsole;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  for (const [email, password] of [
    ['admin@example.com', ADMIN_PASSWORD],
    ['boss@example.com', ADMIN_PASSWORD],
    ['owner@example.com', OWNER_PASSWORD],
  ] as const) {
    const added = await runUserAdd(db.url, [email, '--role', 'admin'], `${password}\n`);
    expect(added.code, added.stderr).toBe(0);
  }
  web = await listenConsole(db.pool);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await db?.drop();
});

/** Password checks made for an account: one sign_in_attempts row each. */
async function passwordChecks(email: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM sign_in_attempts WHERE email = $1',
    [email],
  );
  return Number(rows[0]!.n);
}

/** Moves an address's sign-in history back in time: waiting, without a clock in the test. */
async function timePasses(address: string, seconds: number): Promise<void> {
  await db.pool.query(
    'UPDATE sign_in_attempts SET at = at - make_interval(secs => $2) WHERE ip = $1',
    [address, seconds],
  );
}

const retryAfter = (a: Answer) => Number(a.headers.get('retry-after'));

async function inSequence(n: number, attempt: (i: number) => Promise<Answer>) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await attempt(i)).status);
  return statuses;
}

describe('parallel guesses', () => {
  it('checks at most 5 of 30 parallel wrong passwords; the other 25 get 429 before any check', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        web.signIn('boss@example.com', `wrong guess ${i}`, '203.0.113.1'),
      ),
    );
    expect(await passwordChecks('boss@example.com')).toBe(5);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)]);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body).toEqual({
        error: { code: 'rate_limited', message: expect.any(String) },
      });
      expect(retryAfter(refused)).toBeGreaterThan(0);
    }
  });
});

describe('lockout keyed on account and address', () => {
  it('holds back the attacking address, even with the right password, and lets the admin in from another', async () => {
    const attacker = '203.0.113.2';
    const guesses = await inSequence(7, (i) =>
      web.signIn('admin@example.com', `guess ${i}`, attacker),
    );
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await web.signIn('admin@example.com', ADMIN_PASSWORD, attacker)).status).toBe(429);

    const admin = await web.signIn('admin@example.com', ADMIN_PASSWORD, '198.51.100.2');
    expect(admin.status).toBe(200);
    expect(admin.cookie).toMatch(/^ci_session=/);
  });

  it('makes the attacking address wait longer after each refused round, up to 15 minutes', async () => {
    const attacker = '203.0.113.3';
    const guess = () => web.signIn('growing@example.com', 'another guess', attacker);
    expect(await inSequence(5, guess)).toEqual([401, 401, 401, 401, 401]);
    const waits: number[] = [];
    for (let round = 0; round < 6; round++) {
      const refused = await guess();
      expect(refused.status).toBe(429);
      waits.push(retryAfter(refused));
      await timePasses(attacker, retryAfter(refused));
      // Once the wait is over, exactly one more guess is checked.
      expect((await guess()).status).toBe(401);
    }
    expect(waits[0]).toBeGreaterThanOrEqual(30);
    for (let i = 1; i < 4; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]!);
    expect(Math.max(...waits)).toBeLessThanOrEqual(15 * 60);
    expect(waits.at(-1)).toBe(Math.max(...waits));
  });

  it('slows an attack spread over many addresses, but always checks a clean address', async () => {
    const addresses = Array.from({ length: 25 }, (_, i) => `192.0.2.${i + 1}`);
    // The first guess from an address that never failed for this account is always checked.
    const first = await Promise.all(
      addresses.map((from) => web.signIn('owner@example.com', 'spread guess', from)),
    );
    expect(first.map((a) => a.status)).toEqual(addresses.map(() => 401));
    // Under attack (20+ failures across addresses), an address that failed once must wait.
    const second = await web.signIn('owner@example.com', 'spread guess 2', addresses[0]);
    expect(second.status).toBe(429);
    expect(retryAfter(second)).toBeGreaterThanOrEqual(30);
    // The owner, from an address of their own, gets in.
    const owner = await web.signIn('owner@example.com', OWNER_PASSWORD, '198.51.100.4');
    expect(owner.status).toBe(200);
  });

  it('counts an IPv6 client by its /64, so rotating addresses inside it gains nothing', async () => {
    const statuses = await inSequence(6, (i) =>
      web.signIn('v6@example.com', 'v6 guess', `2001:db8:1:2::${i + 1}`),
    );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await web.signIn('v6@example.com', 'v6 guess', '2001:db8:1:3::1')).status).toBe(401);
  });

  it('refuses an address that sprays 20 accounts, whichever account it tries next', async () => {
    const statuses = await inSequence(21, (i) =>
      web.signIn(`spray-${i}@example.com`, 'spray guess', '203.0.113.6'),
    );
    expect(statuses).toEqual([...Array(20).fill(401), 429]);
  });
});

describe('refused attempts', () => {
  async function rowCount(): Promise<number> {
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM sign_in_attempts) AS n',
    );
    // The counter table is new with the fix; before it, only the two tables above grow.
    const refusals = await db.pool.query<{ t: string | null }>(
      "SELECT to_regclass('sign_in_refusals')::text AS t",
    );
    const counted = refusals.rows[0]?.t
      ? Number((await db.pool.query('SELECT count(*) AS n FROM sign_in_refusals')).rows[0].n)
      : 0;
    return Number(rows[0]!.n) + counted;
  }

  it('are counted, not written row by row: 1,000 refusals add a handful of rows', async () => {
    // An attack already under way: an address that sprayed 30 accounts, and a pair that
    // failed 30 times, both held back for the longest wait (15 minutes).
    await db.pool.query(
      `INSERT INTO sign_in_attempts (email, ip, ok)
       SELECT 'sprayed-' || i || '@example.com', '203.0.113.8', false FROM generate_series(1, 30) i
       UNION ALL SELECT 'target@example.com', '203.0.113.9', false FROM generate_series(1, 30)`,
    );
    const before = await rowCount();
    const statuses: number[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          // Half try a fresh account each from the spraying address, half the held-back pair.
          i % 2 === 0
            ? web.signIn(`flood-${batch}-${i}@example.com`, 'flood', '203.0.113.8')
            : web.signIn('target@example.com', 'flood', '203.0.113.9'),
        ),
      );
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.filter((s) => s !== 429)).toEqual([]);
    // One audit entry and one counter row per (account or *, address, hour): at most two
    // keys here, and a second hour if the run crosses one.
    expect((await rowCount()) - before).toBeLessThanOrEqual(8);
    const { rows } = await db.pool.query<{ refused: string }>(
      `SELECT sum(refused) AS refused FROM sign_in_refusals WHERE ip IN ('203.0.113.8', '203.0.113.9')`,
    );
    expect(Number(rows[0]!.refused)).toBeGreaterThanOrEqual(1000);
  });

  it('are cleaned up by housekeeping with the old sign-in attempts', async () => {
    await db.pool.query("UPDATE sign_in_refusals SET window_start = now() - interval '2 days'");
    const outcome = await runHousekeeping(db.pool, createLogger('silent'), { retentionDays: 0 });
    expect(outcome.status).toBe('done');
    const { rows } = await db.pool.query('SELECT 1 FROM sign_in_refusals');
    expect(rows).toEqual([]);
  });
});
