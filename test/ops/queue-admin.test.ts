/**
 * Queue administration against the real Redis: jobs fail for real in a BullMQ worker whose
 * processor throws, and ops retry, discard, retry all, pause and resume them.
 */
import { type Job, type Metrics, MetricsTime, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishedLastHour, QueueAdmin, QueueAdminError } from '../../src/ops/queue-admin.ts';
import {
  type PipelineJob,
  PipelineProducer,
  type QueueName,
  queuePrefix,
} from '../../src/pipeline/queues.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

let redis: TestRedis;
let producer: PipelineProducer;
let admin: QueueAdmin;
let workerConnection: Redis;
const workers: Worker[] = [];
/** Claims whose job throws; the rest complete. */
const failing = new Set<number>();
const processed: number[] = [];

beforeEach(async () => {
  redis = await createTestRedis();
  producer = new PipelineProducer({ url: redis.url, prefix: redis.prefix });
  admin = new QueueAdmin(producer);
  workerConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  failing.clear();
  processed.length = 0;
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  workerConnection.disconnect();
  await producer.close();
  await redis.cleanup();
});

function startWorker(queue: QueueName): Worker {
  const worker = new Worker<PipelineJob>(
    queue,
    async (job: Job<PipelineJob>) => {
      processed.push(job.data.claimId);
      if (failing.has(job.data.claimId))
        throw new UnrecoverableError(`settlement refused for claim ${job.data.claimId}`);
      return { ok: true };
    },
    {
      connection: workerConnection,
      prefix: queuePrefix(redis.prefix),
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    },
  );
  worker.on('error', () => undefined);
  workers.push(worker);
  return worker;
}

const counts = async (queue: QueueName) => (await admin.queueHealth(queue)).counts;

/** Enqueues jobs that throw and waits until the queue holds `failedAfter` failed jobs. */
async function failClaims(
  queue: QueueName,
  claimIds: number[],
  failedAfter = claimIds.length,
): Promise<void> {
  for (const id of claimIds) failing.add(id);
  await producer.add(
    queue,
    claimIds.map((claimId) => ({ claimId })),
  );
  await waitFor(async () => (await counts(queue)).failed === failedAfter, {
    message: `${failedAfter} failed jobs in ${queue}`,
  });
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QueueAdminError);
  expect((error as QueueAdminError).code).toBe(code);
}

describe('queue health', () => {
  it('counts a failed and a completed job, with the hour’s throughput and failure rate', async () => {
    startWorker('settle');
    failing.add(1);
    await producer.add('settle', [{ claimId: 1 }, { claimId: 2 }]);
    await waitFor(async () => {
      const c = await counts('settle');
      return c.failed === 1 && c.completed === 1;
    });
    const health = await admin.queueHealth('settle');
    expect(health).toMatchObject({
      name: 'settle',
      paused: false,
      completedLastHour: 1,
      failedLastHour: 1,
      failureRate: 0.5,
      oldestWaitingSeconds: null,
    });
    expect(health.throughputPerMinute).toBeCloseTo(1 / 60, 2);
    expect(health.counts).toMatchObject({ waiting: 0, prioritized: 0, active: 0, failed: 1 });
  });

  it('reports all three queues, untouched ones empty with no failure rate', async () => {
    const all = await admin.health();
    expect(all.map((q) => q.name)).toEqual(['assess', 'settle', 'reply']);
    for (const q of all) {
      expect(q.failureRate).toBeNull();
      expect(Object.values(q.counts).every((n) => n === 0)).toBe(true);
    }
  });

  it('ages the job that waited longest, whatever its priority', async () => {
    await admin.pause('reply');
    await producer.add('reply', [{ claimId: 7 }]);
    await producer.add('reply', [{ claimId: 8, vip: true }]);
    const first = await producer.queue('reply').getJob('reply-7');
    const now = first!.timestamp + 90_000;
    const later = new QueueAdmin(producer, () => now);
    const health = await later.queueHealth('reply');
    expect(health.paused).toBe(true);
    expect(health.counts.prioritized).toBe(2);
    expect(health.oldestWaitingSeconds).toBe(90);
  });
});

