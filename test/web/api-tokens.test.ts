/**
 * API tokens (issue #11): each belongs to the person who made it (directly, or through a
 * token of theirs) and dies with that person's access; each expires; admins can list them,
 * never seeing a token or its hash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/auth/secrets.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type LiveConsole, listenConsole, sessionHeaders } from './live-console.ts';
import { runUserAdd } from './web-harness.ts';

const PASSWORD = 'an admin passphrase';
let db: TestDatabase;
let web: LiveConsole;
let root: Record<string, string>;
const DAY_MS = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  const added = await runUserAdd(db.url, ['root@example.com', '--role', 'admin'], `${PASSWORD}\n`);
  expect(added.code, added.stderr).toBe(0);
  web = await listenConsole(db.pool, { apiTokenDays: 90, apiTokenMaxDays: 365 });
  root = sessionHeaders(await web.signIn('root@example.com', PASSWORD));
}, 120_000);
afterAll(async () => {
  await web?.close();
  await db?.drop();
});

interface Created {
  id: number;
  token: string;
  expiresAt: string;
}

async function createToken(headers: Record<string, string>, body: Record<string, unknown>) {
  const res = await web.request('POST', '/api/tokens', { headers, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as unknown as Created;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const meWith = async (token: string) =>
  (await web.request('GET', '/api/me', { headers: bearer(token) })).status;

/** A new admin, signed in, with their user id. */
async function newAdmin(email: string): Promise<{ id: number; headers: Record<string, string> }> {
  const res = await web.request('POST', '/api/users', {
    headers: root,
    body: { email, role: 'admin', password: PASSWORD },
  });
  expect(res.status).toBe(201);
  return { id: Number(res.body.id), headers: sessionHeaders(await web.signIn(email, PASSWORD)) };
}

async function listTokens(headers: Record<string, string>) {
  const res = await web.request('GET', '/api/tokens', { headers });
  expect(res.status).toBe(200);
  return (res.body as { tokens: Record<string, unknown>[] }).tokens;
}

