/**
 * The pipeline's queues (BullMQ): assess → settle → reply. One job per claim and stage
 * (and per decision version after assessment), its id derived from those, so enqueueing the
 * same work twice (a retry, a sweep, two pollers in a failover) leaves one job. The database,
 * not the queue, is the source of truth: sweeps re-enqueue whatever a stage still owes.
 */
import { Queue } from 'bullmq';
import { connectRedis, type RedisClient, type RedisSettings } from '../store/redis.ts';

export const ASSESS_QUEUE = 'assess';
export const SETTLE_QUEUE = 'settle';
export const REPLY_QUEUE = 'reply';
export const QUEUE_NAMES = [ASSESS_QUEUE, SETTLE_QUEUE, REPLY_QUEUE] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface PipelineJob {
  claimId: number;
  /** The decision version the job acts on (settle, reply). */
  version?: number;
}

export interface WorkItem {
  claimId: number;
  version?: number;
  /** VIP customers' work runs first. */
  vip?: boolean;
}

/** BullMQ keys start with the prefix in braces: one hash slot, so Redis Cluster works too. */
export function queuePrefix(redisPrefix: string): string {
  return `{${redisPrefix}}`;
}

export function jobId(queue: QueueName, item: WorkItem): string {
  return item.version === undefined
    ? `${queue}-${item.claimId}`
    : `${queue}-${item.claimId}-v${item.version}`;
}

const VIP_PRIORITY = 1;
const NORMAL_PRIORITY = 10;

export class PipelineProducer {
  private readonly connection: RedisClient;
  private readonly queues: Record<QueueName, Queue<PipelineJob>>;

  /** `redis`: config.redis (where Redis is, and the key prefix of the queues). */
  constructor(redis: RedisSettings) {
    // Producers fail fast while Redis is away (no offline queue): the work stays owed in
    // PostgreSQL and a sweep enqueues it once Redis is back.
    this.connection = connectRedis(redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.connection.on('error', () => undefined);
    const make = (name: QueueName) => {
      const q = new Queue<PipelineJob>(name, {
        connection: this.connection,
        prefix: queuePrefix(redis.prefix),
        defaultJobOptions: {
          attempts: 8,
          backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
          // Bounded Redis memory: finished jobs are kept a day (at most 10,000), failed
          // ones two weeks for ops to inspect and retry, and at most 10,000 per queue: an
          // outage that fails every job must not fill Redis (whose noeviction policy would
          // then refuse all writes). What an early removal means for the sweeps: sweeps.ts.
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 14 * 24 * 3600, count: 10_000 },
        },
      });
      q.on('error', () => undefined);
      return q;
    };
    this.queues = {
      assess: make(ASSESS_QUEUE),
      settle: make(SETTLE_QUEUE),
      reply: make(REPLY_QUEUE),
    };
  }

  queue(name: QueueName): Queue<PipelineJob> {
    return this.queues[name];
  }

  async add(name: QueueName, items: WorkItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.queues[name].addBulk(
      items.map((item) => ({
        name,
        data: {
          claimId: item.claimId,
          ...(item.version === undefined ? {} : { version: item.version }),
        },
        opts: { jobId: jobId(name, item), priority: item.vip ? VIP_PRIORITY : NORMAL_PRIORITY },
      })),
    );
  }

  /** Assessment of freshly stored claims (VIP is not known before assessment). */
  async enqueue(claimIds: number[]): Promise<void> {
    await this.add(
      ASSESS_QUEUE,
      claimIds.map((claimId) => ({ claimId })),
    );
  }

  /** Safe to call twice. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close().catch(() => undefined)));
    await this.handshakeDone();
    this.connection.disconnect();
  }

  /**
   * Cut between 'connect' and 'ready', ioredis rejects its own handshake commands (INFO,
   * CLIENT SETINFO) without the offline queue, and those rejections go unhandled: a process
   * that stops right after starting (a busy port) would report them. So a close waits for the
   * handshake to end either way, at most a couple of seconds.
   */
  private async handshakeDone(): Promise<void> {
    const c = this.connection;
    if (c.status !== 'connecting' && c.status !== 'connect') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const event of ['ready', 'close', 'end'] as const) c.off(event, done);
        resolve();
      };
      const timer = setTimeout(done, 2000);
      for (const event of ['ready', 'close', 'end'] as const) c.once(event, done);
    });
  }
}
