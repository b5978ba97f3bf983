/**
 * ICP reward: the accounts that get it and how much, the recharge minimum and an earlier
 * reward, several failures reported together, and the missing or unknown account. The
 * subscription host and the filing are in icp-reward-host-and-filing.test.ts.
 */
import { describe, it } from 'vitest';
import {
  type CaseWithRecords,
  type Expected,
  expectDecided,
  filing,
  paid,
  unpaid,
} from '../../support/assess-cases.ts';
import type { RawRecords } from '../../support/builders.ts';
import { named } from '../../support/named-rows.ts';
import { eligible, host, rejected, SUBJECT } from './icp-reward-support.ts';

function withAccount(
  raw: Required<RawRecords>,
  extra: Record<string, unknown>,
): Required<RawRecords> {
  const [account, ...others] = raw.accounts;
  return { ...raw, accounts: [{ ...account, ...extra }, ...others] };
}

/** The reward granted: `amount` CNY. */
function granted(amount: string): Expected {
  return { type: 'icp_reward', ...paid('approved', amount) };
}

describe('ICP reward: eligible accounts', () => {
  const rows: CaseWithRecords[] = [
    {
      name: 'grants 100.00 to a common user who meets every condition',
      records: eligible(),
      claim: { subject: SUBJECT },
      expected: granted('100.00'),
    },
    {
      name: 'grants 200.00 to a VIP user who meets every condition',
      records: withAccount(eligible(), { vip: true }),
      claim: { subject: SUBJECT },
      expected: granted('200.00'),
    },
    {
      name: 'accepts a yearly cloud host as the subscription host',
      records: eligible({ resources: [host({ billing: 'yearly' })] }),
      claim: { subject: SUBJECT },
      expected: { decision: 'approved' },
    },
    {
      name: 'is satisfied by one active subscription host next to terminated ones',
      records: eligible({
        resources: [host({ id: 'h1', status: 'terminated' }), host({ id: 'h2', status: 'active' })],
      }),
      claim: { subject: SUBJECT },
      expected: granted('100.00'),
    },
    {
      name: 'accepts a filing approved exactly 10 days after its submission',
      records: eligible({ icpFilings: [filing({ approved_at: '2026-03-02T10:00:00+08:00' })] }),
      claim: { subject: SUBJECT },
      expected: { decision: 'approved' },
    },
    {
      name: 'reads the Chinese keywords 备案 and 奖励',
      records: eligible(),
      claim: { subject: '申请备案奖励 账号：demo-shop' },
      expected: granted('100.00'),
    },
    {
      name: 'uses the reward amounts and the recharge minimum of the policy',
      records: withAccount(eligible(), { accumulated_recharge: '150.00' }),
      claim: {
        subject: SUBJECT,
        policy: { icp_min_recharge: '100.00', icp_reward_common: '88.80' },
      },
      expected: granted('88.80'),
    },
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});

describe('ICP reward: recharge and earlier rewards', () => {
  /** A case where the account has `extra` on top of its defaults. */
  const account = (name: string, extra: Record<string, unknown>, expected: Expected) => ({
    name,
    records: withAccount(eligible(), extra),
    claim: { subject: SUBJECT },
    expected,
  });

  const rows: CaseWithRecords[] = [
    account(
      'rejects an accumulated recharge of exactly 200.00 with recharge_below_minimum: it must exceed 200',
      { accumulated_recharge: '200.00' },
      rejected('recharge_below_minimum'),
    ),
    account(
      'accepts an accumulated recharge of 200.01',
      { accumulated_recharge: '200.01' },
      { decision: 'approved' },
    ),
    account(
      'rejects an account that never recharged with recharge_below_minimum',
      { accumulated_recharge: '0' },
      rejected('recharge_below_minimum'),
    ),
    account(
      'rejects an account already rewarded with reward_already_granted',
      { icp_rewarded: true },
      rejected('reward_already_granted'),
    ),
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});

describe('ICP reward: several failures and missing fields', () => {
  const rows: CaseWithRecords[] = [
    {
      name: 'reports every failure together, in contract order',
      records: withAccount(
        eligible({
          resources: [host({ status: 'expired' })],
          icpFilings: [
            filing({
              first_time: false,
              status: 'pending',
              approved_at: null,
              submitted_at: '2026-01-01T10:00:00+08:00',
            }),
          ],
        }),
        { accumulated_recharge: '10.00', icp_rewarded: true, vip: true },
      ),
      claim: { subject: SUBJECT },
      expected: rejected(
        'service_terminated',
        'not_first_filing',
        'filing_incomplete',
        'filing_abandoned',
        'recharge_below_minimum',
        'reward_already_granted',
      ),
    },
    {
      name: 'reports no host, no filing, low recharge and an earlier reward together',
      records: withAccount(eligible({ resources: [], icpFilings: [] }), {
        accumulated_recharge: '199.99',
        icp_rewarded: true,
      }),
      claim: { subject: SUBJECT },
      expected: rejected(
        'no_subscription_host',
        'filing_not_found',
        'recharge_below_minimum',
        'reward_already_granted',
      ),
    },
    {
      name: 'needs info when the account is missing',
      records: eligible(),
      claim: { subject: 'ICP reward application' },
      expected: { type: 'icp_reward', ...unpaid('needs_info', 'missing_account') },
    },
    {
      name: 'rejects an unknown account with account_unknown only',
      records: eligible(),
      claim: { subject: 'ICP reward application, account: nobody-9' },
      expected: { ...rejected('account_unknown'), account: 'nobody-9' },
    },
    {
      name: 'reads the account from the body when the subject has none, with no extra reason',
      records: eligible(),
      claim: { subject: 'ICP reward application', text: 'Our account: demo-shop' },
      expected: granted('100.00'),
    },
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});
