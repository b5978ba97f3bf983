/**
 * The data behind the templates: which reply a decision gets, the reply's language, and
 * how numbers, times and customer text are written.
 */
import { describe, expect, it } from 'vitest';
import { blankAssessment } from '../../src/domain/assess/engine.ts';
import type { Assessment } from '../../src/domain/assess/types.ts';
import { replyLanguage } from '../../src/reply/render/language.ts';
import { buildReplyData, replyKind } from '../../src/reply/render/reply-data.ts';
import {
  faultMinutes,
  formatMoney,
  formulaOf,
  groupDigits,
  localTime,
  oneLine,
} from '../../src/reply/render/template-format.ts';
import { at, baseRecords, contextOf, emailOf, run } from '../support/builders.ts';

function decided(type: Assessment['type'], decision: Assessment['decision']): Assessment {
  return { ...blankAssessment('Asia/Shanghai', null), type, decision };
}

describe('the reply a decision gets', () => {
  it.each([
    ['compensation', 'approved', 'compensation_approved'],
    ['refund', 'approved', 'refund_approved'],
    ['icp_reward', 'approved', 'icp_reward_approved'],
    ['refund', 'rejected', 'rejected'],
    ['icp_reward', 'needs_info', 'needs_info'],
    ['compensation', 'review', 'review_ack'],
    ['inquiry', 'review', 'review_ack'],
    ['unknown', 'review', 'review_ack'],
    ['complaint', 'review', 'complaint_ack'],
  ] as const)('%s %s → %s', (type, decision, kind) => {
    expect(replyKind(decided(type, decision))).toBe(kind);
  });

  it('is none for ignored (auto-generated) mail, and building one fails', () => {
    const a = decided('unknown', 'ignored');
    expect(replyKind(a)).toBeNull();
    expect(() =>
      buildReplyData({
        contact: true,
        claimRef: 'CLM-1',
        assessment: a,
        email: emailOf(),
        lang: 'en',
        receivedAt: 0,
      }),
    ).toThrow(/no reply/);
  });
});

describe('the reply language', () => {
  it.each([
    ['an English claim', 'en', { subject: 'Compensation claim, account demo-shop' }],
    ['a Chinese subject', 'zh', { subject: '赔偿申请 账号：demo-shop' }],
    [
      'a Chinese body under a bare subject',
      'zh',
      { subject: 'demo-shop', text: '服务器昨天故障了两次，请赔偿。' },
    ],
    ['a short Chinese subject with nothing else', 'zh', { subject: '投诉' }],
    [
      'English that names a Chinese company',
      'en',
      { subject: 'Refund for 华为云 order', text: 'Please refund order ORD-1 for our company.' },
    ],
    [
      'English mentioning a long Chinese name',
      'zh',
      { subject: 'Refund', text: 'Company: 北京某某科技有限公司. Please refund order ORD-1.' },
    ],
    [
      'an English reply quoting our Chinese answer',
      'en',
      {
        subject: 'Re: claim',
        text: 'Thanks, here is the account: demo-shop\n\n> 尊敬的客户：您好，请补充账号和故障时间。',
      },
    ],
    ['an empty message', 'en', {}],
  ] as const)('%s → %s', (_what, lang, mail) => {
    expect(replyLanguage(emailOf(mail))).toBe(lang);
  });
});

