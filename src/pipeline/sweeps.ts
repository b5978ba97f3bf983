/**
 * What each stage still owes, read from PostgreSQL and handed to the queues again: claims
 * stored but not assessed, approved but not settled, decided but not answered, and replies
 * prepared but not sent. Job ids make re-enqueueing harmless.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { claimOwedBy, findOwedWork } from '../store/owed-claims.ts';
import {
  ASSESS_QUEUE,
  jobId,
  type PipelineProducer,
  type QueueName,
  REPLY_QUEUE,
  SETTLE_QUEUE,
  type WorkItem,
} from './queues.ts';

/**
 * A job that failed for good keeps its id while BullMQ keeps the job (removeOnFail: two weeks,
 * and only the newest 10,000 failed jobs per queue), and adding that id again is a no-op: work
 * whose job used up every attempt (SMTP or PostgreSQL away for longer than the whole backoff)
 * would stay owed until then. Such jobs are retried with fresh attempts. Jobs failed as
 * unrecoverable (a permanent error, after one attempt) are left as they are.
 *
 * Once a failed job is removed (by age, or earlier by the count after many failures), its id
 * is free and the sweep's add enqueues the work afresh if PostgreSQL still owes it. That is
 * safe: job ids spare duplicate work, they never kept an effect to once. Each effect has its
 * database key (ledger entries, the replies row), and a stage that finds its work done hands
 * the claim on (enqueueOwed). Nor does a bad claim loop: a permanent error or STAGE_MAX_FAILURES
 * faults send it to review with stage_failed, and the sweeps leave it; an unrecoverable job's
 * work stays owed only when its failure could not be recorded (PostgreSQL away), and the fresh
 * run records it. Work whose job an outage exhausted is owed and retried, its job removed or not.
 */
async function retryExhausted(
  producer: PipelineProducer,
  name: QueueName,
  items: WorkItem[],
): Promise<void> {
  const queue = producer.queue(name);
  for (const item of items) {
    const job = await queue.getJob(jobId(name, item));
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) continue;
    if ((await job.getState()) === 'failed') await job.retry('failed');
  }
}

/**
 * Enqueues what one claim's next stage still owes. A stage whose job runs again after its
 * transaction committed (a worker killed between the commit and the enqueue, then the job
 * retried) finds its own work done; this hands the claim on at once instead of leaving it
 * to the periodic sweep.
 */
export async function enqueueOwed(
  pool: pg.Pool,
  producer: PipelineProducer,
  claimId: number,
): Promise<QueueName[]> {
  const enqueued: QueueName[] = [];
  for (const name of [SETTLE_QUEUE, REPLY_QUEUE] as const) {
    const items = await claimOwedBy(pool, name, claimId);
    if (items.length === 0) continue;
    await producer.add(name, items);
    enqueued.push(name);
  }
  return enqueued;
}

export function createSweep(pool: pg.Pool, producer: PipelineProducer, logger: Logger) {
  return async (): Promise<void> => {
    try {
      const { assess, settle, reply } = await findOwedWork(pool);
      const owed: [QueueName, WorkItem[]][] = [
        [ASSESS_QUEUE, assess.map(({ claimId }) => ({ claimId }))],
        [SETTLE_QUEUE, settle],
        [REPLY_QUEUE, reply],
      ];
      for (const [name, items] of owed) {
        await producer.add(name, items);
        await retryExhausted(producer, name, items);
      }
      const total = assess.length + settle.length + reply.length;
      if (total > 0)
        logger.info(
          { assess: assess.length, settle: settle.length, reply: reply.length },
          'sweep enqueued owed work',
        );
    } catch (error) {
      logger.warn({ err: error }, 'sweep failed; will try again');
    }
  };
}
