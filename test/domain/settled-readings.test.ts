/**
 * DESIGN.md, "Settled readings (v1.1)": one describe per reading, in the document's order,
 * so each stays as settled. The last reading ("words are not numbers") has its tests in
 * test/domain/extract/issue-12-repros.test.ts.
 *
 * The world: demo-shop (contact it@demo-shop.test, CNY, one monthly ECS host at 48.00/day),
 * another account other-co, and claims received 2026-03-04 09:00 (+08:00) unless said.
 * Thirty minutes of an `unavailable` fault on the host pay 100.00, an hour 200.00.
 */
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../src/domain/assess/types.ts';
import { baseRecords, contextOf, incident, type RawRecords, run } from '../support/builders.ts';

const STRANGER = 'someone@elsewhere.test';
/** After the deadline of a fault on Monday 2 March (the end of Wednesday 11 March). */
const LATE = '2026-03-12T09:00:00+08:00';
/** Two days before the default receipt time: inside the 120-hour refund window. */
const RECENT = '2026-03-02T09:00:00+08:00';

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

function filing(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account: 'demo-shop',
    submitted_at: '2026-02-20T10:00:00+08:00',
    approved_at: '2026-02-25T10:00:00+08:00',
    first_time: true,
    status: 'approved',
    ...extra,
  };
}

/** demo-shop, other-co, one-hour faults on 27 February and 2 March 14:00, and `more`. */
function world(more: RawRecords = {}): Required<RawRecords> {
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
    incidents: [
      incident('INC-0227', '2026-02-27T14:00:00+08:00', '2026-02-27T15:00:00+08:00'),
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ],
    ...more,
  };
}

function decide(
  raw: RawRecords,
  email: { subject: string; text?: string; from?: string },
  received?: string,
): Assessment {
  return run(contextOf(raw), { text: '', ...email }, received);
}

function summary(a: Assessment) {
  return {
    decision: a.decision,
    reasons: a.reasons,
    amount: a.amount,
    currency: a.currency,
  };
}

describe('fields_outside_subject concerns compensation only', () => {
  it('a refund whose account and orders are only in the body is approved without it', () => {
    const a = decide(world({ orders: [order('ORD-1')] }), {
      subject: 'Refund request',
      text: 'Account: demo-shop\nOrder: ORD-1',
    });
    expect(summary(a)).toEqual({
      decision: 'approved',
      reasons: [],
      amount: '300.00',
      currency: 'CNY',
    });
  });

  it('an ICP reward claim whose account is only in the body is approved without it', () => {
    const a = decide(world({ icpFilings: [filing()] }), {
      subject: 'ICP reward application',
      text: 'Account: demo-shop',
    });
    expect(summary(a)).toEqual({
      decision: 'approved',
      reasons: [],
      amount: '100.00',
      currency: 'CNY',
    });
  });

  it('a compensation claim whose count is only in the body gets it (review)', () => {
    const a = decide(world(), {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05',
      text: 'It happened once.',
    });
    expect(summary(a)).toEqual({
      decision: 'review',
      reasons: ['fields_outside_subject'],
      amount: '200.00',
      currency: 'CNY',
    });
  });
});

