import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/assess/types.ts';
import type { ClaimType } from '../../../src/domain/extract/classify.ts';
import { REASON_CODES, type ReasonCode } from '../../../src/domain/reasons.ts';
import {
  type AssessCase,
  assessClaim,
  type Expected,
  expectDecided,
} from '../../support/assess-cases.ts';
import { baseRecords, incident, type RawRecords } from '../../support/builders.ts';
import { named } from '../../support/named-rows.ts';

/** After the deadline of INC-1 (the end of 2026-03-11, 7 working days after 2026-03-02). */
const LATE = '2026-03-12T09:00:00+08:00';
const STRANGER = 'someone@elsewhere.test';

/**
 * demo-shop with: INC-1, a one-hour platform outage on its ECS host (200.00 at 48.00/day
 * × 100); a refundable order ORD-1 (300.00) and an on-demand one ORD-2; a first-time
 * ICP filing approved in 5 days. `change` edits them for one case.
 */
function records(change: (raw: Required<RawRecords>) => void = () => {}): Required<RawRecords> {
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

const COMPENSATION =
  'Compensation claim, account demo-shop, fault 2026-03-02 14:05, occurrences: 1';
const REFUND = 'Refund request, account demo-shop, order ORD-1';
const ICP = 'ICP reward, account demo-shop';
const COMPLAINT = 'Complaint about support, account demo-shop';
const INQUIRY = 'Question about billing, account demo-shop';

/** A decision on a claim of `type` that pays what that type pays here: INC-1, ORD-1, the reward. */
function pays(
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
function paysNothing(type: ClaimType, decision: Decision, ...reasons: ReasonCode[]): Expected {
  return { type, decision, reasons, amount: null, orders: [], incidents: [] };
}

/** A case on this file's world, or on `records` where it needs other ones. */
type DecisionCase = AssessCase & { records?: RawRecords };

function expectCase(row: DecisionCase): void {
  expectDecided(row.records ?? records(), row);
}

describe('the baseline: every rule passes', () => {
  const rows: DecisionCase[] = [
    {
      name: 'approves a compensation claim that meets every rule',
      claim: { subject: COMPENSATION },
      expected: pays('compensation', 'approved'),
    },
    {
      name: 'approves a refund that meets every rule',
      claim: { subject: REFUND },
      expected: pays('refund', 'approved'),
    },
    {
      name: 'approves an ICP reward that meets every rule',
      claim: { subject: ICP },
      expected: pays('icp_reward', 'approved'),
    },
  ];

  it.each(named(rows))('%s', (_name, row) => expectCase(row));
});

describe('1. auto-generated mail is ignored, before anything else', () => {
  const rows: DecisionCase[] = [
    {
      name: 'ignores an auto-reply however complete a claim it holds, with auto_generated only',
      claim: { subject: COMPENSATION, headers: { autoSubmitted: 'auto-replied' } },
      expected: {
        ...paysNothing('unknown', 'ignored', 'auto_generated'),
        account: null,
        currency: null,
      },
    },
    {
      name: 'ignores auto-generated mail that also lacks fields, comes from a stranger and is unauthenticated',
      claim: {
        subject: 'Compensation please',
        from: 'mailer-daemon@relay.test',
        authenticated: false,
        headers: { contentType: 'multipart/report', returnPath: '<>' },
      },
      expected: paysNothing('unknown', 'ignored', 'auto_generated'),
    },
    {
      name: 'ignores an auto-generated refund that would be rejected',
      claim: { subject: 'Refund, account demo-shop, order ORD-2', headers: { precedence: 'bulk' } },
      expected: { decision: 'ignored', reasons: ['auto_generated'] },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => expectCase(row));
});

describe('2. missing required fields ask for exactly what is missing', () => {
  const rows: DecisionCase[] = [
    {
      name: 'reports only the missing_* reasons, not the stranger sender nor the failed authentication',
      claim: {
        subject: 'Compensation claim, account demo-shop',
        from: STRANGER,
        authenticated: false,
      },
      expected: paysNothing(
        'compensation',
        'needs_info',
        'missing_fault_time',
        'missing_occurrences',
      ),
    },
    {
      name: 'reports the missing fields before an unknown account',
      claim: { subject: 'Compensation claim, account: ghost-1, 2026-03-02 14:05' },
      expected: { decision: 'needs_info', reasons: ['missing_occurrences'] },
    },
    {
      name: 'reports every missing field of a compensation claim',
      claim: { subject: 'Compensation claim' },
      expected: {
        decision: 'needs_info',
        reasons: ['missing_account', 'missing_fault_time', 'missing_occurrences'],
      },
    },
    {
      name: 'asks for a missing order before rejecting a refund for its late arrival',
      claim: { subject: 'Refund request, account demo-shop', received: LATE },
      expected: { decision: 'needs_info', reasons: ['missing_order'] },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => expectCase(row));
});

describe('an unknown account is rejected with account_unknown only', () => {
  const rows: DecisionCase[] = (
    [
      [
        'compensation',
        'Compensation claim, account: ghost-1, fault 2026-03-02 14:05, occurrences: 1',
      ],
      ['refund', 'Refund request, account: ghost-1, order ORD-2'],
      ['icp_reward', 'ICP reward, account: ghost-1'],
    ] as const
  ).map(([type, subject]) => ({
    name: `rejects a ${type} claim for an unknown account with account_unknown alone`,
    claim: { subject, from: STRANGER, authenticated: false },
    expected: { ...paysNothing(type, 'rejected', 'account_unknown'), account: 'ghost-1' },
  }));

  it.each(named(rows))('%s', (_name, row) => expectCase(row));
});

describe('3. a known account’s mail from a stranger goes to review, for every claim type', () => {
  const rows: DecisionCase[] = [
    {
      name: 'sends a stranger’s compensation claim to review, with the computed amount for the agent',
      claim: { subject: COMPENSATION, from: STRANGER },
      expected: pays('compensation', 'review', 'sender_not_account_contact'),
    },
    {
      name: 'sends a stranger’s refund to review',
      claim: { subject: REFUND, from: STRANGER },
      expected: pays('refund', 'review', 'sender_not_account_contact'),
    },
    {
      name: 'sends a stranger’s ICP reward claim to review',
      claim: { subject: ICP, from: STRANGER },
      expected: pays('icp_reward', 'review', 'sender_not_account_contact'),
    },
    {
      name: 'sends a stranger’s complaint to review with both reasons',
      claim: { subject: COMPLAINT, from: STRANGER },
      expected: paysNothing('complaint', 'review', 'complaint', 'sender_not_account_contact'),
    },
    {
      name: 'sends a stranger’s inquiry to review with both reasons',
      claim: { subject: INQUIRY, from: STRANGER },
      expected: { decision: 'review', reasons: ['inquiry', 'sender_not_account_contact'] },
    },
    {
      name: 'treats mail without a usable From address as a stranger’s',
      claim: { subject: COMPENSATION, from: null },
      expected: { decision: 'review', reasons: ['sender_not_account_contact'] },
    },
    {
      // A rejecting reason leaves nothing owed: no amount for the agent (DESIGN v1.1).
      name: 'sends a stranger’s claim that would be rejected to review, never rejecting it to the stranger',
      claim: { subject: COMPENSATION, from: STRANGER, received: LATE },
      expected: {
        ...paysNothing('compensation', 'review', 'sender_not_account_contact', 'late_claim'),
        incidents: ['INC-1'],
      },
    },
    {
      // Nothing is owed when a rejecting reason applies, even in review (DESIGN v1.1).
      name: 'sends a stranger’s ICP claim that fails every condition to review',
      records: records((raw) => {
        raw.icpFilings = [];
      }),
      claim: { subject: ICP, from: STRANGER },
      expected: {
        decision: 'review',
        reasons: ['sender_not_account_contact', 'filing_not_found'],
        amount: null,
      },
    },
    {
      name: 'matches the contact address whatever its case in the records',
      records: records((raw) => {
        raw.accounts = [{ ...raw.accounts[0], emails: ['IT@Demo-Shop.test'] }];
      }),
      claim: { subject: COMPENSATION },
      expected: { decision: 'approved' },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => expectCase(row));
});

describe('4. any rejecting reason rejects, even next to reasons needing review', () => {
  const rows: DecisionCase[] = [
    {
      name: 'rejects a late claim whose fault time is only in the body',
      claim: {
        subject: 'Compensation claim, account demo-shop, occurrences: 1',
        text: 'The server was down at 2026-03-02 14:05.',
        received: LATE,
      },
      expected: paysNothing('compensation', 'rejected', 'fields_outside_subject', 'late_claim'),
    },
    {
      name: 'rejects a refund over the order limit from an unauthenticated sender',
      claim: {
        subject: 'Refund request, account demo-shop, orders ORD-1, X-2, X-3, X-4',
        authenticated: false,
      },
      expected: paysNothing(
        'refund',
        'rejected',
        'sender_unauthenticated',
        'too_many_orders',
        'order_unknown',
      ),
    },
    {
      name: 'rejects a claim whose count also differs from the records',
      claim: {
        subject: 'Compensation claim, account demo-shop, fault 2026-03-02 14:05, occurrences: 3',
        received: LATE,
      },
      expected: { decision: 'rejected', reasons: ['late_claim', 'count_mismatch'] },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => expectCase(row));
});

describe('5. reasons needing review send the claim to an agent', () => {
  const rows: DecisionCase[] = [
    {
      name: 'sends a complaint to review with complaint',
      claim: { subject: COMPLAINT },
      expected: paysNothing('complaint', 'review', 'complaint'),
    },
    {
      name: 'sends an inquiry to review with inquiry',
      claim: { subject: INQUIRY },
      expected: paysNothing('inquiry', 'review', 'inquiry'),
    },
    {
      name: 'sends mail of no known type to review with unclassified',
      claim: { subject: 'Hello there', text: 'Just saying hi.' },
      expected: paysNothing('unknown', 'review', 'unclassified'),
    },
    {
      name: 'sends a complaint without any account to review with complaint only',
      claim: { subject: '投诉：客服响应太慢' },
      expected: { type: 'complaint', decision: 'review', reasons: ['complaint'], account: null },
    },
    {
      name: 'adds sender_unauthenticated for a sender that failed authentication and sends the claim to review',
      claim: { subject: COMPENSATION, authenticated: false },
      expected: pays('compensation', 'review', 'sender_unauthenticated'),
    },
    {
      name: 'adds sender_unauthenticated next to complaint',
      claim: { subject: COMPLAINT, authenticated: false },
      expected: { decision: 'review', reasons: ['complaint', 'sender_unauthenticated'] },
    },
    {
      name: 'sends a claim with fields outside the subject to review',
      claim: {
        subject: 'Compensation claim, account demo-shop',
        text: 'Fault at 2026-03-02 14:05, happened once.',
      },
      expected: pays('compensation', 'review', 'fields_outside_subject'),
    },
  ];

  it.each(named(rows))('%s', (_name, row) => expectCase(row));

  it('adds sender_unauthenticated to a refund and an ICP reward claim too', () => {
    const refund = assessClaim(records(), { subject: REFUND, authenticated: false });
    expect(refund.decision).toBe('review');
    expect(refund.reasons).toEqual(['sender_unauthenticated']);
    expect(refund.orders).toEqual(['ORD-1']);
    const icp = assessClaim(records(), { subject: ICP, authenticated: false });
    expect(icp.decision).toBe('review');
    expect(icp.reasons).toEqual(['sender_unauthenticated']);
  });

  it('approves when the sender is authenticated or its authentication cannot be known', () => {
    const authenticated = { subject: COMPENSATION, authenticated: true };
    expect(assessClaim(records(), authenticated).decision).toBe('approved');
    expect(assessClaim(records(), { subject: COMPENSATION }).decision).toBe('approved');
  });
});

describe('reported reasons: no duplicates, in contract order', () => {
  const rows: DecisionCase[] = [
    {
      name: 'reports a per-order reason shared by several orders once',
      records: records((raw) => {
        raw.orders.push({ ...raw.orders[1], id: 'ORD-3' });
      }),
      claim: { subject: 'Refund request, account demo-shop, orders ORD-2, ORD-3' },
      expected: {
        decision: 'rejected',
        reasons: ['not_refundable_billing'],
        details: {
          perItem: {
            'ORD-2': ['not_refundable_billing'],
            'ORD-3': ['not_refundable_billing'],
          },
        },
      },
    },
    {
      name: 'reports an excluded cause shared by several incidents once',
      records: records((raw) => {
        raw.incidents = [
          incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
            cause: 'maintenance',
          }),
          incident('INC-2', '2026-03-03T14:00:00+08:00', '2026-03-03T15:00:00+08:00', {
            cause: 'carrier',
          }),
        ];
      }),
      claim: {
        subject:
          'Compensation claim, account demo-shop, faults 2026-03-02 14:05 and 2026-03-03 14:05, occurrences: 2',
      },
      expected: { decision: 'rejected', reasons: ['excluded_cause'] },
    },
    {
      name: 'orders compensation reasons as the contract lists them',
      claim: {
        subject: 'Compensation claim, account demo-shop',
        text: 'Fault at 2026-03-02 14:05, 2 times.',
        from: STRANGER,
        authenticated: false,
        received: LATE,
      },
      expected: {
        decision: 'review',
        reasons: [
          'sender_not_account_contact',
          'fields_outside_subject',
          'sender_unauthenticated',
          'late_claim',
          'count_mismatch',
        ],
      },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => expectCase(row));

  it('orders reasons as the contract lists them, whatever order the rules found them in', () => {
    const raw = records((r) => {
      r.orders.push({ ...r.orders[0], id: 'ORD-9', status: 'refunded' });
    });
    const a = assessClaim(raw, {
      subject: 'Refund request, account demo-shop, orders ORD-9, X-1, ORD-2, ORD-1',
      from: STRANGER,
      authenticated: false,
    });
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual([
      'sender_not_account_contact',
      'sender_unauthenticated',
      'too_many_orders',
      'order_unknown',
      'not_refundable_billing',
      'already_refunded',
    ]);
    const ranks = a.reasons.map((r) => REASON_CODES.indexOf(r));
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(new Set(a.reasons).size).toBe(a.reasons.length);
  });
});
