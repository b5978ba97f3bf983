/**
 * The hand-off from intake to assessment: one BullMQ job per claim, its id derived from
 * the claim id, so enqueueing the same claim twice (a retry, the sweep, two pollers in a
 * failover) leaves one job. The database, not the queue, is the source of truth: a claim
 * in state 'received' is re-enqueued by the sweep until a worker has assessed it.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

export const ASSESS_QUEUE = 'assess';

export interface AssessJob {
  claimId: number;
}

/** BullMQ keys start with the prefix in braces: one hash slot, so Redis Cluster works too. */
export function queuePrefix(redisPrefix: string): string {
  return `{${redisPrefix}}`;
}

export function assessJobId(claimId: number): string {
  return `claim-${claimId}`;
}

export class AssessProducer {
  private readonly connection: Redis;
  readonly queue: Queue<AssessJob>;

  constructor(redisUrl: string, redisPrefix: string) {
    // Producers fail fast while Redis is away (no offline queue): the claim stays
    // 'received' in PostgreSQL and the sweep enqueues it once Redis is back.
    this.connection = new Redis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    this.connection.on('error', () => undefined);
    this.queue = new Queue<AssessJob>(ASSESS_QUEUE, {
      connection: this.connection,
      prefix: queuePrefix(redisPrefix),
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 14 * 24 * 3600 },
      },
    });
    this.queue.on('error', () => undefined);
  }

  async enqueue(claimIds: number[]): Promise<void> {
    if (claimIds.length === 0) return;
    await this.queue.addBulk(
      claimIds.map((claimId) => ({
        name: 'assess',
        data: { claimId },
        opts: { jobId: assessJobId(claimId) },
      })),
    );
  }

  /** Safe to call twice. */
  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