describe('informing reasons are reported only when something is paid', () => {
  const rewarded = { icp_reward: { amount: '100.00', recoverable: false } };

  it('a request over the order limit reports too_many_orders, not reward_deducted', () => {
    const orders = [order('ORD-1', rewarded), order('ORD-2'), order('ORD-3'), order('ORD-4')];
    const a = decide(world({ orders }), {
      subject: 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4',
    });
    expect({ ...summary(a), orders: a.orders }).toEqual({
      decision: 'rejected',
      reasons: ['too_many_orders'],
      amount: null,
      currency: null,
      orders: [],
    });
  });

  it('an account at its refund limit gets refund_limit_reached, not reward_deducted', () => {
    const refunds = ['R-1', 'R-2', 'R-3'].map((id, i) => ({
      id,
      account: 'demo-shop',
      at: `2026-01-0${i + 1}T10:00:00+08:00`,
      orders: [`OLD-${i}`],
    }));
    const a = decide(world({ orders: [order('ORD-1', rewarded)], refunds }), {
      subject: 'Refund, account demo-shop, order ORD-1',
    });
    expect(summary(a)).toEqual({
      decision: 'rejected',
      reasons: ['refund_limit_reached'],
      amount: null,
      currency: null,
    });
  });

  it('a paid refund still reports reward_deducted', () => {
    const a = decide(world({ orders: [order('ORD-1', rewarded)] }), {
      subject: 'Refund, account demo-shop, order ORD-1',
    });
    expect(summary(a)).toEqual({
      decision: 'approved',
      reasons: ['reward_deducted'],
      amount: '200.00',
      currency: 'CNY',
    });
  });

  it('a late compensation claim reports late_claim, not the excluded cause of one of its incidents', () => {
    const raw = world();
    raw.incidents = [
      incident('INC-0227', '2026-02-27T14:00:00+08:00', '2026-02-27T15:00:00+08:00', {
        cause: 'maintenance',
      }),
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ];
    const subject = 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05, twice';
    expect(summary(decide(raw, { subject }))).toEqual({
      decision: 'approved',
      reasons: ['excluded_cause'],
      amount: '200.00',
      currency: 'CNY',
    });
    expect(summary(decide(raw, { subject }, LATE))).toEqual({
      decision: 'rejected',
      reasons: ['late_claim'],
      amount: null,
      currency: null,
    });
  });
});

describe('"never below zero" applies to the refund total, not per order', () => {
  it('a reward larger than its order is taken off the other order too: 60 + 300 − 100 = 260.00', () => {
    const orders = [
      order('ORD-1', { amount: '60.00', icp_reward: { amount: '100.00', recoverable: false } }),
      order('ORD-2'),
    ];
    const a = decide(world({ orders }), {
      subject: 'Refund, account demo-shop, orders ORD-1, ORD-2',
    });
    expect(summary(a)).toEqual({
      decision: 'approved',
      reasons: ['reward_deducted'],
      amount: '260.00',
      currency: 'CNY',
    });
  });

  it('the total alone stops at zero', () => {
    const orders = [
      order('ORD-1', { amount: '60.00', icp_reward: { amount: '100.00', recoverable: false } }),
    ];
    const a = decide(world({ orders }), { subject: 'Refund, account demo-shop, order ORD-1' });
    expect(a.amount).toBe('0.00');
  });
});

describe('a date-only claimed time matches every affected incident starting that local date', () => {
  const sameDay = () => {
    const raw = world();
    raw.incidents = [
      incident('INC-AM', '2026-03-02T09:00:00+08:00', '2026-03-02T09:30:00+08:00'),
      incident('INC-PM', '2026-03-02T16:00:00+08:00', '2026-03-02T17:00:00+08:00'),
    ];
    return raw;
  };

  it('its best match is the latest of them', () => {
    const a = decide(sameDay(), {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02, occurrences: 1',
    });
    expect({ ...summary(a), incidents: a.incidents, last: a.details.lastFault }).toEqual({
      decision: 'approved',
      reasons: [],
      amount: '200.00',
      currency: 'CNY',
      incidents: ['INC-PM'],
      last: 'INC-PM',
    });
  });

  it('the earlier one matches too: a count of two takes both', () => {
    const a = decide(sameDay(), {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02, twice',
    });
    expect({ ...summary(a), incidents: a.incidents }).toEqual({
      decision: 'approved',
      reasons: [],
      amount: '300.00',
      currency: 'CNY',
      incidents: ['INC-AM', 'INC-PM'],
    });
  });

  it('a day before an incident’s start date does not match it, though the incident ran into it', () => {
    const raw = world();
    raw.incidents = [incident('INC-N', '2026-03-01T23:30:00+08:00', '2026-03-02T00:30:00+08:00')];
    const a = decide(raw, {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02, once',
    });
    expect(a.reasons).toEqual(['no_matching_incident']);
  });
});

