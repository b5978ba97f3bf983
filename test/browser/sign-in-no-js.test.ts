/**
 * Signing in with JavaScript turned off (issue #14), in a real browser (Debian's Chromium
 * through playwright-core) against the console server: the login page's plain form posts,
 * a wrong password comes back as a message on the page, and the right one lands on the page
 * the browser first asked for, signed in. With JavaScript on, console.js signs in through the
 * JSON API instead, and lands on the same page.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createWebHarness, type WebHarness } from '../web/web-harness.ts';

const AGENT = 'agent@example.com';
const PASSWORD = 'correct horse battery staple';

let h: WebHarness;
let tb: TestBrowser;
let context: BrowserContext;
let origin: string;

beforeAll(async () => {
  h = await createWebHarness();
  expect((await h.addUser(AGENT, 'agent', PASSWORD)).code).toBe(0);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
  tb = await launchBrowser();
  context = await tb.browser.newContext({ javaScriptEnabled: false });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await tb?.close();
  await h?.close();
});

describe('signing in without JavaScript', () => {
  it('shows a wrong password on the page, then signs in and returns to the page asked for', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${origin}/?sort=priority`);
    expect(new URL(page.url()).pathname).toBe('/login');
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(`${r.url()} ${r.headers()['content-type']}`);
    });

    await page.fill('#sign-in input[name=email]', AGENT);
    await page.fill('#sign-in input[name=password]', 'not the password');
    const [failed] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('#sign-in button[type=submit]'),
    ]);
    expect(failed.status()).toBe(401);
    expect(await page.textContent('#sign-in-error')).toBe('Wrong email or password.');
    expect(await page.inputValue('#sign-in input[name=email]')).toBe(AGENT);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('ci_session');

    await page.fill('#sign-in input[name=password]', PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/'),
      page.click('#sign-in button[type=submit]'),
    ]);
    expect(page.url()).toBe(`${origin}/?sort=priority`);
    expect(await page.textContent('h1')).toMatch(/^Review queue/);
    expect((await context.cookies()).map((c) => c.name)).toContain('ci_session');
    // console.js never ran (it would have sent JSON to /api/session): the form itself posted.
    expect(posts).toEqual(Array(2).fill(`${origin}/login application/x-www-form-urlencoded`));
  });

  it('with JavaScript on, signs in through the JSON API and returns to the same page', async () => {
    const page = await tb.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${origin}/?sort=priority`);
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    await page.fill('#sign-in input[name=email]', AGENT);
    await page.fill('#sign-in input[name=password]', PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/'),
      page.click('#sign-in button[type=submit]'),
    ]);
    expect(page.url()).toBe(`${origin}/?sort=priority`);
    expect(posts).toEqual(['/api/session']);
    await page.context().close();
  });
});
