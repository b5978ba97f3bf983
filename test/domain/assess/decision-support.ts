/**
 * The world of the decision-order tests: demo-shop with one incident, one refundable and one
 * on-demand order and a good ICP filing, so that a claim of each type meets every rule until
 * a case changes one thing; a claim of each type; and a decision as the fields it fixes.
 */
import type { Decision } from '../../../src/domain/assess/types.ts';
import type { ClaimType } from '../../../src/domain/extract/classify.ts';
import type { ReasonCode } from '../../../src/domain/reasons.ts';
import { type AssessCase, type Expected, expectDecided } from '../../support/assess-cases.ts';
import { baseRecords, incident, type RawRecords } from '../../support/builders.ts';

/**
 * demo-shop with: INC-1, a one-hour platform outage on its ECS host (200.00 at 48.00/day
 * × 100); a refundable order ORD-1 (300.00) and an on-demand one ORD-2; a first-time
 * ICP filing approved in 5 days. `change` edits them for one case.
 */
export function records(
  change: (raw: Required<RawRecords>) => void = () => {},
): Required<RawRecords> {
  const raw = {
    ...baseRecords(),
    incidents: [incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00')],
    orders: [
      {
        id: 'ORD-1',
        account: 'demo-shop',
        product: 'ECS',
        billing: 'monthly',
        amount: '300.00',
        purchased_at: '2026-03-02T09:00:00+08:00',
        status: 'paid',
      },
      {
        id: 'ORD-2',
        account: 'demo-shop',
        product: 'ECS',
        billing: 'on_demand',
        amount: '12.00',
        purchased_at: '2026-03-02T09:00:00+08:00',
        status: 'paid',
      },
    ],
    icpFilings: [
      {
        account: 'demo-shop',
        submitted_at: '2026-02-20T10:00:00+08:00',
        approved_at: '2026-02-25T10:00:00+08:00',
        first_time: true,
        status: 'approved',
      },
    ],
  };
  change(raw);
  return raw;
}

/** One complete claim of each type, from demo-shop's contact. */
export const COMPENSATION =
  'Compensation claim, account demo-shop, fault 2026-03-02 14:05, occurrences: 1';
export const REFUND = 'Refund request, account demo-shop, order ORD-1';
export const ICP = 'ICP reward, account demo-shop';
export const COMPLAINT = 'Complaint about support, account demo-shop';
export const INQUIRY = 'Question about billing, account demo-shop';

/** A decision on a claim of `type` that pays what that type pays here: INC-1, ORD-1, the reward. */
export function pays(
  type: 'compensation' | 'refund' | 'icp_reward',
  decision: Decision,
  ...reasons: ReasonCode[]
): Expected {
  const paid: Record<typeof type, Expected> = {
    compensation: { amount: '200.00', orders: [], incidents: ['INC-1'] },
    refund: { amount: '300.00', orders: ['ORD-1'], incidents: [] },
    icp_reward: { amount: '100.00', orders: [], incidents: [] },
  };
  return { type, decision, reasons, ...paid[type] };
}

/** A decision on a claim of `type` that pays nothing and names no order or incident. */
export function paysNothing(
  type: ClaimType,
  decision: Decision,
  ...reasons: ReasonCode[]
): Expected {
  return { type, decision, reasons, amount: null, orders: [], incidents: [] };
}

/** A case on `records()`, or on `records` where it needs other ones. */
export type DecisionCase = AssessCase & { records?: RawRecords };

/** Assesses the row on its records, or on `records()`, and expects the fields it names. */
export function expectCase(row: DecisionCase): void {
  expectDecided(row.records ?? records(), row);
}
