/**
 * Reason codes (CONTRACT.md) in their canonical order, with the plain words replies and
 * the console use. The order here is the order reasons are reported in.
 */
export const REASON_CODES = [
  'auto_generated',
  'unclassified',
  'complaint',
  'inquiry',
  'missing_account',
  'account_unknown',
  'sender_not_account_contact',
  'fields_outside_subject',
  'sender_unauthenticated',
  'missing_fault_time',
  'missing_occurrences',
  'no_matching_incident',
  'late_claim',
  'count_mismatch',
  'already_compensated',
  'excluded_cause',
  'amount_over_review_limit',
  'missing_order',
  'too_many_orders',
  'refund_limit_reached',
  'order_unknown',
  'order_not_owned',
  'not_refundable_billing',
  'already_refunded',
  'refund_window_expired',
  'reward_deducted',
  'no_subscription_host',
  'service_terminated',
  'filing_not_found',
  'not_first_filing',
  'filing_incomplete',
  'filing_abandoned',
  'recharge_below_minimum',
  'reward_already_granted',
  'message_too_large',
  'message_unparseable',
  'reply_limit_reached',
  'no_automatic_reply',
  'reply_failed',
  'stage_failed',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** What a reason does to the decision in the case at hand. */
export type Effect = 'inform' | 'review' | 'reject';

export interface Reason {
  code: ReasonCode;
  effect: Effect;
  /** Which order or incident it concerns, when it concerns one. */
  subject?: string;
}

const RANK = new Map<string, number>(REASON_CODES.map((c, i) => [c, i]));

/** Codes without repeats, in canonical order. */
export function reasonCodes(reasons: readonly Reason[]): ReasonCode[] {
  return [...new Set(reasons.map((r) => r.code))].sort(
    (a, b) => (RANK.get(a) ?? 0) - (RANK.get(b) ?? 0),
  );
}

/** Plain words for each reason, English and Simplified Chinese. */
export const REASON_TEXT: Record<ReasonCode, { en: string; zh: string }> = {
  auto_generated: {
    en: 'The message was generated automatically.',
    zh: '该邮件为自动发送的邮件。',
  },
  unclassified: {
    en: 'We could not tell what the request is about.',
    zh: '我们无法确定您的请求类型。',
  },
  complaint: { en: 'Complaints are handled by an agent.', zh: '投诉将由客服专员处理。' },
  inquiry: { en: 'Questions are answered by an agent.', zh: '咨询将由客服专员答复。' },
  missing_account: { en: 'The account ID is missing.', zh: '缺少账号。' },
  account_unknown: { en: 'We have no account with that ID.', zh: '未找到该账号。' },
  sender_not_account_contact: {
    en: 'The sender is not a registered contact of the account.',
    zh: '发件人不是该账号登记的联系邮箱。',
  },
  fields_outside_subject: {
    en: 'The account, fault time or number of occurrences was not in the subject line.',
    zh: '账号、故障时间或故障次数未写在邮件主题中。',
  },
  sender_unauthenticated: {
    en: "The sender's address could not be verified.",
    zh: '无法验证发件人地址。',
  },
  missing_fault_time: { en: 'The fault time is missing.', zh: '缺少故障时间。' },
  missing_occurrences: { en: 'The number of fault occurrences is missing.', zh: '缺少故障次数。' },
  no_matching_incident: {
    en: 'No recorded platform fault affecting your resources matches the time you gave.',
    zh: '未找到与您所述时间相符、影响您资源的平台故障记录。',
  },
  late_claim: {
    en: 'The claim arrived after the deadline of seven working days from the last fault.',
    zh: '申请超过了最后一次故障后七个工作日的期限。',
  },
  count_mismatch: {
    en: 'The number of occurrences differs from our records.',
    zh: '故障次数与我们的记录不符。',
  },
  already_compensated: { en: 'This fault has already been compensated.', zh: '该故障已获赔偿。' },
  excluded_cause: {
    en: 'The fault had a cause the policy does not compensate (maintenance, force majeure, carrier or backbone faults, attacks, or the customer side).',
    zh: '该故障的原因不在赔偿范围内（维护、不可抗力、运营商或骨干网故障、攻击或用户侧原因）。',
  },
  amount_over_review_limit: {
    en: 'The amount is above the limit for automatic payment.',
    zh: '金额超过自动赔付上限。',
  },
  missing_order: { en: 'The order ID is missing.', zh: '缺少订单号。' },
  too_many_orders: { en: 'A request may name at most 3 orders.', zh: '每次申请最多包含3个订单。' },
  refund_limit_reached: {
    en: 'The account has already made the maximum number of refund requests (3).',
    zh: '该账号的退款申请次数已达上限（3次）。',
  },
  order_unknown: { en: 'We have no order with that ID.', zh: '未找到该订单。' },
  order_not_owned: { en: 'The order belongs to another account.', zh: '该订单不属于此账号。' },
  not_refundable_billing: {
    en: 'On-demand and postpaid products cannot be refunded.',
    zh: '按需计费和后付费产品不支持退款。',
  },
  already_refunded: { en: 'The order has already been refunded.', zh: '该订单已退款。' },
  refund_window_expired: {
    en: 'More than 5 days (120 hours) have passed since the purchase.',
    zh: '距购买已超过5天（120小时）。',
  },
  reward_deducted: {
    en: 'An ICP reward tied to the order cannot be recovered and was deducted from the refund.',
    zh: '与订单关联的备案奖励无法收回，已从退款中扣除。',
  },
  no_subscription_host: {
    en: 'The account has no active monthly or yearly cloud host.',
    zh: '该账号没有有效的包月或包年云主机。',
  },
  service_terminated: {
    en: "The account's monthly or yearly cloud hosts were terminated or expired without renewal.",
    zh: '该账号的包月或包年云主机已退订或到期未续费。',
  },
  filing_not_found: {
    en: 'We have no ICP filing for the account.',
    zh: '未找到该账号的备案记录。',
  },
  not_first_filing: { en: "The filing is not the account's first.", zh: '该备案不是首次备案。' },
  filing_incomplete: {
    en: 'The filing has not been approved by the Telecommunications Authority.',
    zh: '备案尚未获得通信管理局审核通过。',
  },
  filing_abandoned: {
    en: 'The filing was not approved within 10 days of submission and counts as abandoned.',
    zh: '备案未在提交后10天内完成，视为放弃奖励。',
  },
  recharge_below_minimum: {
    en: 'The accumulated recharge does not exceed 200.',
    zh: '累计充值金额未超过200。',
  },
  reward_already_granted: {
    en: 'The account has already received the ICP reward.',
    zh: '该账号已领取过备案奖励。',
  },
  message_too_large: {
    en: 'The message is larger than the service accepts; it was kept in quarantine for an agent.',
    zh: '邮件超过系统可接收的大小，已隔离保存，由客服专员处理。',
  },
  reply_limit_reached: {
    en: 'A limit on automatic replies was reached (to this sender or its domain in 24 hours, or to everyone in an hour); an agent answers instead.',
    zh: '自动回复次数已达上限（24小时内对该发件人或其域名，或每小时总量），将由客服专员答复。',
  },
  no_automatic_reply: {
    en: 'No automatic reply was sent: the message could not be classified and its sender is not a registered contact, or the sender could not be verified. An agent decides whether to answer.',
    zh: '未发送自动回复：邮件无法分类且发件人不是登记的联系邮箱，或无法验证发件人。由客服专员决定是否答复。',
  },
  reply_failed: {
    en: 'The reply could not be delivered; an agent will follow up.',
    zh: '回复邮件无法投递，将由客服专员跟进。',
  },
  stage_failed: {
    en: 'Processing this claim failed repeatedly (the error is in its audit trail); an agent will follow up.',
    zh: '该申请多次处理失败（错误记录在审计日志中），将由客服专员跟进。',
  },
  message_unparseable: {
    en: 'The message could not be read as an email; it was kept in quarantine for an agent.',
    zh: '无法解析该邮件，已隔离保存，由客服专员处理。',
  },
};
