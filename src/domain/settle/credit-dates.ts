/**
 * The ICP reward's dates (docs/decisions-and-replies.md, "Settlement and replies": a credit due within a
 * week and valid one year), both counted from the claim's receipt, so settling again gives
 * the same dates.
 */
import { DAY_MS } from '../time.ts';

/** Days from receipt within which the ICP reward must be credited. */
export const ICP_CREDIT_WITHIN_DAYS = 7;

/** When the ICP reward is due: ICP_CREDIT_WITHIN_DAYS × 24 hours after receipt. */
export function icpRewardCreditBy(receivedAt: Date): Date {
  return new Date(receivedAt.getTime() + ICP_CREDIT_WITHIN_DAYS * DAY_MS);
}

/**
 * The ICP reward's end of validity: the same UTC instant one year after receipt (29 February
 * becomes 1 March when the next year has none). The reply's "valid until" date is computed the
 * same way (src/reply/render/template-format.ts `oneYearAfter`).
 */
export function icpRewardValidUntil(receivedAt: Date): Date {
  const d = new Date(receivedAt.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d;
}
