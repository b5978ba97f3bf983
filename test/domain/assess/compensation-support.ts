/**
 * Shared helpers for the compensation rule tests (DESIGN.md, "Policy v1" → "Compensation").
 *
 * The base records (test/support/builders.ts) give demo-shop one ECS host in cn-north-1 at
 * 48.00 a day: one hour of an `unavailable` fault (×100) pays 48.00 × 3600 × 100 / 86400 = 200.00.
 */
import type { Assessment } from '../../../src/domain/assess/types.ts';
import { baseRecords, type RawRecords } from '../../support/builders.ts';

/** The outputs the contract exposes, for exact comparison. */
export function outputs(a: Assessment): {
  decision: Assessment['decision'];
  reasons: Assessment['reasons'];
  amount: string | null;
  currency: string | null;
  incidents: string[];
  deadline: string | null;
} {
  return {
    decision: a.decision,
    reasons: a.reasons,
    amount: a.amount,
    currency: a.currency,
    incidents: a.incidents,
    deadline: a.deadline,
  };
}

/** A well-formed claim subject: every field in the subject, as the seed asks. */
export function subjectOf(
  faultTime: string,
  count = 'occurrences: 1',
  account = 'demo-shop',
): string {
  return `Compensation claim, account: ${account}, fault time: ${faultTime}, ${count}`;
}

/** The base records with these incidents (and optionally more records of other kinds). */
export function recordsWith(
  incidents: Record<string, unknown>[],
  more: RawRecords = {},
): Required<RawRecords> {
  return { ...baseRecords(), incidents, ...more };
}

/** A second resource of demo-shop: an EVS disk in cn-north-1 at 12.00 a day. */
export function disk(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'evs-d1',
    account: 'demo-shop',
    service: 'EVS',
    region: 'cn-north-1',
    billing: 'monthly',
    daily_fee: '12.00',
    host: false,
    status: 'active',
    ...extra,
  };
}
