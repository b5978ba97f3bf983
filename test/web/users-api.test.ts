import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebHarness, signIn, type WebHarness } from './web-harness.ts';

const PASSWORD = 'a password long enough';
type Session = { cookie: string; csrfToken: string };
let h: WebHarness;
let admin: Session;
let agent: Session;
let ops: Session;
let adminId: number;

beforeAll(async () => {
  h = await createWebHarness();
  const added = (await h.addUser('admin@example.com', 'admin', PASSWORD)).stdout;
  expect(added).toMatch(/^added user admin@example\.com \(role admin, id \d+\)\n$/);
  adminId = Number(/id (\d+)\)/.exec(added)?.[1]);
  expect(adminId).toBeGreaterThan(0);
  expect((await h.addUser('agent@example.com', 'agent', PASSWORD)).code).toBe(0);
  expect((await h.addUser('ops@example.com', 'ops', PASSWORD)).code).toBe(0);
  admin = await signIn(h.app, 'admin@example.com', PASSWORD);
  agent = await signIn(h.app, 'agent@example.com', PASSWORD);
  ops = await signIn(h.app, 'ops@example.com', PASSWORD);
}, 60_000);
afterAll(() => h?.close());

const as = (s: Session) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });
const list = (headers: Record<string, string>) =>
  h.app.inject({ method: 'GET', url: '/api/users', headers });
const create = (headers: Record<string, string>, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: '/api/users', headers, payload });
const patch = (headers: Record<string, string>, id: number, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers, payload });
const auditOf = async (action: string) =>
  (
    await h.db.pool.query<{ actor: string; details: Record<string, unknown> }>(
      'SELECT actor, details FROM audit_log WHERE action = $1 ORDER BY id',
      [action],
    )
  ).rows;

describe('user management', () => {
  it('answers 401 without credentials', async () => {
    for (const res of [
      await list({}),
      await create({}, { email: 'x@example.com', role: 'agent', password: PASSWORD }),
      await patch({}, adminId, { role: 'agent' }),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    }
  });

  it('answers 403 forbidden to agents and ops on all three routes', async () => {
    for (const s of [agent, ops]) {
      for (const res of [
        await list(as(s)),
        await create(as(s), { email: 'x@example.com', role: 'admin', password: PASSWORD }),
        await patch(as(s), adminId, { disabled: true }),
      ]) {
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
    }
    const { rows } = await h.db.pool.query("SELECT 1 FROM users WHERE email = 'x@example.com'");
    expect(rows).toHaveLength(0);
  });

  it("refuses a cookie request with another session's CSRF token (403 csrf_failed)", async () => {
    const headers = { cookie: admin.cookie, 'x-csrf-token': agent.csrfToken };
    for (const res of [
      await create(headers, { email: 'y@example.com', role: 'agent', password: PASSWORD }),
      await patch(headers, adminId, { role: 'admin' }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf_failed');
    }
  });

  it('lets an admin list users without password hashes', async () => {
    const res = await list(as(admin));
    expect(res.statusCode).toBe(200);
    const { users } = res.json<{ users: Record<string, unknown>[] }>();
    expect(users.map((u) => u.email)).toEqual([
      'admin@example.com',
      'agent@example.com',
      'ops@example.com',
    ]);
    expect(users[0]).toEqual({
      id: adminId,
      email: 'admin@example.com',
      role: 'admin',
      disabled: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(res.body).not.toMatch(/scrypt|password/i);
  });

  it('lets an admin create a user who can then sign in; rejects duplicates and short passwords', async () => {
    const res = await create(as(admin), {
      email: 'New@Example.com',
      role: 'agent',
      password: 'brand new password',
    });
    expect(res.statusCode).toBe(201);
    const { id } = res.json<{ id: number }>();
    expect(res.json()).toEqual({ id: expect.any(Number) });
    const session = await signIn(h.app, 'new@example.com', 'brand new password');
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: session.cookie },
    });
    expect(me.json().user).toEqual({ email: 'new@example.com', role: 'agent' });

    const { rows } = await h.db.pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [id],
    );
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$/);
    expect(rows[0]!.password_hash).not.toContain('brand new password');

    const dup = await create(as(admin), {
      email: 'new@example.com',
      role: 'ops',
      password: 'another long password',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('conflict');

    const short = await create(as(admin), {
      email: 'short@example.com',
      role: 'agent',
      password: 'elevenchars',
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.code).toBe('invalid_input');

    expect(await auditOf('user.create')).toEqual([
      {
        actor: 'user:admin@example.com',
        details: { userId: id, email: 'new@example.com', role: 'agent' },
      },
    ]);
    expect(JSON.stringify(await auditOf('user.create'))).not.toContain('scrypt');
  });

  it('lets an admin change a role, and disable a user, which ends their session and sign-in', async () => {
    const created = await create(as(admin), {
      email: 'leaver@example.com',
      role: 'agent',
      password: 'leaver password 1',
    });
    const { id } = created.json<{ id: number }>();
    const leaver = await signIn(h.app, 'leaver@example.com', 'leaver password 1');

    const promoted = await patch(as(admin), id, { role: 'ops' });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toEqual({ id, role: 'ops' });
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: leaver.cookie },
    });
    expect(me.json().role).toBe('ops');

    const disabled = await patch(as(admin), id, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    const { rows } = await h.db.pool.query('SELECT 1 FROM sessions WHERE user_id = $1', [id]);
    expect(rows).toHaveLength(0);
    const after = await h.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: leaver.cookie },
    });
    expect(after.statusCode).toBe(401);
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'leaver@example.com', password: 'leaver password 1' },
    });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('invalid_credentials');

    const listed = (await list(as(admin))).json<{
      users: { id: number; role: string; disabled: boolean }[];
    }>();
    expect(listed.users.find((u) => u.id === id)).toMatchObject({ role: 'ops', disabled: true });

    const updates = await auditOf('user.update');
    expect(updates.map((u) => [u.actor, u.details.changes])).toEqual([
      ['user:admin@example.com', { role: 'ops' }],
      ['user:admin@example.com', { disabled: true }],
    ]);
  });

  it('refuses an admin disabling or demoting themselves with 400 invalid_input', async () => {
    for (const change of [
      { disabled: true },
      { role: 'agent' },
      { role: 'ops', disabled: false },
    ]) {
      const res = await patch(as(admin), adminId, change);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_input');
    }
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: as(admin) });
    expect(me.json().role).toBe('admin');
  });

  it('answers an unknown user with 404 and a bad body with 400', async () => {
    const unknown = await patch(as(admin), 999999, { role: 'ops' });
    expect(unknown.statusCode).toBe(404);
    const bad = await patch(as(admin), adminId, { role: 'superuser' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_input');
    const empty = await patch(as(admin), adminId, {});
    expect(empty.statusCode).toBe(400);
  });

  it('never sends password hashes', async () => {
    const res = await list(as(admin));
    expect(res.body).not.toContain('scrypt$');
    expect(res.body).not.toContain('password_hash');
    expect(res.body).not.toContain('passwordHash');
  });
});
