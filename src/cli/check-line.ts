/** What `check` and `check --replay` share: the contract's output line and the usage error. */
import type { Assessment } from '../domain/assess/types.ts';

/** A wrong command line: one line on stderr, exit 2. */
export class UsageError extends Error {}

/** The contract's output object, fields in the contract's order. */
export function toCheckLine(file: string, a: Assessment) {
  return {
    file,
    type: a.type,
    decision: a.decision,
    account: a.account,
    amount: a.amount,
    currency: a.currency,
    incidents: a.incidents,
    orders: a.orders,
    occurrences_claimed: a.occurrencesClaimed,
    fault_times: a.faultTimes,
    deadline: a.deadline,
    reasons: a.reasons,
  };
}