describe('numbers, times and words', () => {
  it('groups digits without touching them', () => {
    expect(groupDigits('1234567.50')).toBe('1,234,567.50');
    expect(groupDigits('999.99')).toBe('999.99');
    expect(groupDigits('12345')).toBe('12,345');
    expect(formatMoney('5000.00', 'CNY', 'en')).toBe('CNY 5,000.00');
    expect(formatMoney('5000.00', 'CNY', 'zh')).toBe('5,000.00 元');
    expect(formatMoney('12.5', 'USD', 'zh')).toBe('12.5 USD');
  });

  it('writes local times as the engine fixed them, seconds only when there are some', () => {
    expect(localTime('2026-03-02T10:00:00+08:00')).toBe('2026-03-02 10:00');
    expect(localTime('2026-03-02T10:00:30+08:00')).toBe('2026-03-02 10:00:30');
  });

  it('writes fault minutes whole when whole, else to two decimals, half-up', () => {
    expect(faultMinutes(3600)).toEqual({ text: '60', exact: true });
    expect(faultMinutes(90)).toEqual({ text: '1.5', exact: true });
    expect(faultMinutes(100)).toEqual({ text: '1.67', exact: false });
  });

  it('writes each line as daily fee × minutes ÷ 1440 × multiplier, marking rounded values', () => {
    const line = {
      resource: 'ecs-s1',
      dailyFee: '48.00',
      from: '2026-03-02T10:00:00+08:00',
      to: '2026-03-02T11:00:00+08:00',
      faultSeconds: 3600,
      multiplier: 100,
      incidents: ['INC-7'],
    };
    expect(formulaOf(line, 'CNY')).toBe('48.00 × 60 ÷ 1440 × 100 = 200.00');
    expect(formulaOf({ ...line, dailyFee: '10.00', faultSeconds: 60 * 7 }, 'CNY')).toBe(
      '10.00 × 7 ÷ 1440 × 100 ≈ 4.86',
    );
    expect(formulaOf({ ...line, dailyFee: '1000.00', multiplier: 1 }, 'JPY')).toBe(
      '1000.00 × 60 ÷ 1440 × 1 ≈ 42',
    );
  });

  it('puts customer text on one bounded line', () => {
    expect(oneLine(' a\r\n\tb\u0000c ', 50)).toBe('a b c');
    expect(oneLine('x'.repeat(300), 200)).toBe(`${'x'.repeat(199)}…`);
    expect(oneLine('evil\u202egpj.exe', 50)).toBe('evil gpj.exe');
  });
});

describe('reply data from a decision', () => {
  const RECEIVED = '2026-03-04T09:00:00+08:00';
  const filing = {
    account: 'demo-shop',
    submitted_at: '2026-02-20T10:00:00+08:00',
    approved_at: '2026-02-25T10:00:00+08:00',
    first_time: true,
    status: 'approved',
  };

  it('an ICP reward is valid one year from receipt, as settlement records it', () => {
    const subject = 'ICP reward application, account demo-shop';
    const a = run(contextOf({ ...baseRecords(), icpFilings: [filing] }), { subject }, RECEIVED);
    const data = buildReplyData({
      contact: true,
      claimRef: 'CLM-000001',
      assessment: a,
      email: emailOf({ subject }),
      lang: 'zh',
      receivedAt: at(RECEIVED),
    });
    expect(data).toMatchObject({
      kind: 'icp_reward_approved',
      amount: '100.00 元',
      validUntil: '2027年3月4日',
      account: 'demo-shop',
      request: '备案奖励申请',
    });
  });

  it('greets a contact by display name, else by the account, never by a bare address', () => {
    const name = (mail: Parameters<typeof emailOf>[0], account: string | null) =>
      buildReplyData({
        contact: true,
        claimRef: 'C',
        assessment: { ...decided('complaint', 'review'), account },
        email: emailOf(mail),
        lang: 'en',
        receivedAt: 0,
      }).customerName;
    expect(name({ fromName: 'Li Wei' }, 'demo-shop')).toBe('Li Wei');
    expect(name({ fromName: null }, 'demo-shop')).toBe('demo-shop');
    expect(name({ fromName: null }, null)).toBe('');
    expect(name({ fromName: ' ', from: 'it@demo-shop.test' }, null)).toBe('');
  });

  it('a needs-info reply lists the missing fields in words, with an example subject', () => {
    const a = run(contextOf(baseRecords()), { subject: 'Refund request' }, RECEIVED);
    const data = buildReplyData({
      contact: true,
      claimRef: 'CLM-000002',
      assessment: a,
      email: emailOf({ subject: 'Refund request' }),
      lang: 'en',
      receivedAt: at(RECEIVED),
    });
    expect(data).toMatchObject({
      kind: 'needs_info',
      missing: [
        { code: 'missing_account', text: 'your account ID' },
        { code: 'missing_order', text: 'the order ID(s), at most 3 per request' },
      ],
      exampleSubject: 'Refund request - Account: <account id>; Orders: <order id>',
    });
  });
});
