/**
 * Issue #12, items 4 and 7: Traditional Chinese is read as Simplified for matching, and the
 * Tokyo region's Japanese type words are recognised. The world of the repros:
 * demo-shop (a contact, CNY, one ECS at 48.00/day) with 30-minute platform faults on
 * 2026-02-27 10:00 and 2026-03-02 10:00 (+08:00); claims received 2026-03-04 09:00.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/domain/extract/classify.ts';
import { simplifiedForMatching } from '../../../src/domain/extract/script.ts';
import { baseRecords, contextOf, incident, run } from '../../support/builders.ts';

const world = () => {
  const raw = baseRecords();
  raw.incidents = [
    incident('inc-0227', '2026-02-27T10:00:00+08:00', '2026-02-27T10:30:00+08:00'),
    incident('inc-0302', '2026-03-02T10:00:00+08:00', '2026-03-02T10:30:00+08:00'),
  ];
  return contextOf(raw);
};

describe('Traditional Chinese claims are decided as their Simplified twins', () => {
  it('賠償申請 with 帳號, 故障時間 and 次數 is a compensation claim, approved for one incident', () => {
    const a = run(world(), {
      subject: '賠償申請 帳號：demo-shop 故障時間：2026-03-02 10:05 次數：1',
    });
    expect(a).toMatchObject({
      type: 'compensation',
      decision: 'approved',
      account: 'demo-shop',
      amount: '100.00',
      incidents: ['inc-0302'],
      reasons: [],
    });
  });

  it('次數：1 after 10:05 is one occurrence, not five read from the minutes', () => {
    const a = run(world(), {
      subject: '賠償申請 帳號：demo-shop 故障時間：2026-03-02 10:05 次數：1',
    });
    expect(a.occurrencesClaimed).toBe(1);
  });

  it('兩次 is two occurrences', () => {
    const a = run(world(), {
      subject: '賠償申請 帳號：demo-shop 故障時間：2026-02-27 10:05, 2026-03-02 10:05 兩次',
    });
    expect(a).toMatchObject({ occurrencesClaimed: 2, decision: 'approved', amount: '200.00' });
  });

  it.each([
    ['補償申請', 'compensation'],
    ['賠付申請', 'compensation'],
    ['退訂申請', 'refund'],
    ['投訴：客服態度', 'complaint'],
    ['諮詢：如何續費', 'inquiry'],
    ['請問如何續費', 'inquiry'],
    ['備案獎勵申請', 'icp_reward'],
  ] as const)('%s is %s', (subject, type) => {
    expect(classify(simplifiedForMatching(subject), '')).toBe(type);
    expect(run(world(), { subject }).type).toBe(type);
  });

  it('a Traditional body is read too, and its quoted reply (寄件者, 寫道) is not', () => {
    const a = run(world(), {
      subject: 'Re: 申請',
      text: [
        '賠償申請',
        '帳號：demo-shop',
        '故障時間：2026-03-02 10:05',
        '次數：1',
        '',
        '寄件者: support@cloud.example',
        '次數：3 故障時間：2026-02-27 10:05',
      ].join('\n'),
    });
    expect(a).toMatchObject({
      type: 'compensation',
      occurrencesClaimed: 1,
      incidents: ['inc-0302'],
    });
  });

  it.each([
    ['於 2026年3月1日 週日 上午10:00，support@cloud.example 寫道：'],
    ['在 2026年3月1日 10:00，support@cloud.example 写道：'],
    ['-----原始郵件-----'],
  ])('a quote under "%s" is not the customer’s words', (attribution) => {
    const a = run(world(), {
      subject: '賠償申請 帳號：demo-shop 故障時間：2026-03-02 10:05',
      text: ['請盡快處理', '', attribution, '次數：3'].join('\n'),
    });
    expect(a).toMatchObject({
      occurrencesClaimed: null,
      decision: 'needs_info',
      reasons: ['missing_occurrences'],
    });
  });

  it('keeps what the customer wrote: only matching reads the Simplified form', () => {
    const subject = '賠償申請 帳號：demo-shop 故障時間：2026-03-02 10:05 次數：1';
    const email = { subject };
    run(world(), email);
    expect(email.subject).toBe(subject);
  });
});

describe('Japanese type words (the Tokyo region)', () => {
  it.each([
    ['補償のお願い', 'compensation'],
    ['障害の賠償について', 'compensation'],
    ['返金のお願い', 'refund'],
    ['苦情', 'complaint'],
    ['お問い合わせ', 'inquiry'],
    ['料金についての問い合わせ', 'inquiry'],
  ] as const)('%s is %s', (subject, type) => {
    expect(run(world(), { subject }).type).toBe(type);
  });
});

describe('the conversion', () => {
  it('reads Taiwan and Hong Kong variants, character for character', () => {
    expect(simplifiedForMatching('帳號 次數 兩次 著 衞 裡')).toBe('帐号 次数 两次 着 卫 里');
  });

  it('leaves text without Han characters as it is', () => {
    const text = 'Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1';
    expect(simplifiedForMatching(text)).toBe(text);
  });
});
