/**
 * Issue #11, item 1: a claim reference alone never grants anything (DESIGN v1.1,
 * "Follow-ups"). An answer to a needs-info reply is merged into the claim only when its
 * sender is the claim's original sender or a contact of the claim's account; any other
 * answer is a claim of its own, to which every rule applies. Reproduced as reported: a
 * stranger answering a contact's needs-info claim was merged and paid 100.00.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayClaim } from '../../src/pipeline/replay.ts';
import { waitFor } from '../support/wait.ts';
import {
  ANSWERED_AT,
  CONTACT,
  expectUntouched,
  fields,
  followUpRecords,
  linkedTo,
  MALLORY,
  type NeedsInfo,
  needsInfoClaim,
  ref,
  SECOND_CONTACT,
} from './followup-world.ts';
import { createHarness, type Harness, mail, uniqueId, waitIdle } from './pipeline-harness.ts';

let h: Harness;
let records: ReturnType<typeof followUpRecords>;

beforeAll(async () => {
  records = followUpRecords();
  h = await createHarness({ env: { REPLY_LIMIT_PER_SENDER: '100' }, records: records.dir });
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
  records?.remove();
});

/** A stranger's answer: its own claim, in review because the stranger names demo-shop. */
async function strangersOwnClaim(name: string, original: NeedsInfo, incident: string) {
  const seen = await h.waitClaim(
    name,
    (c) => c.state === 'merged' || (c.decision !== null && c.state !== 'assessed'),
    'the stranger’s answer decided',
  );
  await waitIdle(h);
  // Nothing paid to anybody: not for the incident the stranger named, not on either claim.
  expect((await h.ledger()).filter((r) => r.incident === incident)).toEqual([]);
  expect(await h.ledger(seen.id)).toEqual([]);
  const own = await h.claim(seen.id);
  expect(own.id).not.toBe(original.claim.id);
  expect(own).toMatchObject({
    state: 'review',
    decision: 'review',
    type: 'compensation',
    account: 'demo-shop',
    version: 1,
  });
  expect(own.reasons).toContain('sender_not_account_contact');
  expect(await linkedTo(h, name)).toEqual([]);
  await expectUntouched(h, original);
  // Nothing about the contact's claim went to the stranger.
  const toMallory = (await h.replies()).filter((r) => r.to_address === MALLORY);
  expect(toMallory.filter((r) => r.claim_id === original.claim.id)).toEqual([]);
  const audit = await h.count(
    `SELECT count(*) AS n FROM audit_log WHERE action IN ('claim.merged', 'claim.reassessed')
        AND claim_id = ANY($1::bigint[])`,
    [[own.id, original.claim.id]],
  );
  expect(audit).toBe(0);
  return own;
}

/** Waits until the answer is merged into `original` and its version 2 is answered. */
async function mergedInto(name: string, original: NeedsInfo) {
  await h.waitClaim(name, (c) => c.state === 'merged', 'the answer merged');
  await waitFor(
    async () => {
      const replies = await h.replies(original.claim.id);
      return replies.length === 2 && replies.every((r) => r.state === 'sent');
    },
    { message: 'the reply to version 2 sent', timeoutMs: 20_000 },
  );
  await waitIdle(h);
  expect(await linkedTo(h, name)).toEqual([original.claim.id]);
  return h.claim(original.claim.id);
}

describe('a stranger answering a contact’s needs-info claim (the reported takeover)', () => {
  it('with the claim reference in the subject: a claim of its own, in review, nothing paid', async () => {
    const original = await needsInfoClaim(h, 'takeover-ref');
    const name = h.deliver(
      mail({
        from: MALLORY,
        subject: `Re: Compensation please [${ref(original.claim.id)}] ${fields('INC-9003')}`,
        body: 'Here are the details.\n',
        messageId: uniqueId('takeover-ref-mallory'),
      }),
      ANSWERED_AT,
    );
    await strangersOwnClaim(name, original, 'INC-9003');
  });

  it('with In-Reply-To naming our reply’s Message-ID: a claim of its own, in review, nothing paid', async () => {
    const original = await needsInfoClaim(h, 'takeover-irt');
    const name = h.deliver(
      mail({
        from: MALLORY,
        subject: `Re: Compensation please ${fields('INC-9001')}`,
        body: 'Here are the details.\n',
        messageId: uniqueId('takeover-irt-mallory'),
        inReplyTo: original.replyMessageId,
        references: `<${original.messageId}> ${original.replyMessageId}`,
      }),
      ANSWERED_AT,
    );
    await strangersOwnClaim(name, original, 'INC-9001');
  });
});

