import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/assess/types.ts';
import type { ReasonCode } from '../../../src/domain/reasons.ts';
import {
  type AssessCase,
  assessClaim,
  type Expected,
  expectDecided,
  order,
  otherCo,
  paid,
  unpaid,
} from '../../support/assess-cases.ts';
import { baseRecords, type RawRecords } from '../../support/builders.ts';
import { named } from '../../support/named-rows.ts';

const STRANGER = 'someone@elsewhere.test';
/** The request most rows make: demo-shop's one order ORD-1001. */
const ONE = 'Refund, account demo-shop, order ORD-1001';

/** demo-shop's base records plus another account, `other-co`, and these orders. */
function records(orders: Record<string, unknown>[], extra: RawRecords = {}): RawRecords {
  const base = baseRecords();
  return { ...base, accounts: [...base.accounts, otherCo()], orders, ...extra };
}

/** `count` earlier refund requests of `account`, on the first days of January. */
function earlierRequests(account: string, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `R-${i + 1}`,
    account,
    at: `2026-01-0${i + 1}T10:00:00+08:00`,
    orders: [`OLD-${i + 1}`],
  }));
}

/** A refund decision that pays nothing: no amount, no currency, no orders. */
function noRefund(decision: Decision, ...reasons: ReasonCode[]): Expected {
  return { type: 'refund', ...unpaid(decision, ...reasons), orders: [] };
}

/** A refund decision that pays `amount` CNY for `orders`. */
function refundOf(
  decision: Decision,
  amount: string,
  orders: string[],
  ...reasons: ReasonCode[]
): Expected {
  return { type: 'refund', ...paid(decision, amount, ...reasons), orders };
}

/** A case with its own records. */
type RefundCase = AssessCase & { records: RawRecords };

describe('refund: required fields', () => {
  const rows: RefundCase[] = [
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
  const rows: RefundCase[] = [
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

describe('refund: per-order reasons', () => {
  /** ORD-1001 bought exactly 120 hours before the default receipt time. */
  const bought120HoursBefore = () =>
    records([order('ORD-1001', { purchased_at: '2026-02-27T09:00:00+08:00' })]);

  const rows: RefundCase[] = [
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

describe('refund: decision over the orders', () => {
  const mixed = () =>
    records([
      order('ORD-1', { amount: '100.00' }),
      order('ORD-2', { billing: 'on_demand', amount: '200.00' }),
      order('ORD-3', { amount: '45.50', billing: 'yearly' }),
      order('ORD-4', { status: 'refunded', amount: '999.00' }),
    ]);

  const rows: RefundCase[] = [
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

describe('refund: ICP reward tied to an order', () => {
  /** An ICP reward of 100.00 granted for the order; `recoverable`: it can be taken back. */
  const reward = (recoverable: boolean) => ({ icp_reward: { amount: '100.00', recoverable } });

  const rows: RefundCase[] = [
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

describe('refund: reading the order ids', () => {
  /** ORD-1, ORD-2 and ORD-3 at 1.00, 2.00 and 4.00: every sum names its orders. */
  const priced = () =>
    records([
      order('ORD-1', { amount: '1.00' }),
      order('ORD-2', { amount: '2.00' }),
      order('ORD-3', { amount: '4.00' }),
    ]);

  const separators: AssessCase[] = [
    ['commas', 'orders ORD-1, ORD-2,ORD-3'],
    ['full-width commas', 'orders ORD-1，ORD-2，ORD-3'],
    ['spaces', 'orders ORD-1 ORD-2  ORD-3'],
    ['enumeration commas', 'orders ORD-1、ORD-2、ORD-3'],
    ['semicolons', 'orders ORD-1; ORD-2;ORD-3'],
    ['full-width semicolons', 'orders ORD-1；ORD-2；ORD-3'],
  ].map(([separator, text]) => ({
    name: `reads ids separated by ${separator}`,
    claim: { subject: `Refund, account demo-shop, ${text}` },
    expected: { orders: ['ORD-1', 'ORD-2', 'ORD-3'], amount: '7.00', decision: 'approved' },
  }));

  const labels: AssessCase[] = [
    'order ORD-2',
    'order: ORD-2',
    'order：ORD-2',
    'order   ORD-2',
    'orderORD-2',
    'Order ID: ORD-2',
    'order id ORD-2',
    'orders : ORD-2',
    '订单 ORD-2',
    '订单：ORD-2',
    '订单ORD-2',
    '订单号：ORD-2',
    '订单号 ORD-2',
  ].map((text) => ({
    name: `reads the id after the label in “${text}”`,
    claim: { subject: `退款申请 账号：demo-shop ${text}` },
    expected: { type: 'refund', orders: ['ORD-2'], amount: '2.00' },
  }));

  const readings: AssessCase[] = [
    {
      name: 'reads order ids typed in full-width characters',
      claim: { subject: '退款申请 账号：demo-shop 订单号：ＯＲＤ－１，ＯＲＤ－３' },
      expected: { orders: ['ORD-1', 'ORD-3'], amount: '5.00', decision: 'approved' },
    },
    {
      name: 'reads unknown ids after a label, so they can be reported',
      claim: { subject: 'Refund, account demo-shop, order: X-77, ORD-1' },
      expected: {
        decision: 'review',
        reasons: ['order_unknown'],
        orders: ['ORD-1'],
        details: { perItem: { 'X-77': ['order_unknown'] } },
      },
    },
    {
      name: 'reads known order ids without a label, in the order written',
      claim: { subject: 'Refund for demo-shop: ORD-3 and ORD-1 please' },
      expected: { orders: ['ORD-3', 'ORD-1'], amount: '5.00', decision: 'approved' },
    },
    {
      name: 'returns the records’ spelling of an order id written in another case',
      claim: { subject: 'Refund, account demo-shop, order ord-2' },
      expected: { orders: ['ORD-2'] },
    },
    {
      name: 'stops the list at the first word after the ids',
      claim: { subject: 'Refund, account demo-shop, order ORD-1 was bought by mistake' },
      expected: { orders: ['ORD-1'], decision: 'approved' },
    },
    {
      name: 'counts an id written twice once',
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-1' },
      expected: { orders: ['ORD-1'], amount: '1.00' },
    },
    {
      name: 'reads the orders from the body when the subject has none',
      claim: { subject: 'Refund request', text: 'Account: demo-shop\nOrders: ORD-2、ORD-3\n' },
      expected: {
        ...refundOf('approved', '6.00', ['ORD-2', 'ORD-3']),
        details: { sources: { account: 'body', orders: 'body' } },
      },
    },
  ];

  it.each(named([...separators, ...labels, ...readings]))('%s', (_name, row) => {
    expectDecided(priced(), row);
  });
});
