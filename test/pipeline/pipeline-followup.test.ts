/**
 * A customer's answer to a needs-info reply amends the earlier claim instead of opening a
 * new one: found by In-Reply-To/References (our reply's Message-ID) or by the claim
 * reference in the subject, assessed again on both messages as version 2, and answered again.
 * Here the answer comes from the claim's original sender; who else may amend a claim, and
 * what a stranger's answer becomes, is in pipeline-followup-takeover.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import {
  type ClaimRow,
  createHarness,
  type Harness,
  mail,
  uniqueId,
  waitIdle,
} from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
/** Before the deadline of both incidents of 2 March (seven working days). */
const ANSWERED_AT = '2026-03-04T15:00:00+08:00';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { REPLY_LIMIT_PER_SENDER: '100' } });
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
});

const ref = (id: number) => `CLM-${String(id).padStart(6, '0')}`;

/** A needs-info claim, answered; returns it with its Message-ID and our reply's. */
async function needsInfoClaim(tag: string) {
  const messageId = uniqueId(tag);
  const name = h.deliver(
    mail({ subject: 'Compensation please', body: 'We were down.\n', messageId }),
    RECEIVED,
  );
  const claim = await h.waitClaim(name, (c) => c.state === 'answered', 'needs-info answered');
  expect(claim.decision).toBe('needs_info');
  const [reply] = await h.replies(claim.id);
  expect(reply).toMatchObject({ kind: 'needs_info', state: 'sent', decision_version: 1 });
  const sent = await h.sentTo(messageId);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.header('message-id')).toBe(reply!.message_id);
  return { claim, messageId, replyMessageId: reply!.message_id };
}

/** Waits until the follow-up is merged and the original's version 2 is answered. */
async function merged(followUpName: string, original: ClaimRow) {
  const followUp = await h.waitClaim(followUpName, (c) => c.state === 'merged', 'follow-up merged');
  await waitFor(
    async () => {
      const replies = await h.replies(original.id);
      return replies.length === 2 && replies.every((r) => r.state === 'sent');
    },
    { message: 'the reply to version 2 sent', timeoutMs: 20_000 },
  );
  await waitIdle(h);
  const amended = await h.claim(original.id);
  expect(amended.version).toBe(2);
  // Nothing is decided or answered for the follow-up itself.
  expect(followUp.decision).toBeNull();
  expect(await h.replies(followUp.id)).toEqual([]);
  expect(await h.ledger(followUp.id)).toEqual([]);
  const link = await h.db.pool.query<{ claim_id: string }>(
    `SELECT cm.claim_id FROM claim_messages cm JOIN messages m ON m.id = cm.message_id
      WHERE m.source_key = $1`,
    [followUpName],
  );
  expect(link.rows.map((r) => Number(r.claim_id))).toEqual([original.id]);
  const audit = await h.db.pool.query<{
    claim_id: string;
    action: string;
    details: { into?: number };
  }>(
    `SELECT claim_id, action, details FROM audit_log WHERE claim_id = ANY($1::bigint[])
        AND action IN ('claim.merged', 'claim.reassessed') ORDER BY id`,
    [[original.id, followUp.id]],
  );
  expect(audit.rows.map((r) => [Number(r.claim_id), r.action])).toEqual([
    [followUp.id, 'claim.merged'],
    [original.id, 'claim.reassessed'],
  ]);
  expect(Number(audit.rows[0]!.details.into)).toBe(original.id);
  return { amended, followUp };
}

