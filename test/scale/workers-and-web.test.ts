/**
 * Scale-out with real processes: one poller, two `--role worker` and two `--role web`
 * processes against one PostgreSQL database, one Redis prefix and one SMTP sink. A few
 * hundred copies of the examples flow through while one worker is SIGKILLed mid-run; every
 * claim is assessed once, every ledger entry and every reply exists once, and both workers
 * did part of the work (their own log lines say which). The two web processes serve one
 * console: a session made on one works on the other, and of two agents deciding one claim
 * through different processes exactly one wins.
 *
 * Two pollers on one mailbox (only the lock holder polls; the other takes over after a
 * SIGKILL) are proven in test/intake/imap-failover.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JobType, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, queuePrefix } from '../../src/pipeline/queues.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { EXAMPLES, parseSent } from '../pipeline/pipeline-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FINISHED } from '../support/finished.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { waitFor } from '../support/wait.ts';
import { runUserAdd } from '../web/web-harness.ts';
import { call, copyOf, deliver, EXAMPLE_LIST, signIn } from './scale-fixture.ts';

const COPIES = 40;
const MAIL_FROM = 'claims@cloud.example';
/** Not a contact of demo-shop: the engine sends this claim to an agent. */
const STRANGER = 'finance@demo-shop.test';
const PASSWORD = 'correct horse battery staple';
const AGENTS = ['ana@claims.test', 'bo@claims.test'] as const;
/** Reply jobs one worker runs at once (WORKER_CONCURRENCY_REPLY's default). */
const REPLY_SLOTS = 4;

/** Every example but the Chinese one, whose incident (INC-9003) the contested claim pays. */
const examples = EXAMPLE_LIST.filter((e) => e.file !== 'emails/compensation-chinese.eml');
const TOTAL = examples.length * COPIES + 1;

let db: TestDatabase;
let redis: TestRedis;
let sink: SmtpSink;
let root: string;
let web: ServiceProcess[] = [];
let workers: ServiceProcess[] = [];
let poller: ServiceProcess | undefined;
let startedAt = 0;
let queueConnection: Redis | undefined;
let queues: Queue[] = [];
/** The claim two agents decide at once: a stranger claims INC-9003 for demo-shop. */
const CONTESTED = 'contested@demo-shop.test';

const count = async (sql: string, params: unknown[] = []) =>
  Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);

const finished = () => count(`SELECT count(*) n FROM claims c WHERE ${FINISHED}`);

/** `<stage> done` lines of one worker that did the stage's work (not "already done"). */
function done(p: ServiceProcess, stage: 'assess' | 'settle' | 'reply') {
  return p.logged(`${stage} done`).filter((l) => {
    const result = l.result as Record<string, unknown> | undefined;
    return stage === 'assess' ? result?.decision !== undefined : result?.status !== 'already_sent';
  });
}

/** Jobs in these states, over the three queues. */
async function jobs(...states: JobType[]): Promise<number> {
  const counts = await Promise.all(queues.map((q) => q.getJobCounts(...states)));
  return counts.flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
}

/** What is not done yet, for a failure message: claims, replies and jobs by state. */
async function unfinished(): Promise<string> {
  const claims = await db.pool.query(
    `SELECT c.id, c.state, c.decision, c.version, c.updated_at,
            (SELECT array_agg(r.state) FROM replies r WHERE r.claim_id = c.id) AS replies
       FROM claims c WHERE NOT ${FINISHED} LIMIT 20`,
  );
  const queued = await Promise.all(
    queues.map(async (q) => {
      const open = await q.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'failed']);
      const states = await Promise.all(open.map((j) => j.getState()));
      return open.map(
        (j, i) => `${j.id} ${states[i]} stalled=${j.stalledCounter} ${j.failedReason ?? ''}`,
      );
    }),
  );
  return JSON.stringify({ claims: claims.rows, jobs: queued.flat() }, null, 1);
}

const jobsOf = (split: Record<string, number>) => Object.values(split).reduce((a, b) => a + b, 0);

