/**
 * The claim page tells an agent why an edited amount was refused, beside the amount field
 * (Chromium against a console server on the review fixture).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { type ApiFixture, createApiFixture } from '../web/review-api-fixture.ts';

let x: ApiFixture;
let tb: TestBrowser;
let origin: string;

beforeAll(async () => {
  x = await createApiFixture();
  await x.app.listen({ host: '127.0.0.1', port: 0 });
  const address = x.app.server.address() as { port: number };
  origin = `http://127.0.0.1:${address.port}`;
  tb = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await tb?.close();
  await x?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.fill('#sign-in input[name=email]', 'agent@example.com');
  await page.fill('#sign-in input[name=password]', 'correct horse battery staple');
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 10_000 }),
    page.click('#sign-in button[type=submit]'),
  ]);
}

describe('an edited amount the service refuses', () => {
  it('is explained beside the amount field, and the claim stays in review', async () => {
    const page = await tb.newPage();
    await signIn(page);
    await page.goto(`${origin}/claims/${x.f.ids.b}`);
    await page.fill('#amount', '9999999999999999.99');
    await page.fill('textarea#note', 'typo test');
    await page.click('button#approve');
    const error = page.locator('#amount-error:not([hidden])');
    await error.waitFor();
    expect(await error.textContent()).toContain('at most 12 digits before the decimal point');
    expect(await page.getAttribute('#amount', 'aria-invalid')).not.toBeNull();
    expect(await page.locator('#status').getAttribute('data-kind')).toBe('error');

    // Above the computed 100.00: an agent is told who may.
    await page.fill('#amount', '120.00');
    await page.click('button#approve');
    await page.locator('#amount-error', { hasText: 'only an admin may' }).waitFor();
    const { rows } = await x.f.db.pool.query('SELECT state FROM claims WHERE id = $1', [x.f.ids.b]);
    expect(rows[0].state).toBe('review');
  });
});
