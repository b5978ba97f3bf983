import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../../src/domain/assess/types.ts';
import { baseRecords, contextOf, type RawRecords, run } from '../../support/builders.ts';

/** The default receipt time of `run`. */
const RECEIVED = '2026-03-04T09:00:00+08:00';
/** Two days before RECEIVED: well inside the 120-hour window. */
const RECENT = '2026-03-02T09:00:00+08:00';

/** A paid monthly order of demo-shop bought two days before the claim arrives. */
function order(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    account: 'demo-shop',
    product: 'ECS monthly',
    billing: 'monthly',
    amount: '300.00',
    purchased_at: RECENT,
    status: 'paid',
    ...extra,
  };
}

/** demo-shop's base records plus another account, `other-co`, and these orders. */
function records(orders: Record<string, unknown>[], extra: RawRecords = {}): RawRecords {
  const base = baseRecords();
  return {
    ...base,
    accounts: [
      ...base.accounts,
      {
        id: 'other-co',
        emails: ['ops@other-co.test'],
        vip: false,
        currency: 'CNY',
        accumulated_recharge: '0',
        icp_rewarded: false,
      },
    ],
    orders,
    ...extra,
  };
}

/** A refund email from demo-shop's contact. */
function refund(
  raw: RawRecords,
  subject: string,
  options: {
    text?: string;
    from?: string;
    received?: string;
    policy?: Record<string, unknown>;
  } = {},
): Assessment {
  const ctx = contextOf(raw, options.policy ? { policy: options.policy } : {});
  return run(
    ctx,
    {
      subject,
      text: options.text ?? '',
      ...(options.from === undefined ? {} : { from: options.from }),
    },
    options.received ?? RECEIVED,
  );
}

/** The fields a refund test checks, in one object so a failure shows all of them. */
function summary(a: Assessment) {
  return {
    type: a.type,
    decision: a.decision,
    reasons: a.reasons,
    amount: a.amount,
    currency: a.currency,
    orders: a.orders,
  };
}

describe('refund: required fields', () => {
  it('needs info when the account is missing', () => {
    const a = refund(records([order('ORD-1001')]), 'Refund request, order ORD-1001');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'needs_info',
      reasons: ['missing_account'],
      amount: null,
      currency: null,
      orders: [],
    });
    expect(a.account).toBeNull();
  });

  it('needs info when the order ids are missing', () => {
    const a = refund(records([order('ORD-1001')]), 'Refund request, account demo-shop');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'needs_info',
      reasons: ['missing_order'],
      amount: null,
      currency: null,
      orders: [],
    });
    expect(a.account).toBe('demo-shop');
  });

  it('needs info with both reasons when both the account and the orders are missing', () => {
    const a = refund(records([order('ORD-1001')]), 'Please refund my purchase');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'needs_info',
      reasons: ['missing_account', 'missing_order'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('rejects an unknown account with account_unknown only, whatever the orders', () => {
    const a = refund(
      records([order('ORD-1001', { billing: 'on_demand' })]),
      'Refund, account: ghost-77, orders ORD-1001, ORD-404, ORD-405, ORD-406',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['account_unknown'],
      amount: null,
      currency: null,
      orders: [],
    });
    expect(a.account).toBe('ghost-77');
  });

  it('sends a known account’s refund from a stranger to review, never deciding it', () => {
    const a = refund(records([order('ORD-1001')]), 'Refund, account demo-shop, order ORD-1001', {
      from: 'someone@elsewhere.test',
    });
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'review',
      reasons: ['sender_not_account_contact'],
      amount: '300.00',
      currency: 'CNY',
      orders: ['ORD-1001'],
    });
  });

  it('sends a stranger’s refund to review even when it would be rejected', () => {
    const a = refund(
      records([order('ORD-1001', { billing: 'postpaid' })]),
      'Refund, account demo-shop, order ORD-1001',
      { from: 'someone@elsewhere.test' },
    );
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual(['sender_not_account_contact', 'not_refundable_billing']);
    expect(a.orders).toEqual([]);
    expect(a.amount).toBeNull();
  });
});

