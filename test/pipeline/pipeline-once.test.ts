/**
 * Exactly once, whatever runs twice: settle and reply called again (one after the other and
 * at the same time), the same jobs enqueued again, two claims for one incident, a restart.
 * The ledger's unique indexes and the replies table decide; the sink is the witness.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINA_MAINLAND_CALENDAR } from '../../src/domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { assessClaim } from '../../src/pipeline/assess-claim.ts';
import {
  ASSESS_QUEUE,
  jobId,
  PipelineProducer,
  type QueueName,
  REPLY_QUEUE,
  SETTLE_QUEUE,
  type WorkItem,
} from '../../src/pipeline/queues.ts';
import {
  OUTCOME_UNKNOWN,
  prepareReply,
  type ReplyDeps,
  ReplyInFlightError,
  sendReply,
} from '../../src/pipeline/reply.ts';
import { settleClaim } from '../../src/pipeline/settle.ts';
import { createReplyTransport } from '../../src/reply/outbound/transport.ts';
import type { ReplyTransport } from '../../src/reply/outbound/types.ts';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { storeClaim } from '../support/store-claim.ts';
import { waitFor } from '../support/wait.ts';
import {
  createHarness,
  EXAMPLES,
  type Harness,
  MAIL_FROM,
  mail,
  uniqueId,
  waitIdle,
} from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const FORCE_MAJEURE =
  'Compensation claim - Account: demo-shop; Fault time: 2026-03-03 15:05; Occurrences: 1';
const INC_9001 =
  'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1';
const INC_9003 =
  'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 14:05; Occurrences: 1';

let h: Harness;
let producer: PipelineProducer;
let transport: ReplyTransport;
let deps: ReplyDeps;

beforeAll(async () => {
  h = await createHarness({ env: { REPLY_LIMIT_PER_SENDER: '100' } });
  producer = new PipelineProducer({ url: h.redis.url, prefix: h.redis.prefix });
  transport = createReplyTransport({ smtpUrl: h.sink.url });
  deps = {
    pool: h.db.pool,
    templates: await ReplyTemplates.load(),
    transport,
    mailFrom: MAIL_FROM,
    limits: { perSender: 100, perDomain: 100, perHour: 1000 },
  };
  await h.start();
});

afterAll(async () => {
  await transport?.close();
  await producer?.close();
  await h?.cleanup();
});

/** Runs a job again: the finished one is removed (its id would make `add` a no-op), then added. */
async function rerun(name: QueueName, item: WorkItem): Promise<unknown> {
  const id = jobId(name, item);
  const queue = h.queue(name);
  await waitFor(async () => ['completed', 'failed'].includes(await queue.getJobState(id)), {
    message: `${id} finished before it is run again`,
  });
  await queue.remove(id);
  await producer.add(name, [item]);
  await waitFor(async () => (await queue.getJobState(id)) === 'completed', {
    message: `${id} completed again`,
  });
  return (await queue.getJob(id))!.returnvalue;
}

/** Stores a claim without enqueueing it (as intake would have before its enqueue). */
async function storeDirect(raw: string): Promise<number> {
  return storeClaim(h.db.pool, 'direct:once', raw, {
    sourceKey: uniqueId('direct'),
    received: new Date(RECEIVED),
  });
}

/** The engine's settings as the worker stores them: policy v1, the mainland calendar. */
function engineContext() {
  return saveEngineSettings(h.db.pool, DEFAULT_POLICY, CHINA_MAINLAND_CALENDAR);
}

/** A claim stored and assessed directly (rejected: INC-9002's cause is force majeure), nothing enqueued. */
async function rejectedDirectly(tag: string): Promise<{ messageId: string; claimId: number }> {
  const messageId = uniqueId(tag);
  const claimId = await storeDirect(mail({ subject: FORCE_MAJEURE, messageId }));
  const assessed = await assessClaim(h.db.pool, claimId, await engineContext());
  expect(assessed?.assessment.decision).toBe('rejected');
  return { messageId, claimId };
}

const ledgerCount = () => h.count('SELECT count(*) n FROM ledger_entries');

