/**
 * The console server with its ops API over real queues: a fresh migrated database, a Redis
 * prefix of its own, the pipeline's producer, BullMQ workers whose jobs throw for the claims
 * in `failing`, and one user per role (agent, ops, admin).
 */
import { type Job, MetricsTime, UnrecoverableError, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { addUser } from '../../src/auth/users.ts';
import { createLogger } from '../../src/logger.ts';
import { readMailboxStates } from '../../src/ops/mailbox-state.ts';
import { QueueAdmin } from '../../src/ops/queue-admin.ts';
import {
  type PipelineJob,
  PipelineProducer,
  type QueueName,
  queuePrefix,
} from '../../src/pipeline/queues.ts';
import { migrate } from '../../src/store/migrate.ts';
import { buildServer } from '../../src/web/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';

export const PASSWORD = 'a password long enough';
export const USERS = {
  agent: 'agent@ops.example',
  ops: 'ops@ops.example',
  admin: 'admin@ops.example',
} as const;
export const MAILBOXES = ['claims', 'refunds'];

export interface OpsFixture {
  db: TestDatabase;
  redis: TestRedis;
  producer: PipelineProducer;
  admin: QueueAdmin;
  app: FastifyInstance;
  /** Claims whose jobs throw (UnrecoverableError: failed at once); the rest complete. */
  failing: Set<number>;
  /** Claim ids in the order their jobs ran. */
  processed: number[];
  startWorker(queue: QueueName): Worker;
  close(): Promise<void>;
}

export interface OpsFixtureOptions {
  /** Rewrites the Redis URL of the server's connections (a TCP proxy's `via`); workers connect directly. */
  via?: (url: string) => string;
}

export async function createOpsFixture(options: OpsFixtureOptions = {}): Promise<OpsFixture> {
  const db = await createTestDatabase();
  await migrate(db.pool);
  for (const [role, email] of Object.entries(USERS))
    await addUser(db.pool, { email, role: role as keyof typeof USERS, password: PASSWORD });
  const redis = await createTestRedis();
  const serverRedisUrl = options.via ? options.via(redis.url) : redis.url;
  const producer = new PipelineProducer({ url: serverRedisUrl, prefix: redis.prefix });
  const admin = new QueueAdmin(producer);
  // As in the service: its own connection for mailbox states, failing fast.
  const statesRedis = new Redis(serverRedisUrl, { maxRetriesPerRequest: 1 });
  statesRedis.on('error', () => undefined);
  const logger = createLogger('silent');
  const app = buildServer({
    pool: db.pool,
    logger,
    cookieSecure: false,
    ops: {
      queues: admin,
      mailboxes: () => readMailboxStates(statesRedis, redis.prefix, MAILBOXES),
    },
  });
  await app.ready();

  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const workers: Worker[] = [];
  const failing = new Set<number>();
  const processed: number[] = [];
  return {
    db,
    redis,
    producer,
    admin,
    app,
    failing,
    processed,
    startWorker(queue) {
      const worker = new Worker<PipelineJob>(
        queue,
        async (job: Job<PipelineJob>) => {
          processed.push(job.data.claimId);
          if (failing.has(job.data.claimId))
            throw new UnrecoverableError(`ledger refused claim ${job.data.claimId}`);
          return { ok: true };
        },
        {
          connection,
          prefix: queuePrefix(redis.prefix),
          metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
        },
      );
      worker.on('error', () => undefined);
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
      await app.close();
      await producer.close();
      statesRedis.disconnect();
      await redis.cleanup();
      await db.drop();
    },
  };
}
