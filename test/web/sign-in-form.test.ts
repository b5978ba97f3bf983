/**
 * The login page's plain HTML form (issue #14): a browser without JavaScript signs in with a
 * form POST, under the same limits, refusal counting and audit as the JSON API, and no other
 * site can make a browser send that POST.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS } from '../../src/auth/sign-in-limits.ts';
import { createWebHarness, type WebHarness } from './web-harness.ts';

const PASSWORD = 'correct horse battery';
const AGENT = 'agent@example.com';
/** The form cookie's name with COOKIE_SECURE on (the harness's default). */
const FORM_COOKIE = '__Host-ci_sign_in';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
let h: WebHarness;

beforeAll(async () => {
  h = await createWebHarness();
  expect((await h.addUser(AGENT, 'agent', PASSWORD)).code).toBe(0);
}, 60_000);
afterAll(() => h?.close());

interface OpenForm {
  action: string;
  /** The Cookie header a browser would send back. */
  cookie: string;
  fields: Record<string, string>;
}

/** GET the login page as a browser would: its form's action, hidden fields and cookie. */
async function openForm(url = '/login'): Promise<OpenForm> {
  const res = await h.app.inject({ url });
  expect(res.statusCode).toBe(200);
  const action = /<form id="sign-in" method="post" action="([^"]+)"/.exec(res.body)?.[1];
  const fields: Record<string, string> = {};
  for (const m of res.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = m[2]!.replace(/&amp;/g, '&');
  const set = res.cookies.find((c) => c.name === FORM_COOKIE);
  expect(action).toBeDefined();
  expect(set).toBeDefined();
  return { action: action!, cookie: `${FORM_COOKIE}=${set!.value}`, fields };
}

function submit(
  form: OpenForm,
  fields: Record<string, string>,
  options: { remoteAddress?: string; headers?: Record<string, string>; cookie?: string } = {},
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'POST',
    url: form.action,
    headers: { ...FORM, cookie: options.cookie ?? form.cookie, ...options.headers },
    payload: new URLSearchParams({ ...form.fields, ...fields }).toString(),
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
  });
}

const jsonAttempt = (email: string, password: string, remoteAddress: string) =>
  h.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email, password },
    remoteAddress,
  });

const sessionCookie = (res: LightMyRequestResponse) =>
  res.cookies.find((c) => c.name === 'ci_session');

/** The error the login page shows, if any. */
const shownError = (html: string) =>
  /<p id="sign-in-error" class="alert" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

async function failures(email: string, ip: string): Promise<number> {
  const { rows } = await h.db.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM sign_in_attempts WHERE email = $1 AND ip = $2 AND NOT ok',
    [email, ip],
  );
  return Number(rows[0]!.n);
}

async function audits(action: string, email: string) {
  const { rows } = await h.db.pool.query<{ actor: string; details: Record<string, unknown> }>(
    `SELECT actor, details FROM audit_log WHERE action = $1
      AND (details->>'email' = $2 OR actor = 'user:' || $2) ORDER BY id`,
    [action, email],
  );
  return rows;
}