describe('with the service running', () => {
  it('settling and answering an answered claim again changes nothing', async () => {
    const messageId = uniqueId('once');
    const name = h.deliver(mail({ subject: INC_9001, messageId }), RECEIVED);
    const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    await waitIdle(h);
    expect(await h.ledger(claim.id)).toHaveLength(1);
    expect(await h.sentTo(messageId)).toHaveLength(1);
    const [reply] = await h.replies(claim.id);

    // Directly, one after the other.
    expect(await settleClaim(h.db.pool, claim.id)).toEqual({
      settled: false,
      entries: 0,
      skipped: [],
    });
    const prepared = await prepareReply(deps, claim.id, 1);
    expect(prepared).toEqual({ status: 'ready', replyId: reply!.id });
    expect(await sendReply(deps, reply!.id)).toBe('already_sent');

    // Even a claim put back to 'approved, not settled' pays nothing twice: the ledger's
    // index refuses the entry, and the claim goes to an agent rather than being settled.
    await h.db.pool.query(`UPDATE claims SET state = 'assessed' WHERE id = $1`, [claim.id]);
    expect(await settleClaim(h.db.pool, claim.id)).toEqual({
      settled: false,
      toReview: true,
      entries: 0,
      skipped: ['INC-9001'],
    });
    expect(await h.claim(claim.id)).toMatchObject({
      state: 'review',
      reasons: ['already_compensated'],
    });
    await h.db.pool.query(
      `UPDATE claims SET state = 'answered', decision = 'approved', reasons = '{}' WHERE id = $1`,
      [claim.id],
    );

    // Through the queues: the same job ids again are no-ops while the finished jobs are kept …
    const item = { claimId: claim.id, version: 1 };
    await producer.add(ASSESS_QUEUE, [{ claimId: claim.id }]);
    await producer.add(SETTLE_QUEUE, [item]);
    await producer.add(REPLY_QUEUE, [item]);
    expect(await h.queue(REPLY_QUEUE).getJobState(jobId(REPLY_QUEUE, item))).toBe('completed');
    // … and when they do run again, each finds its work done.
    expect(await rerun(ASSESS_QUEUE, { claimId: claim.id })).toEqual({
      skipped: 'already assessed',
      enqueued: [],
    });
    expect(await rerun(SETTLE_QUEUE, item)).toMatchObject({ settled: false, entries: 0 });
    expect(await rerun(REPLY_QUEUE, item)).toEqual({ status: 'already_sent' });
    await waitIdle(h);

    expect(await h.ledger(claim.id)).toHaveLength(1);
    expect(await h.sentTo(messageId)).toHaveLength(1);
    expect(await h.replies(claim.id)).toHaveLength(1);
    expect((await h.claim(claim.id)).state).toBe('answered');
  });

  it('pays one incident of one account once, whatever number of claims name it', async () => {
    const first = h.deliver(mail({ subject: INC_9003, messageId: uniqueId('dup-a') }), RECEIVED);
    const a = await h.waitClaim(first, (c) => c.state === 'answered', 'first claim answered');
    const second = h.deliver(mail({ subject: INC_9003, messageId: uniqueId('dup-b') }), RECEIVED);
    const b = await h.waitClaim(second, (c) => c.state === 'answered', 'second claim answered');
    await waitIdle(h);
    const rows = (await h.ledger()).filter((r) => r.incident === 'INC-9003');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.claim_id).toBe(a.id);
    expect(await h.ledger(b.id)).toEqual([]);
    // Each assessment reads the records it needs when it runs, the service's own payouts
    // included: the second claim is told the incident was compensated already.
    const final = await h.claim(b.id);
    expect(final.decision).toBe('rejected');
    expect(final.reasons).toEqual(['already_compensated']);
    expect((await h.replies(b.id)).map((r) => [r.kind, r.state])).toEqual([['rejected', 'sent']]);
    expect((await h.replies(a.id)).map((r) => r.kind)).toEqual(['compensation_approved']);
  });

  it('of two claims approved before either settled, pays the first and sends the second to an agent', async () => {
    // Both assessed before either settles (two workers at the same moment): the engine
    // approved both, the ledger's index pays once.
    await h.db.pool.query(
      `INSERT INTO incidents (id, starts_at, ends_at, resources, data) VALUES
         ('INC-RACE', '2026-03-01T12:00:00+08:00', '2026-03-01T12:30:00+08:00', '{ecs-s1}', $1)`,
      [
        {
          id: 'INC-RACE',
          start: '2026-03-01T12:00:00+08:00',
          end: '2026-03-01T12:30:00+08:00',
          cause: 'platform',
          scenario: 'unavailable',
          resources: ['ecs-s1'],
        },
      ],
    );
    const subject =
      'Compensation claim - Account: demo-shop; Fault time: 2026-03-01 12:05; Occurrences: 1';
    const engine = await engineContext();
    const [a, b] = [
      await storeDirect(mail({ subject, messageId: uniqueId('race-a') })),
      await storeDirect(mail({ subject, messageId: uniqueId('race-b') })),
    ];
    for (const id of [a, b])
      expect((await assessClaim(h.db.pool, id, engine))?.assessment.decision).toBe('approved');
    expect(await settleClaim(h.db.pool, a)).toMatchObject({ settled: true, entries: 1 });
    expect(await settleClaim(h.db.pool, b)).toEqual({
      settled: false,
      toReview: true,
      entries: 0,
      skipped: ['INC-RACE'],
    });
    expect(await h.ledger(b)).toEqual([]);
    const audit = await h.db.pool.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE claim_id = $1 AND actor = 'system:settle' ORDER BY id`,
      [b],
    );
    expect(audit.rows.map((r) => r.details)).toEqual([
      expect.objectContaining({ skipped_already_paid: ['INC-RACE'] }),
    ]);
    // What was paid already is not promised again: an agent decides, the customer gets an
    // acknowledgement, not a second "we will credit 100.00".
    expect(await h.claim(b)).toMatchObject({
      state: 'review',
      decision: 'review',
      reasons: ['already_compensated'],
    });
    await producer.add(REPLY_QUEUE, [
      { claimId: a, version: 1 },
      { claimId: b, version: 1 },
    ]);
    await waitIdle(h);
    expect((await h.replies(a)).map((r) => [r.kind, r.state])).toEqual([
      ['compensation_approved', 'sent'],
    ]);
    expect((await h.replies(b)).map((r) => [r.kind, r.state])).toEqual([['review_ack', 'sent']]);
  });

  it('a stage run again after its commit, whose next stage was never enqueued, hands the claim on', async () => {
    // As when a worker is killed between assessment's commit and its enqueue: the claim is
    // decided (rejected: the fault is force majeure) but no reply job exists.
    const { messageId, claimId } = await rejectedDirectly('handoff');
    expect(
      await h.queue(REPLY_QUEUE).getJob(jobId(REPLY_QUEUE, { claimId, version: 1 })),
    ).toBeUndefined();

    // The retried assessment job finds the claim decided and enqueues the reply it owes.
    await producer.add(ASSESS_QUEUE, [{ claimId }]);
    await waitFor(async () => (await h.claim(claimId)).state === 'answered', {
      message: 'the claim answered without waiting for a sweep',
    });
    expect(
      (await h.queue(ASSESS_QUEUE).getJob(jobId(ASSESS_QUEUE, { claimId })))!.returnvalue,
    ).toEqual({
      skipped: 'already assessed',
      enqueued: ['reply'],
    });
    await waitIdle(h);
    expect(await h.sentTo(messageId)).toHaveLength(1);
    expect((await h.replies(claimId)).map((r) => [r.kind, r.state])).toEqual([
      ['rejected', 'sent'],
    ]);
  });
});

describe('settle and reply run at the same time', () => {
  async function storeAndAssess(raw: string): Promise<number> {
    const claimId = await storeDirect(raw);
    const ctx = await engineContext();
    const assessed = await assessClaim(h.db.pool, claimId, ctx);
    expect(assessed?.assessment.decision).toBe('approved');
    // Assessing again decides nothing new.
    expect(await assessClaim(h.db.pool, claimId, ctx)).toBeNull();
    return claimId;
  }

  beforeAll(async () => {
    // No workers or sweeps of the service in the way: these calls are the only ones.
    await h.stop();
  });

  it('pays a refund and an ICP reward once and sends each reply once', async () => {
    // Two requests for one order, both approved (neither knows of the other), and an ICP claim.
    const refundIds = [uniqueId('refund-a'), uniqueId('refund-b')];
    const refunds: number[] = [];
    for (const messageId of refundIds) {
      refunds.push(
        await storeAndAssess(
          mail({ subject: 'Refund request - Account: demo-shop - Order: CS2603020001', messageId }),
        ),
      );
    }
    const icpId = uniqueId('icp');
    const icp = await storeAndAssess(
      readFileSync(join(EXAMPLES, 'emails/icp-reward-vip.eml'), 'utf8').replace(
        /^Message-ID: .*$/m,
        `Message-ID: <${icpId}>`,
      ),
    );
    const before = await ledgerCount();

    // Every settlement three times over, all at once.
    const claimIds = [...refunds, icp];
    const results = await Promise.all(
      claimIds.flatMap((id) =>
        [1, 2, 3].map(async () => ({ id, r: await settleClaim(h.db.pool, id) })),
      ),
    );
    for (const id of claimIds) {
      const mine = results.filter((x) => x.id === id).map((x) => x.r);
      expect(mine.filter((r) => r.settled || r.toReview)).toHaveLength(1);
    }
    expect(await ledgerCount()).toBe(before + 2);
    const states = await Promise.all(refunds.map(async (id) => (await h.claim(id)).state));
    expect(states.sort()).toEqual(['review', 'settled']);
    const winner = (await h.claim(refunds[0]!)).state === 'settled' ? 0 : 1;
    const loser = 1 - winner;
    expect(await h.claim(refunds[loser]!)).toMatchObject({
      decision: 'review',
      reasons: ['already_refunded'],
    });
    expect((await h.ledger(refunds[winner]!)).map((r) => r.order_id)).toEqual(['CS2603020001']);
    const { rows } = await h.db.pool.query(
      'SELECT claim_id::int AS claim_id, state, receipt_no FROM refund_settlements WHERE claim_id = ANY($1::bigint[])',
      [refunds],
    );
    // The refund that was not paid has no steps and no receipt.
    expect(rows).toEqual([
      { claim_id: refunds[winner], state: 'completed', receipt_no: expect.stringMatching(/^RF-/) },
    ]);
    expect((await h.claim(icp)).state).toBe('settled');

    const expected: [number, string, string, string][] = [
      [refunds[winner]!, refundIds[winner]!, 'refund_approved', 'answered'],
      [refunds[loser]!, refundIds[loser]!, 'review_ack', 'review'],
      [icp, icpId, 'icp_reward_approved', 'answered'],
    ];
    for (const [claimId, messageId, kind, finalState] of expected) {
      const prepared = await Promise.all([1, 2, 3].map(() => prepareReply(deps, claimId, 1)));
      const ids = new Set(prepared.map((p) => (p.status === 'ready' ? p.replyId : -1)));
      expect(ids.size).toBe(1);
      const [replyId] = [...ids];
      const sent = await Promise.allSettled([1, 2, 3].map(() => sendReply(deps, replyId!)));
      expect(sent.filter((s) => s.status === 'fulfilled' && s.value === 'sent')).toHaveLength(1);
      // The others found it sent, or found another attempt sending it (their jobs retry).
      for (const s of sent) {
        if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(ReplyInFlightError);
        else expect(['sent', 'already_sent']).toContain(s.value);
      }
      expect(await h.sentTo(messageId)).toHaveLength(1);
      // Afterwards every further attempt knows it was sent.
      expect(await sendReply(deps, replyId!)).toBe('already_sent');
      expect(await h.replies(claimId)).toMatchObject([{ state: 'sent', kind }]);
      expect((await h.claim(claimId)).state).toBe(finalState);
    }
  });

  it('a reply cut off mid-send is never sent again: its claim goes to an agent, outcome unknown', async () => {
    const { messageId, claimId } = await rejectedDirectly('cutoff');
    const prepared = await prepareReply(deps, claimId, 1);
    if (prepared.status !== 'ready') throw new Error(`not ready: ${JSON.stringify(prepared)}`);
    // As left by an attempt killed while talking to SMTP: 'sending', and its lock gone with it.
    await h.db.pool.query(`UPDATE replies SET state = 'sending', attempts = 1 WHERE id = $1`, [
      prepared.replyId,
    ]);

    expect(await sendReply(deps, prepared.replyId)).toBe('outcome_unknown');
    expect(await sendReply(deps, prepared.replyId)).toBe('outcome_unknown');
    expect(await h.sentTo(messageId)).toEqual([]);
    expect(await h.replies(claimId)).toMatchObject([{ state: 'failed' }]);
    const { rows } = await h.db.pool.query<{ last_error: string; outcome_unknown: boolean }>(
      'SELECT last_error, outcome_unknown FROM replies WHERE id = $1',
      [prepared.replyId],
    );
    expect(rows[0]!.last_error).toBe(OUTCOME_UNKNOWN);
    expect(rows[0]!.outcome_unknown).toBe(true);
    expect(await h.claim(claimId)).toMatchObject({
      state: 'review',
      reasons: ['excluded_cause', 'reply_failed'],
    });
    // Preparing again finds the same reply, and sending it still sends nothing.
    expect(await prepareReply(deps, claimId, 1)).toEqual({
      status: 'ready',
      replyId: prepared.replyId,
    });
    expect(await sendReply(deps, prepared.replyId)).toBe('outcome_unknown');
    expect(await h.sentTo(messageId)).toEqual([]);
  });
});

describe('a restart', () => {
  it('re-delivers nothing', async () => {
    await h.stop();
    const sentBefore = h.sink.messages.length;
    const ledgerBefore = await ledgerCount();
    const repliesBefore = await h.count('SELECT count(*) n FROM replies');
    // Everything is old enough for the sweeps to look at it.
    await h.db.pool.query(`UPDATE claims SET updated_at = now() - interval '10 minutes'`);
    await h.start();
    const since = Date.now();
    await waitFor(
      async () =>
        (
          await h.db.pool.query<{ t: Date }>('SELECT max(last_poll_at) AS t FROM mailboxes')
        ).rows[0]!.t.getTime() >
        since + 2500,
      { message: 'a few polls and sweeps after the restart', timeoutMs: 15_000 },
    );
    await waitIdle(h);
    expect(h.sink.messages.length).toBe(sentBefore);
    expect(await ledgerCount()).toBe(ledgerBefore);
    expect(await h.count('SELECT count(*) n FROM replies')).toBe(repliesBefore);
    expect(await h.count(`SELECT count(*) n FROM messages`)).toBe(
      await h.count('SELECT count(*) n FROM claims'),
    );
  });
});
