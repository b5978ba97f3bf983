import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS } from '../../src/auth/sign-in-limits.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { buildServer } from '../../src/web/server.ts';
import { createWebHarness, runUserAdd, signIn, type WebHarness } from './web-harness.ts';

const PASSWORD = 'correct horse battery';
let h: WebHarness;

beforeAll(async () => {
  h = await createWebHarness();
  const added = await h.addUser('Agent@Example.com', 'agent', PASSWORD);
  expect(added).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(/^added user agent@example\.com \(role agent, id \d+\)\n$/),
  });
}, 60_000);
afterAll(() => h?.close());

async function auditRows(action: string) {
  const { rows } = await h.db.pool.query<{ actor: string; details: Record<string, unknown> }>(
    'SELECT actor, details FROM audit_log WHERE action = $1 ORDER BY id',
    [action],
  );
  return rows;
}

describe('claim-intake user add', () => {
  it('stores the password as an scrypt hash, never in plain', async () => {
    const { rows } = await h.db.pool.query('SELECT email, role, password_hash FROM users');
    expect(rows).toEqual([
      {
        email: 'agent@example.com',
        role: 'agent',
        password_hash: expect.stringMatching(/^scrypt\$131072\$8\$1\$/),
      },
    ]);
  });

  it('refuses a password shorter than 12 characters with exit 2 and one line', async () => {
    const r = await runUserAdd(h.db.url, ['short@example.com', '--role', 'agent'], 'elevenchars\n');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses an unknown role and a repeated email with exit 2', async () => {
    expect(
      (await runUserAdd(h.db.url, ['x@example.com', '--role', 'root'], `${PASSWORD}\n`)).code,
    ).toBe(2);
    expect(
      (await runUserAdd(h.db.url, ['agent@example.com', '--role', 'ops'], `${PASSWORD}\n`)).code,
    ).toBe(2);
  });
});

describe('signing in', () => {
  it('returns the user and a CSRF token, sets a strict, http-only, secure cookie and audits it', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'agent@example.com', password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: { email: 'agent@example.com', role: 'agent' },
      csrfToken: expect.any(String),
    });
    const cookie = res.cookies.find((c) => c.name === 'ci_session');
    expect(cookie).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: 43_200,
    });
    expect(await auditRows('auth.sign_in')).toEqual([
      expect.objectContaining({ actor: 'user:agent@example.com' }),
    ]);
  });

  it('keeps only a hash of the session token in the database', async () => {
    const { cookie } = await signIn(h.app, 'agent@example.com', PASSWORD);
    const token = cookie.split('=')[1]!;
    const { rows } = await h.db.pool.query('SELECT id FROM sessions');
    expect(rows.map((r) => r.id)).not.toContain(token);
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ user: { email: 'agent@example.com', role: 'agent' } });
  });

  it('answers a wrong password with 401 invalid_credentials and audits the failure', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'agent@example.com', password: 'not the password' },
      remoteAddress: '10.0.0.1',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: { code: 'invalid_credentials', message: expect.any(String) },
    });
    expect(await auditRows('auth.sign_in_failed')).toContainEqual(
      expect.objectContaining({
        actor: 'user:agent@example.com',
        details: expect.objectContaining({ ip: '10.0.0.1' }),
      }),
    );
  });

  it('refuses the 6th failed attempt from one address for one email with 429, audited', async () => {
    const attempt = (password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: 'victim@example.com', password },
        remoteAddress: '10.0.0.2',
      });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess number ${i}`)).statusCode).toBe(401);
    const sixth = await attempt('guess number 6');
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('rate_limited');
    expect(await auditRows('auth.sign_in_failed')).toContainEqual(
      expect.objectContaining({
        actor: 'anonymous',
        details: expect.objectContaining({ reason: 'rate_limited' }),
      }),
    );
  });

  it('answers a request without credentials with 401 unauthenticated', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('ends the session on sign-out', async () => {
    const { cookie, csrfToken } = await signIn(h.app, 'agent@example.com', PASSWORD);
    const out = await h.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode,
    ).toBe(401);
  });

  it('never writes the password to the logs', () => {
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(PASSWORD);
    expect(h.logs.join('\n')).not.toContain('guess number');
  });
});

describe('settings for deployments behind plain http or a reverse proxy', () => {
  const PROXY = '10.9.0.1';
  const CLIENT = '203.0.113.7';
  let behindProxy: FastifyInstance;

  beforeAll(async () => {
    const config = loadConfig({ COOKIE_SECURE: 'false', TRUST_PROXY: `${PROXY}, 10.8.0.0/16` });
    behindProxy = buildServer({
      pool: h.db.pool,
      logger: createLogger('silent', { write: () => undefined }),
      cookieSecure: config.cookieSecure,
      trustProxy: config.trustProxy,
    });
    await behindProxy.ready();
  });
  afterAll(() => behindProxy?.close());

  const attempt = (remoteAddress: string, forwardedFor: string, password = 'wrong guess') =>
    behindProxy.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'agent@example.com', password },
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('sets the session cookie without Secure when COOKIE_SECURE=false', async () => {
    const res = await attempt(PROXY, CLIENT, PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'ci_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.secure).toBeFalsy();
    expect(res.headers['set-cookie']).not.toMatch(/;\s*Secure/i);
  });

  it('rate-limits the client named by a trusted proxy, and ignores the header from anyone else', async () => {
    // The client has sprayed as many accounts as an address may.
    await h.db.pool.query(
      `INSERT INTO sign_in_attempts (email, ip, ok)
       SELECT 'spray-' || i || '@example.com', $1, false FROM generate_series(1, $2::int) i`,
      [CLIENT, SIGN_IN_LIMITS.addressFree],
    );

    const viaProxy = await attempt(PROXY, CLIENT);
    expect(viaProxy.statusCode).toBe(429);
    // Another client behind the same proxy is its own address, not the proxy's.
    expect((await attempt(PROXY, '203.0.113.8')).statusCode).toBe(401);
    // A peer that is not a trusted proxy cannot pick the address it is counted under.
    const direct = await attempt('198.51.100.9', CLIENT);
    expect(direct.statusCode).toBe(401);

    const { rows } = await h.db.pool.query<{ ip: string }>(
      `SELECT details->>'ip' AS ip FROM audit_log WHERE action = 'auth.sign_in_failed'
        AND details->>'ip' IN ($1, '203.0.113.8', '198.51.100.9') ORDER BY id`,
      [CLIENT],
    );
    expect(rows.map((r) => r.ip)).toEqual([CLIENT, '203.0.113.8', '198.51.100.9']);
  });
});
