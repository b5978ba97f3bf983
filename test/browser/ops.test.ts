/**
 * The ops page in a real browser (Debian's Chromium through playwright-core) against the
 * console server over real Redis and PostgreSQL, with BullMQ workers whose jobs throw for
 * chosen claims: an ops user signs in, opens /ops from the nav, sees a failed job, retries
 * it and sees the counts change; pauses and resumes a queue; sees a new failure appear by
 * itself and discards it. An agent gets the 403 page. docs/screenshots/ops.png is taken here.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxLock } from '../../src/intake/mailbox-lock.ts';
import { MailboxStatePublisher } from '../../src/ops/mailbox-state.ts';
import { createOpsFixture, type OpsFixture, PASSWORD, USERS } from '../ops/ops-fixture.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

// Refreshed with UPDATE_SCREENSHOTS=1; an ordinary run writes to a temporary folder.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(REPO_ROOT, 'docs/screenshots')
  : mkdtempSync(join(tmpdir(), 'claim-intake-screenshots-'));

let x: OpsFixture;
let tb: TestBrowser;
let origin: string;
let lock: MailboxLock;
let publisher: MailboxStatePublisher;

/** The page polls every 4 s; a loaded CI machine gets a generous bound, never a fixed wait. */
const POLLED = { timeoutMs: 20_000 };

async function signIn(page: Page, email: string): Promise<void> {
  page.setDefaultTimeout(20_000);
  await page.goto(`${origin}/login`);
  await page.fill('#sign-in input[name=email]', email);
  await page.fill('#sign-in input[name=password]', PASSWORD);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.click('#sign-in button[type=submit]'),
  ]);
}

const stat = (page: Page, queue: string, key: string) =>
  page.locator(`article[data-queue="${queue}"] [data-stat="${key}"]`);

beforeAll(async () => {
  x = await createOpsFixture();
  await x.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = x.app.server.address() as { port: number };
  origin = `http://127.0.0.1:${port}`;
  for (const q of ['assess', 'settle', 'reply'] as const) x.startWorker(q);

  // Some history: completed and failed jobs in two queues.
  x.failing.add(101);
  x.failing.add(201);
  await x.producer.add('assess', [{ claimId: 100 }, { claimId: 102 }, { claimId: 103 }]);
  await x.producer.add('settle', [{ claimId: 101 }, { claimId: 104 }]);
  await x.producer.add('reply', [{ claimId: 201 }]);
  await waitFor(async () => (await x.producer.queue('settle').getFailedCount()) === 1);
  await waitFor(async () => (await x.producer.queue('reply').getFailedCount()) === 1);
  await waitFor(async () => (await x.producer.queue('assess').getCompletedCount()) === 3);

  // One mailbox polled by a live leader, the other without a poller.
  lock = new MailboxLock(x.redis.client, x.redis.prefix, 'claims', {
    ttlMs: 60_000,
    owner: 'poller-1:4242',
  });
  expect(await lock.tryAcquire()).toBe(true);
  publisher = new MailboxStatePublisher(x.redis.client, x.redis.prefix, 'claims', 'poller-1:4242');
  publisher.leadership(true);
  publisher.connected();
  publisher.stored(14, 1);
  publisher.lag(8);
  publisher.polled(new Date());
  await publisher.flushed();

  tb = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await tb?.close();
  publisher?.close();
  await lock?.release();
  await x?.close();
});

