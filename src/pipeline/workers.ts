/**
 * The pipeline's BullMQ workers: assess → settle → reply, each stage enqueueing the next
 * after its transaction commits. Permanent failures become UnrecoverableError (no retry);
 * anything else is retried with exponential backoff and jitter. A stage that keeps failing
 * for a claim hands it to an agent (stage-failures.ts) rather than being retried forever.
 * Any number of worker processes can run against one Redis and one PostgreSQL: the
 * database decides once.
 */
import { DelayedError, type Job, MetricsTime, UnrecoverableError, Worker } from 'bullmq';
import type pg from 'pg';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config-defaults.ts';
import { ClaimIntakeError } from '../domain/errors.ts';
import type { EngineSettings } from '../store/assessment-inputs.ts';
import { connectRedis, type RedisSettings } from '../store/redis.ts';
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
import {
  countsTowardPoison,
  failureKind,
  QueueUnavailableError,
  recordStageFailure,
} from './stage-failures.ts';
import { enqueueOwed } from './sweeps.ts';

/** What the ops layer counts of the pipeline; optional so workers run without it. */
export interface PipelineMetrics {
  jobFinished(queue: QueueName, outcome: 'completed' | 'failed', seconds: number): void;
  decided(type: string, decision: string): void;
  replySent(): void;
  /** A reply stage failure; counted as a failed send when it is a transport's error. */
  replyFailed(error: unknown): void;
}

export interface WorkerOptions {
  pool: pg.Pool;
  /** config.redis: where the queues are, and their key prefix. */
  redis: RedisSettings;
  logger: Logger;
  producer: PipelineProducer;
  /** The policy and calendar; each job reads the records its email needs (store/record-slices.ts). */
  engine: EngineSettings;
  reply: Omit<ReplyDeps, 'pool'>;
  senderCheck?: SenderCheck;
  /** Jobs run at once per queue. @defaultValue DEFAULTS.WORKER_CONCURRENCY_* (4, 2, 4) */
  concurrency?: Partial<Record<QueueName, number>>;
  metrics?: PipelineMetrics;
  /** BullMQ's lockDuration and stalledInterval. @defaultValue DEFAULTS.JOB_LOCK_MS */
  jobLockMs?: number;
  /**
   * Failures of one stage for one claim (and decision version) before the claim goes to
   * review with `stage_failed` (STAGE_MAX_FAILURES). @defaultValue DEFAULTS.STAGE_MAX_FAILURES
   */
  maxStageFailures?: number;
}

export interface Workers {
  /**
   * Stops taking jobs and waits up to `graceMs` (default DEFAULTS.SHUTDOWN_GRACE_MS) for
   * active ones; safe to call twice.
   */
  close(graceMs?: number): Promise<void>;
}

