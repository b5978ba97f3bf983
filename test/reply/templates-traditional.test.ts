/**
 * Replies in Traditional Chinese (issue #12 item 5): every kind, rendered from decisions the
 * real engine made on claims written in Traditional, in the words customers in Hong Kong,
 * Macau and Taiwan use (帳號, 訂單編號, 故障時間, 主旨), with amounts and dates written
 * for them, and nothing left in Simplified.
 */
import { Converter } from 'opencc-js/cn2t';
import { describe, expect, it } from 'vitest';
import { REASON_CODES, REASON_TEXT } from '../../src/domain/reasons.ts';
import { REASON_TEXT_HANT } from '../../src/reply/render/reason-text-hant.ts';
import { REPLY_KINDS } from '../../src/reply/render/reply-data.ts';
import { SAMPLE_CLAIM_REF, sampleReplies } from '../../src/reply/render/template-samples.ts';
import { exampleSubject } from '../../src/reply/render/template-words.ts';
import type { RenderedReply } from '../../src/reply/render/templates.ts';
import { baseRecords, contextOf, type RawRecords, run } from '../support/builders.ts';
import {
  CLAIM_REF,
  EARLIER,
  expectBoth,
  FILING,
  ONE_HOUR,
  order,
  realTemplates,
  withDisk,
} from './templates-support.ts';

const HANT_CLAIM = '賠償申請 帳號：demo-shop 故障時間：2026年3月2日 10:15 次數：1次';

const toTraditional: (text: string) => string = Converter({ from: 'cn', to: 'tw' });

/**
 * Words a conversion from Simplified leaves (mainland usage, or its known mistakes) that a
 * reviewed Traditional reply never has.
 */
const MAINLAND = [
  '賬號',
  '回複',
  '信息',
  '數據',
  '服務器',
  '發件人',
  '反饋',
  '抵扣',
  '尊敬的',
  '“',
];

/** Nothing left in Simplified (OpenCC finds nothing to convert) and no mainland wording. */
function expectTraditional(text: string): void {
  expect(toTraditional(text)).toBe(text);
  for (const word of MAINLAND) expect(text).not.toContain(word);
}
const real = realTemplates();
const { reply } = real;

function expectTraditionalReply(out: RenderedReply): void {
  expectTraditional(out.text);
  expectTraditional(out.html);
  expect(out.html).toContain('<html lang="zh-Hant">');
  // Traditional fonts first: a Simplified font draws Traditional characters in mainland shapes.
  expect(out.html).toContain("font-family:Arial,Helvetica,'PingFang TC','Microsoft JhengHei'");
}

describe('every reply kind has its Traditional Chinese templates', () => {
  it.each(REPLY_KINDS)('%s, in every sample the start-up check renders', (kind) => {
    const samples = sampleReplies('zh-Hant').filter((s) => s.kind === kind);
    expect(samples.length).toBeGreaterThan(0);
    for (const data of samples) {
      const out = real.templates().render(kind, 'zh-Hant', data);
      expect(out.text).toContain(SAMPLE_CLAIM_REF);
      expect(out.text).toContain('回覆時請在郵件主旨中保留此編號');
      expectTraditionalReply(out);
    }
  });

  it('gives every reason in Traditional words of its own, not the Simplified text', () => {
    for (const code of REASON_CODES) {
      expectTraditional(REASON_TEXT_HANT[code]);
      expect(REASON_TEXT_HANT[code]).not.toBe(REASON_TEXT[code].zh);
    }
  });
});

describe('approved claims, in Traditional Chinese', () => {
  it('compensation: the faults, the formula per resource and the total in 人民幣', () => {
    const { a, kind, lang, out } = reply(withDisk([ONE_HOUR]), { subject: HANT_CLAIM });
    expect([a.decision, kind, lang]).toEqual(['approved', 'compensation_approved', 'zh-Hant']);
    expectBoth(out, [
      CLAIM_REF,
      '人民幣 250.00 元',
      '帳號',
      '賠償',
      '48.00 × 60 ÷ 1440 × 100',
      '12.00 × 60 ÷ 1440 × 100',
      '贈送儲值金',
      '雲端服務費用',
    ]);
    expect(out.text).toContain('INC-7：2026-03-02 10:00 至 2026-03-02 11:00，共 60 分鐘');
    expect(out.text).toContain(`您的申請已核准，帳號 demo-shop 將獲得賠償 人民幣 250.00 元。`);
    // The subject, in its machine format, is not quoted back.
    expect(out.text).not.toContain(HANT_CLAIM);
    expect(out.html).toContain(
      '<th scope="col" style="text-align:left;padding:6px 8px;border-bottom:2px solid #d0d7de;">故障時間</th>',
    );
    expectTraditionalReply(out);
  });

  it('compensation: what was left out, and why', () => {
    const raw = withDisk([EARLIER, ONE_HOUR], {
      compensations: [{ account: 'demo-shop', incident: 'INC-5', at: '2026-02-27T10:00:00+08:00' }],
    });
    const { a, out } = reply(raw, { subject: HANT_CLAIM.replace('次數：1次', '次數：兩次') });
    expect([a.decision, a.reasons]).toEqual(['approved', ['already_compensated']]);
    expectBoth(out, ['未予賠償的部分', REASON_TEXT_HANT.already_compensated, '（INC-5）']);
  });

  it('refund: the orders, the deduction, the receipt and the migration reminder', () => {
    const raw = {
      ...baseRecords(),
      orders: [
        order('ORD-1', { icp_reward: { amount: '100.00', recoverable: false } }),
        order('ORD-2'),
      ],
    };
    const subject = '退款申請 帳號：demo-shop 訂單編號：ORD-1、ORD-2';
    const { a, kind, lang, out } = reply(raw, { subject }, { receipt: 'RF-20260304-000042' });
    expect([a.decision, kind, lang]).toEqual(['approved', 'refund_approved', 'zh-Hant']);
    expectBoth(out, [
      CLAIM_REF,
      '人民幣 500.00 元',
      '訂單',
      '退款',
      '請先遷移資料',
      '雲端伺服器將被釋放',
      'RF-20260304-000042',
      '已提交 → 已確認 → 已開立退款憑證 → 已完成',
    ]);
    expect(out.text).toContain(
      '- ORD-1：人民幣 300.00 元，扣除無法收回的備案獎勵 人民幣 100.00 元',
    );
    expectTraditionalReply(out);

    const later = reply(raw, { subject: '退款申請 帳號：demo-shop 訂單編號：ORD-2' });
    expectBoth(later.out, ['人民幣 300.00 元', '退款憑證開立後']);
  });

  it('ICP reward: the amount, credited within a week, valid until a date written for Taiwan', () => {
    const { kind, lang, out } = reply(
      { ...baseRecords(), icpFilings: [FILING] },
      { subject: '備案獎勵申請 帳號：demo-shop' },
    );
    expect([kind, lang]).toEqual(['icp_reward_approved', 'zh-Hant']);
    expectBoth(out, [
      CLAIM_REF,
      '備案',
      '人民幣 100.00 元',
      '一週內',
      '2027年3月4日',
      '不可提領現金',
    ]);
    expectTraditionalReply(out);
  });
});

