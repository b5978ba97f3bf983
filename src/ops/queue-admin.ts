/**
 * What ops see and do with the pipeline's BullMQ queues (assess, settle, reply): counts by
 * state, the last hour's throughput and failure rate, how long the next job has waited,
 * the failed jobs with their error, and retry, discard, pause and resume. Pausing is
 * BullMQ's global pause (a flag in Redis), so it holds for every worker process at once.
 */
import type { Job, Metrics, Queue } from 'bullmq';
import { type PipelineJob, QUEUE_NAMES, type QueueName } from '../pipeline/queues.ts';
import type { RedisClient } from '../store/redis.ts';

export const JOB_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'paused',
  'completed',
  'failed',
] as const;
export type JobStateName = (typeof JOB_STATES)[number];

export interface QueueHealth {
  name: QueueName;
  /** Globally paused: no worker takes new jobs. */
  paused: boolean;
  counts: Record<JobStateName, number>;
  /** Jobs finished in the last hour, from the workers' per-minute metrics. */
  completedLastHour: number;
  failedLastHour: number;
  /** completedLastHour / 60. */
  throughputPerMinute: number;
  /** failed / (completed + failed) over the last hour; null when nothing finished. */
  failureRate: number | null;
  /** Seconds the longest-waiting job in line has waited; null when none waits. */
  oldestWaitingSeconds: number | null;
}

export interface FailedJob {
  id: string;
  claimId: number | null;
  attemptsMade: number;
  failedReason: string;
  /** The first lines of the last attempt's stack trace. */
  stack: string[];
  /** ISO time the job failed for good. */
  finishedAt: string | null;
}

export interface FailedPage {
  queue: QueueName;
  total: number;
  offset: number;
  limit: number;
  jobs: FailedJob[];
}

export type QueueAdminErrorCode =
  | 'unknown_queue'
  | 'invalid_job_id'
  | 'job_not_found'
  | 'job_not_failed';

export class QueueAdminError extends Error {
  constructor(
    readonly code: QueueAdminErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'QueueAdminError';
  }
}

