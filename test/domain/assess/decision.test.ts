/**
 * The order of the decision rules: the baseline where every rule passes, then 1. auto-generated
 * mail is ignored, 2. missing fields are asked for, an unknown account is rejected, and 3. a
 * known account's mail from a stranger goes to review. Rules 4 and 5 and the order of the
 * reported reasons are in decision-reasons.test.ts.
 */
import { describe, it } from 'vitest';
import { LATE, STRANGER } from '../../support/assess-cases.ts';
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
