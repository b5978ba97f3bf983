/**
 * Backscatter and floods through the real service (issue #11, DESIGN "Automatic replies
 * (v1.1)"): unclassified mail from an address no account knows gets no automatic reply and
 * waits for an agent; the per-sender limit counts a mailbox, not a spelling; and a reply to an
 * address no account knows repeats nothing its sender could use to plant text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineProducer } from '../../src/pipeline/queues.ts';
import { enqueueOwed } from '../../src/pipeline/sweeps.ts';
import { createHarness, type Harness, mail, uniqueId, waitIdle } from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const FINISHED = (c: { state: string }) => c.state === 'answered' || c.state === 'review';

let h: Harness;
let producer: PipelineProducer;

beforeAll(async () => {
  // The documented default limit (5 replies per sender a day) and the default domain limit.
  h = await createHarness();
  producer = new PipelineProducer({ url: h.redis.url, prefix: h.redis.prefix });
  await h.start();
});

afterAll(async () => {
  await producer?.close();
  await h?.cleanup();
});

const ref = (id: number) => `CLM-${String(id).padStart(6, '0')}`;

describe('unclassified mail from an address no account knows (spam, backscatter)', () => {
  it('gets no automatic reply, waits in review for an agent, and is not offered to the reply stage again', async () => {
    const messageId = uniqueId('spam');
    const name = h.deliver(
      mail({
        from: 'Cheap Watches <offers@spam.test>',
        subject: 'Best prices of the year',
        body: 'Click here for the best prices.\n',
        messageId,
      }),
      RECEIVED,
    );
    const claim = await h.waitClaim(
      name,
      (c) => c.reasons.includes('no_automatic_reply'),
      'held without a reply',
    );
    await waitIdle(h);
    expect(claim).toMatchObject({ type: 'unknown', decision: 'review', state: 'review' });
    expect(claim.reasons).toEqual(['unclassified', 'no_automatic_reply']);
    expect(await h.replies(claim.id)).toEqual([]);
    expect(await h.sentTo(messageId)).toEqual([]);
    expect(h.sink.messages.filter((m) => m.envelope.to.includes('offers@spam.test'))).toEqual([]);
    // The sweeps' question "what does this claim still owe?" has no answer for it.
    expect(await enqueueOwed(h.db.pool, producer, claim.id)).toEqual([]);
    const audit = await h.db.pool.query<{ details: { reason: string } }>(
      `SELECT details FROM audit_log WHERE claim_id = $1 AND action = 'claim.to_review'`,
      [claim.id],
    );
    expect(audit.rows.map((r) => r.details.reason)).toEqual(['no_automatic_reply']);
  });

  it('from a contact of a known account, it is still acknowledged', async () => {
    const messageId = uniqueId('contact-unknown');
    const name = h.deliver(
      mail({ from: 'it@demo-shop.test', subject: 'Hello', body: 'Hello there.\n', messageId }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.decision !== null, 'assessed');
    await waitIdle(h);
    expect(claim.type).toBe('unknown');
    const [reply, ...more] = await h.sentTo(messageId);
    expect(more).toEqual([]);
    expect(reply!.envelope.to).toEqual(['it@demo-shop.test']);
    expect((await h.claim(claim.id)).reasons).not.toContain('no_automatic_reply');
  });
});

describe('the per-sender limit counts a mailbox, not a spelling', () => {
  it('twelve claims from victim+1@x.test … Victim+12@X.test get at most 5 replies', async () => {
    const names = Array.from({ length: 12 }, (_, i) =>
      h.deliver(
        mail({
          from: i % 2 === 0 ? `victim+${i + 1}@x.test` : `Victim+${i + 1}@X.test`,
          subject: `Compensation request ${i + 1}`,
          messageId: uniqueId(`victim${i + 1}`),
        }),
        RECEIVED,
      ),
    );
    const claims = await Promise.all(names.map((n) => h.waitClaim(n, FINISHED, 'finished')));
    await waitIdle(h);
    const final = await Promise.all(claims.map((c) => h.claim(c.id)));
    expect(final.filter((c) => c.state === 'answered')).toHaveLength(5);
    const held = final.filter((c) => c.state === 'review');
    expect(held).toHaveLength(7);
    for (const c of held) expect(c.reasons).toContain('reply_limit_reached');
    expect(h.sink.messages.filter((m) => /@x\.test$/i.test(m.envelope.to.join()))).toHaveLength(5);
    expect(await h.count(`SELECT count(*) n FROM replies WHERE to_mailbox = 'victim@x.test'`)).toBe(
      5,
    );
    // Held for the limit, not owed: the sweeps leave them to the agents.
    for (const c of held) expect(await enqueueOwed(h.db.pool, producer, c.id)).toEqual([]);
  });
});

describe('what a reply repeats of the customer’s own words', () => {
  it('to an address no account knows: no display name, and the subject is only the claim reference', async () => {
    const messageId = uniqueId('plant');
    const name = h.deliver(
      mail({
        from: '"Call +1 555 0100 to claim your prize" <stranger@elsewhere.test>',
        subject: 'Compensation request: visit prize.example.test today',
        messageId,
      }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    const [reply, ...more] = await h.sentTo(messageId);
    expect(more).toEqual([]);
    expect(reply!.subject).toBe(`Re: [${ref(claim.id)}]`);
    expect(reply!.header('to')).toBe('stranger@elsewhere.test');
    for (const body of [reply!.text, reply!.html]) {
      expect(body).not.toMatch(/555 0100|prize/i);
    }
    expect(reply!.text).toMatch(/^Hello,/);
    const [row] = await h.replies(claim.id);
    expect(row!.subject).toBe(`Re: [${ref(claim.id)}]`);
  });

  it('to a contact of a known account: greeted by name, the subject kept', async () => {
    const messageId = uniqueId('contact');
    const name = h.deliver(
      mail({ from: '"Demo IT" <it@demo-shop.test>', subject: 'Compensation please', messageId }),
      RECEIVED,
    );
    const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'answered');
    const [reply] = await h.sentTo(messageId);
    expect(reply!.subject).toBe(`Re: Compensation please [${ref(claim.id)}]`);
    expect(reply!.header('to')).toBe('Demo IT <it@demo-shop.test>');
    expect(reply!.text).toMatch(/^Dear Demo IT,/);
    // The subject stays in the Subject header (threading); the body does not quote it back.
    expect(reply!.text).not.toContain('Compensation please');
  });
});