describe('API token expiry', () => {
  it('is 90 days unless asked otherwise, and a shorter one can be asked for', async () => {
    const before = Date.now();
    const plain = await createToken(root, { name: 'plain', role: 'agent' });
    const days = (Date.parse(plain.expiresAt) - before) / DAY_MS;
    expect(days).toBeGreaterThan(89.99);
    expect(days).toBeLessThan(90.01);
    const week = await createToken(root, { name: 'week', role: 'agent', expiresInDays: 7 });
    expect((Date.parse(week.expiresAt) - before) / DAY_MS).toBeCloseTo(7, 1);
    expect(await meWith(week.token)).toBe(200);
  });

  it('is refused beyond API_TOKEN_MAX_DAYS, or when not a whole number of days', async () => {
    for (const expiresInDays of [366, 0, -1, 1.5, '30', null]) {
      const res = await web.request('POST', '/api/tokens', {
        headers: root,
        body: { name: 'too long', role: 'agent', expiresInDays },
      });
      expect(res.status, String(expiresInDays)).toBe(400);
      expect((res.body.error as { message: string }).message).toContain('365');
    }
  });

  it('ends a token: after its expiry it answers 401', async () => {
    const { id, token } = await createToken(root, { name: 'short lived', role: 'ops' });
    expect(await meWith(token)).toBe(200);
    await db.pool.query(
      `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    expect(await meWith(token)).toBe(401);
  });
});

describe('GET /api/tokens', () => {
  it('lists tokens for admins with who made them, never the token or its hash', async () => {
    const created = await createToken(root, {
      name: 'records feed',
      role: 'agent',
      scopes: ['records'],
    });
    const tokens = await listTokens(root);
    const listed = tokens.find((t) => t.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: 'records feed',
      role: 'agent',
      scopes: ['records'],
      createdBy: { id: expect.any(Number), email: 'root@example.com' },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: created.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    // A bearer admin token may list too, and its use shows as lastUsedAt.
    const script = await createToken(root, { name: 'admin script', role: 'admin' });
    const bySCript = await listTokens(bearer(script.token));
    expect(bySCript.find((t) => t.id === script.id)?.lastUsedAt).toEqual(expect.any(String));
    const raw = await web.request('GET', '/api/tokens', { headers: root });
    const text = JSON.stringify(raw.body);
    for (const secret of [created.token, script.token])
      for (const form of [secret, sha256(secret)]) expect(text).not.toContain(form);
    expect(text).not.toMatch(/hash|"token"/i);
  });

  it('is refused to agents and ops (403) and to strangers (401)', async () => {
    const agent = await createToken(root, { name: 'agent robot', role: 'agent' });
    expect((await web.request('GET', '/api/tokens', { headers: bearer(agent.token) })).status).toBe(
      403,
    );
    expect((await web.request('GET', '/api/tokens')).status).toBe(401);
  });
});

describe('API tokens belong to their maker', () => {
  it('are revoked when their maker is disabled, also those made through one of their tokens', async () => {
    const leaver = await newAdmin('leaver@example.com');
    const own = await createToken(leaver.headers, { name: 'own', role: 'admin' });
    const child = await createToken(bearer(own.token), { name: 'child', role: 'ops' });
    const others = await createToken(root, { name: 'root keeps this', role: 'ops' });
    const tokens = await listTokens(root);
    expect(tokens.find((t) => t.id === child.id)?.createdBy).toEqual({
      id: leaver.id,
      email: 'leaver@example.com',
    });

    const disabled = await web.request('PATCH', `/api/users/${leaver.id}`, {
      headers: root,
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect(await meWith(own.token)).toBe(401);
    expect(await meWith(child.token)).toBe(401);
    expect(await meWith(others.token)).toBe(200);
    const after = await listTokens(root);
    for (const id of [own.id, child.id])
      expect(after.find((t) => t.id === id)?.revokedAt).toEqual(expect.any(String));
    const { rows } = await db.pool.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'user.update' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]!.details).toMatchObject({ userId: leaver.id, tokensRevoked: 2 });

    // Enabling the person again does not bring the tokens back.
    await web.request('PATCH', `/api/users/${leaver.id}`, {
      headers: root,
      body: { disabled: false },
    });
    expect(await meWith(own.token)).toBe(401);
  });

  it('stop at once when their maker is disabled outside the API', async () => {
    const quiet = await newAdmin('quiet@example.com');
    const token = await createToken(quiet.headers, { name: 'quiet', role: 'agent' });
    await db.pool.query('UPDATE users SET disabled = true WHERE id = $1', [quiet.id]);
    expect(await meWith(token.token)).toBe(401);
  });

  it('never do more than their maker: a demotion revokes those beyond the new role', async () => {
    const demoted = await newAdmin('demoted@example.com');
    const admin = await createToken(demoted.headers, { name: 'admin', role: 'admin' });
    const agent = await createToken(demoted.headers, { name: 'agent', role: 'agent' });
    const feed = await createToken(demoted.headers, {
      name: 'feed',
      role: 'ops',
      scopes: ['records'],
    });
    const same = await createToken(demoted.headers, { name: 'same', role: 'ops' });
    const res = await web.request('PATCH', `/api/users/${demoted.id}`, {
      headers: root,
      body: { role: 'ops' },
    });
    expect(res.status).toBe(200);
    // An ops user may neither act as admin or agent, nor push records.
    for (const token of [admin, agent, feed]) expect(await meWith(token.token)).toBe(401);
    expect(await meWith(same.token)).toBe(200);
  });

  it('stop at once when their maker is demoted outside the API', async () => {
    const quiet = await newAdmin('quiet-admin@example.com');
    const token = await createToken(quiet.headers, { name: 'quiet admin', role: 'admin' });
    await db.pool.query(`UPDATE users SET role = 'agent' WHERE id = $1`, [quiet.id]);
    expect(await meWith(token.token)).toBe(401);
  });
});
