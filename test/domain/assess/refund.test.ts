/**
 * Refund rules: the required fields, the limits per request and per account, the decision
 * over several orders, and the policy's overrides of the limits. Per-order reasons and the
 * ICP reward deduction are in refund-order-reasons.test.ts, reading the order ids in
 * refund-order-ids.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  assessClaim,
  type CaseWithRecords,
  expectDecided,
  order,
  STRANGER,
} from '../../support/assess-cases.ts';
import { named } from '../../support/named-rows.ts';
import { noRefund, ONE, records, refundOf } from './refund-support.ts';

/** `count` earlier refund requests of `account`, on the first days of January. */
function earlierRequests(account: string, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `R-${i + 1}`,
    account,
    at: `2026-01-0${i + 1}T10:00:00+08:00`,
    orders: [`OLD-${i + 1}`],
  }));
}

describe('refund: required fields', () => {
  const rows: CaseWithRecords[] = [
    {
      name: 'needs info when the account is missing',
      records: records([order('ORD-1001')]),
      claim: { subject: 'Refund request, order ORD-1001' },
      expected: { ...noRefund('needs_info', 'missing_account'), account: null },
    },
    {
      name: 'needs info when the order ids are missing',
      records: records([order('ORD-1001')]),
      claim: { subject: 'Refund request, account demo-shop' },
      expected: { ...noRefund('needs_info', 'missing_order'), account: 'demo-shop' },
    },
    {
      name: 'needs info with both reasons when both the account and the orders are missing',
      records: records([order('ORD-1001')]),
      claim: { subject: 'Please refund my purchase' },
      expected: noRefund('needs_info', 'missing_account', 'missing_order'),
    },
    {
      name: 'rejects an unknown account with account_unknown only, whatever the orders',
      records: records([order('ORD-1001', { billing: 'on_demand' })]),
      claim: { subject: 'Refund, account: ghost-77, orders ORD-1001, ORD-404, ORD-405, ORD-406' },
      expected: { ...noRefund('rejected', 'account_unknown'), account: 'ghost-77' },
    },
    {
      name: 'sends a known account’s refund from a stranger to review, never deciding it',
      records: records([order('ORD-1001')]),
      claim: { subject: ONE, from: STRANGER },
      expected: refundOf('review', '300.00', ['ORD-1001'], 'sender_not_account_contact'),
    },
    {
      name: 'sends a stranger’s refund to review even when it would be rejected',
      records: records([order('ORD-1001', { billing: 'postpaid' })]),
      claim: { subject: ONE, from: STRANGER },
      expected: {
        decision: 'review',
        reasons: ['sender_not_account_contact', 'not_refundable_billing'],
        orders: [],
        amount: null,
      },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});

describe('refund: limits per request and per account', () => {
  const rows: CaseWithRecords[] = [
    {
      name: 'rejects more than 3 orders in one request with too_many_orders',
      records: records(['ORD-1', 'ORD-2', 'ORD-3', 'ORD-4'].map((id) => order(id))),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4' },
      expected: noRefund('rejected', 'too_many_orders'),
    },
    {
      name: 'accepts exactly 3 orders in one request',
      records: records(['ORD-1', 'ORD-2', 'ORD-3'].map((id) => order(id))),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3' },
      expected: refundOf('approved', '900.00', ['ORD-1', 'ORD-2', 'ORD-3']),
    },
    {
      name: 'rejects a request when the account already made 3 refund requests',
      records: records([order('ORD-1001')], { refunds: earlierRequests('demo-shop', 3) }),
      claim: { subject: ONE },
      expected: noRefund('rejected', 'refund_limit_reached'),
    },
    {
      name: 'allows a request when the account made only 2 refund requests before',
      records: records([order('ORD-1001')], { refunds: earlierRequests('demo-shop', 2) }),
      claim: { subject: ONE },
      expected: { decision: 'approved', reasons: [] },
    },
    {
      name: 'does not count another account’s refund requests against this one',
      records: records([order('ORD-1001')], { refunds: earlierRequests('other-co', 3) }),
      claim: { subject: ONE },
      expected: { decision: 'approved' },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});

describe('refund: decision over the orders', () => {
  const mixed = () =>
    records([
      order('ORD-1', { amount: '100.00' }),
      order('ORD-2', { billing: 'on_demand', amount: '200.00' }),
      order('ORD-3', { amount: '45.50', billing: 'yearly' }),
      order('ORD-4', { status: 'refunded', amount: '999.00' }),
    ]);

  const rows: CaseWithRecords[] = [
    {
      name: 'approves with the full amount of every order when all are eligible',
      records: records([order('ORD-1', { amount: '100.00' }), order('ORD-3', { amount: '45.50' })]),
      claim: { subject: 'Refund, account demo-shop, orders ORD-3, ORD-1' },
      expected: refundOf('approved', '145.50', ['ORD-3', 'ORD-1']),
    },
    {
      name: 'rejects with every per-order reason when no order is eligible',
      records: mixed(),
      claim: { subject: 'Refund, account demo-shop, orders ORD-2, ORD-4, ORD-404' },
      expected: {
        ...noRefund('rejected', 'order_unknown', 'not_refundable_billing', 'already_refunded'),
        details: {
          perItem: {
            'ORD-2': ['not_refundable_billing'],
            'ORD-4': ['already_refunded'],
            'ORD-404': ['order_unknown'],
          },
        },
      },
    },
    {
      name: 'sends a partly eligible request to review with the eligible orders, in request order, and their amount',
      records: mixed(),
      claim: { subject: 'Refund, account demo-shop, orders ORD-3, ORD-2, ORD-1' },
      expected: refundOf('review', '145.50', ['ORD-3', 'ORD-1'], 'not_refundable_billing'),
    },
    {
      name: 'rejects a request over the order limit even when some orders are eligible',
      records: mixed(),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4' },
      expected: noRefund(
        'rejected',
        'too_many_orders',
        'not_refundable_billing',
        'already_refunded',
      ),
    },
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});

describe('refund: policy overrides', () => {
  it('uses refund_window_hours from the policy', () => {
    const raw = records([order('ORD-1', { purchased_at: '2026-03-03T09:00:00+08:00' })]);
    const subject = 'Refund, account demo-shop, order ORD-1';
    const inTime = assessClaim(raw, { subject, policy: { refund_window_hours: 24 } });
    expect(inTime.decision).toBe('approved');
    const late = assessClaim(raw, { subject, policy: { refund_window_hours: 23 } });
    expect(late.decision).toBe('rejected');
    expect(late.reasons).toEqual(['refund_window_expired']);
  });

  it('uses refund_max_orders from the policy', () => {
    const raw = records([order('ORD-1'), order('ORD-2')]);
    const a = assessClaim(raw, {
      subject: 'Refund, account demo-shop, orders ORD-1, ORD-2',
      policy: { refund_max_orders: 1 },
    });
    expect(a.decision).toBe('rejected');
    expect(a.reasons).toEqual(['too_many_orders']);
  });

  it('uses refund_max_requests from the policy', () => {
    const raw = records([order('ORD-1')], { refunds: earlierRequests('demo-shop', 1) });
    const subject = 'Refund, account demo-shop, order ORD-1';
    expect(assessClaim(raw, { subject }).decision).toBe('approved');
    const a = assessClaim(raw, { subject, policy: { refund_max_requests: 1 } });
    expect(a.decision).toBe('rejected');
    expect(a.reasons).toEqual(['refund_limit_reached']);
  });
});
