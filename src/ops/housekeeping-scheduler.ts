/**
 * Housekeeping on a schedule, once per interval across the whole cluster: a BullMQ job
 * scheduler on its own queue produces one job per interval, and whichever worker process
 * takes it runs housekeeping. Every worker process upserts the same scheduler id at start,
 * so there is one scheduler however many run (the last one started sets the interval), and
 * the run's own advisory lock (housekeeping.ts) keeps two runs from ever overlapping.
 */
import { Queue, Worker } from 'bullmq';
import type pg from 'pg';
import type { Logger } from 'pino';
import { queuePrefix } from '../pipeline/queues.ts';
import { connectRedis, type RedisSettings } from '../store/redis.ts';
import { type HousekeepingOptions, runHousekeeping } from './housekeeping.ts';

export const HOUSEKEEPING_QUEUE = 'housekeeping';
export const HOUSEKEEPING_SCHEDULER_ID = 'housekeeping';

export interface HousekeepingSchedulerOptions {
  pool: pg.Pool;
  /** config.redis: where the scheduler's queue lives, and its key prefix. */
  redis: RedisSettings;
  logger: Logger;
  /** HOUSEKEEPING_INTERVAL_MS. @defaultValue 3600000 (hourly) */
  intervalMs: number;
  housekeeping: Omit<HousekeepingOptions, 'dryRun' | 'signal'>;
}

export interface HousekeepingScheduler {
  /** Resolves once the scheduler is in Redis (waits while Redis is away; never rejects). */
  scheduled: Promise<void>;
  /** Stops taking jobs; a run in progress stops after its current batch. Safe to call twice. */
  close(): Promise<void>;
}

export function startHousekeepingScheduler(
  options: HousekeepingSchedulerOptions,
): HousekeepingScheduler {
  const { pool, logger, intervalMs } = options;
  if (!Number.isInteger(intervalMs) || intervalMs < 1000)
    throw new RangeError('intervalMs must be a whole number of milliseconds ≥ 1000');
  const log = logger.child({ component: 'housekeeping' });
  // Like the pipeline's workers: wait for Redis when it is away and resume by themselves.
  const connection = connectRedis(options.redis, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const prefix = queuePrefix(options.redis.prefix);
  const queue = new Queue(HOUSEKEEPING_QUEUE, { connection, prefix });
  queue.on('error', () => undefined);
  const stopping = new AbortController();
  const worker = new Worker(
    HOUSEKEEPING_QUEUE,
    async () => runHousekeeping(pool, log, { ...options.housekeeping, signal: stopping.signal }),
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', (error) => log.warn({ err: error }, 'housekeeping worker error'));
  worker.on('failed', (job, error) =>
    log.warn({ err: error, jobId: job?.id }, 'housekeeping failed; the next interval runs again'),
  );
  const scheduled = queue
    .upsertJobScheduler(
      HOUSEKEEPING_SCHEDULER_ID,
      { every: intervalMs },
      {
        name: HOUSEKEEPING_QUEUE,
        // No retries: the next interval is the retry. A few finished jobs stay for ops.
        opts: { attempts: 1, removeOnComplete: { count: 48 }, removeOnFail: { count: 48 } },
      },
    )
    .then(
      () => log.info({ intervalMs }, 'housekeeping scheduled'),
      (error: unknown) => log.warn({ err: error }, 'housekeeping could not be scheduled'),
    );
  let closing: Promise<void> | undefined;
  return {
    scheduled,
    close: () => {
      closing ??= (async () => {
        stopping.abort();
        await worker.close().catch(() => undefined);
        await queue.close().catch(() => undefined);
        connection.disconnect();
      })();
      return closing;
    },
  };
}