describe('other answers, in Traditional Chinese', () => {
  it('a rejection gives every reason in Traditional words, with the orders each concerns', () => {
    const raw = {
      ...baseRecords(),
      orders: [
        order('ORD-8', { billing: 'on_demand' }),
        order('ORD-9', { purchased_at: '2026-02-20T09:00:00+08:00' }),
      ],
    };
    const { a, kind, lang, out } = reply(raw, {
      subject: '退款申請 帳號：demo-shop 訂單編號：ORD-8, ORD-9',
    });
    expect([kind, lang]).toEqual(['rejected', 'zh-Hant']);
    expect(a.reasons).toEqual(['not_refundable_billing', 'refund_window_expired']);
    expect(out.text).toContain(`- ${REASON_TEXT_HANT.not_refundable_billing}（ORD-8）`);
    expect(out.text).toContain(`- ${REASON_TEXT_HANT.refund_window_expired}（ORD-9）`);
    expectBoth(out, ['您的申請未能核准', '針對帳號']);
    expectTraditionalReply(out);
  });

  it('a needs-info reply asks for what is missing in Traditional, with a subject to copy', () => {
    const { a, kind, lang, out } = reply(baseRecords(), {
      subject: '賠償申請',
      text: '伺服器無法連線。',
    });
    expect([kind, lang]).toEqual(['needs_info', 'zh-Hant']);
    expect(a.reasons).toEqual(['missing_account', 'missing_fault_time', 'missing_occurrences']);
    expectBoth(out, ['帳號', '故障時間：故障開始的日期和時間', '故障次數', '郵件主旨']);
    expect(out.text).toContain('賠償申請 帳號：<帳號> 故障時間：2026年11月20日 10:15 次數：1次');
    expect(out.html).toContain(
      '賠償申請 帳號：&lt;帳號&gt; 故障時間：2026年11月20日 10:15 次數：1次',
    );
    expectTraditionalReply(out);
  });

  const incomplete: ['compensation' | 'refund' | 'icp_reward', string, RawRecords][] = [
    ['compensation', HANT_CLAIM.replace('次數：1次', ''), { incidents: [ONE_HOUR] }],
    ['refund', '退款申請 帳號：demo-shop', { orders: [order('ORD-2')] }],
    ['icp_reward', '備案獎勵申請', { icpFilings: [FILING] }],
  ];
  it.each(incomplete)('shows a %s subject the engine reads in full', (type, subject, records) => {
    const raw = { ...baseRecords(), ...records };
    const asked = reply(raw, { subject });
    expect([asked.kind, asked.lang]).toEqual(['needs_info', 'zh-Hant']);
    const example = exampleSubject(type, 'zh-Hant', asked.a.account ?? '')
      .replace('<帳號>', 'demo-shop')
      .replace('<訂單編號>', 'ORD-2')
      .replace('2026年11月20日 10:15', '2026年3月2日 10:15');
    expect(asked.out.text).toContain(exampleSubject(type, 'zh-Hant', asked.a.account ?? ''));
    const a = run(contextOf(raw), { subject: example });
    expect([a.type, a.decision, a.reasons]).toEqual([type, 'approved', []]);
  });

  it('an acknowledgement of a question promises nothing', () => {
    const { a, kind, lang, out } = reply(baseRecords(), { subject: '諮詢：如何開立發票' });
    expect([a.type, kind, lang]).toEqual(['inquiry', 'review_ack', 'zh-Hant']);
    expectBoth(out, [CLAIM_REF, '感謝您的諮詢', '服務保障專員', '尚無法確定處理結果']);
    // What the 24/7 desk covers and what it does not (the seed), and the other channels.
    expectBoth(out, ['產品功能諮詢', '程式開發', '日常維運服務', '4000-955-988', '提交工單']);
    expectTraditionalReply(out);
  });

  it('a complaint is acknowledged and handed to the complaints team', () => {
    const { kind, lang, out } = reply(baseRecords(), { subject: '投訴：本月第三次故障' });
    expect([kind, lang]).toEqual(['complaint_ack', 'zh-Hant']);
    expectBoth(out, [CLAIM_REF, '投訴處理團隊', '造成您的不便']);
    expect(out.text).not.toContain('本月第三次故障');
    expectTraditionalReply(out);
  });
});
