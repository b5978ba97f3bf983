import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_CSP } from '../../src/web/routes/review.ts';
import { versionOf } from '../review/review-fixture.ts';
import { type ApiFixture, as, createApiFixture } from './review-api-fixture.ts';

let x: ApiFixture;
beforeAll(async () => {
  x = await createApiFixture();
}, 60_000);
afterAll(() => x?.close());

const HOSTILE = `<p onclick="alert(1)">Hello <b>agent</b></p><script>alert(2)</script>
<img src="https://tracker.example/pixel.gif" alt="logo" onerror="alert(3)">
<a href="javascript:alert(4)">click</a><a href="https://ok.example/">ok</a>
<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name="q"></form>
<div style="background: url(https://tracker.example/bg.png)">styled</div>`;

/** Gives claim a an HTML part full of hostile content, as a sender could. */
async function plantHostileHtml(): Promise<void> {
  const raw = [
    'From: Mallory <mallory@example.com>',
    'To: claims@example.com',
    'Subject: claim',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'plain part',
    '--b',
    'Content-Type: text/html; charset=utf-8',
    '',
    HOSTILE,
    '--b--',
    '',
  ].join('\r\n');
  await x.f.db.pool.query(
    'UPDATE messages SET raw = $2 FROM claims c WHERE c.message_id = messages.id AND c.id = $1',
    [x.f.ids.a, Buffer.from(raw)],
  );
}