describe('an order of another account gets order_not_owned and nothing else', () => {
  /** other-co's order, postpaid, already refunded and bought long ago: every check would fail. */
  const foreign = () =>
    order('ORD-X', {
      account: 'other-co',
      billing: 'postpaid',
      status: 'refunded',
      purchased_at: '2025-01-01T09:00:00+08:00',
    });

  it('alone, it is rejected with order_not_owned only', () => {
    const a = decide(world({ orders: [foreign()] }), {
      subject: 'Refund, account demo-shop, order ORD-X',
    });
    expect({ ...summary(a), perItem: a.details.perItem, lines: a.details.refund }).toEqual({
      decision: 'rejected',
      reasons: ['order_not_owned'],
      amount: null,
      currency: null,
      perItem: { 'ORD-X': ['order_not_owned'] },
      lines: [],
    });
  });

  it('next to an eligible order, the request goes to review with order_not_owned only', () => {
    const a = decide(world({ orders: [foreign(), order('ORD-1')] }), {
      subject: 'Refund, account demo-shop, orders ORD-1, ORD-X',
    });
    expect({ ...summary(a), orders: a.orders, perItem: a.details.perItem }).toEqual({
      decision: 'review',
      reasons: ['order_not_owned'],
      amount: '300.00',
      currency: 'CNY',
      orders: ['ORD-1'],
      perItem: { 'ORD-X': ['order_not_owned'] },
    });
  });
});

describe('a pending filing older than the abandon period gets filing_incomplete and filing_abandoned', () => {
  it('pending since 1 February, claimed on 4 March', () => {
    const raw = world({
      icpFilings: [
        filing({ submitted_at: '2026-02-01T10:00:00+08:00', approved_at: null, status: 'pending' }),
      ],
    });
    expect(summary(decide(raw, { subject: 'ICP reward, account demo-shop' }))).toEqual({
      decision: 'rejected',
      reasons: ['filing_incomplete', 'filing_abandoned'],
      amount: null,
      currency: null,
    });
  });

  it('pending for less than the period, it is only incomplete', () => {
    const raw = world({
      icpFilings: [
        filing({ submitted_at: '2026-03-01T10:00:00+08:00', approved_at: null, status: 'pending' }),
      ],
    });
    expect(decide(raw, { subject: 'ICP reward, account demo-shop' }).reasons).toEqual([
      'filing_incomplete',
    ]);
  });
});

describe('when any rejecting reason applies, amount is null, even for review', () => {
  it('a stranger’s late compensation claim goes to review without an amount', () => {
    const a = decide(
      world(),
      {
        subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05, once',
        from: STRANGER,
      },
      LATE,
    );
    expect(summary(a)).toEqual({
      decision: 'review',
      reasons: ['sender_not_account_contact', 'late_claim'],
      amount: null,
      currency: null,
    });
  });

  it('a stranger’s ICP claim without a filing goes to review without an amount', () => {
    const a = decide(world(), { subject: 'ICP reward, account demo-shop', from: STRANGER });
    expect(summary(a)).toEqual({
      decision: 'review',
      reasons: ['sender_not_account_contact', 'filing_not_found'],
      amount: null,
      currency: null,
    });
  });

  it('a stranger’s refund over the order limit goes to review without an amount', () => {
    const orders = ['ORD-1', 'ORD-2', 'ORD-3', 'ORD-4'].map((id) => order(id));
    const a = decide(world({ orders }), {
      subject: 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4',
      from: STRANGER,
    });
    expect(summary(a)).toEqual({
      decision: 'review',
      reasons: ['sender_not_account_contact', 'too_many_orders'],
      amount: null,
      currency: null,
    });
  });

  it('a stranger’s claim with nothing rejecting keeps its amount, for the agent', () => {
    const a = decide(world(), {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05, once',
      from: STRANGER,
    });
    expect(summary(a)).toEqual({
      decision: 'review',
      reasons: ['sender_not_account_contact'],
      amount: '200.00',
      currency: 'CNY',
    });
  });
});

