/**
 * The few words replies need besides reason texts (src/domain/reasons.ts): what a request
 * is called, the fields a needs-info reply asks for, and the subject line that shows the
 * format. Kept here, not in the templates, because they are chosen per claim.
 */
import type { ClaimType } from '../domain/extract/classify.ts';
import type { ReasonCode } from '../domain/reasons.ts';
import type { ReplyLang } from './language.ts';

type Words = Record<ReplyLang, string>;

/** "Your compensation claim …" / "您的赔偿申请……" */
export const REQUEST_NAME: Record<ClaimType, Words> = {
  compensation: { en: 'compensation claim', zh: '赔偿申请' },
  refund: { en: 'refund request', zh: '退款申请' },
  icp_reward: { en: 'ICP licence reward application', zh: '备案奖励申请' },
  complaint: { en: 'complaint', zh: '投诉' },
  inquiry: { en: 'question', zh: '咨询' },
  unknown: { en: 'message', zh: '来信' },
};

export type MissingCode = Extract<ReasonCode, `missing_${string}`>;

/** The field a `missing_*` reason asks for, as the customer would name it. */
export const MISSING_FIELD: Record<MissingCode, Words> = {
  missing_account: { en: 'your account ID', zh: '账号' },
  missing_fault_time: {
    en: 'the fault time: the date and time the fault began (for example 2026-11-20 10:15)',
    zh: '故障时间：故障开始的日期和时间（例如 2026年11月20日 10:15）',
  },
  missing_occurrences: {
    en: 'the number of times the fault occurred',
    zh: '故障次数',
  },
  missing_order: { en: 'the order ID(s), at most 3 per request', zh: '订单号（每次最多3个）' },
};

export function isMissingCode(code: ReasonCode): code is MissingCode {
  return code in MISSING_FIELD;
}

const ACCOUNT_PLACEHOLDER: Words = { en: '<account id>', zh: '<账号>' };

/**
 * A subject line in the format the intake reads best: every field in the subject, as the
 * seed asks. The customer's account is filled in when we found it, so only what is
 * missing is left as a placeholder.
 */
export function exampleSubject(type: ClaimType, lang: ReplyLang, account: string): string {
  const acct = account || ACCOUNT_PLACEHOLDER[lang];
  if (type === 'refund') {
    return lang === 'zh'
      ? `退款申请 账号：${acct} 订单号：<订单号>`
      : `Refund request - Account: ${acct}; Orders: <order id>`;
  }
  if (type === 'icp_reward') {
    return lang === 'zh'
      ? `备案奖励申请 账号：${acct}`
      : `ICP reward application - Account: ${acct}`;
  }
  return lang === 'zh'
    ? `赔偿申请 账号：${acct} 故障时间：2026年11月20日 10:15 次数：1次`
    : `Compensation claim - Account: ${acct}; Fault time: 2026-11-20 10:15; Occurrences: 1`;
}
