import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILBOX } from '../review/review-fixture.ts';
import { type ApiFixture, createApiFixture } from './review-api-fixture.ts';

let x: ApiFixture;
beforeAll(async () => {
  x = await createApiFixture();
}, 60_000);
afterAll(() => x?.close());

/**
 * The only script tags a page may have: the external console.js, and the page's own external
 * scripts (CSP script-src 'self').
 */
function expectNoInlineScript(html: string, own: string[] = []): void {
  const tags = html.match(/<script\b[^>]*>/gi) ?? [];
  expect(tags).toEqual(
    ['console.js', ...own].map((file) => `<script src="/static/${file}" defer>`),
  );
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

  it('sends the browser to /login from / and /claims/:id without a session, naming the page', async () => {
    for (const [url, login] of [
      ['/', '/login'],
      [`/claims/${x.f.ids.a}`, `/login?next=%2Fclaims%2F${x.f.ids.a}`],
    ] as const) {
      const res = await x.app.inject({ url, headers: { cookie: 'ci_session=forged' } });
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location).toBe(login);
    }
  });

  it('renders the queue with filters, reason counts and one linked row per claim', async () => {
    const res = await x.app.inject({ url: '/', headers: { cookie: x.ops.cookie } });
    expect(res.statusCode).toBe(200);
    for (const id of [
      'filter-reason',
      'filter-type',
      'filter-mailbox',
      'filter-assignee',
      'filter-age',
      'filter-min-amount',
      'filter-max-amount',
      'filter-vip',
      'sort',
      'page-size',
      'prev-page',
      'next-page',
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

  it('renders the first page with the filters, page size and cursor of its URL', async () => {
    const url = `/?maxAmount=60&mailbox=${encodeURIComponent(MAILBOX)}&assignee=none&minAge=5&limit=10`;
    const res = await x.app.inject({ url, headers: { cookie: x.agent.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<tr data-claim-id="${x.f.ids.d}">`);
    for (const id of [x.f.ids.a, x.f.ids.b, x.f.ids.c])
      expect(res.body).not.toContain(`<tr data-claim-id="${id}">`);
    // The form shows what is applied, so a reload or a bookmark keeps the view.
    expect(res.body).toContain('id="filter-max-amount" name="maxAmount"');
    expect(res.body).toMatch(/name="maxAmount"[^>]*value="60"/);
    expect(res.body).toContain(`<option value="${MAILBOX}" selected>`);
    expect(res.body).toContain('<option value="none" selected>Unassigned</option>');
    expect(res.body).toContain('<option value="me">Me (agent@example.com)</option>');
    expect(res.body).toMatch(/id="filter-age"[^>]*value="5"/);
    expect(res.body).toContain('<option value="1" selected>minutes</option>');
    expect(res.body).toContain('<option value="10" selected>10</option>');
    expect(res.body).toContain('<span id="total" class="muted">1</span>');

    const page1 = await x.app.inject({ url: '/?limit=2', headers: { cookie: x.agent.cookie } });
    const next = /id="next-page" data-cursor="([^"]+)"/.exec(page1.body)?.[1];
    expect(next).toBeDefined();
    expect(page1.body).toMatch(/id="prev-page" disabled/);
    const page2 = await x.app.inject({
      url: `/?limit=2&cursor=${next}`,
      headers: { cookie: x.agent.cookie },
    });
    expect(page2.body).toContain(`<tr data-claim-id="${x.f.ids.c}">`);
    expect(page2.body).not.toContain(`<tr data-claim-id="${x.f.ids.a}">`);
    expect(page2.body).not.toMatch(/id="prev-page" disabled/);
    expect(page2.body).toMatch(/id="next-page" data-cursor="" disabled/);
  });

  it('shows invalid filters back with a message in the form’s words, never an error page', async () => {
    for (const [query, words] of [
      ['minAmount=ten', '“Amount from” must be an amount'],
      ['minAmount=100&maxAmount=5', '“Amount from” is above “Amount to”'],
      ['minAge=1.5', '“Older than” must be a whole number'],
      ['cursor=damaged', 'bad cursor'],
      ['sort=newest', '“Sort” is oldest or priority'],
    ]) {
      const res = await x.app.inject({ url: `/?${query}`, headers: { cookie: x.agent.cookie } });
      expect(res.statusCode, query).toBe(200);
      expect(res.body, query).toContain('<p id="filter-error" class="alert" role="alert">');
      expect(res.body, query).toContain(words);
      expect(res.body, query).not.toContain('<tr data-claim-id=');
      expect(res.body, query).toContain('Fix the filters above');
    }
    const bad = await x.app.inject({ url: '/?minAmount=ten', headers: { cookie: x.agent.cookie } });
    expect(bad.body).toMatch(/name="minAmount"[^>]*value="ten"/);
    const ok = await x.app.inject({ url: '/', headers: { cookie: x.agent.cookie } });
    expect(ok.body).toContain('<p id="filter-error" class="alert" role="alert" hidden>');
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
    expectNoInlineScript(res.body, ['records.js']);
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
