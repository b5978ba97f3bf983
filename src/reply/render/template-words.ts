/**
 * The few words replies need besides reason texts (src/domain/reasons.ts, and
 * reason-text-hant.ts for Traditional Chinese): what a request is called, the fields a
 * needs-info reply asks for, and the subject line that shows the format. Kept here, not in
 * the templates, because they are chosen per claim.
 *
 * The Traditional Chinese words are written as Taiwan and Hong Kong customers write them
 * (帳號, 訂單編號, 主旨), not converted from the Simplified ones character by character.
 */
import type { ClaimType } from '../../domain/extract/classify.ts';
import { REASON_TEXT, type ReasonCode } from '../../domain/reasons.ts';
import type { ReplyLang } from './language.ts';
import { REASON_TEXT_HANT } from './reason-text-hant.ts';

type Words = Record<ReplyLang, string>;

/** "Your compensation claim …" / "您的赔偿申请……" / "您的賠償申請……" */
export const REQUEST_NAME: Record<ClaimType, Words> = {
  compensation: { en: 'compensation claim', zh: '赔偿申请', 'zh-Hant': '賠償申請' },
  refund: { en: 'refund request', zh: '退款申请', 'zh-Hant': '退款申請' },
  icp_reward: {
    en: 'ICP licence reward application',
    zh: '备案奖励申请',
    'zh-Hant': '備案獎勵申請',
  },
  complaint: { en: 'complaint', zh: '投诉', 'zh-Hant': '投訴' },
  inquiry: { en: 'question', zh: '咨询', 'zh-Hant': '諮詢' },
  unknown: { en: 'message', zh: '来信', 'zh-Hant': '來信' },
};

export type MissingCode = Extract<ReasonCode, `missing_${string}`>;

/** The field a `missing_*` reason asks for, as the customer would name it. */
export const MISSING_FIELD: Record<MissingCode, Words> = {
  missing_account: { en: 'your account ID', zh: '账号', 'zh-Hant': '帳號' },
  missing_fault_time: {
    en: 'the fault time: the date and time the fault began (for example 2026-11-20 10:15)',
    zh: '故障时间：故障开始的日期和时间（例如 2026年11月20日 10:15）',
    'zh-Hant': '故障時間：故障開始的日期和時間（例如 2026年11月20日 10:15）',
  },
  missing_occurrences: {
    en: 'the number of times the fault occurred',
    zh: '故障次数',
    'zh-Hant': '故障次數',
  },
  missing_order: {
    en: 'the order ID(s), at most 3 per request',
    zh: '订单号（每次最多3个）',
    'zh-Hant': '訂單編號（每次最多 3 筆）',
  },
};

export function isMissingCode(code: ReasonCode): code is MissingCode {
  return code in MISSING_FIELD;
}

/** A reason in the reply's language. */
export function reasonText(code: ReasonCode, lang: ReplyLang): string {
  return lang === 'zh-Hant' ? REASON_TEXT_HANT[code] : REASON_TEXT[code][lang];
}

const ACCOUNT_PLACEHOLDER: Words = { en: '<account id>', zh: '<账号>', 'zh-Hant': '<帳號>' };

/** The example subject per format: each field the intake needs, behind a label it reads. */
type SubjectFormat = 'refund' | 'icp_reward' | 'compensation';
const EXAMPLE: Record<SubjectFormat, Record<ReplyLang, (acct: string) => string>> = {
  refund: {
    en: (acct) => `Refund request - Account: ${acct}; Orders: <order id>`,
    zh: (acct) => `退款申请 账号：${acct} 订单号：<订单号>`,
    'zh-Hant': (acct) => `退款申請 帳號：${acct} 訂單編號：<訂單編號>`,
  },
  icp_reward: {
    en: (acct) => `ICP reward application - Account: ${acct}`,
    zh: (acct) => `备案奖励申请 账号：${acct}`,
    'zh-Hant': (acct) => `備案獎勵申請 帳號：${acct}`,
  },
  compensation: {
    en: (acct) =>
      `Compensation claim - Account: ${acct}; Fault time: 2026-11-20 10:15; Occurrences: 1`,
    zh: (acct) => `赔偿申请 账号：${acct} 故障时间：2026年11月20日 10:15 次数：1次`,
    'zh-Hant': (acct) => `賠償申請 帳號：${acct} 故障時間：2026年11月20日 10:15 次數：1次`,
  },
};

/**
 * A subject line in the format the intake reads best: every field in the subject, as the
 * seed asks. The customer's account is filled in when we found it, so only what is
 * missing is left as a placeholder.
 */
export function exampleSubject(type: ClaimType, lang: ReplyLang, account: string): string {
  const acct = account || ACCOUNT_PLACEHOLDER[lang];
  const format: SubjectFormat = type === 'refund' || type === 'icp_reward' ? type : 'compensation';
  return EXAMPLE[format][lang](acct);
}

/** A fault's cause (the records' `cause`) as a customer reads it, for the one that applied. */
export const CAUSE_NAME: Record<string, Words> = {
  maintenance: { en: 'planned maintenance', zh: '计划内维护', 'zh-Hant': '計畫性維護' },
  force_majeure: { en: 'force majeure', zh: '不可抗力', 'zh-Hant': '不可抗力' },
  carrier: { en: 'a telecom carrier’s fault', zh: '电信运营商故障', 'zh-Hant': '電信業者故障' },
  backbone: { en: 'a backbone network fault', zh: '骨干网络故障', 'zh-Hant': '骨幹網路故障' },
  attack: { en: 'an attack', zh: '网络攻击', 'zh-Hant': '網路攻擊' },
  customer: { en: 'the customer’s side', zh: '用户侧原因', 'zh-Hant': '使用者端原因' },
};

/** Why an incident is not compensated, naming its cause; the general text for an unknown one. */
export function excludedCauseText(incident: string, cause: string, lang: ReplyLang): string {
  const name = CAUSE_NAME[cause]?.[lang];
  if (!name) return reasonText('excluded_cause', lang);
  if (lang === 'en')
    return `The fault ${incident} was caused by ${name}, which the compensation policy does not cover.`;
  if (lang === 'zh') return `故障 ${incident} 的原因是${name}，不在赔偿范围内。`;
  return `故障 ${incident} 的原因是${name}，不在賠償範圍內。`;
}

/**
 * A late claim's reason with its dates: when it arrived and the deadline (the end of the
 * seventh working day after the last fault), both in the account's local time.
 */
export function lateClaimText(received: string, deadline: string, lang: ReplyLang): string {
  if (lang === 'en')
    return `The claim arrived on ${received}, after the deadline: claims must arrive within seven working days of the last fault, here by the end of ${deadline}.`;
  if (lang === 'zh')
    return `申请于 ${received} 收到，已超过期限：申请须在最后一次故障后七个工作日内提交，本次截止于 ${deadline} 当日结束。`;
  return `申請於 ${received} 收到，已超過期限：申請須在最後一次故障後七個工作天內提出，本次截止於 ${deadline} 當日結束。`;
}