export function startWorkers(options: WorkerOptions): Workers {
  const { pool, producer, logger } = options;
  const replyDeps: ReplyDeps = { pool, ...options.reply };
  // Workers wait for Redis when it is away (no request limit) and resume by themselves.
  const connection = connectRedis(options.redis, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const concurrency = {
    assess: DEFAULTS.WORKER_CONCURRENCY_ASSESS,
    settle: DEFAULTS.WORKER_CONCURRENCY_SETTLE,
    reply: DEFAULTS.WORKER_CONCURRENCY_REPLY,
    ...options.concurrency,
  };
  const maxStageFailures = options.maxStageFailures ?? DEFAULTS.STAGE_MAX_FAILURES;
  const jobLockMs = options.jobLockMs ?? DEFAULTS.JOB_LOCK_MS;
  // The next stage's job is enqueued after the commit; Redis refusing it is an outage, not a
  // failure of this claim's work (the sweeps enqueue what is still owed once Redis is back).
  const handOn = (queue: QueueName, items: Parameters<PipelineProducer['add']>[1]) =>
    producer.add(queue, items).catch((error: unknown) => {
      throw new QueueUnavailableError(error);
    });

  /** Counts the failure; true when the claim was handed to an agent for it (stage_failed). */
  const handedOver = async (
    name: QueueName,
    job: Job<PipelineJob>,
    error: unknown,
    jobLog: Logger,
  ) => {
    const kind = failureKind(error);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (!countsTowardPoison(kind, lastAttempt)) return false;
    try {
      const { failures, poisoned } = await recordStageFailure(pool, {
        claimId: job.data.claimId,
        stage: name,
        version: name === 'assess' ? 0 : (job.data.version ?? 1),
        error,
        permanent: kind === 'permanent',
        maxFailures: maxStageFailures,
      });
      if (poisoned)
        jobLog.warn(
          { failures, err: error },
          `${name} failed ${failures} times: claim sent to review`,
        );
      return poisoned;
    } catch (recordError) {
      // Not counted (the database is away, say): the job is retried as before.
      jobLog.warn({ err: recordError }, `${name} failure not counted`);
      return false;
    }
  };

  // Each handler gets the job's child logger (claim id, job id) and may bind more to it.
  const handlers: Record<
    QueueName,
    (job: Job<PipelineJob>, jobLog: Logger, token?: string) => Promise<unknown>
  > = {
    assess: async (job, jobLog) => {
      const done = await assessClaim(pool, job.data.claimId, options.engine, options.senderCheck, {
        settle: true,
      });
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
      const result = { decision, claimId: done.claimId, version: done.version };
      if (decision === 'ignored') return result;
      if (decision !== 'approved') {
        await handOn(REPLY_QUEUE, [item]);
        return result;
      }
      // Settled with the assessment (assess-claim.ts), or sent to review for something paid
      // already: the reply is next. Settling failed: undone, and the settle stage tries it.
      const { settled } = done;
      if (!settled) {
        jobLog.warn(
          { err: done.settleError },
          'settling with the assessment failed; settle stage next',
        );
        await handOn(SETTLE_QUEUE, [item]);
        return result;
      }
      if (settled.settled || settled.toReview) {
        await handOn(REPLY_QUEUE, [item]);
        return { ...result, settled };
      }
      return { ...result, settled, enqueued: await enqueueOwed(pool, producer, done.claimId) };
    },
    settle: async (job) => {
      const result = await settleClaim(pool, job.data.claimId);
      // Settled: the approval reply; sent to review instead: the acknowledgement.
      if (result.settled || result.toReview) {
        await handOn(REPLY_QUEUE, [{ claimId: job.data.claimId, version: job.data.version ?? 1 }]);
        return result;
      }
      // Settled by an earlier run that died before enqueueing the reply, or not approved.
      return { ...result, enqueued: await enqueueOwed(pool, producer, job.data.claimId) };
    },
    reply: async (job, jobLog, token) => {
      const prepared = await prepareReply(replyDeps, job.data.claimId, job.data.version ?? 1);
      if (prepared.status === 'deferred') {
        // A reply telling of a payment, beyond a flood limit: this job waits for the window
        // (delayed in Redis, not failed, no attempt used) and prepares it again then.
        jobLog.info({ why: prepared.why, waitMs: prepared.waitMs }, 'reply deferred');
        await job.moveToDelayed(Date.now() + prepared.waitMs, token);
        throw new DelayedError();
      }
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
      async (job, token) => {
        const started = performance.now();
        const took = () => (performance.now() - started) / 1000;
        const jobLog = log.child({ claimId: job.data.claimId, jobId: job.id });
        try {
          const result = await handlers[name](job, jobLog, token);
          options.metrics?.jobFinished(name, 'completed', took());
          jobLog.info({ result }, `${name} done`);
          return result;
        } catch (error) {
          // Moved to delayed by its handler (a deferred reply): neither done nor failed.
          if (error instanceof DelayedError) throw error;
          options.metrics?.jobFinished(name, 'failed', took());
          // Handed to an agent (or failed for good): no attempt of this job can help now, and
          // the sweeps leave a claim in review with stage_failed alone.
          const poisoned = await handedOver(name, job, error, jobLog);
          if (poisoned || (error instanceof ClaimIntakeError && !error.retryable))
            throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
          throw error;
        }
      },
      {
        connection,
        prefix: queuePrefix(options.redis.prefix),
        concurrency: concurrency[name],
        lockDuration: jobLockMs,
        stalledInterval: jobLockMs,
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
    close(graceMs = DEFAULTS.SHUTDOWN_GRACE_MS) {
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
