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

/** Work younger than this is probably in flight already. */
const GRACE = "interval '30 seconds'";

/** Claims (alias c) approved but not settled. */
const OWES_SETTLE = `c.state = 'assessed' AND c.decision = 'approved'`;

/**
 * Claims (alias c) decided, settled or sent to review, whose current version is not answered.
 * Not those an agent must answer: over a reply limit, a failed reply, mail that gets no
 * automatic reply (spam, a sender who failed authentication), or a stage that kept
 * failing (stage_failed: a claim in review is otherwise owed its acknowledgement, and the
 * reply that kept failing would run again on every sweep). A payment's reply deferred by a
 * limit is owed again once its wait is over (its delayed job is normally there first).
 */
const OWES_REPLY = `((c.state = 'assessed' AND c.decision IN ('rejected', 'needs_info')) OR c.state = 'settled'
                    OR (c.state = 'review' AND c.decision IS NOT NULL))
  AND NOT (c.reasons && ARRAY['reply_limit_reached', 'reply_failed', 'stage_failed', 'no_automatic_reply'])
  AND NOT EXISTS (SELECT 1 FROM reply_deferrals d WHERE d.claim_id = c.id AND d.decision_version = c.version
                  AND d.until > now())
  AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.claim_id = c.id AND r.decision_version = c.version
                  AND r.state IN ('sent', 'failed'))`;

type Row = { id: string; version: number; vip: boolean };
const toItem = (r: Row): WorkItem => ({ claimId: Number(r.id), version: r.version, vip: r.vip });

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
  const one = async (condition: string) =>
    (
      await pool.query<Row>(
        `SELECT c.id, c.version, c.vip FROM claims c WHERE c.id = $1 AND ${condition}`,
        [claimId],
      )
    ).rows.map(toItem);
  const enqueued: QueueName[] = [];
  for (const [name, condition] of [
    [SETTLE_QUEUE, OWES_SETTLE],
    [REPLY_QUEUE, OWES_REPLY],
  ] as const) {
    const items = await one(condition);
    if (items.length === 0) continue;
    await producer.add(name, items);
    enqueued.push(name);
  }
  return enqueued;
}

export function createSweep(pool: pg.Pool, producer: PipelineProducer, logger: Logger) {
  return async (): Promise<void> => {
    try {
      const rows = async (condition: string) =>
        (
          await pool.query<Row>(
            `SELECT c.id, c.version, c.vip FROM claims c
              WHERE ${condition} AND c.updated_at < now() - ${GRACE} ORDER BY c.id LIMIT 1000`,
          )
        ).rows.map(toItem);
      const assess = await rows(`c.state = 'received'`);
      const settle = await rows(OWES_SETTLE);
      const reply = await rows(OWES_REPLY);
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
