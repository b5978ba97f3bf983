/**
 * An approved assessment, as settlement pays it: the decision is approved and the account,
 * amount and currency are there. Settlement checks this once, with the guard, where it relies
 * on it, instead of asserting each field non-null where it is read.
 */
import type { Assessment } from './types.ts';

export type ApprovedAssessment = Assessment & {
  decision: 'approved';
  account: string;
  amount: string;
  currency: string;
};

/**
 * True when `a` is approved with its account, amount and currency. Checked as strings, not
 * only against null: a stored assessment is JSON read back, where a field may be absent.
 */
export function isApprovedAssessment<A extends Assessment>(a: A): a is A & ApprovedAssessment {
  return (
    a.decision === 'approved' &&
    typeof a.account === 'string' &&
    typeof a.amount === 'string' &&
    typeof a.currency === 'string'
  );
}
