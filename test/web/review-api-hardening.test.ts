/**
 * Review API responses under attack, over a real port: a tampered queue cursor is the
 * caller's mistake (400 with a stable code, never a 500 with a database error behind it), and
 * the customer's email and its attachments can be framed by nobody but the console.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, as, createApiFixture } from './review-api-fixture.ts';

let x: ApiFixture;
let base: string;
beforeAll(async () => {
  x = await createApiFixture();
  await x.f.db.pool.query(
    'UPDATE messages SET raw = $2 FROM claims c WHERE c.message_id = messages.id AND c.id = $1',
    [x.f.ids.d, RAW],
  );
  await x.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(x.app.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(() => x?.close());

const RAW = Buffer.from(
  [
    'From: Mallory <mallory@example.com>',
    'To: claims@example.com',
    'Subject: claim with an attachment',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>see attached</p>',
    '--m',
    'Content-Type: text/html; name="page.html"',
    'Content-Disposition: attachment; filename="page.html"',
    '',
    '<script>parent.postMessage(document.cookie, "*")</script>',
    '--m--',
    '',
  ].join('\r\n'),
);

async function get(path: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: as(x.agent) });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface QueueAnswer {
  items: { id: number }[];
  nextCursor: string | null;
  error: { code: string; message: string };
}

async function queue(query: string): Promise<{ status: number; body: QueueAnswer }> {
  const res = await get(`/api/review/claims?${query}`);
  return { status: res.status, body: await res.json() };
}

describe('a tampered queue cursor', () => {
  it('pages with the cursor the server gave', async () => {
    const first = await queue('limit=1');
    expect(first.status).toBe(200);
    const next = await queue(`limit=1&cursor=${first.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.items[0]?.id).not.toBe(first.body.items[0]?.id);
  });

  it.each([
    ['not base64 JSON', 'garbage', 'oldest'],
    ['a number list', json([1, 2]), 'oldest'],
    ['the wrong length', json(['2026-01-01 00:00:00+00']), 'oldest'],
    ['a time that is not one', json(['not a time', '1']), 'oldest'],
    ['a month 13', json(['2026-13-45 10:00:00+00', '1']), 'oldest'],
    ['an id past bigint', json(['2026-01-01 00:00:00+00', '99999999999999999999']), 'oldest'],
    ['an id that is text', json(['2026-01-01 00:00:00+00', 'one']), 'oldest'],
    ['a NUL byte', json(['2026-01-01 00:00:00+00\u0000', '1']), 'oldest'],
    ['priority keys of the wrong types', json(['a', 'b', 'c', 'd']), 'priority'],
    ['a VIP rank past int', json(['99999999999', '-1', '2026-01-01 00:00:00+00', '1']), 'priority'],
    ['an amount that is not one', json(['0', '1e', '2026-01-01 00:00:00+00', '1']), 'priority'],
    [
      'an amount of 1,000 digits',
      json(['0', '9'.repeat(1000), '2026-01-01 00:00:00+00', '1']),
      'priority',
    ],
    ['a time offset past 15 hours', json(['2026-01-01 00:00:00+16', '1']), 'oldest'],
    ['a February 30', json(['2026-02-30 00:00:00+00', '1']), 'oldest'],
    ['an oldest cursor on the priority sort', json(['2026-01-01 00:00:00+00', '1']), 'priority'],
    ['a huge cursor', 'A'.repeat(5000), 'oldest'],
  ])('%s gets 400 invalid_input naming the cursor', async (_what, cursor, sort) => {
    const res = await queue(`sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toContain('cursor');
  });

  it('fuzzed from a real cursor: every answer is a page or a 400, never a 500', async () => {
    const statuses = new Set<number>();
    for (const sort of ['oldest', 'priority']) {
      const real = (await queue(`sort=${sort}&limit=1`)).body.nextCursor ?? '';
      expect(real).not.toBe('');
      const decoded = Buffer.from(real, 'base64url').toString('utf8');
      // Deterministic mutations: each character of the cursor and of its JSON changed in turn.
      const variants = new Set<string>();
      const alphabet = 'A_-9z+/=%"\\[],:0.';
      for (let i = 0; i < real.length; i++)
        variants.add(real.slice(0, i) + alphabet[i % alphabet.length] + real.slice(i + 1));
      for (let i = 0; i < decoded.length; i++) {
        const swapped =
          decoded.slice(0, i) + alphabet[(i * 7) % alphabet.length] + decoded.slice(i + 1);
        variants.add(Buffer.from(swapped).toString('base64url'));
        variants.add(Buffer.from(decoded.slice(0, i)).toString('base64url'));
      }
      for (const cursor of variants) {
        const res = await queue(`sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
        expect([200, 400], `${sort} ${cursor}`).toContain(res.status);
        if (res.status === 400) expect(res.body.error.code).toBe('invalid_input');
        statuses.add(res.status);
      }
    }
    expect(statuses).toContain(400);
  });
});

describe('who may frame the email and its attachments', () => {
  it('the sanitized email document may be framed by the console only', async () => {
    const res = await get(`/api/review/claims/${x.f.ids.d}/email.html`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain('sandbox');
  });

  it('an attachment download may be framed by no page at all', async () => {
    const res = await get(`/api/review/claims/${x.f.ids.d}/attachments/0`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('sandbox');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
  });
});