describe('boundaries are inclusive', () => {
  it('an incident exactly lookback_days before the last fault counts', () => {
    const raw = world();
    raw.incidents = [
      incident('INC-0131', '2026-01-31T14:00:00+08:00', '2026-01-31T15:00:00+08:00'),
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ];
    const a = decide(raw, {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05, twice',
    });
    expect({ ...summary(a), incidents: a.incidents }).toEqual({
      decision: 'approved',
      reasons: [],
      amount: '400.00',
      currency: 'CNY',
      incidents: ['INC-0131', 'INC-0302'],
    });
  });

  it('a filing approved exactly icp_abandon_days after submission is in time', () => {
    const raw = world({ icpFilings: [filing({ approved_at: '2026-03-02T10:00:00+08:00' })] });
    expect(summary(decide(raw, { subject: 'ICP reward, account demo-shop' }))).toEqual({
      decision: 'approved',
      reasons: [],
      amount: '100.00',
      currency: 'CNY',
    });
  });

  it('one millisecond later it is abandoned', () => {
    const raw = world({ icpFilings: [filing({ approved_at: '2026-03-02T10:00:00.001+08:00' })] });
    expect(decide(raw, { subject: 'ICP reward, account demo-shop' }).reasons).toEqual([
      'filing_abandoned',
    ]);
  });

  describe('the review limit compares the rounded total: above 5000.00, not equal', () => {
    /** 25 hours on the 48.00/day host from Sunday 1 March 13:00: exactly 5000.00. */
    const long = (end: string, dailyFee = '48.00', start = '2026-03-01T13:00:00+08:00') => {
      const raw = world();
      raw.resources = raw.resources.map((r) => ({ ...r, daily_fee: dailyFee }));
      raw.incidents = [incident('INC-1', start, end)];
      return raw;
    };
    const subject = 'Compensation claim, account: demo-shop, fault time: 2026-03-02 13:50, once';

    it('exactly 5000.00 is approved', () => {
      expect(summary(decide(long('2026-03-02T14:00:00+08:00'), { subject }))).toEqual({
        decision: 'approved',
        reasons: [],
        amount: '5000.00',
        currency: 'CNY',
      });
    });

    it('5000.0015, paid as 5000.00, is approved', () => {
      const raw = long('2026-03-02T14:00:13+08:00', '33.33', '2026-03-01T02:00:00+08:00');
      expect(summary(decide(raw, { subject }))).toEqual({
        decision: 'approved',
        reasons: [],
        amount: '5000.00',
        currency: 'CNY',
      });
    });

    it('5000.06 goes to review', () => {
      expect(summary(decide(long('2026-03-02T14:00:01+08:00'), { subject }))).toEqual({
        decision: 'review',
        reasons: ['amount_over_review_limit'],
        amount: '5000.06',
        currency: 'CNY',
      });
    });
  });

  describe("with several filings, the account's first filing decides", () => {
    it('a good first filing wins over a later pending one', () => {
      const raw = world({
        icpFilings: [
          filing(),
          filing({
            submitted_at: '2026-03-01T10:00:00+08:00',
            approved_at: null,
            first_time: false,
            status: 'pending',
          }),
        ],
      });
      expect(decide(raw, { subject: 'ICP reward, account demo-shop' }).decision).toBe('approved');
    });

    it('an abandoned first filing is not saved by a later good one', () => {
      const raw = world({
        icpFilings: [
          filing({
            submitted_at: '2026-01-01T10:00:00+08:00',
            approved_at: '2026-01-20T10:00:00+08:00',
          }),
          filing({
            submitted_at: '2026-02-20T10:00:00+08:00',
            approved_at: '2026-02-22T10:00:00+08:00',
            first_time: false,
          }),
        ],
      });
      expect(summary(decide(raw, { subject: 'ICP reward, account demo-shop' }))).toEqual({
        decision: 'rejected',
        reasons: ['filing_abandoned'],
        amount: null,
        currency: null,
      });
    });
  });
});
