/**
 * What each stage still owes, read from PostgreSQL and handed to the queues again: claims
 * stored but not assessed, approved but not settled, decided but not answered, and replies
 * prepared but not sent. Job ids make re-enqueueing harmless.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
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
 * A job that failed for good keeps its id (two weeks, removeOnFail), and adding that id
 * again is a no-op: work whose job used up every attempt (SMTP or PostgreSQL away for longer
 * than the whole backoff) would stay owed until then. Such jobs are retried with fresh
 * attempts. Jobs failed as unrecoverable (a permanent error, after one attempt) are left to ops.
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

/** Work younger than this is probably in flight already. */
const GRACE = "interval '30 seconds'";

export function createSweep(pool: pg.Pool, producer: PipelineProducer, logger: Logger) {
  return async (): Promise<void> => {
    try {
      const rows = async (sql: string) =>
        (await pool.query<{ id: string; version: number; vip: boolean }>(sql)).rows.map(
          (r): WorkItem => ({ claimId: Number(r.id), version: r.version, vip: r.vip }),
        );
      const assess = await rows(
        `SELECT id, version, vip FROM claims WHERE state = 'received' AND updated_at < now() - ${GRACE} ORDER BY id LIMIT 1000`,
      );
      const settle = await rows(
        `SELECT id, version, vip FROM claims WHERE state = 'assessed' AND decision = 'approved'
            AND updated_at < now() - ${GRACE} ORDER BY id LIMIT 1000`,
      );
      const reply = await rows(
        `SELECT c.id, c.version, c.vip FROM claims c
          WHERE ((c.state = 'assessed' AND c.decision IN ('rejected', 'needs_info')) OR c.state = 'settled'
                 OR (c.state = 'review' AND c.decision IS NOT NULL))
            AND c.updated_at < now() - ${GRACE}
            AND NOT (c.reasons && ARRAY['reply_limit_reached', 'reply_failed'])
            AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.claim_id = c.id AND r.decision_version = c.version
                            AND r.state IN ('sent', 'failed'))
          ORDER BY c.id LIMIT 1000`,
      );
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