/** Where the queues come from: the PipelineProducer is one. */
export interface QueueSource {
  queue(name: QueueName): Queue<PipelineJob>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const STACK_LINES = 6;
/** BullMQ's priority score is `priority · 2^32 + counter` (getPriorityScore.lua). */
const PRIORITY_BAND = 2 ** 32;
/** Bands walked when looking for the oldest prioritized job (the pipeline uses two). */
const MAX_BANDS = 16;
/** Job ids are ours (`assess-12`, `reply-12-v2`) or BullMQ's numbers. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9:_-]{0,199}$/;

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/**
 * Jobs a metric counted in the hour before `now`. BullMQ's workers keep one count per
 * minute, newest first: `data[i]` is the minute ending `i` minutes before `meta.prevTS`, and
 * the minute from `prevTS` on is still open (`meta.count - meta.prevCount`): it is closed by
 * the first job finishing a minute or more later, so everything in it finished within that
 * minute. A minute is counted when any of it lies in the last hour.
 */
export function finishedLastHour(metrics: Metrics, now: number): number {
  const { count, prevTS, prevCount } = metrics.meta;
  const hourAgo = now - HOUR_MS;
  let total = prevTS + MINUTE_MS > hourAgo ? Math.max(0, count - prevCount) : 0;
  for (const [i, points] of metrics.data.entries()) {
    if (prevTS - i * MINUTE_MS <= hourAgo) break;
    total += points;
  }
  return total;
}

function failedJob(job: Job<PipelineJob>): FailedJob {
  const last = job.stacktrace?.at(-1) ?? '';
  return {
    id: String(job.id),
    claimId: typeof job.data?.claimId === 'number' ? job.data.claimId : null,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason ?? '',
    stack: last.split('\n').slice(0, STACK_LINES),
    finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

export class QueueAdmin {
  constructor(
    private readonly source: QueueSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Validates a name from outside (a URL) before anything touches Redis. */
  queue(name: string): Queue<PipelineJob> {
    if (!isQueueName(name))
      throw new QueueAdminError(
        'unknown_queue',
        `no queue '${name.slice(0, 50)}'; the queues are ${QUEUE_NAMES.join(', ')}`,
      );
    return this.source.queue(name);
  }

  async health(): Promise<QueueHealth[]> {
    return Promise.all(QUEUE_NAMES.map((name) => this.queueHealth(name)));
  }

  async queueHealth(name: string): Promise<QueueHealth> {
    const queue = this.queue(name);
    // The last 61 data points cover an hour whichever way the minutes fall.
    const [counts, paused, completed, failed, oldest] = await Promise.all([
      queue.getJobCounts(...JOB_STATES),
      queue.isPaused(),
      queue.getMetrics('completed', 0, 60),
      queue.getMetrics('failed', 0, 60),
      this.oldestWaitingTimestamp(queue),
    ]);
    const now = this.now();
    const completedLastHour = finishedLastHour(completed, now);
    const failedLastHour = finishedLastHour(failed, now);
    const finished = completedLastHour + failedLastHour;
    return {
      name: name as QueueName,
      paused,
      counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<
        JobStateName,
        number
      >,
      completedLastHour,
      failedLastHour,
      throughputPerMinute: Math.round((completedLastHour / 60) * 100) / 100,
      failureRate: finished === 0 ? null : failedLastHour / finished,
      oldestWaitingSeconds:
        oldest === undefined ? null : Math.max(0, Math.round((now - oldest) / 1000)),
    };
  }

  /** Failed jobs, most recent first. */
  async failed(name: string, offset = 0, limit = 20): Promise<FailedPage> {
    const queue = this.queue(name);
    const [total, jobs] = await Promise.all([
      queue.getFailedCount(),
      queue.getFailed(offset, offset + limit - 1),
    ]);
    return {
      queue: name as QueueName,
      total,
      offset,
      limit,
      jobs: jobs.filter(Boolean).map((j) => failedJob(j as Job<PipelineJob>)),
    };
  }

  /** Moves one failed job back to waiting, for one more attempt. */
  async retry(name: string, jobId: string): Promise<FailedJob> {
    const job = await this.failedJobById(name, jobId);
    const summary = failedJob(job);
    try {
      await job.retry('failed');
    } catch (error) {
      // Someone else retried or removed it between our look and the move (BullMQ checks the
      // state atomically); any other failure is not ours to rename.
      if ((await job.getState()) === 'failed') throw error;
      throw new QueueAdminError('job_not_failed', `job ${jobId} is no longer failed`, {
        cause: error,
      });
    }
    return summary;
  }

  /**
   * Removes one failed job for good; the claim itself stays in PostgreSQL. BullMQ removes by
   * id whatever the state, so two people acting at once could discard a job the other just
   * retried: the state is checked right before, and a running (locked) job is never removed.
   */
  async discard(name: string, jobId: string): Promise<FailedJob> {
    const job = await this.failedJobById(name, jobId);
    const summary = failedJob(job);
    try {
      await job.remove();
    } catch (error) {
      if ((await job.getState()) === 'failed') throw error;
      throw new QueueAdminError('job_not_failed', `job ${jobId} is no longer failed`, {
        cause: error,
      });
    }
    return summary;
  }

  /** Moves every failed job of a queue back to waiting; the number it found failed. */
  async retryAllFailed(name: string): Promise<number> {
    const queue = this.queue(name);
    const failed = await queue.getFailedCount();
    if (failed > 0) await queue.retryJobs({ state: 'failed', count: 1000 });
    return failed;
  }

  async pause(name: string): Promise<void> {
    await this.queue(name).pause();
  }

  async resume(name: string): Promise<void> {
    await this.queue(name).resume();
  }

  /** False while the queues' Redis connection is down: commands then fail at once. */
  async reachable(): Promise<boolean> {
    const client = (await this.source.queue(QUEUE_NAMES[0]).client) as unknown as RedisClient;
    return client.status === 'ready';
  }

  private async failedJobById(name: string, jobId: string): Promise<Job<PipelineJob>> {
    const queue = this.queue(name);
    if (!JOB_ID.test(jobId))
      throw new QueueAdminError('invalid_job_id', 'a job id is 1–200 letters, digits, :, _ or -');
    const job = await queue.getJob(jobId);
    if (!job) throw new QueueAdminError('job_not_found', `no job ${jobId} in ${name}`);
    const state = await job.getState();
    if (state !== 'failed')
      throw new QueueAdminError('job_not_failed', `job ${jobId} is ${state}, not failed`);
    return job;
  }

  /**
   * The enqueue time of the job that has waited longest. Plain jobs wait in a list (oldest
   * at the tail); prioritized ones in a sorted set where each priority is a band ordered by
   * arrival, so the oldest is at the head of some band: one look per band, not a scan.
   */
  private async oldestWaitingTimestamp(queue: Queue<PipelineJob>): Promise<number | undefined> {
    // The queue's own connection: BullMQ types it narrowly, but it is the ioredis client it was given.
    const client = (await queue.client) as unknown as RedisClient;
    const ids: string[] = [];
    for (const list of [queue.keys.wait!, queue.keys.paused!]) {
      const tail = await client.lindex(list, -1);
      if (tail) ids.push(tail);
    }
    let from = '-inf';
    for (let band = 0; band < MAX_BANDS; band++) {
      const [id, score] = await client.zrangebyscore(
        queue.keys.prioritized!,
        from,
        '+inf',
        'WITHSCORES',
        'LIMIT',
        0,
        1,
      );
      if (id === undefined || score === undefined) break;
      ids.push(id);
      from = String((Math.floor(Number(score) / PRIORITY_BAND) + 1) * PRIORITY_BAND);
    }
    const stamps = await Promise.all(ids.map((id) => client.hget(queue.toKey(id), 'timestamp')));
    const times = stamps.map(Number).filter((t) => Number.isFinite(t) && t > 0);
    return times.length === 0 ? undefined : Math.min(...times);
  }
}