describe('the login form without JavaScript', () => {
  it('is a plain form POST to /login carrying a token, with a strict, http-only cookie', async () => {
    const res = await h.app.inject({ url: '/login' });
    expect(res.body).toContain('<form id="sign-in" method="post" action="/login">');
    expect(res.cookies.find((c) => c.name === FORM_COOKIE)).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/',
    });
    // The same browser keeps its token, so two open login tabs both work.
    const form = await openForm();
    const again = await h.app.inject({ url: '/login', headers: { cookie: form.cookie } });
    expect(again.cookies).toEqual([]);
    expect(again.body).toContain(`value="${form.fields.form_token}"`);
  });

  it('signs in with the form-encoded body: session cookie, 303 to the queue, audited', async () => {
    const form = await openForm();
    const res = await submit(form, { email: 'Agent@Example.com', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(sessionCookie(res)).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: 43_200,
    });
    const queue = await h.app.inject({
      url: '/',
      headers: { cookie: `ci_session=${sessionCookie(res)!.value}` },
    });
    expect(queue.statusCode).toBe(200);
    expect(await audits('auth.sign_in', AGENT)).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ ip: '127.0.0.1' }) }),
    );
  });

  it('goes back to the console page the browser came for', async () => {
    const claim = await h.app.inject({ url: '/claims/42?tab=email' });
    expect(claim.statusCode).toBe(302);
    expect(claim.headers.location).toBe('/login?next=%2Fclaims%2F42%3Ftab%3Demail');
    const form = await openForm(claim.headers.location);
    expect(form.fields.next).toBe('/claims/42?tab=email');
    const res = await submit(form, { email: AGENT, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/claims/42?tab=email');
  });

  it('never sends the browser to another site or a non-page after signing in', async () => {
    const form = await openForm();
    for (const next of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      '/api/tokens',
      '/login',
      'javascript:alert(1)',
    ]) {
      const res = await submit(form, { email: AGENT, password: PASSWORD, next });
      expect(res.statusCode, next).toBe(303);
      expect(res.headers.location, next).toBe('/');
    }
  });

  it('shows a wrong password on the login page with 401, sets no session, and counts it', async () => {
    const form = await openForm('/login?next=%2Fops');
    const res = await submit(
      form,
      { email: AGENT, password: 'not the password' },
      { remoteAddress: '10.1.0.1' },
    );
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(shownError(res.body)).toBe('Wrong email or password.');
    // The email is kept, the password is not, and the way back to /ops is still there.
    expect(res.body).toContain(`value="${AGENT}"`);
    expect(res.body).not.toContain('not the password');
    expect(res.body).toContain('<input type="hidden" name="next" value="/ops">');
    expect(sessionCookie(res)).toBeUndefined();
    // Counted and audited exactly as a failure through the JSON API is.
    expect(await failures(AGENT, '10.1.0.1')).toBe(1);
    expect((await jsonAttempt(AGENT, 'not the password', '10.1.0.1')).statusCode).toBe(401);
    expect(await failures(AGENT, '10.1.0.1')).toBe(2);
    const failed = (await audits('auth.sign_in_failed', AGENT)).filter(
      (r) => r.details.ip === '10.1.0.1',
    );
    expect(failed).toHaveLength(2);
    expect(failed[0]).toEqual(failed[1]);
    expect(failed[0]).toMatchObject({
      actor: `user:${AGENT}`,
      details: { reason: 'invalid_credentials' },
    });
  });

  it('shares the rate limit with the JSON API: the 6th failure of a pair gets 429, either way', async () => {
    const victim = 'victim@example.com';
    const ip = '10.1.0.2';
    const form = await openForm();
    for (let i = 0; i < 3; i++)
      expect(
        (await submit(form, { email: victim, password: `guess ${i}` }, { remoteAddress: ip }))
          .statusCode,
      ).toBe(401);
    for (let i = 3; i < SIGN_IN_LIMITS.pairFree; i++)
      expect((await jsonAttempt(victim, `guess ${i}`, ip)).statusCode).toBe(401);

    const refused = await submit(
      form,
      { email: victim, password: 'guess 6' },
      { remoteAddress: ip },
    );
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(shownError(refused.body)).toBe('Too many failed sign-ins. Try again in 1 minute.');
    expect((await jsonAttempt(victim, 'guess 7', ip)).statusCode).toBe(429);
    // Refusals were never checked: the failures stay at five, the refusals are counted.
    expect(await failures(victim, ip)).toBe(SIGN_IN_LIMITS.pairFree);
    const { rows } = await h.db.pool.query<{ refused: string }>(
      'SELECT sum(refused) AS refused FROM sign_in_refusals WHERE email = $1 AND ip = $2',
      [victim, ip],
    );
    expect(rows).toEqual([{ refused: '2' }]);
    expect(await audits('auth.sign_in_failed', victim)).toContainEqual(
      expect.objectContaining({
        actor: 'anonymous',
        details: expect.objectContaining({ reason: 'rate_limited', ip }),
      }),
    );
  });

  it('holds back even the right password through the form while the address is locked out', async () => {
    const ip = '10.1.0.3';
    for (let i = 0; i < SIGN_IN_LIMITS.pairFree; i++)
      expect((await jsonAttempt(AGENT, `guess ${i}`, ip)).statusCode).toBe(401);
    const form = await openForm();
    const res = await submit(form, { email: AGENT, password: PASSWORD }, { remoteAddress: ip });
    expect(res.statusCode).toBe(429);
    expect(sessionCookie(res)).toBeUndefined();
  });

  it('takes the form encoding only: JSON posted to /login gets 415', async () => {
    const form = await openForm();
    const res = await h.app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: form.cookie },
      payload: { ...form.fields, email: AGENT, password: PASSWORD },
    });
    expect(res.statusCode).toBe(415);
    expect(sessionCookie(res)).toBeUndefined();
  });

  it('answers a form without email or password with 400 and checks nothing', async () => {
    const form = await openForm();
    const res = await submit(form, { email: 'nobody@example.com' }, { remoteAddress: '10.1.0.4' });
    expect(res.statusCode).toBe(400);
    expect(shownError(res.body)).toBe('Enter your email and password.');
    expect(await failures('nobody@example.com', '10.1.0.4')).toBe(0);
  });

  it('never writes the password to the logs', () => {
    expect(h.logs.join('\n')).not.toContain(PASSWORD);
    expect(h.logs.join('\n')).not.toContain('not the password');
  });
});

