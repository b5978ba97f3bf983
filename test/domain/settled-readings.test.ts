/**
 * DESIGN.md, "Settled readings (v1.1)", on what a claim reports and what it matches: one
 * describe per reading, in the document's order, so each stays as settled. The readings on
 * amounts and boundaries are in settled-readings-amounts.test.ts; the last reading ("words
 * are not numbers") has its tests in test/domain/extract/issue-12-repros.test.ts.
 *
 * The world (settled-readings-support.ts): demo-shop, another account other-co, one-hour
 * faults on 27 February and 2 March, claims received 2026-03-04 09:00 (+08:00) unless said.
 */
import { describe, it } from 'vitest';
import {
  assessClaim,
  eachRow,
  expectFields,
  filing,
  LATE,
  order,
  paid,
  unpaid,
} from '../support/assess-cases.ts';
import { incident } from '../support/builders.ts';
import { world } from './settled-readings-support.ts';

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
