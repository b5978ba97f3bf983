import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './review-api-fixture.ts';

let x: ApiFixture;
beforeAll(async () => {
  x = await createApiFixture();
}, 60_000);
afterAll(() => x?.close());

/** The only script tag any page may have: the external console.js (CSP script-src 'self'). */
function expectNoInlineScript(html: string): void {
  const tags = html.match(/<script\b[^>]*>/gi) ?? [];
  expect(tags).toEqual(['<script src="/static/console.js" defer>']);
  expect(html).not.toMatch(/<script[^>]*>[^<]+<\/script>/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
}

describe('the console pages', () => {
  it('serves /login with the sign-in form to anyone', async () => {
    const res = await x.app.inject({ url: '/login' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    for (const s of ['id="sign-in"', 'name="email"', 'name="password"', 'type="submit"'])
      expect(res.body).toContain(s);
    expectNoInlineScript(res.body);
  });

  it('sends the browser to /login from / and /claims/:id without a session', async () => {
    for (const url of ['/', `/claims/${x.f.ids.a}`]) {
      const res = await x.app.inject({ url, headers: { cookie: 'ci_session=forged' } });
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location).toBe('/login');
    }
  });

  it('renders the queue with filters, reason counts and one linked row per claim', async () => {
    const res = await x.app.inject({ url: '/', headers: { cookie: x.ops.cookie } });
    expect(res.statusCode).toBe(200);
    for (const id of [
      'filter-reason',
      'filter-type',
      'filter-vip',
      'sort',
      'reason-counts',
      'queue',
    ])
      expect(res.body).toContain(`id="${id}"`);
    for (const id of [x.f.ids.a, x.f.ids.b, x.f.ids.c, x.f.ids.d]) {
      expect(res.body).toContain(`<tr data-claim-id="${id}">`);
      expect(res.body).toContain(`<a class="claim-link" href="/claims/${id}">`);
    }
    expect(res.body).toContain('data-reason="count_mismatch"');
    expectNoInlineScript(res.body);
  });

  it('renders a claim with its sandboxed email and every action control', async () => {
    const res = await x.app.inject({
      url: `/claims/${x.f.ids.a}`,
      headers: { cookie: x.agent.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      `<iframe id="email-frame" sandbox="" title="The customer's email" src="/api/review/claims/${x.f.ids.a}/email.html">`,
    );
    for (const id of [
      'email-text',
      'fields',
      'computation',
      'reasons',
      'thread',
      'audit',
      'note',
      'amount',
      'approve',
      'reject',
      'request-info',
      'preview',
      'preview-text',
      'preview-html',
      'status',
    ])
      expect(res.body, id).toContain(`id="${id}"`);
    expect(res.body).toContain('name="reject-reason"');
    expect(res.body).toContain('name="missing"');
    expect(res.body).not.toMatch(/allow-scripts|allow-same-origin/);
    expectNoInlineScript(res.body);
  });

  it('answers an unknown claim page with 404', async () => {
    const res = await x.app.inject({ url: '/claims/999999', headers: { cookie: x.agent.cookie } });
    expect(res.statusCode).toBe(404);
  });

  it('serves console.js and console.css from /static and nothing else', async () => {
    const js = await x.app.inject({ url: '/static/console.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain('/api/review/claims');
    const css = await x.app.inject({ url: '/static/console.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).not.toMatch(/@import|https?:\/\//);
    expect((await x.app.inject({ url: '/static/..%2Fserver.ts' })).statusCode).toBe(404);
  });

  it('gives a session its CSRF token from /api/me, for the pages script', async () => {
    const res = await x.app.inject({ url: '/api/me', headers: { cookie: x.agent.cookie } });
    expect(res.json().csrfToken).toBe(x.agent.csrfToken);
  });
});