/** Per stage, the jobs one worker did. */
const split = (p: ServiceProcess) => ({
  assess: done(p, 'assess').length,
  settle: done(p, 'settle').length,
  reply: done(p, 'reply').length,
});

beforeAll(async () => {
  [db, redis, sink] = await Promise.all([createTestDatabase(), createTestRedis(), startSmtpSink()]);
  await migrate(db.pool);
  await importRecordsDir(db.pool, join(EXAMPLES, 'records'));
  // Console users through the real CLI, while the rest starts.
  const users = Promise.all(
    AGENTS.map((email) => runUserAdd(db.url, [email, '--role', 'agent'], `${PASSWORD}\n`)),
  );
  queueConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  queues = QUEUE_NAMES.map((name) => {
    const q = new Queue(name, { connection: queueConnection!, prefix: queuePrefix(redis.prefix) });
    q.on('error', () => undefined);
    return q;
  });
  root = mkdtempSync(join(tmpdir(), 'claim-intake-scale-'));
  const maildir = join(root, 'mail');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  for (const [i, e] of examples.entries())
    for (let n = 0; n < COPIES; n++)
      deliver(
        maildir,
        `17000${i}${n}.scale.host`,
        copyOf(e.file, `scale-${i}-${n}@mail.test`),
        e.received,
      );
  deliver(
    maildir,
    '1700099.contested.host',
    copyOf('emails/compensation-chinese.eml', CONTESTED, STRANGER),
    '2026-03-04T09:00:00+08:00',
  );
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    MAILDIR_PATH: maildir,
    SMTP_URL: sink.url,
    MAIL_FROM,
    REPLY_LIMIT_PER_SENDER: '1000',
    IMAP_POLL_INTERVAL_MS: '200',
    // A killed worker's jobs are run again by the other within ~10 s instead of ~60 s.
    JOB_LOCK_MS: '5000',
    // No short sweep interval: a worker killed between a stage's commit and its enqueue of
    // the next stage is covered by the retried job handing the claim on (enqueueOwed).
  };
  // Workers first, so both are waiting when the poller hands out the first claims.
  [web, workers] = await Promise.all([
    Promise.all([startServiceProcess('web', env), startServiceProcess('web', env)]),
    Promise.all([startServiceProcess('worker', env), startServiceProcess('worker', env)]),
  ]);
  startedAt = Date.now();
  poller = await startServiceProcess('poller', env);
  for (const added of await users) expect(added.code, added.stderr).toBe(0);
}, 150_000);

