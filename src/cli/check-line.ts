/** What `check` and `check --replay` share: the contract's output line and usage errors. */
import type { Assessment } from '../domain/assess/types.ts';
import { databaseFailureLine, readDatabaseUrl } from './database-url.ts';

/** A wrong command line: one line on stderr, exit 2. */
export class UsageError extends Error {}

/** DATABASE_URL, or a UsageError with the one line saying what is wrong with it. */
export function databaseUrlForUsage(): string {
  try {
    return readDatabaseUrl();
  } catch (error) {
    throw new UsageError(databaseFailureLine(error, '') ?? String(error));
  }
}

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
