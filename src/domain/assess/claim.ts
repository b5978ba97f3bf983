/** The working state of one assessment, shared by the per-type rules. */

import type { Ratio } from '../money.ts';
import type { Reason, ReasonCode } from '../reasons.ts';
import type { Account } from '../records.ts';
import type { AssessInput, Assessment, EngineContext, Source } from './types.ts';

export interface Claim {
  input: AssessInput;
  ctx: EngineContext;
  subject: string;
  /** The body without quoted earlier messages, bounded in size. */
  body: string;
  /** The account when the records know it. */
  account: Account | undefined;
  /** The account id as found (known or not), or null. */
  accountId: string | null;
  /** The zone for times without one: the account's, else the policy's. */
  timeZone: string;
  /** The result being filled in. */
  result: Assessment;
}

/** What a type's rules conclude, before the decision order is applied. */
export interface Outcome {
  missing: ReasonCode[];
  reasons: Reason[];
  /** Exact amount in the account's currency, when computable. */
  amount: Ratio | null;
}

export function outcome(): Outcome {
  return { missing: [], reasons: [], amount: null };
}

/** Looks in the subject first, then the body; says where it found the value. */
export function locate<T>(
  subject: string,
  body: string,
  find: (text: string) => T | null | undefined,
): { value: T; source: Source } | null {
  const inSubject = find(subject);
  if (inSubject !== null && inSubject !== undefined) return { value: inSubject, source: 'subject' };
  const inBody = find(body);
  if (inBody !== null && inBody !== undefined) return { value: inBody, source: 'body' };
  return null;
}