describe('answers that are merged', () => {
  it('from another contact of the claim’s account: merged, approved and paid to the account', async () => {
    const original = await needsInfoClaim(h, 'second-contact', {
      subject: 'Compensation please Account: demo-shop',
    });
    expect(original.claim.account).toBe('demo-shop');
    const name = h.deliver(
      mail({
        from: `Billing Desk <${SECOND_CONTACT}>`,
        subject: `Re: Compensation please [${ref(original.claim.id)}] ${fields('INC-FU-1')}`,
        messageId: uniqueId('second-contact-answer'),
        inReplyTo: original.replyMessageId,
      }),
      ANSWERED_AT,
    );
    const amended = await mergedInto(name, original);
    expect(amended).toMatchObject({ version: 2, decision: 'approved', state: 'answered' });
    expect(amended.reasons).toEqual([]);
    const ledger = await h.ledger(original.claim.id);
    expect(ledger.map((r) => [r.account, r.incident])).toEqual([['demo-shop', 'INC-FU-1']]);
    // A replay rebuilds the email as assessed: the second contact's, not the original sender's.
    expect(await replayClaim(h.db.pool, original.claim.id)).toMatchObject({
      version: 2,
      same: true,
    });
  });

  it('from the original sender’s address written in other letter case: merged and paid', async () => {
    const original = await needsInfoClaim(h, 'case');
    const name = h.deliver(
      mail({
        from: `IT Team <${CONTACT.toUpperCase()}>`,
        subject: `Re: Compensation please [${ref(original.claim.id)}] ${fields('INC-FU-2')}`,
        messageId: uniqueId('case-answer'),
      }),
      ANSWERED_AT,
    );
    const amended = await mergedInto(name, original);
    expect(amended).toMatchObject({ version: 2, decision: 'approved', state: 'answered' });
    expect((await h.ledger(original.claim.id)).map((r) => r.incident)).toEqual(['INC-FU-2']);
  });

  it('from a stranger who sent the original: merged, and the engine still sees the stranger (review, nothing paid)', async () => {
    const original = await needsInfoClaim(h, 'stranger-own', { from: MALLORY });
    const name = h.deliver(
      mail({
        from: MALLORY,
        subject: `Re: Compensation please [${ref(original.claim.id)}] ${fields('INC-FU-3')}`,
        messageId: uniqueId('stranger-own-answer'),
      }),
      ANSWERED_AT,
    );
    await h.waitClaim(name, (c) => c.state === 'merged', 'the answer merged');
    await waitFor(async () => (await h.claim(original.claim.id)).version === 2, {
      message: 'the claim assessed again',
      timeoutMs: 20_000,
    });
    await waitIdle(h);
    const amended = await h.claim(original.claim.id);
    expect(amended).toMatchObject({ decision: 'review', account: 'demo-shop' });
    expect(amended.reasons).toContain('sender_not_account_contact');
    expect(await h.ledger(original.claim.id)).toEqual([]);
  });
});

describe('answers that are claims of their own', () => {
  it('a contact answering a stranger’s claim for the account: the contact’s own claim, paid and answered to the contact', async () => {
    const original = await needsInfoClaim(h, 'contact-to-stranger', {
      from: MALLORY,
      subject: 'Compensation please Account: demo-shop',
    });
    const name = h.deliver(
      mail({
        from: CONTACT,
        subject: `Re: Compensation please [${ref(original.claim.id)}] ${fields('INC-FU-4')}`,
        messageId: uniqueId('contact-to-stranger-answer'),
        inReplyTo: original.replyMessageId,
      }),
      ANSWERED_AT,
    );
    const own = await h.waitClaim(
      name,
      (c) => c.state === 'merged' || c.state === 'answered',
      'the contact’s answer decided',
    );
    await waitIdle(h);
    expect(own).toMatchObject({ state: 'answered', decision: 'approved', account: 'demo-shop' });
    expect((await h.ledger(own.id)).map((r) => r.incident)).toEqual(['INC-FU-4']);
    expect((await h.replies(own.id)).map((r) => r.to_address)).toEqual([CONTACT]);
    // The stranger hears nothing of the account's decision.
    await expectUntouched(h, original);
  });

  it('an out-of-office answer from the contact: ignored on its own, the claim still waiting', async () => {
    const original = await needsInfoClaim(h, 'auto-reply');
    const name = h.deliver(
      mail({
        subject: `Automatic reply: Compensation please [${ref(original.claim.id)}]`,
        body: 'I am out of the office until Monday.\n',
        messageId: uniqueId('auto-reply-answer'),
        inReplyTo: original.replyMessageId,
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
      ANSWERED_AT,
    );
    const own = await h.waitClaim(
      name,
      (c) => c.state === 'merged' || c.state === 'ignored',
      'the auto-reply handled',
    );
    await waitIdle(h);
    expect(own).toMatchObject({ state: 'ignored', decision: 'ignored' });
    expect(await h.replies(own.id)).toEqual([]);
    await expectUntouched(h, original);
  });
});