describe('refund: limits per request and per account', () => {
  it('rejects more than 3 orders in one request with too_many_orders', () => {
    const orders = ['ORD-1', 'ORD-2', 'ORD-3', 'ORD-4'].map((id) => order(id));
    const a = refund(
      records(orders),
      'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['too_many_orders'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('accepts exactly 3 orders in one request', () => {
    const orders = ['ORD-1', 'ORD-2', 'ORD-3'].map((id) => order(id));
    const a = refund(records(orders), 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: [],
      amount: '900.00',
      currency: 'CNY',
      orders: ['ORD-1', 'ORD-2', 'ORD-3'],
    });
  });

  it('rejects a request when the account already made 3 refund requests', () => {
    const earlier = [1, 2, 3].map((n) => ({
      id: `R-${n}`,
      account: 'demo-shop',
      at: `2026-01-0${n}T10:00:00+08:00`,
      orders: [`OLD-${n}`],
    }));
    const a = refund(
      records([order('ORD-1001')], { refunds: earlier }),
      'Refund, account demo-shop, order ORD-1001',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['refund_limit_reached'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('allows a request when the account made only 2 refund requests before', () => {
    const earlier = [1, 2].map((n) => ({
      id: `R-${n}`,
      account: 'demo-shop',
      at: `2026-01-0${n}T10:00:00+08:00`,
      orders: [`OLD-${n}`],
    }));
    const a = refund(
      records([order('ORD-1001')], { refunds: earlier }),
      'Refund, account demo-shop, order ORD-1001',
    );
    expect(a.decision).toBe('approved');
    expect(a.reasons).toEqual([]);
  });

  it('does not count another account’s refund requests against this one', () => {
    const earlier = [1, 2, 3].map((n) => ({
      id: `R-${n}`,
      account: 'other-co',
      at: `2026-01-0${n}T10:00:00+08:00`,
      orders: [`OLD-${n}`],
    }));
    const a = refund(
      records([order('ORD-1001')], { refunds: earlier }),
      'Refund, account demo-shop, order ORD-1001',
    );
    expect(a.decision).toBe('approved');
  });
});

describe('refund: per-order reasons', () => {
  it('rejects an order the records do not know with order_unknown', () => {
    const a = refund(records([order('ORD-1001')]), 'Refund, account demo-shop, order ORD-9999');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['order_unknown'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('rejects an order of another account with order_not_owned', () => {
    const a = refund(
      records([order('ORD-2001', { account: 'other-co' })]),
      'Refund, account demo-shop, order ORD-2001',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['order_not_owned'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it.each(['on_demand', 'postpaid'])(
    'rejects a %s order with not_refundable_billing',
    (billing) => {
      const a = refund(
        records([order('ORD-1001', { billing })]),
        'Refund, account demo-shop, order ORD-1001',
      );
      expect(summary(a)).toEqual({
        type: 'refund',
        decision: 'rejected',
        reasons: ['not_refundable_billing'],
        amount: null,
        currency: null,
        orders: [],
      });
    },
  );

  it.each(['hourly_package', 'monthly', 'yearly'])('refunds a %s order', (billing) => {
    const a = refund(
      records([order('ORD-1001', { billing, amount: '88.80' })]),
      'Refund, account demo-shop, order ORD-1001',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: [],
      amount: '88.80',
      currency: 'CNY',
      orders: ['ORD-1001'],
    });
  });

  it('rejects an order whose status is refunded with already_refunded', () => {
    const a = refund(
      records([order('ORD-1001', { status: 'refunded' })]),
      'Refund, account demo-shop, order ORD-1001',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['already_refunded'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('rejects an order named by an earlier refund request with already_refunded', () => {
    const a = refund(
      records([order('ORD-1001')], {
        refunds: [
          {
            id: 'R-1',
            account: 'demo-shop',
            at: '2026-03-03T10:00:00+08:00',
            orders: ['ORD-1001'],
          },
        ],
      }),
      'Refund, account demo-shop, order ORD-1001',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['already_refunded'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('refunds an order received exactly 120 hours after its purchase', () => {
    const a = refund(
      records([order('ORD-1001', { purchased_at: '2026-02-27T09:00:00+08:00' })]),
      'Refund, account demo-shop, order ORD-1001',
      { received: '2026-03-04T09:00:00.000+08:00' },
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: [],
      amount: '300.00',
      currency: 'CNY',
      orders: ['ORD-1001'],
    });
  });

  it('rejects an order received 120 hours and 1 ms after its purchase with refund_window_expired', () => {
    const a = refund(
      records([order('ORD-1001', { purchased_at: '2026-02-27T09:00:00+08:00' })]),
      'Refund, account demo-shop, order ORD-1001',
      { received: '2026-03-04T09:00:00.001+08:00' },
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['refund_window_expired'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('measures the window from the purchase instant whatever the zones of the times', () => {
    // 2026-02-27T01:00Z is 09:00 in Shanghai: exactly 120 hours before the receipt.
    const a = refund(
      records([order('ORD-1001', { purchased_at: '2026-02-27T01:00:00Z' })]),
      'Refund, account demo-shop, order ORD-1001',
      { received: '2026-03-04T01:00:00Z' },
    );
    expect(a.decision).toBe('approved');
  });

  it('reports every problem of one order together', () => {
    // The account's own order: another account's gets order_not_owned alone (DESIGN v1.1).
    const a = refund(
      records([
        order('ORD-2001', {
          billing: 'on_demand',
          status: 'refunded',
          purchased_at: '2026-01-01T09:00:00+08:00',
        }),
      ]),
      'Refund, account demo-shop, order ORD-2001',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['not_refundable_billing', 'already_refunded', 'refund_window_expired'],
      amount: null,
      currency: null,
      orders: [],
    });
    expect(a.details.perItem['ORD-2001']).toEqual([
      'not_refundable_billing',
      'already_refunded',
      'refund_window_expired',
    ]);
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

  it('approves with the full amount of every order when all are eligible', () => {
    const a = refund(
      records([order('ORD-1', { amount: '100.00' }), order('ORD-3', { amount: '45.50' })]),
      'Refund, account demo-shop, orders ORD-3, ORD-1',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: [],
      amount: '145.50',
      currency: 'CNY',
      orders: ['ORD-3', 'ORD-1'],
    });
  });

  it('rejects with every per-order reason when no order is eligible', () => {
    const a = refund(mixed(), 'Refund, account demo-shop, orders ORD-2, ORD-4, ORD-404');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['order_unknown', 'not_refundable_billing', 'already_refunded'],
      amount: null,
      currency: null,
      orders: [],
    });
    expect(a.details.perItem).toEqual({
      'ORD-2': ['not_refundable_billing'],
      'ORD-4': ['already_refunded'],
      'ORD-404': ['order_unknown'],
    });
  });

  it('sends a partly eligible request to review with the eligible orders, in request order, and their amount', () => {
    const a = refund(mixed(), 'Refund, account demo-shop, orders ORD-3, ORD-2, ORD-1');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'review',
      reasons: ['not_refundable_billing'],
      amount: '145.50',
      currency: 'CNY',
      orders: ['ORD-3', 'ORD-1'],
    });
  });

  it('rejects a request over the order limit even when some orders are eligible', () => {
    const a = refund(mixed(), 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4');
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['too_many_orders', 'not_refundable_billing', 'already_refunded'],
      amount: null,
      currency: null,
      orders: [],
    });
  });
});

describe('refund: ICP reward tied to an order', () => {
  it('deducts an ICP reward that cannot be recovered, with reward_deducted', () => {
    const a = refund(
      records([order('ORD-1', { icp_reward: { amount: '100.00', recoverable: false } })]),
      'Refund, account demo-shop, order ORD-1',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: ['reward_deducted'],
      amount: '200.00',
      currency: 'CNY',
      orders: ['ORD-1'],
    });
  });

  it('does not deduct an ICP reward that can be recovered', () => {
    const a = refund(
      records([order('ORD-1', { icp_reward: { amount: '100.00', recoverable: true } })]),
      'Refund, account demo-shop, order ORD-1',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: [],
      amount: '300.00',
      currency: 'CNY',
      orders: ['ORD-1'],
    });
  });

  it('never lets the deduction take the amount below zero', () => {
    const a = refund(
      records([
        order('ORD-1', { amount: '60.00', icp_reward: { amount: '100.00', recoverable: false } }),
      ]),
      'Refund, account demo-shop, order ORD-1',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: ['reward_deducted'],
      amount: '0.00',
      currency: 'CNY',
      orders: ['ORD-1'],
    });
  });

  it('deducts only rewards tied to the eligible orders', () => {
    const a = refund(
      records([
        order('ORD-1', { amount: '300.00' }),
        order('ORD-2', {
          billing: 'postpaid',
          icp_reward: { amount: '100.00', recoverable: false },
        }),
      ]),
      'Refund, account demo-shop, orders ORD-1, ORD-2',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'review',
      reasons: ['not_refundable_billing'],
      amount: '300.00',
      currency: 'CNY',
      orders: ['ORD-1'],
    });
  });

  it('keeps reward_deducted as information next to a review reason', () => {
    const a = refund(
      records([
        order('ORD-1', { amount: '300.00', icp_reward: { amount: '100.00', recoverable: false } }),
        order('ORD-2', { status: 'refunded' }),
      ]),
      'Refund, account demo-shop, orders ORD-1, ORD-2',
    );
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'review',
      reasons: ['already_refunded', 'reward_deducted'],
      amount: '200.00',
      currency: 'CNY',
      orders: ['ORD-1'],
    });
  });
});

describe('refund: policy overrides', () => {
  it('uses refund_window_hours from the policy', () => {
    const raw = records([order('ORD-1', { purchased_at: '2026-03-03T09:00:00+08:00' })]);
    const subject = 'Refund, account demo-shop, order ORD-1';
    expect(refund(raw, subject, { policy: { refund_window_hours: 24 } }).decision).toBe('approved');
    const late = refund(raw, subject, {
      policy: { refund_window_hours: 23 },
    });
    expect(late.decision).toBe('rejected');
    expect(late.reasons).toEqual(['refund_window_expired']);
  });

  it('uses refund_max_orders from the policy', () => {
    const raw = records([order('ORD-1'), order('ORD-2')]);
    const a = refund(raw, 'Refund, account demo-shop, orders ORD-1, ORD-2', {
      policy: { refund_max_orders: 1 },
    });
    expect(a.decision).toBe('rejected');
    expect(a.reasons).toEqual(['too_many_orders']);
  });

  it('uses refund_max_requests from the policy', () => {
    const raw = records([order('ORD-1')], {
      refunds: [
        { id: 'R-1', account: 'demo-shop', at: '2026-01-01T10:00:00+08:00', orders: ['OLD-1'] },
      ],
    });
    const subject = 'Refund, account demo-shop, order ORD-1';
    expect(refund(raw, subject).decision).toBe('approved');
    const a = refund(raw, subject, { policy: { refund_max_requests: 1 } });
    expect(a.decision).toBe('rejected');
    expect(a.reasons).toEqual(['refund_limit_reached']);
  });
});

describe('refund: reading the order ids', () => {
  const four = () =>
    records([
      order('ORD-1', { amount: '1.00' }),
      order('ORD-2', { amount: '2.00' }),
      order('ORD-3', { amount: '4.00' }),
    ]);

  it.each([
    ['commas', 'orders ORD-1, ORD-2,ORD-3'],
    ['full-width commas', 'orders ORD-1，ORD-2，ORD-3'],
    ['spaces', 'orders ORD-1 ORD-2  ORD-3'],
    ['enumeration commas', 'orders ORD-1、ORD-2、ORD-3'],
    ['semicolons', 'orders ORD-1; ORD-2;ORD-3'],
    ['full-width semicolons', 'orders ORD-1；ORD-2；ORD-3'],
  ])('reads ids separated by %s', (_name, text) => {
    const a = refund(four(), `Refund, account demo-shop, ${text}`);
    expect(a.orders).toEqual(['ORD-1', 'ORD-2', 'ORD-3']);
    expect(a.amount).toBe('7.00');
    expect(a.decision).toBe('approved');
  });

  it.each([
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
  ])('reads the id after the label in “%s”', (text) => {
    const a = refund(four(), `退款申请 账号：demo-shop ${text}`);
    expect(a.type).toBe('refund');
    expect(a.orders).toEqual(['ORD-2']);
    expect(a.amount).toBe('2.00');
  });

  it('reads order ids typed in full-width characters', () => {
    const a = refund(four(), '退款申请 账号：demo-shop 订单号：ＯＲＤ－１，ＯＲＤ－３');
    expect(a.orders).toEqual(['ORD-1', 'ORD-3']);
    expect(a.amount).toBe('5.00');
    expect(a.decision).toBe('approved');
  });

  it('reads unknown ids after a label, so they can be reported', () => {
    const a = refund(four(), 'Refund, account demo-shop, order: X-77, ORD-1');
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual(['order_unknown']);
    expect(a.orders).toEqual(['ORD-1']);
    expect(a.details.perItem).toEqual({ 'X-77': ['order_unknown'] });
  });

  it('reads known order ids without a label, in the order written', () => {
    const a = refund(four(), 'Refund for demo-shop: ORD-3 and ORD-1 please');
    expect(a.orders).toEqual(['ORD-3', 'ORD-1']);
    expect(a.amount).toBe('5.00');
    expect(a.decision).toBe('approved');
  });

  it('returns the records’ spelling of an order id written in another case', () => {
    const a = refund(four(), 'Refund, account demo-shop, order ord-2');
    expect(a.orders).toEqual(['ORD-2']);
  });

  it('stops the list at the first word after the ids', () => {
    const a = refund(four(), 'Refund, account demo-shop, order ORD-1 was bought by mistake');
    expect(a.orders).toEqual(['ORD-1']);
    expect(a.decision).toBe('approved');
  });

  it('counts an id written twice once', () => {
    const a = refund(four(), 'Refund, account demo-shop, orders ORD-1, ORD-1');
    expect(a.orders).toEqual(['ORD-1']);
    expect(a.amount).toBe('1.00');
  });

  it('reads the orders from the body when the subject has none', () => {
    const a = refund(four(), 'Refund request', {
      text: 'Account: demo-shop\nOrders: ORD-2、ORD-3\n',
    });
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: [],
      amount: '6.00',
      currency: 'CNY',
      orders: ['ORD-2', 'ORD-3'],
    });
    expect(a.details.sources).toEqual({ account: 'body', orders: 'body' });
  });
});
