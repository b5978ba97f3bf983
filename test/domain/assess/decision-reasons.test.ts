/**
 * The order of the decision rules, continued: 4. any rejecting reason rejects, even next to
 * reasons needing review; 5. reasons needing review send the claim to an agent; and the
 * reported reasons are listed once each, in the contract's order.
 */
import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../../src/domain/reasons.ts';
import { assessClaim, LATE, STRANGER } from '../../support/assess-cases.ts';
import { incident } from '../../support/builders.ts';
import { named } from '../../support/named-rows.ts';
import {
  COMPENSATION,
  COMPLAINT,
  type DecisionCase,
  expectCase,
  ICP,
  INQUIRY,
  pays,
  paysNothing,
  REFUND,
  records,
} from './decision-support.ts';

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
