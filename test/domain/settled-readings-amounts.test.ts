/**
 * DESIGN.md, "Settled readings (v1.1)", on amounts and boundaries: the refund total never
 * below zero, no amount when a rejecting reason applies, and inclusive boundaries; one
 * describe per reading, in the document's order. The other readings are in
 * settled-readings.test.ts.
 *
 * The world (settled-readings-support.ts): demo-shop, another account other-co, one-hour
 * faults on 27 February and 2 March, claims received 2026-03-04 09:00 (+08:00) unless said.
 * An hour of fault on the 48.00/day host pays 200.00.
 */
import { describe } from 'vitest';
import { eachRow, filing, LATE, order, paid, STRANGER, unpaid } from '../support/assess-cases.ts';
import { incident } from '../support/builders.ts';
import { world } from './settled-readings-support.ts';

describe('"never below zero" applies to the refund total, not per order', () => {
  const rewarded60 = () =>
    order('ORD-1', { amount: '60.00', icp_reward: { amount: '100.00', recoverable: false } });

  eachRow([
    {
      name: 'a reward larger than its order is taken off the other order too: 60 + 300 − 100 = 260.00',
      records: world({ orders: [rewarded60(), order('ORD-2')] }),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-2' },
      expected: paid('approved', '260.00', 'reward_deducted'),
    },
    {
      name: 'the total alone stops at zero',
      records: world({ orders: [rewarded60()] }),
      claim: { subject: 'Refund, account demo-shop, order ORD-1' },
      expected: { amount: '0.00' },
    },
  ]);
});

describe('when any rejecting reason applies, amount is null, even for review', () => {
  const onceOn2March = 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05, once';

  eachRow([
    {
      name: 'a stranger’s late compensation claim goes to review without an amount',
      records: world(),
      claim: { subject: onceOn2March, from: STRANGER, received: LATE },
      expected: unpaid('review', 'sender_not_account_contact', 'late_claim'),
    },
    {
      name: 'a stranger’s ICP claim without a filing goes to review without an amount',
      records: world(),
      claim: { subject: 'ICP reward, account demo-shop', from: STRANGER },
      expected: unpaid('review', 'sender_not_account_contact', 'filing_not_found'),
    },
    {
      name: 'a stranger’s refund over the order limit goes to review without an amount',
      records: world({ orders: ['ORD-1', 'ORD-2', 'ORD-3', 'ORD-4'].map((id) => order(id)) }),
      claim: {
        subject: 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4',
        from: STRANGER,
      },
      expected: unpaid('review', 'sender_not_account_contact', 'too_many_orders'),
    },
    {
      name: 'a stranger’s claim with nothing rejecting keeps its amount, for the agent',
      records: world(),
      claim: { subject: onceOn2March, from: STRANGER },
      expected: paid('review', '200.00', 'sender_not_account_contact'),
    },
  ]);
});

describe('boundaries are inclusive', () => {
  eachRow([
    {
      name: 'an incident exactly lookback_days before the last fault counts',
      records: world({
        incidents: [
          incident('INC-0131', '2026-01-31T14:00:00+08:00', '2026-01-31T15:00:00+08:00'),
          incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
        ],
      }),
      claim: {
        subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05, twice',
      },
      expected: { ...paid('approved', '400.00'), incidents: ['INC-0131', 'INC-0302'] },
    },
    {
      name: 'a filing approved exactly icp_abandon_days after submission is in time',
      records: world({ icpFilings: [filing({ approved_at: '2026-03-02T10:00:00+08:00' })] }),
      claim: { subject: 'ICP reward, account demo-shop' },
      expected: paid('approved', '100.00'),
    },
    {
      name: 'one millisecond later it is abandoned',
      records: world({ icpFilings: [filing({ approved_at: '2026-03-02T10:00:00.001+08:00' })] }),
      claim: { subject: 'ICP reward, account demo-shop' },
      expected: { reasons: ['filing_abandoned'] },
    },
  ]);

  describe('the review limit compares the rounded total: above 5000.00, not equal', () => {
    /** 25 hours on the 48.00/day host from Sunday 1 March 13:00: exactly 5000.00. */
    const long = (end: string, dailyFee = '48.00', start = '2026-03-01T13:00:00+08:00') => {
      const raw = world();
      raw.resources = raw.resources.map((r) => ({ ...r, daily_fee: dailyFee }));
      raw.incidents = [incident('INC-1', start, end)];
      return raw;
    };
    const claim = {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 13:50, once',
    };

    eachRow([
      {
        name: 'exactly 5000.00 is approved',
        records: long('2026-03-02T14:00:00+08:00'),
        claim,
        expected: paid('approved', '5000.00'),
      },
      {
        name: '5000.0015, paid as 5000.00, is approved',
        records: long('2026-03-02T14:00:13+08:00', '33.33', '2026-03-01T02:00:00+08:00'),
        claim,
        expected: paid('approved', '5000.00'),
      },
      {
        name: '5000.06 goes to review',
        records: long('2026-03-02T14:00:01+08:00'),
        claim,
        expected: paid('review', '5000.06', 'amount_over_review_limit'),
      },
    ]);
  });

  describe("with several filings, the account's first filing decides", () => {
    eachRow([
      {
        name: 'a good first filing wins over a later pending one',
        records: world({
          icpFilings: [
            filing(),
            filing({
              submitted_at: '2026-03-01T10:00:00+08:00',
              approved_at: null,
              first_time: false,
              status: 'pending',
            }),
          ],
        }),
        claim: { subject: 'ICP reward, account demo-shop' },
        expected: { decision: 'approved' },
      },
      {
        name: 'an abandoned first filing is not saved by a later good one',
        records: world({
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
        }),
        claim: { subject: 'ICP reward, account demo-shop' },
        expected: unpaid('rejected', 'filing_abandoned'),
      },
    ]);
  });
});