describe('follow-ups to a needs-info reply', () => {
  it('by In-Reply-To: the same claim is assessed again with the answer, as version 2, and answered again', async () => {
    const { claim, messageId, replyMessageId } = await needsInfoClaim('fu-irt');
    const name = h.deliver(
      mail({
        subject: 'Re: Compensation please',
        body: 'Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1\n\n> We need a little more information.\n',
        messageId: uniqueId('fu-irt-answer'),
        inReplyTo: replyMessageId,
        references: `<${messageId}> ${replyMessageId}`,
      }),
      ANSWERED_AT,
    );
    const { amended } = await merged(name, claim);
    // The fields came in the body, which the seed does not accept without a look: review.
    expect(amended.id).toBe(claim.id);
    expect(amended.type).toBe('compensation');
    expect(['approved', 'review']).toContain(amended.decision);
    if (amended.decision === 'review') {
      expect(amended.reasons).toEqual(['fields_outside_subject']);
      expect(amended.state).toBe('review');
      expect(await h.ledger(claim.id)).toEqual([]);
    } else {
      expect(amended.state).toBe('answered');
      expect((await h.ledger(claim.id)).map((r) => r.incident)).toEqual(['INC-9001']);
    }
    const { rows } = await h.db.pool.query<{ assessment: { incidents: string[]; amount: string } }>(
      'SELECT assessment FROM claims WHERE id = $1',
      [claim.id],
    );
    expect(rows[0]!.assessment).toMatchObject({ incidents: ['INC-9001'], amount: '100.00' });

    const replies = await h.replies(claim.id);
    expect(replies.map((r) => [r.decision_version, r.kind])).toEqual([
      [1, 'needs_info'],
      [2, amended.decision === 'review' ? 'review_ack' : 'compensation_approved'],
    ]);
    const second = (await h.sent()).find((m) => m.header('message-id') === replies[1]!.message_id);
    expect(second).toBeDefined();
    expect(second!.subject).toBe(`Re: Compensation please [${ref(claim.id)}]`);
    // In the customer's thread.
    expect(second!.header('references')).toContain(`<${messageId}>`);
    expect(second!.header('auto-submitted')).toBe('auto-replied');
    expect(second!.envelope.to).toEqual(['it@demo-shop.test']);
  });

  it('by the claim reference in the subject, without In-Reply-To: approved and paid on the original claim', async () => {
    const { claim, messageId } = await needsInfoClaim('fu-ref');
    const name = h.deliver(
      mail({
        subject: `Re: Compensation please [${ref(claim.id)}] Account: demo-shop; Fault time: 2026-03-02 14:05; Occurrences: 1`,
        body: 'Here are the details.\n',
        messageId: uniqueId('fu-ref-answer'),
      }),
      ANSWERED_AT,
    );
    const { amended } = await merged(name, claim);
    expect(amended).toMatchObject({
      id: claim.id,
      decision: 'approved',
      state: 'answered',
      amount: '100.0000',
      reasons: [],
    });
    const ledger = await h.ledger(claim.id);
    expect(ledger.map((r) => [r.kind, r.incident, r.amount])).toEqual([
      ['compensation', 'INC-9003', '100.0000'],
    ]);
    const replies = await h.replies(claim.id);
    expect(replies.map((r) => [r.decision_version, r.kind, r.state])).toEqual([
      [1, 'needs_info', 'sent'],
      [2, 'compensation_approved', 'sent'],
    ]);
    const sent = await h.sentTo(messageId);
    expect(sent.map((m) => m.header('message-id'))).toEqual(replies.map((r) => r.message_id));
    expect(sent[1]!.text).toContain('INC-9003');
  });

  it('an answer to a claim that is no longer waiting for information is a claim of its own', async () => {
    const { claim, replyMessageId } = await needsInfoClaim('fu-done');
    // Answered once with the missing fields (merged, version 2) …
    const first = h.deliver(
      mail({
        subject: `Re: Compensation please [${ref(claim.id)}] Account: demo-shop; Fault time: 2026-03-03 15:05; Occurrences: 1`,
        messageId: uniqueId('fu-done-1'),
        inReplyTo: replyMessageId,
      }),
      ANSWERED_AT,
    );
    await merged(first, claim);
    // … a second answer to the same needs-info reply is decided on its own.
    const second = h.deliver(
      mail({
        subject: 'Re: Compensation please',
        body: 'Any news?\n',
        messageId: uniqueId('fu-done-2'),
        inReplyTo: replyMessageId,
      }),
      ANSWERED_AT,
    );
    const own = await h.waitClaim(
      second,
      (c) => c.state !== 'received' && c.state !== 'assessed',
      'second answer decided',
    );
    expect(own.state).not.toBe('merged');
    expect(own.id).not.toBe(claim.id);
    expect((await h.claim(claim.id)).version).toBe(2);
  });
});