describe('finished jobs in the last hour, from BullMQ metrics', () => {
  const NOW = Date.UTC(2026, 2, 4, 12, 0, 0);
  const metrics = (prevTS: number, count: number, prevCount: number, data: number[]): Metrics => ({
    meta: { count, prevTS, prevCount },
    data,
    count: data.length,
  });

  it('counts the open minute since the last data point', () => {
    expect(finishedLastHour(metrics(NOW - 30_000, 5, 2, []), NOW)).toBe(3);
  });

  it('adds the closed minutes that lie within the hour, and no older ones', () => {
    const data = Array.from({ length: 120 }, () => 1);
    // prevTS ten minutes ago: the open minute plus the 50 closed minutes before it.
    expect(finishedLastHour(metrics(NOW - 10 * 60_000, 10, 10, data), NOW)).toBe(50);
  });

  it('is zero when the last job finished more than an hour ago', () => {
    expect(finishedLastHour(metrics(NOW - 2 * 3600_000, 9, 4, [3, 3, 3]), NOW)).toBe(0);
  });

  it('is zero for a queue that never finished a job', () => {
    expect(finishedLastHour(metrics(0, 0, 0, []), NOW)).toBe(0);
  });
});

describe('failed jobs', () => {
  it('lists a failed job with its claim, attempts, error and stack', async () => {
    startWorker('assess');
    await failClaims('assess', [41]);
    const page = await admin.failed('assess');
    expect(page).toMatchObject({ queue: 'assess', total: 1, offset: 0 });
    const [job] = page.jobs;
    expect(job).toMatchObject({
      id: 'assess-41',
      claimId: 41,
      attemptsMade: 1,
      failedReason: 'settlement refused for claim 41',
    });
    expect(job!.stack[0]).toContain('settlement refused for claim 41');
    expect(Date.parse(job!.finishedAt!)).not.toBeNaN();
  });

  it('pages failed jobs, most recent first', async () => {
    startWorker('settle');
    await failClaims('settle', [1], 1);
    await failClaims('settle', [2], 2);
    await failClaims('settle', [3], 3);
    const first = await admin.failed('settle', 0, 2);
    const second = await admin.failed('settle', 2, 2);
    expect(first).toMatchObject({ total: 3, offset: 0, limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual(['settle-3', 'settle-2']);
    expect(second.jobs.map((j) => j.id)).toEqual(['settle-1']);
  });

  it('retries one failed job: it runs again and completes', async () => {
    startWorker('settle');
    await failClaims('settle', [5]);
    failing.delete(5);
    const retried = await admin.retry('settle', 'settle-5');
    expect(retried).toMatchObject({
      id: 'settle-5',
      claimId: 5,
      failedReason: 'settlement refused for claim 5',
    });
    await waitFor(async () => {
      const c = await counts('settle');
      return c.failed === 0 && c.completed === 1;
    });
    expect(processed).toEqual([5, 5]);
  });

  it('discards one failed job: it is gone and never runs again', async () => {
    startWorker('reply');
    await failClaims('reply', [6]);
    await admin.discard('reply', 'reply-6');
    expect((await counts('reply')).failed).toBe(0);
    expect(await producer.queue('reply').getJob('reply-6')).toBeUndefined();
  });

  it('retries every failed job of a queue at once', async () => {
    startWorker('assess');
    await failClaims('assess', [1, 2, 3]);
    failing.clear();
    expect(await admin.retryAllFailed('assess')).toBe(3);
    await waitFor(async () => {
      const c = await counts('assess');
      return c.failed === 0 && c.completed === 3;
    });
    expect(await admin.retryAllFailed('assess')).toBe(0);
  });

  it('refuses unknown queues, malformed or unknown job ids, and jobs that did not fail', async () => {
    startWorker('settle');
    await producer.add('settle', [{ claimId: 9 }]);
    await waitFor(async () => (await counts('settle')).completed === 1);
    expect(() => admin.queue('payments')).toThrow(QueueAdminError);
    await expectCode(admin.failed('payments'), 'unknown_queue');
    await expectCode(admin.pause('__proto__'), 'unknown_queue');
    await expectCode(admin.retry('settle', 'settle 9; DEL *'), 'invalid_job_id');
    await expectCode(admin.discard('settle', ''), 'invalid_job_id');
    await expectCode(admin.retry('settle', 'settle-404'), 'job_not_found');
    await expectCode(admin.retry('settle', 'settle-9'), 'job_not_failed');
    await expectCode(admin.discard('settle', 'settle-9'), 'job_not_failed');
  });
});

describe('pause and resume', () => {
  it('a paused queue keeps its jobs in line for every worker until resumed', async () => {
    await admin.pause('assess');
    startWorker('assess');
    startWorker('assess');
    await producer.add('assess', [{ claimId: 11 }, { claimId: 12 }]);
    const paused = await admin.queueHealth('assess');
    expect(paused.paused).toBe(true);
    expect(paused.counts.prioritized + paused.counts.waiting + paused.counts.paused).toBe(2);
    expect(paused.oldestWaitingSeconds).not.toBeNull();
    await admin.resume('assess');
    expect((await admin.queueHealth('assess')).paused).toBe(false);
    await waitFor(async () => (await counts('assess')).completed === 2);
    expect(processed.sort()).toEqual([11, 12]);
  });
});