describe('the review API', () => {
  it('lists the queue for agents and ops, with reason filters as a list or repeated', async () => {
    for (const who of [x.agent, x.ops]) {
      const res = await x.app.inject({ url: '/api/review/claims', headers: as(who) });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ total: number }>().total).toBe(4);
    }
    const comma = await x.app.inject({
      url: '/api/review/claims?reason=count_mismatch,sender_unauthenticated&sort=priority',
      headers: as(x.agent),
    });
    const repeated = await x.app.inject({
      url: '/api/review/claims?reason=count_mismatch&reason=sender_unauthenticated&sort=priority',
      headers: as(x.agent),
    });
    const ids = (r: typeof comma) => r.json<{ items: { id: number }[] }>().items.map((i) => i.id);
    expect(ids(comma).sort()).toEqual([x.f.ids.b, x.f.ids.c, x.f.ids.d].sort());
    expect(ids(repeated)).toEqual(ids(comma));
    // VIP first under priority sort.
    expect(ids(comma)[0]).toBe(x.f.ids.c);
  });

  it('rejects bad query values with 400 invalid_input', async () => {
    for (const q of ['sort=newest', 'limit=0', 'vip=maybe', 'minAge=-3', 'cursor=zzz']) {
      const res = await x.app.inject({ url: `/api/review/claims?${q}`, headers: as(x.agent) });
      expect(res.statusCode, q).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'invalid_input', message: expect.any(String) } });
    }
  });

  it('answers 401 without credentials and 404 for an unknown claim', async () => {
    for (const url of ['/api/review/claims', `/api/review/claims/${x.f.ids.a}`]) {
      expect((await x.app.inject({ url })).statusCode).toBe(401);
    }
    const post = await x.app.inject({
      method: 'POST',
      url: `/api/review/claims/${x.f.ids.a}/approve`,
      payload: { expectedVersion: 1 },
    });
    expect(post.statusCode).toBe(401);
    const missing = await x.app.inject({ url: '/api/review/claims/999999', headers: as(x.agent) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('serves the email sanitized, under the sandboxing CSP, in the detail and on its own', async () => {
    await plantHostileHtml();
    const doc = await x.app.inject({
      url: `/api/review/claims/${x.f.ids.a}/email.html`,
      headers: as(x.ops),
    });
    expect(doc.statusCode).toBe(200);
    expect(doc.headers['content-security-policy']).toBe(EMAIL_CSP);
    expect(doc.headers['content-type']).toMatch(/^text\/html/);
    for (const bad of [
      '<script',
      'onerror',
      'onclick',
      'javascript:',
      'tracker.example',
      '<iframe',
      '<form',
    ])
      expect(doc.body.toLowerCase()).not.toContain(bad);
    expect(doc.body).toContain('<b>agent</b>');
    expect(doc.body).toContain('<img alt="logo" />');
    expect(doc.body).not.toMatch(/\ssrc=/);
    expect(doc.body).toContain(
      'href="https://ok.example/" rel="noopener noreferrer" target="_blank"',
    );

    const detail = await x.app.inject({
      url: `/api/review/claims/${x.f.ids.a}`,
      headers: as(x.agent),
    });
    const d = detail.json<{ email: { html: string; text: string } }>();
    expect(d.email.text).toContain('plain part');
    expect(d.email.html).not.toContain('<script');
    expect(d.email.html).toContain('<b>agent</b>');
    // Every other response keeps the console's own CSP.
    expect(detail.headers['content-security-policy']).toBe(
      "default-src 'self'; frame-ancestors 'none'",
    );
  });

  it('lists attachment metadata', async () => {
    const res = await x.app.inject({
      url: `/api/review/claims/${x.f.ids.b}/attachments`,
      headers: as(x.agent),
    });
    expect(res.statusCode).toBe(200);
    expect(Array.isArray(res.json().attachments)).toBe(true);
  });

  it('forbids ops to act, and any cookie session without its own CSRF token', async () => {
    const url = `/api/review/claims/${x.f.ids.b}/assign`;
    const ops = await x.app.inject({
      method: 'POST',
      url,
      headers: as(x.ops),
      payload: { assignee: 'x@example.com' },
    });
    expect(ops.statusCode).toBe(403);
    expect(ops.json().error.code).toBe('forbidden');
    const foreign = await x.app.inject({
      method: 'POST',
      url,
      headers: as(x.agent, x.ops.csrfToken),
      payload: { assignee: 'x@example.com' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.code).toBe('csrf_failed');
    const preview = await x.app.inject({
      method: 'POST',
      url: `/api/review/claims/${x.f.ids.b}/preview`,
      headers: as(x.ops),
      payload: { decision: 'approved' },
    });
    expect(preview.statusCode).toBe(403);
  });

  it('assigns, previews, and decides as agent:<email>; a stale version gets 409', async () => {
    const id = x.f.ids.b;
    const base = `/api/review/claims/${id}`;
    const assigned = await x.app.inject({
      method: 'POST',
      url: `${base}/assign`,
      headers: as(x.agent),
      payload: { assignee: 'agent@example.com' },
    });
    expect(assigned.json()).toEqual({ assignee: 'agent@example.com' });

    const preview = await x.app.inject({
      method: 'POST',
      url: `${base}/preview`,
      headers: as(x.agent),
      payload: { decision: 'needs_info', missing: ['missing_order'] },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ subject: expect.any(String), text: expect.any(String) });

    const v = await versionOf(x.f.db, id);
    const ok = await x.app.inject({
      method: 'POST',
      url: `${base}/approve`,
      headers: as(x.agent),
      payload: { expectedVersion: v },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ claimId: id, version: v + 1, decision: 'approved' });
    expect(x.producer.calls.at(-1)?.items[0]).toMatchObject({ claimId: id, version: v + 1 });
    const { rows } = await x.f.db.pool.query(
      `SELECT actor FROM audit_log WHERE claim_id = $1 AND action = 'review.approve'`,
      [id],
    );
    expect(rows).toEqual([{ actor: 'agent:agent@example.com' }]);

    const stale = await x.app.inject({
      method: 'POST',
      url: `${base}/reject`,
      headers: as(x.agent),
      payload: { expectedVersion: v, reasons: ['count_mismatch'] },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toMatch(/^(version_conflict|not_reviewable)$/);
  });

  it('answers a version conflict on a claim still in review with 409 version_conflict', async () => {
    const id = x.f.ids.d;
    const v = await versionOf(x.f.db, id);
    const res = await x.app.inject({
      method: 'POST',
      url: `/api/review/claims/${id}/request-info`,
      headers: as(x.agent),
      payload: { expectedVersion: v + 5, missing: ['missing_order'] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('version_conflict');
  });

  it('rejects malformed action bodies with 400 invalid_input', async () => {
    const base = `/api/review/claims/${x.f.ids.d}`;
    for (const [path, payload] of [
      ['approve', {}],
      ['reject', { expectedVersion: 1, reasons: 'x' }],
      ['request-info', { expectedVersion: 1 }],
      ['assign', { assignee: 5 }],
      ['preview', { decision: 'maybe' }],
    ] as const) {
      const res = await x.app.inject({
        method: 'POST',
        url: `${base}/${path}`,
        headers: as(x.agent),
        payload,
      });
      expect(res.statusCode, path).toBe(400);
      expect(res.json().error.code, path).toBe('invalid_input');
    }
  });
});
