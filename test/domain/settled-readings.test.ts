/**
 * DESIGN.md, "Settled readings (v1.1)": one describe per reading, in the document's order,
 * so each stays as settled. The last reading ("words are not numbers") has its tests in
 * test/domain/extract/issue-12-repros.test.ts.
 *
 * The world: demo-shop (contact it@demo-shop.test, CNY, one monthly ECS host at 48.00/day),
 * another account other-co, and claims received 2026-03-04 09:00 (+08:00) unless said.
 * Thirty minutes of an `unavailable` fault on the host pay 100.00, an hour 200.00.
 */
import { describe, it } from 'vitest';
import {
  type AssessCase,
  assessClaim,
  expectDecided,
  expectFields,
  filing,
  order,
  otherCo,
  paid,
  unpaid,
} from '../support/assess-cases.ts';
import { baseRecords, incident, type RawRecords } from '../support/builders.ts';
import { named } from '../support/named-rows.ts';

const STRANGER = 'someone@elsewhere.test';
/** After the deadline of a fault on Monday 2 March (the end of Wednesday 11 March). */
const LATE = '2026-03-12T09:00:00+08:00';

/** demo-shop, other-co, one-hour faults on 27 February and 2 March 14:00, and `more`. */
function world(more: RawRecords = {}): Required<RawRecords> {
  const base = baseRecords();
  return {
    ...base,
    accounts: [...base.accounts, otherCo()],
    incidents: [
      incident('INC-0227', '2026-02-27T14:00:00+08:00', '2026-02-27T15:00:00+08:00'),
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ],
    ...more,
  };
}

/** A case with its own records. */
type ReadingCase = AssessCase & { records: RawRecords };

/** The check every table of this file runs on each of its rows. */
function eachRow(rows: ReadingCase[]): void {
  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
}

describe('fields_outside_subject concerns compensation only', () => {
  eachRow([
    {
      name: 'a refund whose account and orders are only in the body is approved without it',
      records: world({ orders: [order('ORD-1')] }),
      claim: { subject: 'Refund request', text: 'Account: demo-shop\nOrder: ORD-1' },
      expected: paid('approved', '300.00'),
    },
    {
      name: 'an ICP reward claim whose account is only in the body is approved without it',
      records: world({ icpFilings: [filing()] }),
      claim: { subject: 'ICP reward application', text: 'Account: demo-shop' },
      expected: paid('approved', '100.00'),
    },
    {
      name: 'a compensation claim whose count is only in the body gets it (review)',
      records: world(),
      claim: {
        subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05',
        text: 'It happened once.',
      },
      expected: paid('review', '200.00', 'fields_outside_subject'),
    },
  ]);
});

describe('informing reasons are reported only when something is paid', () => {
  const rewarded = { icp_reward: { amount: '100.00', recoverable: false } };
  const refunds = ['R-1', 'R-2', 'R-3'].map((id, i) => ({
    id,
    account: 'demo-shop',
    at: `2026-01-0${i + 1}T10:00:00+08:00`,
    orders: [`OLD-${i}`],
  }));

  eachRow([
    {
      name: 'a request over the order limit reports too_many_orders, not reward_deducted',
      records: world({
        orders: [order('ORD-1', rewarded), order('ORD-2'), order('ORD-3'), order('ORD-4')],
      }),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-2, ORD-3, ORD-4' },
      expected: { ...unpaid('rejected', 'too_many_orders'), orders: [] },
    },
    {
      name: 'an account at its refund limit gets refund_limit_reached, not reward_deducted',
      records: world({ orders: [order('ORD-1', rewarded)], refunds }),
      claim: { subject: 'Refund, account demo-shop, order ORD-1' },
      expected: unpaid('rejected', 'refund_limit_reached'),
    },
    {
      name: 'a paid refund still reports reward_deducted',
      records: world({ orders: [order('ORD-1', rewarded)] }),
      claim: { subject: 'Refund, account demo-shop, order ORD-1' },
      expected: paid('approved', '200.00', 'reward_deducted'),
    },
  ]);

  it('a late compensation claim reports late_claim, not the excluded cause of one of its incidents', () => {
    const raw = world({
      incidents: [
        incident('INC-0227', '2026-02-27T14:00:00+08:00', '2026-02-27T15:00:00+08:00', {
          cause: 'maintenance',
        }),
        incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
      ],
    });
    const subject = 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05, twice';
    expectFields(assessClaim(raw, { subject }), paid('approved', '200.00', 'excluded_cause'));
    expectFields(assessClaim(raw, { subject, received: LATE }), unpaid('rejected', 'late_claim'));
  });
});

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

describe('a date-only claimed time matches every affected incident starting that local date', () => {
  const sameDay = () =>
    world({
      incidents: [
        incident('INC-AM', '2026-03-02T09:00:00+08:00', '2026-03-02T09:30:00+08:00'),
        incident('INC-PM', '2026-03-02T16:00:00+08:00', '2026-03-02T17:00:00+08:00'),
      ],
    });

  eachRow([
    {
      name: 'its best match is the latest of them',
      records: sameDay(),
      claim: {
        subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02, occurrences: 1',
      },
      expected: {
        ...paid('approved', '200.00'),
        incidents: ['INC-PM'],
        details: { lastFault: 'INC-PM' },
      },
    },
    {
      name: 'the earlier one matches too: a count of two takes both',
      records: sameDay(),
      claim: { subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02, twice' },
      expected: { ...paid('approved', '300.00'), incidents: ['INC-AM', 'INC-PM'] },
    },
    {
      name: 'a day before an incident’s start date does not match it, though the incident ran into it',
      records: world({
        incidents: [incident('INC-N', '2026-03-01T23:30:00+08:00', '2026-03-02T00:30:00+08:00')],
      }),
      claim: { subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02, once' },
      expected: { reasons: ['no_matching_incident'] },
    },
  ]);
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

  eachRow([
    {
      name: 'alone, it is rejected with order_not_owned only',
      records: world({ orders: [foreign()] }),
      claim: { subject: 'Refund, account demo-shop, order ORD-X' },
      expected: {
        ...unpaid('rejected', 'order_not_owned'),
        details: { perItem: { 'ORD-X': ['order_not_owned'] }, refund: [] },
      },
    },
    {
      name: 'next to an eligible order, the request goes to review with order_not_owned only',
      records: world({ orders: [foreign(), order('ORD-1')] }),
      claim: { subject: 'Refund, account demo-shop, orders ORD-1, ORD-X' },
      expected: {
        ...paid('review', '300.00', 'order_not_owned'),
        orders: ['ORD-1'],
        details: { perItem: { 'ORD-X': ['order_not_owned'] } },
      },
    },
  ]);
});

describe('a pending filing older than the abandon period gets filing_incomplete and filing_abandoned', () => {
  const pendingSince = (submitted_at: string) =>
    world({ icpFilings: [filing({ submitted_at, approved_at: null, status: 'pending' })] });

  eachRow([
    {
      name: 'pending since 1 February, claimed on 4 March',
      records: pendingSince('2026-02-01T10:00:00+08:00'),
      claim: { subject: 'ICP reward, account demo-shop' },
      expected: unpaid('rejected', 'filing_incomplete', 'filing_abandoned'),
    },
    {
      name: 'pending for less than the period, it is only incomplete',
      records: pendingSince('2026-03-01T10:00:00+08:00'),
      claim: { subject: 'ICP reward, account demo-shop' },
      expected: { reasons: ['filing_incomplete'] },
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
