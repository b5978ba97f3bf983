/**
 * Password hashes (issue #11): scrypt with N = 2^17 for new hashes, older hashes still
 * verified and upgraded at the next sign-in, stored parameters bounded, and never more than
 * two derivations (128 MiB each) at once in a process.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_WORK } from '../../src/auth/password.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type LiveConsole, listenConsole, sessionHeaders } from './live-console.ts';
import { runUserAdd } from './web-harness.ts';

const PASSWORD = 'an admin passphrase';
let db: TestDatabase;
let web: LiveConsole;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  const added = await runUserAdd(db.url, ['admin@example.com', '--role', 'admin'], `${PASSWORD}\n`);
  expect(added.code, added.stderr).toBe(0);
  web = await listenConsole(db.pool);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await db?.drop();
});

/** A stored hash in the format of an earlier release, with the cost it used. */
function legacyHash(password: string, n: number): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N: n, r: 8, p: 1 });
  return ['scrypt', n, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

async function storedHash(email: string): Promise<string> {
  const { rows } = await db.pool.query<{ password_hash: string }>(
    'SELECT password_hash FROM users WHERE email = $1',
    [email],
  );
  return rows[0]!.password_hash;
}

async function insertUser(email: string, passwordHash: string): Promise<void> {
  await db.pool.query(`INSERT INTO users (email, role, password_hash) VALUES ($1, 'agent', $2)`, [
    email,
    passwordHash,
  ]);
}

describe('password hashes', () => {
  it('are scrypt with N = 2^17, r = 8, p = 1 for users made by the CLI and by the API', async () => {
    expect(await storedHash('admin@example.com')).toMatch(/^scrypt\$131072\$8\$1\$/);
    const admin = sessionHeaders(await web.signIn('admin@example.com', PASSWORD));
    const created = await web.request('POST', '/api/users', {
      headers: admin,
      body: { email: 'api@example.com', role: 'agent', password: 'made through the api' },
    });
    expect(created.status).toBe(201);
    expect(await storedHash('api@example.com')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });

  it('of an earlier, weaker cost still sign in, and are replaced by N = 2^17 on that sign-in', async () => {
    const old = legacyHash('an old passphrase', 2 ** 14);
    await insertUser('old@example.com', old);
    const first = await web.signIn('old@example.com', 'an old passphrase', '198.51.100.20');
    expect(first.status).toBe(200);
    const upgraded = await storedHash('old@example.com');
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(upgraded).not.toBe(old);
    const again = await web.signIn('old@example.com', 'an old passphrase', '198.51.100.20');
    expect(again.status).toBe(200);
    expect(await storedHash('old@example.com')).toBe(upgraded);
    const { rows } = await db.pool.query<{ details: { rehashed?: boolean } }>(
      `SELECT details FROM audit_log WHERE action = 'auth.sign_in' AND actor = 'user:old@example.com' ORDER BY id`,
    );
    expect(rows.map((r) => r.details.rehashed)).toEqual([true, false]);
  });

  it('are not replaced after a wrong password', async () => {
    const old = legacyHash('the right one here', 2 ** 14);
    await insertUser('wrong@example.com', old);
    expect(
      (await web.signIn('wrong@example.com', 'not the right one', '198.51.100.21')).status,
    ).toBe(401);
    expect(await storedHash('wrong@example.com')).toBe(old);
  });

  it('with tampered or absurd parameters answer 401, never a 500 or gigabytes of memory', async () => {
    const salt = randomBytes(16).toString('base64');
    const key = randomBytes(32).toString('base64');
    const stored = [
      `scrypt$1073741824$8$1$${salt}$${key}`, // N = 2^30: 1 TiB
      `scrypt$131072$4096$1$${salt}$${key}`, // r = 4096: 64 GiB
      `scrypt$131072$8$1000000$${salt}$${key}`, // p = 10^6: hours of CPU
      `scrypt$131073$8$1$${salt}$${key}`, // N not a power of two
      `scrypt$-1$8$1$${salt}$${key}`,
      'scrypt$131072$8$1$$',
      'bcrypt$whatever',
      '',
    ];
    for (const [i, hash] of stored.entries()) {
      await insertUser(`tampered-${i}@example.com`, hash);
      const res = await web.signIn(
        `tampered-${i}@example.com`,
        'any password at all',
        '198.51.100.22',
      );
      expect(res.status, hash).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'invalid_credentials', message: expect.any(String) },
      });
    }
  });

  it('are derived at most two at a time, whatever the number of parallel sign-ins', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        web.signIn('admin@example.com', PASSWORD, `198.51.100.${30 + i}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(PASSWORD_WORK.limit).toBe(2);
    expect(PASSWORD_WORK.peak).toBe(2);
  });
});