afterAll(async () => {
  await Promise.all([poller, ...workers, ...web].map((p) => p?.stop(5000)));
  await Promise.all(queues.map((q) => q.close()));
  queueConnection?.disconnect();
  await sink?.stop();
  await db?.drop();
  await redis?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('two worker processes and two web processes on one Redis and one PostgreSQL', () => {
  it('share a few hundred claims, one worker killed mid-run, and every effect happens once', async () => {
    const [kept, killed] = workers as [ServiceProcess, ServiceProcess];
    // A quarter done and plenty still waiting: the one killed dies with jobs in hand.
    await waitFor(
      async () => (await finished()) >= TOTAL / 4 && (await jobs('waiting', 'prioritized')) >= 20,
      { timeoutMs: 60_000, intervalMs: 20, message: 'a quarter of the claims done, more waiting' },
    );
    await killed.kill();
    const atKill = { finished: await finished(), kept: split(kept), killed: split(killed) };
    expect(atKill.finished).toBeLessThan(TOTAL);

    // BullMQ hands the dead worker's jobs to the other once their locks lapse (30 s) and
    // its stalled-job check runs (every 30 s): a bounded wait, not a figure asserted.
    await waitFor(
      async () =>
        (await count('SELECT count(*) n FROM claims')) === TOTAL &&
        (await finished()) === TOTAL &&
        (await jobs('waiting', 'prioritized', 'active', 'delayed', 'waiting-children')) === 0,
      { timeoutMs: 120_000, intervalMs: 250, message: 'every claim decided and answered' },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await unfinished()}`);
    });
    const tookMs = Date.now() - startedAt;
    expect(await jobs('failed')).toBe(0);
    const recovered = (await Promise.all(queues.map((q) => q.getJobs(['completed'], 0, -1))))
      .flat()
      .filter((j) => j.stalledCounter > 0).length;
    expect(recovered).toBeGreaterThan(0); // the killed worker's jobs, finished by the other

    // One message and one claim per email; each claim assessed once, at version 1.
    expect(await count('SELECT count(DISTINCT message_id) n FROM messages')).toBe(TOTAL);
    const assessed = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'claim.assessed' GROUP BY claim_id`,
    );
    expect(assessed.rows).toHaveLength(TOTAL);
    expect(assessed.rows.every((r) => r.n === 1)).toBe(true);
    expect(await count(`SELECT count(*) n FROM claims WHERE version <> 1`)).toBe(0);
    // The logs agree: no claim assessed by both workers (lines cut by SIGKILL may be missing).
    const byLogs = workers.flatMap((w) => done(w, 'assess').map((l) => l.claimId));
    expect(new Set(byLogs).size).toBe(byLogs.length);

    // Paid once each, for all the copies racing for them: INC-9001, one order, one ICP reward.
    const ledger = await db.pool.query<{ kind: string; subject: string }>(
      `SELECT kind, coalesce(incident, order_id, account) AS subject FROM ledger_entries ORDER BY kind`,
    );
    expect(ledger.rows).toEqual([
      { kind: 'compensation', subject: 'INC-9001' },
      { kind: 'icp_reward', subject: 'star-vip' },
      { kind: 'refund', subject: 'CS2603020001' },
    ]);

    // One reply per claim not ignored, all sent; at the sink each reply's Message-ID, and
    // one Message-ID per claim.
    const replies = await db.pool.query<{
      message_id: string;
      attempts: number;
      original: string;
      state: string;
    }>(
      `SELECT r.message_id, r.attempts, m.message_id AS original, r.state
         FROM replies r JOIN claims c ON c.id = r.claim_id JOIN messages m ON m.id = c.message_id`,
    );
    const ignored = await count(`SELECT count(*) n FROM claims WHERE state = 'ignored'`);
    expect(ignored).toBe(COPIES); // the auto-replies
    expect(replies.rows).toHaveLength(TOTAL - ignored);
    const sent = await Promise.all(sink.messages.map((m) => parseSent(m.raw, m.envelope)));
    const copiesOf = new Map<string, number>();
    const idsPerClaim = new Map<string, Set<string>>();
    for (const m of sent) {
      const id = m.header('message-id')!;
      copiesOf.set(id, (copiesOf.get(id) ?? 0) + 1);
      const original = m.header('in-reply-to')!;
      idsPerClaim.set(original, (idsPerClaim.get(original) ?? new Set()).add(id));
    }
    // Replies cut off mid-send by the kill may or may not have reached the sink (the outcome
    // is unknown, so they went to an agent); every other reply did, exactly once.
    const cutOff = replies.rows.filter((r) => r.state === 'failed');
    expect(cutOff.length).toBeLessThanOrEqual(REPLY_SLOTS);
    const delivered = replies.rows.filter((r) => r.state === 'sent');
    expect(delivered.length + cutOff.length).toBe(replies.rows.length);
    for (const r of delivered) expect(idsPerClaim.get(`<${r.original}>`)?.size).toBe(1);
    const known = new Set(replies.rows.map((r) => r.message_id));
    expect([...copiesOf.keys()].every((id) => known.has(id))).toBe(true);
    // At most once: no Message-ID reached the sink twice, not even for a reply cut off mid-send.
    const resent = [...copiesOf.values()].filter((n) => n > 1).length;
    expect(resent).toBe(0);

    const final = { kept: split(kept), killed: split(killed) };
    // Both took a share before the kill; the one left carried on alone.
    expect(atKill.killed.assess).toBeGreaterThan(0);
    expect(atKill.kept.assess).toBeGreaterThan(0);
    expect(jobsOf(final.kept)).toBeGreaterThan(jobsOf(atKill.kept));
    console.info(
      `scale-out: ${TOTAL} claims, ${sent.length} replies at the sink in ${tookMs} ms; ` +
        `jobs per worker at the kill ${JSON.stringify(atKill)}; at the end ${JSON.stringify(final)}; ` +
        `${recovered} jobs recovered from the killed worker, ${cutOff.length} replies cut off mid-send (to an agent), ${resent} resent`,
    );
  }, 200_000);

  it('serve one console: a session from one web process works on the other, and of two agents deciding one claim through the two, one wins', async () => {
    const [a, b] = web as [ServiceProcess, ServiceProcess];
    const ana = await signIn(a, AGENTS[0], PASSWORD);
    // Sessions live in PostgreSQL: the cookie web A issued is good on web B.
    expect(await call(b, 'GET', '/api/me', ana)).toMatchObject({
      status: 200,
      body: { user: { email: AGENTS[0], role: 'agent' }, csrfToken: ana.csrfToken },
    });
    const bo = await signIn(b, AGENTS[1], PASSWORD);

    const { rows } = await db.pool.query<{ id: string }>(
      'SELECT c.id FROM claims c JOIN messages m ON m.id = c.message_id WHERE m.message_id = $1',
      [CONTESTED],
    );
    const claimId = Number(rows[0]!.id);
    await waitFor(
      async () =>
        (await count(`SELECT count(*) n FROM claims c WHERE c.id = $1 AND ${FINISHED}`, [
          claimId,
        ])) === 1,
      { timeoutMs: 60_000, message: 'the contested claim with an agent, acknowledged' },
    );
    const path = `/api/review/claims/${claimId}`;
    for (const [server, agent] of [
      [a, ana],
      [b, bo],
    ] as const) {
      const seen = await call(server, 'GET', path, agent);
      expect(seen.status).toBe(200);
      expect(seen.body).toMatchObject({ state: 'review', version: 1, amount: '100.00' });
    }
    const note = { expectedVersion: 1, note: 'sender confirmed by phone' };
    const outcomes = await Promise.all([
      call(a, 'POST', `${path}/approve`, ana, note),
      call(b, 'POST', `${path}/approve`, bo, note),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual([200, 409]);
    const winner = outcomes.findIndex((o) => o.status === 200);
    expect(outcomes[winner]!.body).toMatchObject({ version: 2, decision: 'approved' });
    expect(outcomes[1 - winner]!.body).toMatchObject({ error: { code: 'version_conflict' } });

    await waitFor(
      async () =>
        (await count(
          `SELECT count(*) n FROM replies WHERE claim_id = $1 AND decision_version = 2 AND state = 'sent'`,
          [claimId],
        )) === 1 && (await jobs('waiting', 'prioritized', 'active', 'delayed')) === 0,
      { timeoutMs: 30_000, message: 'the approval settled and answered' },
    );
    const approvals = await db.pool.query<{ actor: string }>(
      `SELECT actor FROM audit_log WHERE claim_id = $1 AND action = 'review.approve'`,
      [claimId],
    );
    expect(approvals.rows).toEqual([{ actor: `agent:${AGENTS[winner]}` }]);
    const paid = await db.pool.query(
      `SELECT kind, incident, amount::text AS amount FROM ledger_entries WHERE claim_id = $1`,
      [claimId],
    );
    expect(paid.rows).toEqual([{ kind: 'compensation', incident: 'INC-9003', amount: '100.0000' }]);
    const replies = await db.pool.query<{ message_id: string }>(
      `SELECT decision_version, kind, state, message_id FROM replies WHERE claim_id = $1 ORDER BY decision_version`,
      [claimId],
    );
    expect(replies.rows.map((r) => Object.values(r).slice(0, 3))).toEqual([
      [1, 'review_ack', 'sent'],
      [2, 'compensation_approved', 'sent'],
    ]);
    const atSink = (
      await Promise.all(sink.messages.map((m) => parseSent(m.raw, m.envelope)))
    ).filter((m) => m.header('in-reply-to') === `<${CONTESTED}>`);
    expect(atSink.map((m) => m.header('message-id'))).toEqual(
      replies.rows.map((r) => r.message_id),
    );
  });
});
