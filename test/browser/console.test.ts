/**
 * The console in a real browser (Debian's Chromium through playwright-core) against the whole
 * service (role 'all': mailbox, pipeline, SMTP sink, console): an agent signs in, filters the
 * queue by reason, opens a flagged claim, approves it with a note, and the reply reaches the
 * SMTP sink; a claim page shows the records its decision used and replays the decision. A
 * hostile HTML email displays without running script and without any request leaving the
 * console's origin. The screenshots in docs/screenshots are taken here.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHarness,
  type Harness,
  MAIL_FROM,
  mail,
  type ReplyRow,
  uniqueId,
} from '../pipeline/pipeline-harness.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import { runUserAdd } from '../web/web-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const AUTHSERV = 'mx.claims.example';
const SUBJECT =
  'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1';
const AGENT = 'agent@cloud.example';
const PASSWORD = 'correct horse battery staple';
// The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; an ordinary run writes them
// to a temporary folder, so running the tests leaves the work tree clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(REPO_ROOT, 'docs/screenshots')
  : mkdtempSync(join(tmpdir(), 'claim-intake-screenshots-'));
const STRANGER = 'someone@elsewhere.test';

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function authResults(from: string, result: 'pass' | 'fail'): Record<string, string> {
  const domain = from.split('@')[1];
  return { 'Authentication-Results': `${AUTHSERV}; dmarc=${result} header.from=${domain}` };
}

/** An HTML email full of things a reader must never run or fetch. */
function hostileMail(messageId: string): string {
  const html = `<html><head>
<link rel="stylesheet" href="http://127.0.0.1:9/x.css">
<style>body { background: url(http://127.0.0.1:9/bg.png) } .x { width: expression(alert(1)) }</style>
<script>window.parent.pwned = 1; window.pwned = 1; alert('script');</script>
</head><body>
<p>Our shop was down. Please compensate.</p>
<img src="http://127.0.0.1:9/track.png" onerror="window.parent.pwned = 1; alert('onerror')">
<a href="javascript:alert(1)" id="js-link">click me</a>
<div style="width:expression(alert(1)); background-image:url(http://127.0.0.1:9/div.png)">styled</div>
<iframe src="http://127.0.0.1:9/frame.html"></iframe>
<svg onload="alert('svg')"><image href="http://127.0.0.1:9/svg.png"/></svg>
<form action="http://127.0.0.1:9/post"><input name="q"><button>go</button></form>
</body></html>`;
  const headers = authResults(STRANGER, 'pass');
  return [
    `From: ${STRANGER}`,
    `To: ${MAIL_FROM}`,
    `Subject: ${SUBJECT}`,
    'Date: Wed, 04 Mar 2026 09:00:00 +0800',
    `Message-ID: <${messageId}>`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset="utf-8"',
    '',
    'Our shop was down. Please compensate.',
    '--b1',
    'Content-Type: text/html; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(html, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b1--',
    '',
  ].join('\r\n');
}

let h: Harness;
let tb: TestBrowser;
let origin: string;
const ids = { stranger: '', unauthenticated: '', hostile: '' };
const claims = { stranger: 0, unauthenticated: 0, hostile: 0 };

async function signIn(page: Page): Promise<void> {
  page.setDefaultTimeout(10_000);
  await page.goto(`${origin}/login`);
  await page.fill('#sign-in input[name=email]', AGENT);
  await page.fill('#sign-in input[name=password]', PASSWORD);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 10_000 }),
    page.click('#sign-in button[type=submit]'),
  ]);
}

