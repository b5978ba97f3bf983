/**
 * The ops API over real queues (Redis) and the real audit log (PostgreSQL): who may call
 * it, what each action does to the queues, and that every change is audited.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/auth/secrets.ts';
import { createApiToken } from '../../src/auth/tokens.ts';
import { MailboxLock } from '../../src/intake/mailbox-lock.ts';
import { createLogger } from '../../src/logger.ts';
import { MailboxStatePublisher } from '../../src/ops/mailbox-state.ts';
import type { QueueName } from '../../src/pipeline/queues.ts';
import { buildServer } from '../../src/web/server.ts';
import { createOpsFixture, type OpsFixture, PASSWORD, USERS } from '../ops/ops-fixture.ts';
import { waitFor } from '../support/wait.ts';
import { signIn } from './web-harness.ts';

type Session = { cookie: string; csrfToken: string };
let x: OpsFixture;
let agent: Session;
let ops: Session;
let admin: Session;
let opsToken: string;

beforeAll(async () => {
  x = await createOpsFixture();
  agent = await signIn(x.app, USERS.agent, PASSWORD);
  ops = await signIn(x.app, USERS.ops, PASSWORD);
  admin = await signIn(x.app, USERS.admin, PASSWORD);
  opsToken = `cit_${randomBytes(32).toString('base64url')}`;
  await createApiToken(x.db.pool, {
    name: 'ops robot',
    tokenHash: sha256(opsToken),
    role: 'ops',
    createdBy: null,
  });
  for (const q of ['assess', 'settle', 'reply'] as const) x.startWorker(q);
}, 60_000);
afterAll(() => x?.close());
beforeEach(async () => {
  // Each test starts from empty, running queues.
  for (const q of ['assess', 'settle', 'reply'] as const) {
    await x.producer.queue(q).resume();
    await x.producer.queue(q).clean(0, 10_000, 'failed');
    await x.producer.queue(q).clean(0, 10_000, 'completed');
  }
  x.failing.clear();
});

const as = (s: Session) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });
const get = (url: string, headers: Record<string, string> = as(ops)) =>
  x.app.inject({ method: 'GET', url, headers });
const post = (url: string, headers: Record<string, string> = as(ops)) =>
  x.app.inject({ method: 'POST', url, headers });

const READS = ['/api/ops/queues', '/api/ops/queues/settle/failed', '/api/ops/mailboxes'];
const WRITES = [
  '/api/ops/queues/settle/failed/settle-1/retry',
  '/api/ops/queues/settle/failed/settle-1/discard',
  '/api/ops/queues/settle/retry-failed',
  '/api/ops/queues/settle/pause',
  '/api/ops/queues/settle/resume',
];

async function failClaims(queue: QueueName, claimIds: number[]): Promise<void> {
  for (const id of claimIds) x.failing.add(id);
  await x.producer.add(
    queue,
    claimIds.map((claimId) => ({ claimId })),
  );
  await waitFor(async () => (await x.producer.queue(queue).getFailedCount()) === claimIds.length);
}

async function healthOf(queue: QueueName) {
  const res = await get('/api/ops/queues');
  expect(res.statusCode).toBe(200);
  return res
    .json<{ queues: { name: string; paused: boolean; counts: Record<string, number> }[] }>()
    .queues.find((q) => q.name === queue)!;
}

const auditOf = async (action: string) =>
  (
    await x.db.pool.query<{ actor: string; details: Record<string, unknown> }>(
      'SELECT actor, details FROM audit_log WHERE action = $1 ORDER BY id',
      [action],
    )
  ).rows;

describe('who may use the ops API', () => {
  it('answers 401 without credentials, on every route', async () => {
    for (const url of READS) expect((await get(url, {})).statusCode, url).toBe(401);
    for (const url of WRITES) {
      const res = await post(url, {});
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    }
  });

  it('answers 403 forbidden to agents, on every route, and changes nothing', async () => {
    for (const res of [
      ...(await Promise.all(READS.map((url) => get(url, as(agent))))),
      ...(await Promise.all(WRITES.map((url) => post(url, as(agent))))),
    ]) {
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    expect(await x.producer.queue('settle').isPaused()).toBe(false);
  });

  it('refuses a cookie POST without the CSRF header, and a bearer token needs none', async () => {
    const noCsrf = await post('/api/ops/queues/assess/pause', { cookie: ops.cookie });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('csrf_failed');
    const wrongCsrf = await post('/api/ops/queues/assess/pause', {
      cookie: ops.cookie,
      'x-csrf-token': agent.csrfToken,
    });
    expect(wrongCsrf.json().error.code).toBe('csrf_failed');
    expect(await x.producer.queue('assess').isPaused()).toBe(false);

    const bearer = await post('/api/ops/queues/assess/pause', {
      authorization: `Bearer ${opsToken}`,
    });
    expect(bearer.statusCode).toBe(200);
    expect(await x.producer.queue('assess').isPaused()).toBe(true);
    expect((await auditOf('ops.queue.pause')).at(-1)?.actor).toMatch(/^token:\d+$/);
  });

  it('lets admins in as well as ops', async () => {
    expect((await get('/api/ops/queues', as(admin))).statusCode).toBe(200);
    expect((await post('/api/ops/queues/reply/resume', as(admin))).statusCode).toBe(200);
  });
});

describe('queue health and failed jobs', () => {
  it('shows every queue with its counts, and a failed job with its error', async () => {
    await failClaims('settle', [31]);
    const res = await get('/api/ops/queues');
    const body = res.json<{ queues: Record<string, unknown>[]; at: string }>();
    expect(body.queues.map((q) => q.name)).toEqual(['assess', 'settle', 'reply']);
    expect(body.queues[1]).toMatchObject({
      name: 'settle',
      paused: false,
      counts: { failed: 1 },
      failedLastHour: expect.any(Number),
    });
    const failed = await get('/api/ops/queues/settle/failed?limit=10');
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({
      queue: 'settle',
      total: 1,
      limit: 10,
      jobs: [{ id: 'settle-31', claimId: 31, failedReason: 'ledger refused claim 31' }],
    });
  });

  it('rejects bad paging, unknown queues and malformed job ids with stable codes', async () => {
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc', 'offset=1e3']) {
      const res = await get(`/api/ops/queues/settle/failed?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe('invalid_input');
    }
    for (const res of [
      await get('/api/ops/queues/payments/failed'),
      await post('/api/ops/queues/payments/pause'),
      await post('/api/ops/queues/constructor/retry-failed'),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('unknown_queue');
    }
    const bad = await post(`/api/ops/queues/settle/failed/${encodeURIComponent('a b*')}/retry`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_job_id');
    const missing = await post('/api/ops/queues/settle/failed/settle-404/discard');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('job_not_found');
  });
});

describe('acting on failed jobs', () => {
  it('retries one failed job: it runs again, completes, and the retry is audited', async () => {
    await failClaims('settle', [41]);
    x.failing.delete(41);
    const res = await post('/api/ops/queues/settle/failed/settle-41/retry');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ queue: 'settle', retried: true, job: { id: 'settle-41' } });
    await waitFor(async () => (await healthOf('settle')).counts.failed === 0);
    await waitFor(
      async () => (await x.producer.queue('settle').getJobState('settle-41')) === 'completed',
    );
    expect((await auditOf('ops.job.retry')).at(-1)).toEqual({
      actor: `user:${USERS.ops}`,
      details: { queue: 'settle', jobId: 'settle-41', claimId: 41 },
    });
    const again = await post('/api/ops/queues/settle/failed/settle-41/retry');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('job_not_failed');
  });

  it('discards one failed job: gone from the queue, audited with its error', async () => {
    await failClaims('reply', [42]);
    const res = await post('/api/ops/queues/reply/failed/reply-42/discard');
    expect(res.statusCode).toBe(200);
    expect((await healthOf('reply')).counts.failed).toBe(0);
    expect(await x.producer.queue('reply').getJob('reply-42')).toBeUndefined();
    expect((await auditOf('ops.job.discard')).at(-1)).toEqual({
      actor: `user:${USERS.ops}`,
      details: {
        queue: 'reply',
        jobId: 'reply-42',
        claimId: 42,
        failedReason: 'ledger refused claim 42',
      },
    });
  });

  it('retries all failed jobs of a queue', async () => {
    await failClaims('assess', [51, 52]);
    x.failing.clear();
    const res = await post('/api/ops/queues/assess/retry-failed');
    expect(res.json()).toEqual({ queue: 'assess', retried: 2 });
    await waitFor(async () => (await healthOf('assess')).counts.failed === 0);
    expect((await auditOf('ops.queue.retry_failed')).at(-1)?.details).toEqual({
      queue: 'assess',
      retried: 2,
    });
  });
});

describe('pause and resume', () => {
  it('pauses a queue for every worker and resumes it, both audited', async () => {
    const paused = await post('/api/ops/queues/reply/pause');
    expect(paused.json()).toEqual({ queue: 'reply', paused: true });
    expect((await healthOf('reply')).paused).toBe(true);
    await x.producer.add('reply', [{ claimId: 61 }]);
    expect((await healthOf('reply')).counts.prioritized).toBe(1);

    const resumed = await post('/api/ops/queues/reply/resume');
    expect(resumed.json()).toEqual({ queue: 'reply', paused: false });
    await waitFor(
      async () => (await x.producer.queue('reply').getJobState('reply-61')) === 'completed',
    );
    const actions = (await auditOf('ops.queue.pause')).concat(await auditOf('ops.queue.resume'));
    expect(actions.map((a) => a.details)).toContainEqual({ queue: 'reply' });
    expect(actions.every((a) => /^(user|token):/.test(a.actor))).toBe(true);
  });
});

describe('mailbox states', () => {
  it('shows each configured mailbox: the published state of a polled one, empty for another', async () => {
    const lock = new MailboxLock(x.redis.client, x.redis.prefix, 'claims', {
      ttlMs: 10_000,
      owner: 'poller-a:7',
    });
    expect(await lock.tryAcquire()).toBe(true);
    const publisher = new MailboxStatePublisher(
      x.redis.client,
      x.redis.prefix,
      'claims',
      'poller-a:7',
    );
    publisher.leadership(true);
    publisher.connected();
    publisher.lag(12);
    publisher.polled(new Date());
    await publisher.flushed();
    try {
      const res = await get('/api/ops/mailboxes');
      expect(res.statusCode).toBe(200);
      const { mailboxes } = res.json<{ mailboxes: Record<string, unknown>[] }>();
      expect(mailboxes).toHaveLength(2);
      expect(mailboxes[0]).toMatchObject({
        name: 'claims',
        connected: true,
        leader: 'poller-a:7',
        lagSeconds: 12,
        fresh: true,
      });
      expect(typeof mailboxes[0]!.lastPollAt).toBe('string');
      expect(mailboxes[1]).toMatchObject({
        name: 'refunds',
        connected: false,
        leader: null,
        lastPollAt: null,
        fresh: false,
      });
    } finally {
      publisher.close();
      await lock.release();
    }
  });
});

describe('a web process without queues', () => {
  it('answers the ops API with 503 ops_unavailable', async () => {
    const app = buildServer({ pool: x.db.pool, logger: createLogger('silent') });
    await app.ready();
    try {
      for (const res of [
        await app.inject({ url: '/api/ops/queues', headers: as(ops) }),
        await app.inject({ url: '/api/ops/mailboxes', headers: as(ops) }),
        await app.inject({ method: 'POST', url: '/api/ops/queues/assess/pause', headers: as(ops) }),
      ]) {
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('ops_unavailable');
      }
    } finally {
      await app.close();
    }
  });
});
