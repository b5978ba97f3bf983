/**
 * Engine tests as tables: the records builders, sender and receipt time the refund, ICP,
 * decision and settled-reading tests share, one way to assess a claim, a row's expectation
 * as the fields it names, and one test per row, so that each row states its inputs and its
 * decision and nothing else. What only one topic's files share lives next to them
 * (test/domain/assess/refund-support.ts and the like).
 */
import { expect, it } from 'vitest';
import type { Assessment, Decision } from '../../src/domain/assess/types.ts';
import type { AutoHeaders } from '../../src/domain/email.ts';
import type { ReasonCode } from '../../src/domain/reasons.ts';
import { contextOf, type RawRecords, run } from './builders.ts';
import { named } from './named-rows.ts';

/** A From address that is no account's contact. */
export const STRANGER = 'someone@elsewhere.test';

/** Received after the deadline of a fault on Monday 2 March (the end of Wednesday 11 March). */
export const LATE = '2026-03-12T09:00:00+08:00';

/** A paid monthly ECS order of demo-shop, 300.00, bought two days before the claim arrives. */
export function order(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    account: 'demo-shop',
    product: 'ECS monthly',
    billing: 'monthly',
    amount: '300.00',
    purchased_at: '2026-03-02T09:00:00+08:00',
    status: 'paid',
    ...extra,
  };
}

/** demo-shop's first-time ICP filing, approved 5 days after its submission. */
export function filing(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account: 'demo-shop',
    submitted_at: '2026-02-20T10:00:00+08:00',
    approved_at: '2026-02-25T10:00:00+08:00',
    first_time: true,
    status: 'approved',
    ...extra,
  };
}

/** Another account, other-co (CNY, nothing recharged), to own what is not demo-shop's. */
export function otherCo(): Record<string, unknown> {
  return {
    id: 'other-co',
    emails: ['ops@other-co.test'],
    vip: false,
    currency: 'CNY',
    accumulated_recharge: '0',
    icp_rewarded: false,
  };
}

/**
 * An email as a claim and how it is received: From defaults to demo-shop's contact (`null`:
 * no usable address), the body to empty, the receipt time to `run`'s, the policy to the
 * defaults, and the sender's authentication to unknown.
 */
export interface Claim {
  subject: string;
  text?: string;
  from?: string | null;
  headers?: Partial<AutoHeaders>;
  received?: string;
  authenticated?: boolean;
  policy?: Record<string, unknown>;
}

/** Assesses `claim` on `raw` (checking the record slice decides the same, as `run` does). */
export function assessClaim(raw: RawRecords, claim: Claim): Assessment {
  const { received, authenticated, policy, ...email } = claim;
  const ctx = contextOf(raw, policy ? { policy } : {});
  return run(ctx, { text: '', ...email }, received, authenticated);
}

/** What a row expects: the assessment's fields it names, and the named ones of `details`. */
export type Expected = Partial<Omit<Assessment, 'details'>> & {
  details?: Partial<Assessment['details']>;
};

/** The fields of `a` that `expected` names, to compare whole: a failure shows all of them. */
export function fieldsNamed(a: Assessment, expected: Expected): Expected {
  const { details, ...top } = expected;
  const seen: Expected = pick(a, Object.keys(top) as (keyof Assessment)[]);
  if (details)
    seen.details = pick(a.details, Object.keys(details) as (keyof Assessment['details'])[]);
  return seen;
}

function pick<T extends object, K extends keyof T>(whole: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, whole[key]])) as Pick<T, K>;
}

/** One case of a table: a title that reads as the rule, the claim and what it decides. */
export interface AssessCase {
  name: string;
  claim: Claim;
  expected: Expected;
}

/** A case with its own records. */
export type CaseWithRecords = AssessCase & { records: RawRecords };

/** One test per row, titled by its name, that assesses its claim on its own records. */
export function eachRow(rows: CaseWithRecords[]): void {
  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
}

/** Expects exactly the fields `expected` names of `a`. */
export function expectFields(a: Assessment, expected: Expected): void {
  expect(fieldsNamed(a, expected)).toEqual(expected);
}

/** Assesses the row's claim on `raw` and expects exactly the fields the row names. */
export function expectDecided(raw: RawRecords, row: AssessCase): Assessment {
  const a = assessClaim(raw, row.claim);
  expectFields(a, row.expected);
  return a;
}

/** A decision that pays nothing: no amount, so no currency. */
export function unpaid(decision: Decision, ...reasons: ReasonCode[]): Expected {
  return { decision, reasons, amount: null, currency: null };
}

/** A decision that pays `amount` in demo-shop's currency, CNY. */
export function paid(decision: Decision, amount: string, ...reasons: ReasonCode[]): Expected {
  return { decision, reasons, amount, currency: 'CNY' };
}