describe('the ops page in a browser', () => {
  it('an ops user opens Ops, retries a failed job and sees the counts change', async () => {
    const page = await tb.newPage();
    await signIn(page, USERS.ops);
    await Promise.all([page.waitForURL('**/ops'), page.click('nav a[href="/ops"]')]);

    const row = page.locator('#failed-jobs tr[data-job-id="settle-101"]');
    await expect(row.locator('.reason').textContent()).resolves.toBe('ledger refused claim 101');
    await expect(stat(page, 'settle', 'failed').textContent()).resolves.toBe('1');
    await expect(stat(page, 'assess', 'throughput').textContent()).resolves.toBe('3');
    await expect(
      page.locator('#mailboxes tr[data-mailbox="claims"] .pill').textContent(),
    ).resolves.toBe('Connected');
    await expect(
      page.locator('#mailboxes tr[data-mailbox="refunds"] .pill').textContent(),
    ).resolves.toBe('No poller');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'ops.png'), fullPage: true });

    x.failing.delete(101);
    await row.locator('button[data-action="retry"]').click();
    await page.locator('#status', { hasText: 'Job settle-101 is back in line.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await waitFor(async () => (await stat(page, 'settle', 'failed').textContent()) === '0', {
      ...POLLED,
      message: 'the settle card shows no failed job',
    });
    await waitFor(
      async () => (await x.producer.queue('settle').getJobState('settle-101')) === 'completed',
    );
    expect(x.processed.filter((id) => id === 101)).toHaveLength(2);
    // The retried job completes: the page, refreshing itself, counts it.
    await waitFor(async () => (await stat(page, 'settle', 'throughput').textContent()) === '2', {
      ...POLLED,
      message: 'two settle jobs done in the last hour',
    });
  });

  it('pauses and resumes a queue for every worker', async () => {
    const page = await tb.newPage();
    await signIn(page, USERS.ops);
    await page.goto(`${origin}/ops`);
    const card = page.locator('article[data-queue="assess"]');
    await card.locator('button[data-action="pause"]').click();
    await card.locator('.pill', { hasText: 'Paused' }).waitFor();
    expect(await x.producer.queue('assess').isPaused()).toBe(true);

    await x.producer.add('assess', [{ claimId: 105 }]);
    await waitFor(async () => (await stat(page, 'assess', 'waiting').textContent()) === '1', {
      ...POLLED,
      message: 'the paused queue shows its waiting job',
    });
    await card.locator('button[data-action="resume"]').click();
    await card.locator('.pill', { hasText: 'Running' }).waitFor();
    expect(await x.producer.queue('assess').isPaused()).toBe(false);
    await waitFor(
      async () => (await x.producer.queue('assess').getJobState('assess-105')) === 'completed',
    );
    await waitFor(
      async () => (await stat(page, 'assess', 'waiting').textContent()) === '0',
      POLLED,
    );
  });

  it('shows a new failure without a reload, and discards it after confirmation', async () => {
    const page = await tb.newPage();
    await signIn(page, USERS.admin);
    await page.goto(`${origin}/ops`);
    // A marker the page would lose on a full reload.
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    x.failing.add(301);
    await x.producer.add('settle', [{ claimId: 301 }]);
    const row = page.locator('#failed-jobs tr[data-job-id="settle-301"]');
    await row.waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button[data-action="discard"]').click();
    await row.waitFor({ state: 'detached' });
    expect(await x.producer.queue('settle').getJob('settle-301')).toBeUndefined();
    const audited = await x.db.pool.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'ops.job.discard'",
    );
    expect(audited.rows.map((r) => r.actor)).toEqual([`user:${USERS.admin}`]);
  });

  it('retries all failed jobs of a queue from its button', async () => {
    const page = await tb.newPage();
    await signIn(page, USERS.ops);
    await page.goto(`${origin}/ops`);
    x.failing.delete(201);
    await page.click('#retry-all button[data-queue="reply"]');
    await page.locator('#failed-jobs tr[data-job-id="reply-201"]').waitFor({ state: 'detached' });
    await waitFor(
      async () => (await x.producer.queue('reply').getJobState('reply-201')) === 'completed',
    );
  });

  it('shows an agent the 403 page, and nothing left the console’s origin', async () => {
    const page = await tb.newPage();
    await signIn(page, USERS.agent);
    expect(await page.locator('nav a[href="/ops"]').count()).toBe(0);
    const res = await page.goto(`${origin}/ops`);
    expect(res?.status()).toBe(403);
    await expect(page.locator('h1').textContent()).resolves.toBe('Operations is for ops');
    expect(tb.requests.filter((url) => !url.startsWith(origin))).toEqual([]);
  });
});
