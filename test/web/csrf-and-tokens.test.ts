import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebHarness, signIn, type WebHarness } from './web-harness.ts';

const PASSWORD = 'admin password long enough';
let h: WebHarness;
let admin: { cookie: string; csrfToken: string };
let agent: { cookie: string; csrfToken: string };

beforeAll(async () => {
  h = await createWebHarness();
  expect((await h.addUser('admin@example.com', 'admin', PASSWORD)).code).toBe(0);
  expect((await h.addUser('agent@example.com', 'agent', PASSWORD)).code).toBe(0);
  admin = await signIn(h.app, 'admin@example.com', PASSWORD);
  agent = await signIn(h.app, 'agent@example.com', PASSWORD);
}, 60_000);
afterAll(() => h?.close());

const createToken = (
  headers: Record<string, string>,
  payload: unknown = { name: 'billing export', role: 'ops' },
) =>
  h.app.inject({
    method: 'POST',
    url: '/api/tokens',
    headers,
    payload: payload as Record<string, unknown>,
  });

describe('CSRF protection of cookie sessions', () => {
  it('refuses a state change carrying the cookie but no X-CSRF-Token with 403 csrf_failed', async () => {
    const res = await createToken({ cookie: admin.cookie });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'csrf_failed', message: expect.any(String) } });
  });

  it("refuses another session's CSRF token", async () => {
    const res = await createToken({ cookie: admin.cookie, 'x-csrf-token': agent.csrfToken });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('csrf_failed');
  });

  it('accepts the session’s own CSRF token', async () => {
    const res = await createToken({ cookie: admin.cookie, 'x-csrf-token': admin.csrfToken });
    expect(res.statusCode).toBe(201);
  });
});

describe('API tokens', () => {
  it('may not be created by an agent (403 forbidden)', async () => {
    const res = await createToken({ cookie: agent.cookie, 'x-csrf-token': agent.csrfToken });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it('are shown once, stored hashed, work as Bearer without CSRF, and stop working when revoked', async () => {
    const created = await createToken(
      { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
      { name: 'admin script', role: 'admin' },
    );
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json<{ id: number; token: string }>();
    expect(token).toMatch(/^cit_[A-Za-z0-9_-]{40,}$/);

    const { rows } = await h.db.pool.query('SELECT * FROM api_tokens');
    expect(JSON.stringify(rows)).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer });
    expect(me.json()).toEqual({
      role: 'admin',
      user: null,
      token: { id, name: 'admin script', scopes: [] },
    });
    // No ambient authority: a bearer request needs no CSRF token, even to change state.
    const other = await createToken(bearer, { name: 'made by a script' });
    expect(other.statusCode).toBe(201);
    expect(other.json().token).not.toBe(token);

    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/tokens/${id}`,
      headers: bearer,
    });
    expect(revoked.statusCode).toBe(204);
    const after = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthenticated');
  });

  it('answers revoking an unknown token with 404 not_found', async () => {
    const res = await h.app.inject({
      method: 'DELETE',
      url: '/api/tokens/999999',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('answers a made-up bearer token with 401', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: 'Bearer cit_nope' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('never reach the logs, nor do passwords or session cookies', async () => {
    const { rows } = await h.db.pool.query<{ id: string }>('SELECT id FROM api_tokens');
    expect(rows.length).toBeGreaterThan(0);
    const logs = h.logs.join('\n');
    expect(logs).not.toMatch(/cit_[A-Za-z0-9_-]{20,}/);
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(admin.cookie.split('=')[1]!);
    expect(logs).not.toContain(admin.csrfToken);
  });
});
