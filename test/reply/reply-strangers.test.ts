/**
 * Replies to addresses no account knows (DESIGN "Automatic replies (v1.1)"): who gets an
 * automatic reply at all, which replies wait rather than go to an agent, and that a reply
 * to a non-contact repeats nothing its sender could use to plant text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { blankAssessment } from '../../src/domain/assess/engine.ts';
import type { Assessment } from '../../src/domain/assess/types.ts';
import { noAutomaticReply, tellsOfPayment } from '../../src/reply/automatic-reply.ts';
import { renderClaimReply } from '../../src/reply/render/claim-reply.ts';
import { buildReplyData, REPLY_KINDS } from '../../src/reply/render/reply-data.ts';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { baseRecords, contextOf, emailOf, run } from '../support/builders.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
const PLANTED = {
  from: 'win.a.prize@evil.test',
  fromName: 'Call +1 555 0100 now',
  subject:
    'Compensation claim - Account: visit.prize.example; Fault time: 2026-03-02 10:05; Occurrences: 1',
};

describe('who gets an automatic reply', () => {
  const facts = {
    type: 'compensation' as const,
    reasons: [],
    senderAuthenticated: null,
    contact: false,
  };

  it('any sender of a claim type, while sender authentication is off', () => {
    expect(noAutomaticReply(facts)).toBeNull();
  });

  it('no sender who failed authentication, whatever the decision reports', () => {
    expect(noAutomaticReply({ ...facts, senderAuthenticated: false })).toMatch(/authentication/);
    expect(noAutomaticReply({ ...facts, contact: true, senderAuthenticated: false })).toMatch(
      /authentication/,
    );
    expect(noAutomaticReply({ ...facts, reasons: ['sender_unauthenticated'] })).toMatch(
      /authentication/,
    );
    expect(noAutomaticReply({ ...facts, senderAuthenticated: true })).toBeNull();
  });

  it('unclassified mail only from a contact of a known account', () => {
    expect(noAutomaticReply({ ...facts, type: 'unknown' })).toMatch(/no account’s contact/);
    expect(noAutomaticReply({ ...facts, type: 'unknown', contact: true })).toBeNull();
  });

  it('only replies telling of a payment wait beyond a limit; the others go to an agent', () => {
    expect(REPLY_KINDS.filter(tellsOfPayment)).toEqual([
      'compensation_approved',
      'refund_approved',
      'icp_reward_approved',
    ]);
  });
});

describe('a reply to an address no account knows', () => {
  let templates: ReplyTemplates;
  beforeAll(async () => {
    templates = await ReplyTemplates.load();
  });

  const rejected = () => run(contextOf(baseRecords()), PLANTED, RECEIVED);

  it('greets neutrally and repeats neither the subject nor the account as written', () => {
    const a = rejected();
    expect(a).toMatchObject({ decision: 'rejected', account: 'visit.prize.example' });
    const data = buildReplyData({
      claimRef: 'CLM-000001',
      assessment: a,
      email: emailOf(PLANTED),
      lang: 'en',
      receivedAt: 0,
      contact: false,
    });
    expect(data).toMatchObject({ customerName: '', account: '' });
    const out = renderClaimReply(templates, {
      claimId: 1,
      assessment: a,
      email: emailOf(PLANTED),
      receivedAt: 0,
      contact: false,
    })!;
    expect(out.subject).toBe('Re: [CLM-000001]');
    for (const body of [out.text, out.html]) expect(body).not.toMatch(/prize|555 0100/);
    expect(out.text).toMatch(/^Hello,/);
  });

  it('lists reasons without the order ids the sender wrote', () => {
    const a: Assessment = {
      ...blankAssessment('Asia/Shanghai', null),
      type: 'refund',
      decision: 'rejected',
      reasons: ['order_unknown'],
    };
    a.details.perItem['VISIT-PRIZE-EXAMPLE'] = ['order_unknown'];
    const data = buildReplyData({
      claimRef: 'CLM-000002',
      assessment: a,
      email: emailOf(PLANTED),
      lang: 'en',
      receivedAt: 0,
      contact: false,
    });
    expect(data).toMatchObject({ reasons: [{ code: 'order_unknown', items: '' }] });
  });

  it('still names the account of an approval, which is the records’ own id', () => {
    const a: Assessment = {
      ...blankAssessment('Asia/Shanghai', null),
      type: 'icp_reward',
      decision: 'approved',
      account: 'demo-shop',
      amount: '100.00',
      currency: 'CNY',
    };
    const data = buildReplyData({
      claimRef: 'CLM-000003',
      assessment: a,
      email: emailOf(PLANTED),
      lang: 'en',
      receivedAt: 0,
      contact: false,
    });
    expect(data).toMatchObject({ account: 'demo-shop', customerName: '' });
  });

  it('to a contact, the same decision is answered by name with the subject', () => {
    const out = renderClaimReply(templates, {
      claimId: 1,
      assessment: rejected(),
      email: emailOf(PLANTED),
      receivedAt: 0,
      contact: true,
    })!;
    expect(out.subject).toBe(`Re: ${PLANTED.subject} [CLM-000001]`);
    expect(out.text).toMatch(/^Dear Call \+1 555 0100 now,/);
  });
});
