/**
 * A decision that pays is always told to the customer (DESIGN "Automatic replies (v1.1)"):
 * beyond the per-sender limit its reply waits until the 24-hour window allows it, and is then
 * sent exactly once; only replies that tell of no payment go to review. Reproduces the demo
 * (`claim-intake demo && claim-intake start`), whose sixth answer to one sender is a refund.
 *
 * Time is moved on by moving the earlier replies back a day in PostgreSQL (where the limit
 * counts them) and promoting the delayed job in Redis (where the wait is kept).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineProducer } from '../../src/pipeline/queues.ts';
import { enqueueOwed } from '../../src/pipeline/sweeps.ts';
import { exampleCases } from '../support/examples.ts';
import { waitFor } from '../support/wait.ts';
import {
  type ClaimRow,
  createHarness,
  EXAMPLES,
  type Harness,
  waitIdle,
} from './pipeline-harness.ts';

const CASES = exampleCases(EXAMPLES);
const received = (file: string) => CASES.find((c) => c.file === file)!.received;
const example = (file: string) => readFileSync(join(EXAMPLES, file));
const PAYING = ['compensation_approved', 'refund_approved', 'icp_reward_approved'];
const FINAL = ['answered', 'review', 'ignored'];

let h: Harness;

afterAll(async () => {
  await h?.cleanup();
});

/** The reply jobs waiting in Redis for the limit's window. */
async function delayedReplies(): Promise<number[]> {
  return (await h.queue('reply').getJobs(['delayed'])).map((j) => Number(j.data.claimId));
}

/** "A day later": the replies counted by the limit leave its window, and the waits come due. */
async function aDayLater(): Promise<void> {
  await h.db.pool.query(
    `UPDATE replies SET created_at = created_at - interval '24 hours', sent_at = sent_at - interval '24 hours'`,
  );
  for (const job of await h.queue('reply').getJobs(['delayed'])) await job.promote();
}

describe('the sixth claim of one sender is an approved refund', () => {
  let producer: PipelineProducer;

  beforeAll(async () => {
    h = await createHarness(); // REPLY_LIMIT_PER_SENDER: the documented 5
    producer = new PipelineProducer({ url: h.redis.url, prefix: h.redis.prefix });
    await h.start();
  });

  afterAll(async () => {
    await producer?.close();
    await h?.cleanup();
  });

  it('is paid at once, told once the limit allows, and told exactly once', async () => {
    // Five answers to it@demo-shop.test that tell of no payment (the fifth a second
    // needs-info claim, under another Message-ID).
    const first = [
      'emails/compensation-late.eml',
      'emails/compensation-force-majeure.eml',
      'emails/compensation-needs-info.eml',
      'emails/refund-on-demand.eml',
    ].map((f) => h.deliver(example(f), received(f)));
    first.push(
      h.deliver(
        example('emails/compensation-needs-info.eml')
          .toString()
          .replace('034d25230f45c3e2@mail.test', 'needs-info-2@mail.test'),
        received('emails/compensation-needs-info.eml'),
      ),
    );
    for (const n of first) await h.waitClaim(n, (c) => c.state === 'answered', 'answered');

    const name = h.deliver(
      example('emails/refund-approved.eml'),
      received('emails/refund-approved.eml'),
    );
    const claim = await h.waitClaim(name, (c) => c.state === 'settled', 'paid');
    await waitFor(async () => (await delayedReplies()).includes(claim.id), {
      message: 'the refund reply waits for the window',
    });
    expect((await h.ledger(claim.id)).map((l) => [l.kind, l.amount])).toEqual([
      ['refund', '199.0000'],
    ]);
    expect(await h.replies(claim.id)).toEqual([]);
    expect(await h.sentTo('8e3b32295b12a55d@mail.test')).toEqual([]);
    const now = await h.claim(claim.id);
    expect(now.state).toBe('settled');
    expect(now.reasons).not.toContain('reply_limit_reached');
    // It waits until the oldest of the five leaves the 24 hours, and the sweeps leave it be.
    const { rows } = await h.db.pool.query<{ exact: boolean }>(
      `SELECT d.until = (SELECT min(created_at) FROM replies) + interval '24 hours' AS exact
         FROM reply_deferrals d WHERE d.claim_id = $1 AND d.decision_version = 1`,
      [claim.id],
    );
    expect(rows).toEqual([{ exact: true }]);
    expect(await enqueueOwed(h.db.pool, producer, claim.id)).toEqual([]);
    const audit = await h.count(
      `SELECT count(*) n FROM audit_log WHERE claim_id = $1 AND action = 'reply.deferred'`,
      [claim.id],
    );
    expect(audit).toBe(1);

    await aDayLater();
    await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    await waitIdle(h);
    const [reply, ...more] = await h.sentTo('8e3b32295b12a55d@mail.test');
    expect(more).toEqual([]);
    expect(reply!.text).toContain('199.00');
    expect((await h.replies(claim.id)).map((r) => [r.kind, r.state])).toEqual([
      ['refund_approved', 'sent'],
    ]);
    // Nothing is owed any more: a sweep or a rerun sends nothing twice.
    expect(await enqueueOwed(h.db.pool, producer, claim.id)).toEqual([]);
  });
});

describe('the demo: every example at once, REPLY_LIMIT_PER_SENDER 5', () => {
  let names: Map<string, string>;

  beforeAll(async () => {
    h = await createHarness();
    names = new Map(
      CASES.map((c, i) => [
        c.file,
        h.deliver(example(c.file), c.received, `17000000${i}.demo${i}.host`),
      ]),
    );
    await h.start();
  });

  it('never drops a reply that tells of a payment: each is sent, once, when the limit allows', async () => {
    const claims = async () =>
      Promise.all([...names.values()].map(async (n) => (await h.claimBySource(n)) as ClaimRow));
    // Every claim answered, held or ignored, except paid ones waiting for the window.
    await waitFor(
      async () => {
        const waiting = await delayedReplies();
        return (await claims()).every(
          (c) =>
            c && (FINAL.includes(c.state) || (c.state === 'settled' && waiting.includes(c.id))),
        );
      },
      { timeoutMs: 30_000, message: 'every example answered, held or waiting' },
    );
    const before = await claims();
    // Paid claims never go to review for the limit; the sender got at most 5 answers.
    const paid = before.filter((c) => c.decision === 'approved');
    expect(paid).toHaveLength(4);
    for (const c of paid) expect(c.reasons).not.toContain('reply_limit_reached');
    // it@demo-shop.test sent seven emails that get an answer: two are beyond the limit.
    const held = before.filter((c) => c.reasons.includes('reply_limit_reached'));
    expect(held.length + (await delayedReplies()).length).toBe(2);
    expect(
      h.sink.messages.filter((m) => m.envelope.to.includes('it@demo-shop.test')).length,
    ).toBeLessThanOrEqual(5);

    await aDayLater();
    await waitFor(async () => (await claims()).every((c) => FINAL.includes(c.state)), {
      timeoutMs: 30_000,
      message: 'every example answered, held or ignored',
    });
    await waitIdle(h);
    for (const c of paid) {
      const replies = await h.replies(c.id);
      expect(replies.map((r) => [PAYING.includes(r.kind), r.state])).toEqual([[true, 'sent']]);
    }
    // One answer per email: no original is answered twice.
    const answered = (await h.sent()).map((m) => m.header('in-reply-to'));
    expect(new Set(answered).size).toBe(answered.length);
  });
});
