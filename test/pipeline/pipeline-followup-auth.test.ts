/**
 * Follow-ups under sender authentication (SENDER_AUTH=header): the answer's own result is
 * what counts. A forged answer from the contact's address (DMARC failed at our receiving
 * server) is not merged into the contact's claim: it is a claim of its own, in review with
 * sender_unauthenticated, and nothing is paid. The same answer authenticated is merged and paid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import {
  ANSWERED_AT,
  CONTACT,
  expectUntouched,
  fields,
  followUpRecords,
  linkedTo,
  needsInfoClaim,
  ref,
} from './followup-world.ts';
import { createHarness, type Harness, mail, uniqueId, waitIdle } from './pipeline-harness.ts';

const AUTHSERV = 'mx.claims.example';
const PASS = { 'Authentication-Results': `${AUTHSERV}; dmarc=pass header.from=demo-shop.test` };
const FAIL = {
  'Authentication-Results': `${AUTHSERV}; dmarc=fail (p=reject) header.from=demo-shop.test`,
};

let h: Harness;
let records: ReturnType<typeof followUpRecords>;

beforeAll(async () => {
  records = followUpRecords();
  h = await createHarness({
    env: {
      REPLY_LIMIT_PER_SENDER: '100',
      SENDER_AUTH: 'header',
      SENDER_AUTH_AUTHSERV_ID: AUTHSERV,
    },
    records: records.dir,
  });
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
  records?.remove();
});

describe('an answer to a needs-info claim, with sender authentication on', () => {
  it('forged from the contact’s address (DMARC fail): not merged, its own claim in review, nothing paid', async () => {
    const original = await needsInfoClaim(h, 'forged', { headers: PASS });
    const name = h.deliver(
      mail({
        from: CONTACT,
        subject: `Re: Compensation please [${ref(original.claim.id)}] ${fields('INC-9003')}`,
        messageId: uniqueId('forged-answer'),
        inReplyTo: original.replyMessageId,
        headers: FAIL,
      }),
      ANSWERED_AT,
    );
    const seen = await h.waitClaim(
      name,
      (c) => c.state === 'merged' || (c.decision !== null && c.state !== 'assessed'),
      'the forged answer decided',
    );
    await waitIdle(h);
    expect((await h.ledger()).filter((r) => r.incident === 'INC-9003')).toEqual([]);
    expect(await h.ledger(seen.id)).toEqual([]);
    const own = await h.claim(seen.id);
    expect(own.id).not.toBe(original.claim.id);
    expect(own).toMatchObject({ state: 'review', decision: 'review', account: 'demo-shop' });
    expect(own.reasons).toContain('sender_unauthenticated');
    expect(await linkedTo(h, name)).toEqual([]);
    await expectUntouched(h, original);
  });

  it('authenticated from the contact’s address (DMARC pass): merged, approved and paid', async () => {
    const original = await needsInfoClaim(h, 'genuine', { headers: PASS });
    const name = h.deliver(
      mail({
        from: CONTACT,
        subject: `Re: Compensation please [${ref(original.claim.id)}] ${fields('INC-9001')}`,
        messageId: uniqueId('genuine-answer'),
        inReplyTo: original.replyMessageId,
        headers: PASS,
      }),
      ANSWERED_AT,
    );
    await h.waitClaim(name, (c) => c.state === 'merged', 'the answer merged');
    await waitFor(
      async () =>
        (await h.claim(original.claim.id)).state === 'answered' &&
        (await h.claim(original.claim.id)).version === 2,
      {
        message: 'the amended claim answered',
        timeoutMs: 20_000,
      },
    );
    await waitIdle(h);
    expect(await linkedTo(h, name)).toEqual([original.claim.id]);
    const amended = await h.claim(original.claim.id);
    expect(amended).toMatchObject({ decision: 'approved', reasons: [] });
    expect((await h.ledger(original.claim.id)).map((r) => r.incident)).toEqual(['INC-9001']);
  });
});
