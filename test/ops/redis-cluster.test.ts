/**
 * The whole service on a real Redis Cluster (REDIS_CLUSTER=true, three masters, no replicas):
 * the start-up checks ask every master, BullMQ's keys share the `{prefix}` slot, and the
 * poller lock and mailbox states (keys in other slots) are read one key per command. Claims
 * from the examples go Maildir → assess → settle → reply over SMTP, each exactly once.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { readMailboxStates } from '../../src/ops/mailbox-state.ts';
import { QueueAdmin } from '../../src/ops/queue-admin.ts';
import { checkRedis } from '../../src/ops/startup-checks.ts';
import { PipelineProducer, QUEUE_NAMES } from '../../src/pipeline/queues.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { connectRedis, type RedisClient } from '../../src/store/redis.ts';
import { EXAMPLES, MAIL_FROM } from '../pipeline/pipeline-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { waitFor } from '../support/wait.ts';
import { type PrivateRedisCluster, startPrivateRedisCluster } from './private-redis-cluster.ts';

const EXAMPLE_FILES = [
  'compensation-approved.eml', // approved: settled (ledger), then answered
  'refund-approved.eml', // approved: settled (refund steps), then answered
  'icp-reward-vip.eml', // approved, VIP: the prioritized queue
  'compensation-late.eml', // rejected: answered without settling
];
const APPROVED = 3;
const PREFIX = 'cluster-test';

let cluster: PrivateRedisCluster;
let db: TestDatabase;
let sink: SmtpSink;
let root: string;
let service: RunningService;
let client: RedisClient;

beforeAll(async () => {
  [cluster, db, sink] = await Promise.all([
    startPrivateRedisCluster(),
    createTestDatabase(),
    startSmtpSink(),
  ]);
  await migrate(db.pool);
  await importRecordsDir(db.pool, join(EXAMPLES, 'records'));
  root = mkdtempSync(join(tmpdir(), 'claim-intake-cluster-'));
  const maildir = join(root, 'mail');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  for (const [i, file] of EXAMPLE_FILES.entries()) {
    const received =
      file === 'compensation-late.eml' ? '2026-03-12T09:00:00+08:00' : '2026-03-04T09:00:00+08:00';
    const name = `170000000${i}.cluster${i}.host`;
    writeFileSync(join(maildir, 'tmp', name), readFileSync(join(EXAMPLES, 'emails', file)));
    utimesSync(join(maildir, 'tmp', name), new Date(received), new Date(received));
    renameSync(join(maildir, 'tmp', name), join(maildir, 'new', name));
  }
  const config = loadConfig({
    HTTP_PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: cluster.url,
    REDIS_CLUSTER: 'true',
    REDIS_PREFIX: PREFIX,
    MAILDIR_PATH: maildir,
    IMAP_POLL_INTERVAL_MS: '200',
    IMAP_RECONCILE_INTERVAL_MS: '1000',
    SMTP_URL: sink.url,
    MAIL_FROM,
  });
  service = await startService(config, 'all', createLogger('silent'));
  client = connectRedis({ url: cluster.url, cluster: true }, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
}, 40_000);

afterAll(async () => {
  await service?.stop();
  client?.disconnect();
  await sink?.stop();
  await db?.drop();
  await cluster?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function count(sql: string): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);
}

describe('the service on a Redis Cluster', () => {
  it('checks every master at start-up, not just the seed it reached', async () => {
    const facts = await checkRedis({ url: cluster.url, cluster: true }, createLogger('silent'));
    expect(facts.masters?.sort()).toEqual(cluster.ports.map((p) => `127.0.0.1:${p}`).sort());
    expect(facts.maxmemoryPolicy).toBe('noeviction');
  });

  it('assesses, settles and answers each claim exactly once', async () => {
    await waitFor(
      async () =>
        (await count(`SELECT count(*) n FROM claims WHERE state IN ('answered', 'review')`)) ===
        EXAMPLE_FILES.length,
      { timeoutMs: 25_000, message: 'every claim answered' },
    );
    expect(await count(`SELECT count(*) n FROM claims WHERE state = 'answered'`)).toBe(
      EXAMPLE_FILES.length,
    );
    expect(await count(`SELECT count(*) n FROM claims WHERE decision = 'approved'`)).toBe(APPROVED);
    // Settled once per approved claim: one audit entry each, and the ledger paid once.
    expect(await count(`SELECT count(*) n FROM audit_log WHERE action = 'claim.settled'`)).toBe(
      APPROVED,
    );
    expect(
      await count(
        `SELECT count(*) n FROM (SELECT claim_id FROM ledger_entries GROUP BY claim_id HAVING count(*) > 1) d`,
      ),
    ).toBe(0);
    // One reply per claim, sent, and exactly that many at the sink.
    expect(await count(`SELECT count(*) n FROM replies WHERE state = 'sent'`)).toBe(
      EXAMPLE_FILES.length,
    );
    expect(await count(`SELECT count(DISTINCT claim_id) n FROM replies`)).toBe(
      EXAMPLE_FILES.length,
    );
    expect(sink.messages).toHaveLength(EXAMPLE_FILES.length);
  });

  it('is ready, and shows the queues in /metrics and to the queue admin', async () => {
    const base = `http://127.0.0.1:${service.port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, {
      message: '/readyz 200',
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // Automatic approvals are settled with their assessment: no settle job ran.
    for (const queue of QUEUE_NAMES.filter((q) => q !== 'settle')) {
      expect(metrics).toMatch(
        new RegExp(`claim_intake_queue_jobs\\{queue="${queue}",state="completed"\\} [1-9]`),
      );
    }
    const producer = new PipelineProducer({ url: cluster.url, cluster: true, prefix: PREFIX });
    try {
      const health = await new QueueAdmin(producer).health();
      const completed = Object.fromEntries(health.map((q) => [q.name, q.counts.completed]));
      expect(completed).toEqual({
        assess: EXAMPLE_FILES.length,
        settle: 0,
        reply: EXAMPLE_FILES.length,
      });
      expect(health.every((q) => q.counts.failed === 0 && !q.paused)).toBe(true);
      expect(await new QueueAdmin(producer).reachable()).toBe(true);
    } finally {
      await producer.close();
    }
  });

  it('reads the mailbox state and its leader, whose keys lie in other slots', async () => {
    const mailbox = loadConfig({ MAILDIR_PATH: join(root, 'mail') }).mailboxes[0]!.name;
    const [state] = await readMailboxStates(client, PREFIX, [mailbox]);
    expect(state?.leader).toMatch(/:\d+$/);
    expect(state?.connected).toBe(true);
    expect(state?.stored).toBe(EXAMPLE_FILES.length);
  });
});
