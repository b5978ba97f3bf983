/** The /ops page as served: who sees it, what its first render holds, and its static files. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { formatAge, formatRate } from '../../src/web/pages/ops-page.ts';
import { buildServer } from '../../src/web/server.ts';
import { createOpsFixture, type OpsFixture, PASSWORD, USERS } from '../ops/ops-fixture.ts';
import { waitFor } from '../support/wait.ts';
import { signIn } from './web-harness.ts';

let x: OpsFixture;
let agent: string;
let ops: string;
let admin: string;

beforeAll(async () => {
  x = await createOpsFixture();
  agent = (await signIn(x.app, USERS.agent, PASSWORD)).cookie;
  ops = (await signIn(x.app, USERS.ops, PASSWORD)).cookie;
  admin = (await signIn(x.app, USERS.admin, PASSWORD)).cookie;
  x.startWorker('settle');
  x.failing.add(77);
  await x.producer.add('settle', [{ claimId: 77 }, { claimId: 78 }]);
  await waitFor(async () => (await x.producer.queue('settle').getFailedCount()) === 1);
  await x.admin.pause('reply');
}, 60_000);
afterAll(() => x?.close());

const page = (url: string, cookie?: string) =>
  x.app.inject({ url, headers: cookie ? { cookie } : {} });

describe('the ops page', () => {
  it('sends the browser to /login without a session', async () => {
    for (const cookie of [undefined, 'ci_session=forged']) {
      const res = await page('/ops', cookie);
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/login?next=%2Fops');
    }
  });

  it('shows agents a 403 page that says why', async () => {
    const res = await page('/ops', agent);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('needs the <b>ops</b> or <b>admin</b> role');
    expect(res.body).not.toContain('id="queues"');
  });

  it('renders queue cards, the failed job with its actions, and the mailboxes', async () => {
    for (const cookie of [ops, admin]) {
      const res = await page('/ops', cookie);
      expect(res.statusCode).toBe(200);
      for (const q of ['assess', 'settle', 'reply'])
        expect(res.body).toContain(`data-queue="${q}" aria-labelledby="queue-${q}"`);
      expect(res.body).toMatch(
        /<tr data-queue="settle" data-job-id="settle-77">[\s\S]*ledger refused claim 77[\s\S]*data-action="retry"[\s\S]*data-action="discard"/,
      );
      expect(res.body).toContain('<a href="/claims/77">#77</a>');
      expect(res.body).toContain('data-action="retry-failed" data-queue="settle"');
      expect(res.body).toContain('data-action="resume" data-queue="reply"');
      expect(res.body).toContain('data-action="pause" data-queue="settle"');
      expect(res.body).toContain('<tr data-mailbox="claims">');
      expect(res.body).toContain('No poller');
      expect(res.body).toMatch(/id="problem" class="problem" hidden>/);
    }
  });

  it('loads only its own origin’s scripts and styles, nothing inline', async () => {
    const res = await page('/ops', ops);
    expect(res.body.match(/<script\b[^>]*>/gi)).toEqual([
      '<script src="/static/console.js" defer>',
      '<script src="/static/ops.js" defer>',
    ]);
    expect(res.body).not.toMatch(/<script[^>]*>[^<]+<\/script>/i);
    expect(res.body).not.toMatch(/\son[a-z]+=/i);
    expect(res.body).not.toMatch(/style=/i);
    expect(res.body).toContain('<link rel="stylesheet" href="/static/ops.css">');
    for (const [file, type] of [
      ['ops.js', 'text/javascript'],
      ['ops.css', 'text/css'],
    ] as const) {
      const asset = await page(`/static/${file}`);
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toContain(type);
    }
  });

  it('links Ops in the nav for ops and admin, not for agents', async () => {
    expect((await page('/', ops)).body).toContain('<a href="/ops">Ops</a>');
    expect((await page('/', admin)).body).toContain('<a href="/ops">Ops</a>');
    expect((await page('/ops', ops)).body).toContain('<a href="/ops">Ops</a>');
    const forAgent = (await page('/', agent)).body;
    expect(forAgent).not.toContain('href="/ops"');
    expect(forAgent).not.toContain('<!--role-links-->');
  });

  it('says so when this web process has no queues, instead of failing', async () => {
    const app = buildServer({ pool: x.db.pool, logger: createLogger('silent') });
    await app.ready();
    try {
      const res = await app.inject({ url: '/ops', headers: { cookie: ops } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('This web process has no connection to the queues.');
      expect(res.body).not.toMatch(/id="problem" class="problem" hidden>/);
    } finally {
      await app.close();
    }
  });
});

describe('how the ops page words numbers', () => {
  it('ages read in the largest sensible unit', () => {
    expect(formatAge(null)).toBe('—');
    expect(formatAge(45)).toBe('45 s');
    expect(formatAge(12 * 60 + 5)).toBe('12 min');
    expect(formatAge(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
    expect(formatAge(50 * 3600)).toBe('2 d 2 h');
  });

  it('failure rates are percentages, with a decimal below ten', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0)).toBe('0 %');
    expect(formatRate(0.025)).toBe('2.5 %');
    expect(formatRate(0.5)).toBe('50 %');
  });
});
