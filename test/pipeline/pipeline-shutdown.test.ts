/**
 * Stopping the service while work is in flight (what SIGTERM does): intake stops, running
 * jobs finish, nothing is left active in BullMQ, and the next start finishes whatever is
 * still owed: from the queues when Redis kept them, from the database (sweeps) when it did
 * not, and also when a job used up all its attempts.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINA_MAINLAND_CALENDAR } from '../../src/domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { assessClaim } from '../../src/pipeline/assess-claim.ts';
import { jobId, QUEUE_NAMES, queuePrefix, REPLY_QUEUE } from '../../src/pipeline/queues.ts';
import { saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { storeClaim } from '../support/store-claim.ts';
import { waitFor } from '../support/wait.ts';
import { createHarness, type Harness, mail, uniqueId, waitIdle } from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const INC_9001 =
  'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1';
const FINAL = `('answered', 'review', 'ignored')`;

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { REPLY_LIMIT_PER_SENDER: '1000' } });
});

afterAll(async () => {
  await h?.cleanup();
});

/** Needs-info claims, plus approved ones (one pays, the rest go to review as paid already). */
function deliverBatch(tag: string, needsInfo: number, approved: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < needsInfo; i++)
    names.push(
      h.deliver(
        mail({ subject: 'Compensation please', messageId: uniqueId(`${tag}-n${i}`) }),
        RECEIVED,
      ),
    );
  for (let i = 0; i < approved; i++)
    names.push(
      h.deliver(mail({ subject: INC_9001, messageId: uniqueId(`${tag}-a${i}`) }), RECEIVED),
    );
  return names;
}

const unfinished = () => h.count(`SELECT count(*) n FROM claims WHERE state NOT IN ${FINAL}`);

async function activeJobs(): Promise<number> {
  let n = 0;
  for (const name of QUEUE_NAMES) n += (await h.queue(name).getJobCounts('active')).active ?? 0;
  return n;
}

/** Exactly one message at the sink per reply marked sent, none twice. */
async function expectEachReplyOnce(): Promise<void> {
  const ids = (await h.sent()).map((m) => m.header('message-id'));
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(await h.count(`SELECT count(*) n FROM replies WHERE state = 'sent'`));
}

describe('stopping with work in flight', () => {
  it('finishes running jobs, leaves none active, and the next start finishes the rest', async () => {
    h.sink.failNext(451, '4.3.0 try again later', 3);
    await h.start();
    const names = deliverBatch('drain', 36, 4);
    // Stop as soon as the pipeline is busy: claims stored, some answered, most not.
    await waitFor(() => h.sink.messages.length >= 2, {
      message: 'the first replies sent',
      timeoutMs: 20_000,
    });
    const owedAtStop = await unfinished();
    const t0 = Date.now();
    await h.stop();
    const stopMs = Date.now() - t0;
    expect(stopMs).toBeLessThan(30_000);
    expect(await activeJobs()).toBe(0);
    // No reply was cut off mid-send ('sending' with an error is one waiting for its retry).
    expect(
      await h.count(
        `SELECT count(*) n FROM replies WHERE state = 'sending' AND last_error IS NULL`,
      ),
    ).toBe(0);
    const sentAtStop = h.sink.messages.length;

    await h.start();
    await waitFor(async () => (await h.count(`SELECT count(*) n FROM messages`)) === names.length, {
      message: 'every file stored',
    });
    await waitFor(async () => (await unfinished()) === 0, {
      message: 'everything owed finished after the restart',
      timeoutMs: 30_000,
    });
    await waitIdle(h, 30_000);
    expect(await h.count('SELECT count(*) n FROM claims')).toBe(names.length);
    expect(h.sink.messages.length).toBeGreaterThanOrEqual(sentAtStop);
    await expectEachReplyOnce();
    // 36 needs-info and 4 approved for one incident: 1 paid, 3 sent to review; all answered.
    expect(await h.count(`SELECT count(*) n FROM replies WHERE state = 'sent'`)).toBe(names.length);
    expect(await h.count(`SELECT count(*) n FROM ledger_entries`)).toBe(1);
    // The stop really had work to leave behind.
    expect(owedAtStop).toBeGreaterThan(0);
    await h.stop();
  });

  it('finishes from the database when the queues were lost while stopped', async () => {
    await h.start();
    const before = h.sink.messages.length;
    const names = deliverBatch('lost', 12, 0);
    await waitFor(() => h.sink.messages.length > before, { message: 'work started' });
    await h.stop();
    // Redis lost everything (a flush, a failover without persistence).
    for (const name of QUEUE_NAMES) await h.queue(name).obliterate({ force: true });
    // The work left is old enough for the sweeps.
    await h.db.pool.query(`UPDATE claims SET updated_at = now() - interval '10 minutes'`);
    await h.start();
    await waitFor(
      async () =>
        (await h.count(
          `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id
            WHERE m.source_key = ANY($1::text[]) AND c.state IN ${FINAL}`,
          [names],
        )) === names.length,
      { message: 'every claim finished from the sweeps', timeoutMs: 30_000 },
    );
    await waitIdle(h);
    await expectEachReplyOnce();
    await h.stop();
  });
});

describe('a job that used up its attempts', () => {
  it('is run again by the sweep, so the work it owed is done', async () => {
    // A needs-info claim, assessed, whose reply job failed on every attempt (SMTP down for
    // longer than the whole backoff) while the service ran.
    const messageId = uniqueId('exhausted');
    const raw = Buffer.from(mail({ subject: 'Compensation please', messageId }));
    const claimId = await storeClaim(h.db.pool, 'direct:exhausted', raw, {
      sourceKey: messageId,
      received: new Date(RECEIVED),
      messageId,
    });
    const ctx = await saveEngineSettings(h.db.pool, DEFAULT_POLICY, CHINA_MAINLAND_CALENDAR);
    expect((await assessClaim(h.db.pool, claimId, ctx))?.assessment.decision).toBe('needs_info');
    const item = { claimId, version: 1 };
    const id = jobId(REPLY_QUEUE, item);
    await h.queue(REPLY_QUEUE).add(REPLY_QUEUE, item, { jobId: id, attempts: 1 });
    const connection = new Redis(h.redis.url, { maxRetriesPerRequest: null });
    const failing = new Worker(
      REPLY_QUEUE,
      async () => {
        throw new Error('SMTP unreachable');
      },
      { connection, prefix: queuePrefix(h.redis.prefix) },
    );
    try {
      await waitFor(async () => (await h.queue(REPLY_QUEUE).getJobState(id)) === 'failed', {
        message: 'the reply job failed for good',
      });
    } finally {
      await failing.close();
      connection.disconnect();
    }
    await h.db.pool.query(
      `UPDATE claims SET updated_at = now() - interval '10 minutes' WHERE id = $1`,
      [claimId],
    );

    await h.start();
    const claim = await h.claim(claimId);
    await waitFor(async () => (await h.claim(claimId)).state === 'answered', {
      message: `the owed reply sent after the restart (was ${claim.state})`,
      timeoutMs: 20_000,
    });
    expect(await h.sentTo(messageId)).toHaveLength(1);
    expect(await h.queue(REPLY_QUEUE).getJobState(id)).toBe('completed');
    await waitIdle(h);
    expect(await h.sentTo(messageId)).toHaveLength(1);
    await h.stop();
  });
});
