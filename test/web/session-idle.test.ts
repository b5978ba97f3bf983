/**
 * Sessions end after SESSION_IDLE_MINUTES without a request (issue #11), besides their
 * 12-hour absolute lifetime: a console left open on an unattended screen stops working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type LiveConsole, listenConsole } from './live-console.ts';
import { runUserAdd } from './web-harness.ts';

const PASSWORD = 'an agent passphrase';
let db: TestDatabase;
let web: LiveConsole;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  const added = await runUserAdd(db.url, ['agent@example.com', '--role', 'agent'], `${PASSWORD}\n`);
  expect(added.code, added.stderr).toBe(0);
  web = await listenConsole(db.pool, { sessionIdleMinutes: 30 });
}, 120_000);
afterAll(async () => {
  await web?.close();
  await db?.drop();
});

async function signedIn(): Promise<string> {
  const answer = await web.signIn('agent@example.com', PASSWORD);
  expect(answer.status).toBe(200);
  return answer.cookie!;
}

/** Pretends the session's last request was `minutes` ago. */
async function idleFor(minutes: number): Promise<void> {
  await db.pool.query(`UPDATE sessions SET last_seen_at = now() - make_interval(mins => $1)`, [
    minutes,
  ]);
}

const me = (cookie: string) => web.request('GET', '/api/me', { headers: { cookie } });

describe('session idle timeout', () => {
  it('keeps a session alive while it is used within the idle timeout', async () => {
    const cookie = await signedIn();
    await idleFor(29);
    expect((await me(cookie)).status).toBe(200);
    // That request counted as activity: another 29 idle minutes are fine again.
    await idleFor(29);
    expect((await me(cookie)).status).toBe(200);
  });

  it('ends a session idle for longer than the timeout, for the API and the pages', async () => {
    const cookie = await signedIn();
    await idleFor(31);
    const api = await me(cookie);
    expect(api.status).toBe(401);
    expect(api.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    const page = await web.request('GET', '/', { headers: { cookie } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login');
  });

  it('still ends an active session at its absolute lifetime', async () => {
    const cookie = await signedIn();
    await db.pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second'`);
    expect((await me(cookie)).status).toBe(401);
  });

  it('is SESSION_IDLE_MINUTES, 60 by default, from 1 to 720', () => {
    expect(loadConfig({}).sessionIdleMinutes).toBe(60);
    expect(loadConfig({ SESSION_IDLE_MINUTES: '15' }).sessionIdleMinutes).toBe(15);
    for (const bad of ['0', '721', 'an hour'])
      expect(() => loadConfig({ SESSION_IDLE_MINUTES: bad })).toThrow(ConfigError);
  });
});
