/**
 * Refund rules per order: the reasons one order can fail for (unknown, not owned, billing,
 * already refunded, the 120-hour window), and the ICP reward tied to an order that the
 * refund deducts.
 */
import { describe, it } from 'vitest';
import { type CaseWithRecords, expectDecided, order } from '../../support/assess-cases.ts';
import { named } from '../../support/named-rows.ts';
import { noRefund, ONE, records, refundOf } from './refund-support.ts';

describe('refund: per-order reasons', () => {
  /** ORD-1001 bought exactly 120 hours before the default receipt time. */
  const bought120HoursBefore = () =>
    records([order('ORD-1001', { purchased_at: '2026-02-27T09:00:00+08:00' })]);

  const rows: CaseWithRecords[] = [
    {
      name: 'rejects an order the records do not know with order_unknown',
      records: records([order('ORD-1001')]),
      claim: { subject: 'Refund, account demo-shop, order ORD-9999' },
      expected: noRefund('rejected', 'order_unknown'),
    },
    {
      name: 'rejects an order of another account with order_not_owned',
      records: records([order('ORD-2001', { account: 'other-co' })]),
      claim: { subject: 'Refund, account demo-shop, order ORD-2001' },
      expected: noRefund('rejected', 'order_not_owned'),
    },
    ...['on_demand', 'postpaid'].map((billing) => ({
      name: `rejects a ${billing} order with not_refundable_billing`,
      records: records([order('ORD-1001', { billing })]),
      claim: { subject: ONE },
      expected: noRefund('rejected', 'not_refundable_billing'),
    })),
    ...['hourly_package', 'monthly', 'yearly'].map((billing) => ({
      name: `refunds a ${billing} order`,
      records: records([order('ORD-1001', { billing, amount: '88.80' })]),
      claim: { subject: ONE },
      expected: refundOf('approved', '88.80', ['ORD-1001']),
    })),
    {
      name: 'rejects an order whose status is refunded with already_refunded',
      records: records([order('ORD-1001', { status: 'refunded' })]),
      claim: { subject: ONE },
      expected: noRefund('rejected', 'already_refunded'),
    },
    {
      name: 'rejects an order named by an earlier refund request with already_refunded',
      records: records([order('ORD-1001')], {
        refunds: [
          {
            id: 'R-1',
            account: 'demo-shop',
            at: '2026-03-03T10:00:00+08:00',
            orders: ['ORD-1001'],
          },
        ],
      }),
      claim: { subject: ONE },
      expected: noRefund('rejected', 'already_refunded'),
    },
    {
      name: 'refunds an order received exactly 120 hours after its purchase',
      records: bought120HoursBefore(),
      claim: { subject: ONE, received: '2026-03-04T09:00:00.000+08:00' },
      expected: refundOf('approved', '300.00', ['ORD-1001']),
    },
    {
      name: 'rejects an order received 120 hours and 1 ms after its purchase with refund_window_expired',
      records: bought120HoursBefore(),
      claim: { subject: ONE, received: '2026-03-04T09:00:00.001+08:00' },
      expected: noRefund('rejected', 'refund_window_expired'),
    },
    {
      // 2026-02-27T01:00Z is 09:00 in Shanghai: exactly 120 hours before the receipt.
      name: 'measures the window from the purchase instant whatever the zones of the times',
      records: records([order('ORD-1001', { purchased_at: '2026-02-27T01:00:00Z' })]),
      claim: { subject: ONE, received: '2026-03-04T01:00:00Z' },
      expected: { decision: 'approved' },
    },
    {
      // The account's own order: another account's gets order_not_owned alone (DESIGN v1.1).
      name: 'reports every problem of one order together',
      records: records([
        order('ORD-2001', {
          billing: 'on_demand',
          status: 'refunded',
          purchased_at: '2026-01-01T09:00:00+08:00',
        }),
      ]),
      claim: { subject: 'Refund, account demo-shop, order ORD-2001' },
      expected: {
        ...noRefund(
          'rejected',
          'not_refundable_billing',
          'already_refunded',
          'refund_window_expired',
        ),
        details: {
          perItem: {
            'ORD-2001': ['not_refundable_billing', 'already_refunded', 'refund_window_expired'],
          },
        },
      },
    },
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});

describe('refund: ICP reward tied to an order', () => {
  /** An ICP reward of 100.00 granted for the order; `recoverable`: it can be taken back. */
  const reward = (recoverable: boolean) => ({ icp_reward: { amount: '100.00', recoverable } });

  const rows: CaseWithRecords[] = [
    {
      name: 'deducts an ICP reward that cannot be recovered, with reward_deducted',
      records: records([order('ORD-1', reward(false))]),
      claim: { subject: 'Refund, account demo-shop, order ORD-1' },
      expected: refundOf('approved', '200.00', ['ORD-1'], 'reward_deducted'),
    },
    {
      name: 'does not deduct an ICP reward that can be recovered',
      records: records([order('ORD-1', reward(true))]),
      claim: { subject: 'Refund, account demo-shop, order ORD-1' },
      expected: refundOf('approved', '300.00', ['ORD-1']),
    },
    {
      name: 'never lets the deduction take the amount below zero',
      records: records([order('ORD-1', { amount: '60.00', ...reward(false) })]),
      claim: { subject: 'Refund, account demo-shop, order ORD-1' },
      expected: refundOf('approved', '0.00', ['ORD-1'], 'reward_deducted'),
    },
    {
      name: 'deducts only rewards tied to the eligible orders',
      records: records([
        order('ORD-1', { amount: '300.00' }),
        order('ORD-2', { billing: 'postpaid', ...reward(false) }),
      ]),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-2' },
      expected: refundOf('review', '300.00', ['ORD-1'], 'not_refundable_billing'),
    },
    {
      name: 'keeps reward_deducted as information next to a review reason',
      records: records([
        order('ORD-1', { amount: '300.00', ...reward(false) }),
        order('ORD-2', { status: 'refunded' }),
      ]),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-2' },
      expected: refundOf('review', '200.00', ['ORD-1'], 'already_refunded', 'reward_deducted'),
    },
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});
