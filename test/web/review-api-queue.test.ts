/**
 * The queue's query parameters over HTTP (the API and the page read the same ones) and the
 * reply preview as its own sandboxed HTML document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/auth/secrets.ts';
import { createApiToken } from '../../src/auth/tokens.ts';
import { REPLY_PREVIEW_CSP } from '../../src/web/routes/review.ts';
import { MAILBOX } from '../review/review-fixture.ts';
import { type ApiFixture, as, createApiFixture } from './review-api-fixture.ts';

let x: ApiFixture;
beforeAll(async () => {
  x = await createApiFixture();
}, 60_000);
afterAll(() => x?.close());

async function queueIds(query: string): Promise<number[]> {
  const res = await x.app.inject({ url: `/api/review/claims?${query}`, headers: as(x.agent) });
  expect(res.statusCode, query).toBe(200);
  return res.json<{ items: { id: number }[] }>().items.map((i) => i.id);
}

describe('the queue query over HTTP', () => {
  it('filters by an exact amount range, given as decimal text', async () => {
    expect(await queueIds('minAmount=6000&maxAmount=6000.00')).toEqual([x.f.ids.a]);
    expect(await queueIds('minAmount=50.01')).not.toContain(x.f.ids.d);
    expect(await queueIds('maxAmount=50.00')).toEqual([x.f.ids.d]);
    expect(await queueIds('minAmount=6000.0001')).toEqual([]);
  });

  it('filters by age in minutes, mailbox and assignee (none, me, an email)', async () => {
    expect(await queueIds('minAge=45')).toEqual([x.f.ids.a, x.f.ids.b]);
    expect(await queueIds(`mailbox=${encodeURIComponent(MAILBOX)}`)).toHaveLength(4);
    expect(await queueIds('mailbox=maildir%3A%2Felsewhere')).toEqual([]);
    expect(await queueIds('assignee=none')).toHaveLength(4);
    await x.f.db.pool.query('UPDATE claims SET assignee = $2 WHERE id = $1', [
      x.f.ids.c,
      'agent@example.com',
    ]);
    try {
      expect(await queueIds('assignee=me')).toEqual([x.f.ids.c]);
      expect(await queueIds('assignee=agent%40example.com')).toEqual([x.f.ids.c]);
      expect(await queueIds('assignee=none')).not.toContain(x.f.ids.c);
    } finally {
      await x.f.db.pool.query('UPDATE claims SET assignee = NULL WHERE id = $1', [x.f.ids.c]);
    }
  });

  it('pages through the queue with the cursor of each page', async () => {
    const seen: number[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const res: Awaited<ReturnType<typeof x.app.inject>> = await x.app.inject({
        url: `/api/review/claims?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        headers: as(x.agent),
      });
      const page: { items: { id: number }[]; total: number; nextCursor: string | null } = res.json<{
        items: { id: number }[];
        total: number;
        nextCursor: string | null;
      }>();
      expect(page.items).toHaveLength(1);
      expect(page.total).toBe(4);
      seen.push(page.items[0]!.id);
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual([x.f.ids.a, x.f.ids.b, x.f.ids.c, x.f.ids.d]);
  });

  it('answers invalid values with 400 invalid_input and a message naming the parameter', async () => {
    for (const [q, named] of [
      ['minAmount=12,50', 'minAmount'],
      ['maxAmount=1e3', 'maxAmount'],
      ['minAmount=100&maxAmount=5', 'minAmount'],
      ['minAge=soon', 'minAge'],
      ['limit=101', 'limit'],
      ['type=compensation&type=refund', 'type'],
    ]) {
      const res = await x.app.inject({ url: `/api/review/claims?${q}`, headers: as(x.agent) });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe('invalid_input');
      expect(res.json().error.message, q).toContain(`'${named}'`);
    }
  });

  it('has no "me" for an API token, which has no user', async () => {
    const bearer = 'cit_queue-reader-token';
    await createApiToken(x.f.db.pool, {
      name: 'queue reader',
      tokenHash: sha256(bearer),
      role: 'agent',
      createdBy: null,
    });
    const res = await x.app.inject({
      url: '/api/review/claims?assignee=me',
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain("'assignee=me'");
    const none = await x.app.inject({
      url: '/api/review/claims?assignee=none',
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(none.statusCode).toBe(200);
  });
});

describe('the reply preview document', () => {
  const url = (id: number, q: string) => `/api/review/claims/${id}/preview.html?${q}`;

  it('is the reply HTML under a CSP that allows inline styles and nothing else', async () => {
    const res = await x.app.inject({
      url: url(x.f.ids.a, 'decision=approved'),
      headers: as(x.agent),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(REPLY_PREVIEW_CSP);
    expect(REPLY_PREVIEW_CSP).toContain("default-src 'none'");
    expect(REPLY_PREVIEW_CSP).toContain('sandbox');
    expect(REPLY_PREVIEW_CSP).not.toMatch(/script-src|unsafe-eval/);
    expect(res.body).toContain('style="');
    expect(res.body).not.toMatch(/<script/i);
  });

  it('renders the draft it is given, in the customer’s language', async () => {
    const res = await x.app.inject({
      url: url(x.f.ids.b, 'decision=needs_info&missing=missing_order'),
      headers: as(x.agent),
    });
    expect(res.statusCode).toBe(200);
    const json = await x.app.inject({
      method: 'POST',
      url: `/api/review/claims/${x.f.ids.b}/preview`,
      headers: as(x.agent),
      payload: { decision: 'needs_info', missing: ['missing_order'] },
    });
    expect(json.json().lang).toBe('zh');
    expect(res.body).toBe(json.json().html);
  });

  it('is agent work, and refuses a bad draft with 400', async () => {
    const ops = await x.app.inject({
      url: url(x.f.ids.a, 'decision=approved'),
      headers: as(x.ops),
    });
    expect(ops.statusCode).toBe(403);
    expect((await x.app.inject({ url: url(x.f.ids.a, 'decision=approved') })).statusCode).toBe(401);
    for (const q of ['decision=maybe', 'decision=approved&note=a&note=b']) {
      const res = await x.app.inject({ url: url(x.f.ids.a, q), headers: as(x.agent) });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code).toBe('invalid_input');
    }
  });
});
