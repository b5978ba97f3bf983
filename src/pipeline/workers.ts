/**
 * The pipeline's BullMQ workers: assess → settle → reply, each stage enqueueing the next
 * after its transaction commits. Permanent failures become UnrecoverableError (no retry);
 * anything else is retried with exponential backoff and jitter. Any number of worker
 * processes can run against one Redis and one PostgreSQL: the database decides once.
 */
import { type Job, MetricsTime, UnrecoverableError, Worker } from 'bullmq';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ClaimIntakeError } from '../domain/errors.ts';
import type { EngineSettings } from '../store/assessment-inputs.ts';
import { connectRedis, type RedisTarget } from '../store/redis.ts';
import { assessClaim, type SenderCheck } from './assess-claim.ts';
import {
  type PipelineJob,
  type PipelineProducer,
  type QueueName,
  queuePrefix,
  REPLY_QUEUE,
  SETTLE_QUEUE,
} from './queues.ts';
import { prepareReply, type ReplyDeps, sendReply } from './reply.ts';
import { settleClaim } from './settle.ts';
import { enqueueOwed } from './sweeps.ts';

/** What the ops layer counts of the pipeline; optional so workers run without it. */
export interface PipelineMetrics {
  jobFinished(queue: QueueName, outcome: 'completed' | 'failed', seconds: number): void;
  decided(type: string, decision: string): void;
  replySent(): void;
  /** A reply stage failure; counted as a failed send when it is a transport's error. */
  replyFailed(error: unknown): void;
}

export interface WorkerOptions extends RedisTarget {
  pool: pg.Pool;
  redisPrefix: string;
  logger: Logger;
  producer: PipelineProducer;
  /** The policy and calendar; each job reads the records its email needs (store/record-slices.ts). */
  engine: EngineSettings;
  reply: Omit<ReplyDeps, 'pool'>;
  senderCheck?: SenderCheck;
  /** Jobs run at once per queue. @defaultValue { assess: 4, settle: 2, reply: 4 } */
  concurrency?: Partial<Record<QueueName, number>>;
  metrics?: PipelineMetrics;
  /** BullMQ's lockDuration and stalledInterval. @defaultValue 30000 */
  jobLockMs?: number;
}

export interface Workers {
  /** Stops taking jobs and waits up to `graceMs` for active ones; safe to call twice. */
  close(graceMs?: number): Promise<void>;
}

export function startWorkers(options: WorkerOptions): Workers {
  const { pool, producer, logger } = options;
  const replyDeps: ReplyDeps = { pool, ...options.reply };
  // Workers wait for Redis when it is away (no request limit) and resume by themselves.
  const connection = connectRedis(options, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const concurrency = { assess: 4, settle: 2, reply: 4, ...options.concurrency };

  // Each handler gets the job's child logger (claim id, job id) and may bind more to it.
  const handlers: Record<QueueName, (job: Job<PipelineJob>, jobLog: Logger) => Promise<unknown>> = {
    assess: async (job, jobLog) => {
      const done = await assessClaim(pool, job.data.claimId, options.engine, options.senderCheck);
      // Assessed by an earlier run of this job that died before enqueueing the next stage.
      if (!done)
        return {
          skipped: 'already assessed',
          enqueued: await enqueueOwed(pool, producer, job.data.claimId),
        };
      // The stored message (messages.id) this decision came from, on the job's log lines.
      jobLog.setBindings({ messageId: done.messageId });
      const item = { claimId: done.claimId, version: done.version, vip: done.vip };
      const decision = done.assessment.decision;
      options.metrics?.decided(done.assessment.type, decision);
      if (decision === 'approved') await producer.add(SETTLE_QUEUE, [item]);
      else if (decision !== 'ignored') await producer.add(REPLY_QUEUE, [item]);
      return { decision, claimId: done.claimId, version: done.version };
    },
    settle: async (job) => {
      const result = await settleClaim(pool, job.data.claimId);
      // Settled: the approval reply; sent to review instead: the acknowledgement.
      if (result.settled || result.toReview) {
        await producer.add(REPLY_QUEUE, [
          { claimId: job.data.claimId, version: job.data.version ?? 1 },
        ]);
        return result;
      }
      // Settled by an earlier run that died before enqueueing the reply, or not approved.
      return { ...result, enqueued: await enqueueOwed(pool, producer, job.data.claimId) };
    },
    reply: async (job) => {
      const prepared = await prepareReply(replyDeps, job.data.claimId, job.data.version ?? 1);
      if (prepared.status !== 'ready') return prepared;
      let status: Awaited<ReturnType<typeof sendReply>>;
      try {
        status = await sendReply(replyDeps, prepared.replyId);
      } catch (error) {
        options.metrics?.replyFailed(error);
        throw error;
      }
      if (status === 'sent') options.metrics?.replySent();
      return { status };
    },
  };

  const workers = (Object.keys(handlers) as QueueName[]).map((name) => {
    const log = logger.child({ component: `${name}-worker` });
    const worker = new Worker<PipelineJob>(
      name,
      async (job) => {
        const started = performance.now();
        const took = () => (performance.now() - started) / 1000;
        const jobLog = log.child({ claimId: job.data.claimId, jobId: job.id });
        try {
          const result = await handlers[name](job, jobLog);
          options.metrics?.jobFinished(name, 'completed', took());
          jobLog.info({ result }, `${name} done`);
          return result;
        } catch (error) {
          options.metrics?.jobFinished(name, 'failed', took());
          // Permanent errors end the job now; the claim is already in review where it needs an agent.
          if (error instanceof ClaimIntakeError && !error.retryable)
            throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection,
        prefix: queuePrefix(options.redisPrefix),
        concurrency: concurrency[name],
        lockDuration: options.jobLockMs ?? 30_000,
        stalledInterval: options.jobLockMs ?? 30_000,
        // Per-minute counts of completed and failed jobs (a week: ~60 KB per queue), read by
        // the ops page for throughput and failure rate. Every worker process records them.
        metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      },
    );
    worker.on('failed', (job, error) =>
      log.warn(
        { claimId: job?.data.claimId, jobId: job?.id, attempts: job?.attemptsMade, err: error },
        `${name} failed`,
      ),
    );
    worker.on('error', (error) => log.warn({ err: error }, `${name} worker error`));
    return worker;
  });

  let closing: Promise<void> | undefined;
  return {
    close(graceMs = 30_000) {
      closing ??= (async () => {
        const graceful = Promise.all(workers.map((w) => w.close()));
        const timer = new Promise<'timeout'>((r) =>
          setTimeout(() => r('timeout'), graceMs).unref(),
        );
        if ((await Promise.race([graceful, timer])) === 'timeout') {
          logger.warn(
            { graceMs },
            'jobs still active at shutdown; forcing close (they will be retried)',
          );
          await Promise.all(workers.map((w) => w.close(true)));
        }
        connection.disconnect();
      })();
      return closing;
    },
  };
}