describe('a sign-in form posted from another site', () => {
  const email = 'cross-site@example.com';
  const ip = '10.2.0.1';

  beforeAll(async () => {
    expect((await h.addUser(email, 'agent', PASSWORD)).code).toBe(0);
  }, 60_000);

  /** Each refused the same way: 403, the login page again, no session, nothing counted. */
  async function expectRefused(res: LightMyRequestResponse): Promise<void> {
    expect(res.statusCode).toBe(403);
    expect(shownError(res.body)).toMatch(/not sent from this site/);
    expect(sessionCookie(res)).toBeUndefined();
    expect(await failures(email, ip)).toBe(0);
    expect(await audits('auth.sign_in', email)).toEqual([]);
  }

  it('is refused without the form cookie (SameSite=Strict keeps it from cross-site posts)', async () => {
    // The attacker may fetch a login page and copy its token, but not the victim's cookie.
    const theirs = await openForm();
    await expectRefused(
      await h.app.inject({
        method: 'POST',
        url: '/login',
        headers: { ...FORM, origin: 'https://evil.example' },
        payload: new URLSearchParams({ ...theirs.fields, email, password: PASSWORD }).toString(),
        remoteAddress: ip,
      }),
    );
  });

  it("is refused with the victim's cookie but another token", async () => {
    const victim = await openForm();
    const theirs = await openForm();
    await expectRefused(
      await submit(
        victim,
        { email, password: PASSWORD, form_token: theirs.fields.form_token! },
        {
          remoteAddress: ip,
        },
      ),
    );
    await expectRefused(
      await submit(victim, { email, password: PASSWORD, form_token: '' }, { remoteAddress: ip }),
    );
  });

  it('is refused when the browser says it comes from another site, whatever it carries', async () => {
    const form = await openForm();
    for (const site of ['cross-site', 'same-site'])
      await expectRefused(
        await submit(
          form,
          { email, password: PASSWORD },
          { remoteAddress: ip, headers: { 'sec-fetch-site': site } },
        ),
      );
    // The login page's own POST says same-origin, and is let in.
    const own = await submit(
      form,
      { email, password: PASSWORD },
      { remoteAddress: ip, headers: { 'sec-fetch-site': 'same-origin' } },
    );
    expect(own.statusCode).toBe(303);
  });
});

describe('the JSON sign-in API', () => {
  it('still takes JSON only: a form body gets 415 with the JSON error', async () => {
    const form = await openForm();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { ...FORM, cookie: form.cookie },
      payload: new URLSearchParams({ ...form.fields, email: AGENT, password: PASSWORD }).toString(),
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: { code: 'unsupported_media_type', message: expect.any(String) },
    });
    expect(sessionCookie(res)).toBeUndefined();
  });

  it('answers as before: the user and a CSRF token, no redirect', async () => {
    const res = await jsonAttempt(AGENT, PASSWORD, '10.3.0.1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: { email: AGENT, role: 'agent' },
      csrfToken: expect.any(String),
    });
    expect(sessionCookie(res)).toBeDefined();
  });
});