/**
 * The whole page in one picture. The viewport grows to the page's height and the page paints
 * twice before the capture: a fullPage capture resizes under the sandboxed frames, which can
 * then show blank.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name) });
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  h = await createHarness({
    env: {
      REPLY_LIMIT_PER_SENDER: '1000',
      SENDER_AUTH: 'header',
      SENDER_AUTH_AUTHSERV_ID: AUTHSERV,
    },
  });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  await h.start({ HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) });
  const added = await runUserAdd(h.db.url, [AGENT, '--role', 'agent'], `${PASSWORD}\n`);
  expect(added.code, added.stderr).toBe(0);

  ids.stranger = uniqueId('stranger');
  ids.unauthenticated = uniqueId('unauth');
  ids.hostile = uniqueId('hostile');
  const names = {
    stranger: h.deliver(
      mail({
        from: STRANGER,
        subject: SUBJECT,
        messageId: ids.stranger,
        body: 'ECS unreachable for an hour.\n',
        headers: authResults(STRANGER, 'pass'),
      }),
      RECEIVED,
    ),
    unauthenticated: h.deliver(
      mail({
        subject: SUBJECT,
        messageId: ids.unauthenticated,
        headers: authResults('it@demo-shop.test', 'fail'),
      }),
      RECEIVED,
    ),
    hostile: h.deliver(hostileMail(ids.hostile), RECEIVED),
  };
  for (const key of ['stranger', 'unauthenticated', 'hostile'] as const) {
    const c = await h.waitClaim(names[key], (x) => x.state === 'review', `${key} in review`);
    claims[key] = c.id;
  }
  expect((await h.claim(claims.stranger)).reasons).toContain('sender_not_account_contact');
  expect((await h.claim(claims.unauthenticated)).reasons).not.toContain(
    'sender_not_account_contact',
  );
  tb = await launchBrowser();
});

afterAll(async () => {
  await tb?.close();
  await h?.cleanup();
});

describe('the console in a browser', () => {
  it('signs in, filters the queue, opens a flagged claim, approves it; the reply is sent', async () => {
    const page = await tb.newPage();
    await signIn(page);
    await page.locator('table#queue tr[data-claim-id]').first().waitFor();
    await expect(page.locator('#reason-counts').textContent()).resolves.toContain(
      'sender_not_account_contact',
    );

    await page.selectOption('select#filter-reason', 'sender_not_account_contact');
    const unauthRow = page.locator(`table#queue tr[data-claim-id="${claims.unauthenticated}"]`);
    await unauthRow.waitFor({ state: 'detached', timeout: 10_000 });
    const row = page.locator(`table#queue tr[data-claim-id="${claims.stranger}"]`);
    await row.waitFor();
    const shown = await page
      .locator('table#queue tr[data-claim-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-claim-id')));
    expect(shown).toContain(String(claims.stranger));
    expect(shown).not.toContain(String(claims.unauthenticated));
    await screenshot(page, 'queue.png');

    await Promise.all([
      page.waitForURL(`**/claims/${claims.stranger}`),
      row.locator('a.claim-link').click(),
    ]);
    await page.locator('#reasons', { hasText: 'sender_not_account_contact' }).waitFor();
    // The text part sits in a closed <details>: present, not visible.
    const text = page.locator('pre#email-text');
    await text.waitFor({ state: 'attached' });
    expect(await text.textContent()).toContain('ECS unreachable');
    // The screenshot shows the reply preview too, loaded in its frame.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/preview.html?') && r.ok()),
      page.click('button#preview'),
    ]);
    const preview = await (await page
      .locator('iframe#preview-html')
      .elementHandle())!.contentFrame();
    await preview!.locator('h1').waitFor();
    await screenshot(page, 'claim.png');

    // A claim going to review is acknowledged at once; the decision's reply comes after.
    await waitFor(async () => (await h.replies(claims.stranger)).some((r) => r.state === 'sent'), {
      timeoutMs: 20_000,
      message: 'the acknowledgement of the flagged claim sent',
    });
    const before = new Set((await h.replies(claims.stranger)).map((r) => r.id));
    await page.fill('textarea#note', 'Sender confirmed by phone with the account owner.');
    await page.click('button#approve');
    const status = page.locator('#status[data-kind=ok]');
    await status.waitFor();
    expect(await status.textContent()).toContain('approved');
    let decided: ReplyRow | undefined;
    await waitFor(
      async () => {
        decided = (await h.replies(claims.stranger)).find((r) => !before.has(r.id));
        return decided?.state === 'sent';
      },
      { timeoutMs: 20_000, message: 'the reply to the approved claim sent' },
    );
    const atSink = (await h.sentTo(ids.stranger)).filter(
      (m) => m.header('message-id') === decided!.message_id,
    );
    expect(atSink).toHaveLength(1);
    expect(atSink[0]!.envelope.to).toEqual([STRANGER]);
    expect(atSink[0]!.text).toContain('approved compensation of CNY 100.00');
    expect((await h.claim(claims.stranger)).decision).toBe('approved');
  });

  it('narrows the queue by amount and mailbox and pages with a small page size, all in the URL', async () => {
    // Two claims are left in review; their amounts differ so a range can pick one, and a second
    // (empty) mailbox is registered so the mailbox filter has a choice that matches nothing.
    await h.db.pool.query(`UPDATE claims SET amount = 250.00 WHERE id = $1`, [claims.hostile]);
    await h.db.pool.query(`UPDATE claims SET amount = 100.00 WHERE id = $1`, [
      claims.unauthenticated,
    ]);
    await h.db.pool.query(
      `INSERT INTO mailboxes (name) VALUES ('maildir:/srv/empty') ON CONFLICT DO NOTHING`,
    );
    const page = await tb.newPage();
    await signIn(page);
    const rows = page.locator('table#queue tr[data-claim-id]');
    const shownIds = () =>
      rows.evaluateAll((trs) => trs.map((r) => Number(r.getAttribute('data-claim-id'))));
    const waitForIds = async (want: number[], message: string) => {
      await waitFor(async () => JSON.stringify(await shownIds()) === JSON.stringify(want), {
        timeoutMs: 10_000,
        message,
      });
    };
    const both = [claims.unauthenticated, claims.hostile].sort((a, b) => a - b);

    // Page size 1: the first render honours limit; Next and Previous walk the cursor.
    await page.goto(`${origin}/?limit=1`);
    expect(await rows.count()).toBe(1);
    expect(await page.locator('#page-info').textContent()).toBe('Showing 1 of 2');
    const firstId = (await shownIds())[0]!;
    await page.click('#next-page');
    const secondId = both.find((id) => id !== firstId)!;
    await waitForIds([secondId], 'the second page');
    expect(new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
    expect(await page.locator('#next-page').isDisabled()).toBe(true);
    await page.click('#prev-page');
    await waitForIds([firstId], 'back on the first page');
    expect(new URL(page.url()).searchParams.get('cursor')).toBeNull();

    // An amount range narrows the list; the URL keeps it, so a reload shows the same view.
    await page.selectOption('#page-size', '50');
    await waitForIds(both, 'both claims on one page');
    await page.fill('#filter-min-amount', '200.00');
    await page.press('#filter-min-amount', 'Enter');
    await waitForIds([claims.hostile], 'only the claim of 250.00');
    expect(new URL(page.url()).searchParams.get('minAmount')).toBe('200.00');
    await page.reload();
    expect(await shownIds()).toEqual([claims.hostile]);
    expect(await page.inputValue('#filter-min-amount')).toBe('200.00');

    // A value that is not an amount gets a message in the form's words, not a crash.
    await page.fill('#filter-min-amount', '12,5');
    await page.press('#filter-min-amount', 'Enter');
    const error = page.locator('#filter-error:not([hidden])');
    await error.waitFor();
    expect(await error.textContent()).toContain('“Amount from” must be an amount');
    await waitForIds([], 'no rows while the filter is invalid');
    await page.fill('#filter-min-amount', '');
    await page.press('#filter-min-amount', 'Enter');
    await waitForIds(both, 'both claims again');
    expect(await page.locator('#filter-error').isHidden()).toBe(true);

    // The mailbox list offers every registered mailbox; the empty one shows nothing.
    await page.selectOption('#filter-mailbox', 'maildir:/srv/empty');
    await waitForIds([], 'nothing in the empty mailbox');
    expect(await page.locator('table#queue tr.empty').textContent()).toContain(
      'No claims match these filters.',
    );
    const real = await page
      .locator('#filter-mailbox option')
      .evaluateAll((os) =>
        os
          .map((o) => (o as HTMLOptionElement).value)
          .filter((v) => v && v !== 'maildir:/srv/empty'),
      );
    expect(real).toHaveLength(1);
    await page.selectOption('#filter-mailbox', real[0]!);
    await waitForIds(both, 'both claims from the real mailbox');
    expect(new URL(page.url()).searchParams.get('mailbox')).toBe(real[0]);
  });

  it('previews the reply in its own frame: its inline styles apply, no script runs', async () => {
    const page = await tb.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signIn(page);
    await page.goto(`${origin}/claims/${claims.unauthenticated}`);
    const [doc] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/preview.html?')),
      page.click('button#preview'),
    ]);
    expect(doc.status()).toBe(200);
    const csp = (await doc.allHeaders())['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toContain('script-src');
    await page.locator('#preview-text', { hasText: 'Subject:' }).waitFor();

    const frameElement = page.locator('iframe#preview-html');
    expect(await frameElement.getAttribute('sandbox')).toBe('');
    const frame = (await (await frameElement.elementHandle())!.contentFrame())!;
    await frame.waitForLoadState('load');
    await frame.locator('h1').waitFor();
    // The template's inline styles are in force (a frame under the console's CSP would drop them).
    const look = await frame.evaluate(() => ({
      body: getComputedStyle(document.body).backgroundColor,
      h1: getComputedStyle(document.querySelector('h1')!).fontSize,
      origin: window.origin,
    }));
    expect(look.body).toBe('rgb(243, 244, 246)');
    expect(look.h1).toBe('20px');
    expect(look.origin).toBe('null');
    // A script put into the preview document does not run (an allowed inline script would
    // have run synchronously, during append).
    const ran = await frame.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.previewRan = 1; alert("preview")';
      document.body.append(s);
      return (window as { previewRan?: number }).previewRan;
    });
    expect(ran).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('shows the records the decision used, and replaying the decision gives the same one', async () => {
    const page = await tb.newPage();
    await signIn(page);
    await page.goto(`${origin}/claims/${claims.unauthenticated}`);
    const section = page.locator('section#records');
    await section.locator('h2', { hasText: 'Records the decision used' }).waitFor();
    expect(await section.locator('#records-source').getAttribute('data-source')).toBe('assessment');
    await section.locator('[data-kind="accounts"] td', { hasText: 'demo-shop' }).first().waitFor();
    await section.locator('[data-kind="incidents"] tr.used', { hasText: 'INC-9001' }).waitFor();
    const [answer] = await Promise.all([
      page.waitForResponse((r) =>
        r.url().includes(`/api/review/claims/${claims.unauthenticated}/replay?`),
      ),
      page.click('button#replay'),
    ]);
    expect(answer.status()).toBe(200);
    const result = page.locator('#replay-result .replay-same');
    await result.waitFor();
    expect(await result.textContent()).toBe('Same decision');
  });

  it('a hostile email displays without running script or fetching anything elsewhere', async () => {
    const page = await tb.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signIn(page);
    const from = tb.requests.length;
    await page.goto(`${origin}/claims/${claims.hostile}`);
    const frameElement = page.locator('iframe#email-frame');
    await frameElement.waitFor();
    expect(await frameElement.getAttribute('sandbox')).not.toBeNull();
    expect(await frameElement.getAttribute('sandbox')).not.toContain('allow-scripts');
    const frame = await (await frameElement.elementHandle())!.contentFrame();
    expect(frame).not.toBeNull();
    await frame!.waitForLoadState('load');
    await frame!.locator('body', { hasText: 'Our shop was down' }).waitFor();
    await page.waitForLoadState('networkidle');
    // Clicking the javascript: link (if it survived at all) must not run it either.
    const link = frame!.locator('a', { hasText: 'click me' });
    if ((await link.count()) > 0) await link.click({ timeout: 2_000 }).catch(() => undefined);

    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(await frame!.evaluate(() => (window as { pwned?: unknown }).pwned)).toBeUndefined();
    const html = await frame!.content();
    expect(html).not.toMatch(/<script|onerror|javascript:|expression\(|127\.0\.0\.1:9/i);

    const requested = tb.requests.slice(from);
    expect(requested).toContain(`${origin}/api/review/claims/${claims.hostile}/email.html`);
    const elsewhere = requested.filter((url) => new URL(url).origin !== origin);
    expect(elsewhere).toEqual([]);
  });
});
