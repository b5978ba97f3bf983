/**
 * Rejections, needs-info replies and acknowledgements in both languages, rendered from
 * decisions the real engine made: every reason in plain words, exactly what is missing
 * with a subject the engine reads, an acknowledgement that promises nothing.
 */
import { describe, expect, it } from 'vitest';
import { REASON_TEXT } from '../../src/domain/reasons.ts';
import { baseRecords, contextOf, run } from '../support/builders.ts';
import {
  CLAIM_REF,
  EN_CLAIM,
  expectBoth,
  ONE_HOUR,
  order,
  realTemplates,
  ZH_CLAIM,
} from './templates-support.ts';

const { reply } = realTemplates();

describe('rejected', () => {
  it('gives every reason in plain words, with the orders each concerns', () => {
    const raw = {
      ...baseRecords(),
      orders: [
        order('ORD-8', { billing: 'on_demand' }),
        order('ORD-9', { purchased_at: '2026-02-20T09:00:00+08:00' }),
      ],
    };
    const { a, kind, out } = reply(raw, {
      subject: 'Refund request - Account: demo-shop; Orders: ORD-8, ORD-9',
    });
    expect(kind).toBe('rejected');
    expect(a.reasons).toEqual(['not_refundable_billing', 'refund_window_expired']);
    expectBoth(out, [
      CLAIM_REF,
      REASON_TEXT.not_refundable_billing.en,
      '(ORD-8)',
      REASON_TEXT.refund_window_expired.en,
      '(ORD-9)',
    ]);
  });

  it('lists every reason a late compensation claim fails for, in Chinese', () => {
    const { a, lang, out } = reply(
      { ...baseRecords(), incidents: [ONE_HOUR] },
      { subject: ZH_CLAIM },
      { received: '2026-03-20T09:00:00+08:00' },
    );
    expect([a.decision, lang]).toEqual(['rejected', 'zh']);
    expect(a.reasons).toContain('late_claim');
    // The late claim is told with its dates: when it arrived, and the deadline it missed.
    expectBoth(out, [
      CLAIM_REF,
      '申请于 2026-03-20 09:00 收到，已超过期限',
      `本次截止于 ${a.deadline!.slice(0, 10)} 当日结束`,
      ...a.reasons.filter((c) => c !== 'late_claim').map((code) => REASON_TEXT[code].zh),
    ]);
  });

  it('names ICP-reward reasons', () => {
    const raw = {
      ...baseRecords(),
      accounts: [{ ...baseRecords().accounts[0], accumulated_recharge: '150.00' }],
    };
    const { a, out } = reply(raw, { subject: 'ICP reward application, account demo-shop' });
    expect(a.reasons).toEqual(['filing_not_found', 'recharge_below_minimum']);
    expectBoth(
      out,
      a.reasons.map((code) => REASON_TEXT[code].en),
    );
  });
});

describe('needs info', () => {
  it('asks for exactly what is missing and shows the subject format', () => {
    const { a, kind, out } = reply(baseRecords(), {
      subject: 'Compensation claim',
      text: 'The server was down.',
    });
    expect([kind, a.reasons]).toEqual([
      'needs_info',
      ['missing_account', 'missing_fault_time', 'missing_occurrences'],
    ]);
    expectBoth(out, [
      CLAIM_REF,
      'your account ID',
      'the fault time',
      'the number of times the fault occurred',
    ]);
    expect(out.text).toContain(
      'Compensation claim - Account: <account id>; Fault time: 2026-11-20 10:15; Occurrences: 1',
    );
    expect(out.html).toContain(
      'Compensation claim - Account: &lt;account id&gt;; Fault time: 2026-11-20 10:15; Occurrences: 1',
    );
  });

  it('asks only for what is missing, with the account already filled in the example', () => {
    const { out } = reply(baseRecords(), {
      subject: '赔偿申请 账号：demo-shop 故障时间：2026年3月2日 10:15',
    });
    expectBoth(out, [
      '故障次数',
      '赔偿申请 账号：demo-shop 故障时间：2026年11月20日 10:15 次数：1次',
    ]);
    expect(out.text).not.toContain('- 账号');
    expect(out.text).not.toContain('- 故障时间');
  });

  it.each([
    ['en', 'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:15; Occurrences: 1'],
    ['zh', '赔偿申请 账号：demo-shop 故障时间：2026年3月2日 10:15 次数：1次'],
  ])('shows a subject format the engine reads in full (%s)', (_lang, filledIn) => {
    const a = run(contextOf({ ...baseRecords(), incidents: [ONE_HOUR] }), { subject: filledIn });
    expect([a.decision, a.details.sources]).toEqual([
      'approved',
      { account: 'subject', faultTimes: 'subject', occurrences: 'subject' },
    ]);
  });
});

describe('acknowledgements', () => {
  it('tells a customer whose claim needs review that an agent will look, promising nothing', () => {
    const subject = EN_CLAIM.replace('Occurrences: 1', 'Occurrences: 3');
    const { a, kind, out } = reply({ ...baseRecords(), incidents: [ONE_HOUR] }, { subject });
    expect([a.decision, kind]).toEqual(['review', 'review_ack']);
    expectBoth(out, [
      CLAIM_REF,
      'agents will review it',
      'cannot say yet what the outcome will be',
    ]);
    expect(out.text).not.toContain('CNY');
  });

  it('acknowledges a Chinese question the same way, in Chinese', () => {
    const { a, kind, lang, out } = reply(baseRecords(), { subject: '咨询：如何开具发票' });
    expect([a.type, kind, lang]).toEqual(['inquiry', 'review_ack', 'zh']);
    expectBoth(out, [CLAIM_REF, '咨询', '服务保障专员将进行审核', '暂时无法确定处理结果']);
  });

  it('thanks a complaining customer and hands the complaint to the complaints team, in both languages', () => {
    const en = reply(baseRecords(), { subject: 'Complaint: third outage this month' });
    expect(en.kind).toBe('complaint_ack');
    expectBoth(en.out, [CLAIM_REF, 'Thank you', 'complaints team']);
    const zh = reply(baseRecords(), { subject: '投诉：本月第三次故障' });
    expect([zh.kind, zh.lang]).toEqual(['complaint_ack', 'zh']);
    expectBoth(zh.out, [CLAIM_REF, '感谢', '投诉处理团队']);
  });
});
