/**
 * Every reason in plain words in Traditional Chinese, as replies give them to customers in
 * Hong Kong, Macau and Taiwan: the Simplified texts of src/domain/reasons.ts, reworded
 * rather than converted, because conversion keeps mainland words (账号 → 賬號, 发件人 →
 * 發件人, 数据 → 數據) and makes mistakes (回复本邮件 → 回複本郵件) that a customer notices.
 * A new reason code fails the build until it has its words here.
 */
import type { ReasonCode } from '../../domain/reasons.ts';

export const REASON_TEXT_HANT: Record<ReasonCode, string> = {
  auto_generated: '此郵件為系統自動寄送的郵件。',
  unclassified: '我們無法判斷您的請求類型。',
  complaint: '投訴將由客服專員處理。',
  inquiry: '諮詢將由客服專員回覆。',
  missing_account: '缺少帳號。',
  account_unknown: '查無此帳號。',
  sender_not_account_contact: '寄件人不是該帳號登記的聯絡信箱。',
  fields_outside_subject: '帳號、故障時間或故障次數未寫在郵件主旨中。',
  sender_unauthenticated: '無法驗證寄件人地址。',
  missing_fault_time: '缺少故障時間。',
  missing_occurrences: '缺少故障次數。',
  no_matching_incident: '查無與您所述時間相符、影響您資源的平臺故障紀錄。',
  late_claim: '申請已超過最後一次故障後七個工作天的期限。',
  count_mismatch: '故障次數與我們的紀錄不符。',
  already_compensated: '此故障已獲賠償。',
  excluded_cause:
    '此故障的原因不在賠償範圍內（維護作業、不可抗力、電信業者或骨幹網路故障、攻擊或使用者端原因）。',
  amount_over_review_limit: '金額超過自動賠付的上限。',
  missing_order: '缺少訂單編號。',
  too_many_orders: '每次申請最多包含 3 筆訂單。',
  refund_limit_reached: '此帳號的退款申請次數已達上限（3 次）。',
  order_unknown: '查無此訂單。',
  order_not_owned: '此訂單不屬於該帳號。',
  not_refundable_billing: '隨需計費及後付費的產品不支援退款。',
  already_refunded: '此訂單已退款。',
  refund_window_expired: '距購買已超過 5 天（120 小時）。',
  reward_deducted: '與訂單關聯的備案獎勵無法收回，已從退款中扣除。',
  no_subscription_host: '此帳號沒有有效的包月或包年雲端主機。',
  service_terminated: '此帳號的包月或包年雲端主機已退訂，或到期未續約。',
  filing_not_found: '查無此帳號的備案紀錄。',
  not_first_filing: '此備案不是首次備案。',
  filing_incomplete: '備案尚未經通信管理局審核通過。',
  filing_abandoned: '備案未在提交後 10 天內完成，視為放棄獎勵。',
  recharge_below_minimum: '累計儲值金額未超過 200。',
  reward_already_granted: '此帳號已領取過備案獎勵。',
  message_too_large: '郵件超過系統可接收的大小，已隔離保存，由客服專員處理。',
  reply_limit_reached:
    '自動回覆次數已達上限（24 小時內對該寄件人或其網域，或每小時的總量），將由客服專員回覆。',
  no_automatic_reply:
    '未寄送自動回覆：郵件無法分類且寄件人不是登記的聯絡信箱，或無法驗證寄件人。由客服專員決定是否回覆。',
  reply_failed: '回覆郵件無法送達，將由客服專員後續處理。',
  stage_failed: '此申請多次處理失敗（錯誤已記錄在稽核紀錄中），將由客服專員後續處理。',
  message_unparseable: '無法解析此郵件，已隔離保存，由客服專員處理。',
};
