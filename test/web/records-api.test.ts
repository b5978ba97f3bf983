/**
 * The live feeds API, PUT /api/records/{kind}: who may call it, both body forms, the same
 * errors as `import`, all or nothing, its audit entry, and token scopes.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { loadRecordsFromDb } from '../../src/store/records-store.ts';
import { buildServer } from '../../src/web/server.ts';
import { createWebHarness, signIn, type WebHarness } from './web-harness.ts';

const PASSWORD = 'a password long enough';
let h: WebHarness;
let admin: { cookie: string; csrfToken: string };
let agent: { cookie: string; csrfToken: string };
const tokens: Record<'admin' | 'feed' | 'agent', string> = { admin: '', feed: '', agent: '' };
let feedTokenId = 0;

const asSession = (s: { cookie: string; csrfToken: string }) => ({
  cookie: s.cookie,
  'x-csrf-token': s.csrfToken,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function createToken(payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: '/api/tokens', headers: asSession(admin), payload });
}

beforeAll(async () => {
  h = await createWebHarness();
  expect((await h.addUser('admin@example.com', 'admin', PASSWORD)).code).toBe(0);
  expect((await h.addUser('agent@example.com', 'agent', PASSWORD)).code).toBe(0);
  admin = await signIn(h.app, 'admin@example.com', PASSWORD);
  agent = await signIn(h.app, 'agent@example.com', PASSWORD);
  tokens.admin = (await createToken({ name: 'admin script', role: 'admin' })).json().token;
  tokens.agent = (await createToken({ name: 'agent script', role: 'agent' })).json().token;
  const feed = await createToken({ name: 'billing feed', role: 'agent', scopes: ['records'] });
  expect(feed.json()).toMatchObject({ role: 'agent', scopes: ['records'] });
  tokens.feed = feed.json().token;
  feedTokenId = feed.json().id;
}, 60_000);
afterAll(() => h?.close());

const order = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  account: 'feed-shop',
  product: 'ECS',
  billing: 'monthly',
  amount: '300.00',
  purchased_at: '2026-03-01T10:00:00+08:00',
  status: 'paid',
  ...extra,
});
const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');

function put(
  kind: string,
  body: string | Readable,
  headers: Record<string, string>,
  type = 'application/json',
  app: FastifyInstance = h.app,
) {
  return app.inject({
    method: 'PUT',
    url: `/api/records/${kind}`,
    headers: { ...headers, 'content-type': type },
    payload: body,
  });
}

async function orderIds(prefix: string): Promise<string[]> {
  const { rows } = await h.db.pool.query<{ id: string }>(
    'SELECT id FROM orders WHERE id LIKE $1 ORDER BY id',
    [`${prefix}%`],
  );
  return rows.map((r) => r.id);
}

describe('who may push records', () => {
  const body = (id: string) => JSON.stringify([order(id)]);

  it('refuses a caller without credentials (401) and an agent (403)', async () => {
    expect((await put('orders', body('AUTH-0'), {})).statusCode).toBe(401);
    const asAgent = await put('orders', body('AUTH-0'), asSession(agent));
    expect(asAgent.statusCode).toBe(403);
    expect(asAgent.json().error.code).toBe('forbidden');
    expect((await put('orders', body('AUTH-0'), bearer(tokens.agent))).statusCode).toBe(403);
  });

  it('needs the CSRF token with an admin session', async () => {
    const res = await put('orders', body('AUTH-0'), { cookie: admin.cookie });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('csrf_failed');
  });

  it('admits an admin session, an admin token and an agent token with the records scope', async () => {
    expect((await put('orders', body('AUTH-1'), asSession(admin))).statusCode).toBe(200);
    expect((await put('orders', body('AUTH-2'), bearer(tokens.admin))).statusCode).toBe(200);
    expect((await put('orders', body('AUTH-3'), bearer(tokens.feed))).statusCode).toBe(200);
    expect(await orderIds('AUTH-')).toEqual(['AUTH-1', 'AUTH-2', 'AUTH-3']);
  });

  it('gives a records-scoped agent token nothing else an agent lacks', async () => {
    const headers = bearer(tokens.feed);
    const create = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers,
      payload: { name: 'escalation', role: 'admin' },
    });
    expect(create.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/users', headers })).statusCode).toBe(
      403,
    );
    const queue = await h.app.inject({ method: 'GET', url: '/api/review/claims', headers });
    expect(queue.statusCode).toBe(200);
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers });
    expect(me.json()).toEqual({
      role: 'agent',
      user: null,
      token: { id: feedTokenId, name: 'billing feed', scopes: ['records'] },
    });
  });
});

describe('token scopes', () => {
  it('are validated when a token is created', async () => {
    for (const scopes of [['nope'], 'records', [1]]) {
      const res = await createToken({ name: 'bad', scopes });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain('records');
    }
    const none = await createToken({ name: 'plain' });
    expect(none.json()).toMatchObject({ role: 'agent', scopes: [] });
    const twice = await createToken({ name: 'twice', scopes: ['records', 'records'] });
    expect(twice.json().scopes).toEqual(['records']);
  });
});

describe('PUT /api/records/{kind}', () => {
  it('upserts a JSON array and counts what each record did', async () => {
    const first = await put(
      'orders',
      JSON.stringify([order('J-1'), order('J-2')]),
      bearer(tokens.feed),
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      kind: 'orders',
      records: 2,
      inserted: 2,
      updated: 0,
      unchanged: 0,
    });
    const second = await put(
      'orders',
      JSON.stringify([order('J-1'), order('J-2', { status: 'refunded' }), order('J-3')]),
      bearer(tokens.feed),
    );
    expect(second.json()).toEqual({
      kind: 'orders',
      records: 3,
      inserted: 1,
      updated: 1,
      unchanged: 1,
    });
  });

  it('upserts JSON Lines, as application/x-ndjson or application/jsonl, streamed', async () => {
    const lines = ndjson([order('L-1'), order('L-2')]);
    const res = await put('orders', lines, bearer(tokens.feed), 'application/x-ndjson');
    expect(res.json()).toMatchObject({ records: 2, inserted: 2 });
    const streamed = await put(
      'orders',
      Readable.from([`${ndjson([order('L-2')])}\n\n`, ndjson([order('L-3')])]),
      bearer(tokens.feed),
      'application/jsonl; charset=utf-8',
    );
    expect(streamed.json()).toMatchObject({ records: 2, inserted: 1, unchanged: 1 });
    expect(await orderIds('L-')).toEqual(['L-1', 'L-2', 'L-3']);
  });

  it('takes every kind, named as in the records directory', async () => {
    const filing = {
      account: 'feed-shop',
      submitted_at: '2026-03-01T10:00:00+08:00',
      first_time: true,
      status: 'pending',
    };
    const res = await put('icp_filings', JSON.stringify([filing]), bearer(tokens.feed));
    expect(res.json()).toEqual({
      kind: 'icp_filings',
      records: 1,
      inserted: 1,
      updated: 0,
      unchanged: 0,
    });
  });

  it('answers an invalid record with 400 naming line, record and field, and writes nothing', async () => {
    const lines = ndjson([order('BAD-1'), order('BAD-2'), order('BAD-3', { amount: 'x' })]);
    const res = await put('orders', lines, bearer(tokens.feed), 'application/x-ndjson');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'invalid_records',
        message:
          'PUT /api/records/orders: line 3: [2].amount: must be a non-negative decimal string, got "x"',
      },
    });
    expect(await orderIds('BAD-')).toEqual([]);
  });

  it('answers a JSON syntax error and a repeated key with their lines', async () => {
    const syntax = await put('orders', '[\n{"id": "S-1",\n}]', bearer(tokens.feed));
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json().error.message).toBe(
      'PUT /api/records/orders: line 3, column 1: (json): not valid JSON: unexpected "}"',
    );
    const repeated = await put(
      'orders',
      ndjson([order('R-1'), order('R-2'), order('R-1')]),
      bearer(tokens.feed),
      'application/x-ndjson',
    );
    expect(repeated.json().error.message).toBe(
      'PUT /api/records/orders: line 3: [2].id: repeats record [0] (same id)',
    );
    expect(await orderIds('R-')).toEqual([]);
  });

  it('answers an unknown kind with 404 and another media type with 415', async () => {
    const unknown = await put('invoices', '[]', bearer(tokens.feed));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain('icp_filings');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await put('orders', '[]', bearer(tokens.feed), type);
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    }
    const untyped = await h.app.inject({
      method: 'PUT',
      url: '/api/records/orders',
      headers: bearer(tokens.feed),
      payload: Buffer.from('[]'),
    });
    expect(untyped.statusCode).toBe(415);
  });

  it('writes one audit entry per upsert, with the kind and the counts', async () => {
    await put('orders', JSON.stringify([order('AUD-1')]), bearer(tokens.feed));
    const { rows } = await h.db.pool.query(
      "SELECT actor, details FROM audit_log WHERE action = 'records.upsert' ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0]).toEqual({
      actor: `token:${feedTokenId}`,
      details: { kind: 'orders', records: 1, inserted: 1, updated: 0, unchanged: 0 },
    });
  });

  it('is seen at once by a reader of the records, with no cache between', async () => {
    await put(
      'orders',
      JSON.stringify([order('SEEN-1', { amount: '12.34' })]),
      bearer(tokens.feed),
    );
    const records = await loadRecordsFromDb(h.db.pool);
    expect(records.orders.find((o) => o.id === 'SEEN-1')?.amount).toBe('12.34');
  });

  it('runs concurrent feeds one after the other, each all or nothing', async () => {
    const feeds = Array.from({ length: 4 }, (_, i) =>
      put(
        'orders',
        JSON.stringify([order('C-1', { amount: `${i}.00` }), order(`C-${i + 2}`)]),
        bearer(tokens.feed),
      ),
    );
    const answers = await Promise.all(feeds);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    expect(await orderIds('C-')).toEqual(['C-1', 'C-2', 'C-3', 'C-4', 'C-5']);
  });
});

describe('a body over the limit', () => {
  let small: FastifyInstance;
  beforeAll(async () => {
    small = buildServer({
      pool: h.db.pool,
      logger: createLogger('silent', { write: () => undefined }),
      recordsBodyLimit: 2000,
    });
    await small.ready();
  });
  afterAll(() => small?.close());

  const big = ndjson(Array.from({ length: 20 }, (_, i) => order(`BIG-${i}`)));

  it('is refused with 413 when Content-Length says so', async () => {
    const res = await put('orders', big, bearer(tokens.feed), 'application/x-ndjson', small);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('is refused with 413 once a streamed body passes it, and nothing is written', async () => {
    const res = await put(
      'orders',
      Readable.from(big.split(/(?<=\n)/)),
      bearer(tokens.feed),
      'application/x-ndjson',
      small,
    );
    expect(res.statusCode).toBe(413);
    expect(await orderIds('BIG-')).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the feed and token scopes', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const feed = doc.paths['/api/records/{kind}'].put;
    expect(Object.keys(feed.requestBody.content).sort()).toEqual([
      'application/json',
      'application/jsonl',
      'application/x-ndjson',
    ]);
    expect(feed.parameters[1].schema.enum).toContain('icp_filings');
    expect(Object.keys(feed.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '413', '415']),
    );
    const tokenBody = doc.paths['/api/tokens'].post.requestBody.content['application/json'].schema;
    expect(tokenBody.properties.scopes.items.enum).toEqual(['records']);
  });
});
