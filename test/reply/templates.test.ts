/**
 * Approved claims of every paying type, in both languages, rendered from decisions the
 * real engine made: the claim reference, the amount and how it was built, the migration
 * reminder and release notice, the reward's validity.
 */
import { describe, expect, it } from 'vitest';
import { REASON_TEXT } from '../../src/domain/reasons.ts';
import { baseRecords, type RawRecords } from '../support/builders.ts';
import {
  CLAIM_REF,
  EARLIER,
  EN_CLAIM,
  expectBoth,
  FILING,
  ONE_HOUR,
  order,
  realTemplates,
  withDisk,
  ZH_CLAIM,
} from './templates-support.ts';

const { reply } = realTemplates();

describe('approved compensation', () => {
  it('gives the incidents, their minutes, the formula per resource and the total, in English', () => {
    const { a, kind, lang, out } = reply(withDisk([ONE_HOUR]), { subject: EN_CLAIM });
    expect([a.decision, kind, lang]).toEqual(['approved', 'compensation_approved', 'en']);
    expectBoth(out, [
      CLAIM_REF,
      'CNY 250.00',
      'INC-7',
      '2026-03-02 10:00',
      '2026-03-02 11:00',
      '48.00 × 60 ÷ 1440 × 100',
      '12.00 × 60 ÷ 1440 × 100',
      'bonus recharge',
    ]);
    expect(out.text).toContain('INC-7: 2026-03-02 10:00 to 2026-03-02 11:00, 60 minutes');
    expect(out.text).toContain(
      'ecs-s1, 2026-03-02 10:00 to 2026-03-02 11:00: 48.00 × 60 ÷ 1440 × 100 = 200.00',
    );
    expect(out.text).toContain(
      'evs-d1, 2026-03-02 10:00 to 2026-03-02 11:00: 12.00 × 60 ÷ 1440 × 100 = 50.00',
    );
    expect(out.html).toContain('<html lang="en">');
  });

  it('is written in Chinese when the customer wrote in Chinese', () => {
    const { kind, lang, out } = reply(withDisk([ONE_HOUR]), { subject: ZH_CLAIM });
    expect([kind, lang]).toEqual(['compensation_approved', 'zh']);
    expectBoth(out, [CLAIM_REF, '250.00 元', 'INC-7', '48.00 × 60 ÷ 1440 × 100', '赠送充值']);
    expect(out.text).toContain('INC-7：2026-03-02 10:00 至 2026-03-02 11:00，共 60 分钟');
    expect(out.html).toContain('<html lang="zh-Hans">');
  });

  it('says which incidents were left out and why', () => {
    const raw = withDisk([EARLIER, ONE_HOUR], {
      compensations: [{ account: 'demo-shop', incident: 'INC-5', at: '2026-02-27T10:00:00+08:00' }],
    });
    const subject = EN_CLAIM.replace('Occurrences: 1', 'Occurrences: 2');
    const { a, out } = reply(raw, { subject });
    expect([a.decision, a.reasons]).toEqual(['approved', ['already_compensated']]);
    expectBoth(out, [
      'Not compensated',
      REASON_TEXT.already_compensated.en,
      '(INC-5)',
      'CNY 250.00',
    ]);
  });
});

describe('approved refund', () => {
  const raw = (): RawRecords => ({
    ...baseRecords(),
    orders: [
      order('ORD-1', { icp_reward: { amount: '100.00', recoverable: false } }),
      order('ORD-2'),
    ],
  });

  it('gives the orders, the deduction, the receipt, the migration reminder and the release notice', () => {
    const { a, kind, out } = reply(
      raw(),
      { subject: 'Refund request - Account: demo-shop; Orders: ORD-1, ORD-2' },
      {
        receipt: 'RF-20260304-000042',
      },
    );
    expect([a.decision, kind]).toEqual(['approved', 'refund_approved']);
    expectBoth(out, [
      CLAIM_REF,
      'CNY 500.00',
      'ORD-1',
      'ORD-2',
      'CNY 100.00',
      'RF-20260304-000042',
      'please migrate your data first',
      'cloud servers of refunded orders are released',
      'submitted → confirmed → receipt generated → completed',
    ]);
  });

  it('promises the receipt number when there is none yet, in Chinese too', () => {
    const { lang, out } = reply(raw(), { subject: '退款申请 账号：demo-shop 订单号：ORD-2' });
    expect(lang).toBe('zh');
    expectBoth(out, [CLAIM_REF, '300.00 元', '请先迁移数据', '云服务器将被释放', '回单生成后']);
  });
});

describe('approved ICP reward', () => {
  it.each([
    [
      'en',
      'ICP reward application, account demo-shop',
      ['CNY 100.00', 'within one week', '4 March 2027', 'cannot be withdrawn'],
    ],
    ['zh', '备案奖励申请 账号：demo-shop', ['100.00 元', '一周内', '2027年3月4日', '不可提现']],
  ])(
    'gives the amount, when it is credited and how long it is valid (%s)',
    (lang, subject, facts) => {
      const out = reply({ ...baseRecords(), icpFilings: [FILING] }, { subject });
      expect([out.kind, out.lang]).toEqual(['icp_reward_approved', lang]);
      expectBoth(out.out, [CLAIM_REF, ...facts]);
    },
  );
});
