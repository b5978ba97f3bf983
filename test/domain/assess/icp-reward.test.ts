import { describe, expect, it } from 'vitest';
import type { ReasonCode } from '../../../src/domain/reasons.ts';
import {
  type AssessCase,
  assessClaim,
  type Expected,
  expectDecided,
  expectFields,
  filing,
  paid,
  unpaid,
} from '../../support/assess-cases.ts';
import { baseRecords, type RawRecords } from '../../support/builders.ts';
import { named } from '../../support/named-rows.ts';

/** Received at `run`'s default time, 2026-03-04T09:00:00+08:00. */
const SUBJECT = 'ICP reward application, account demo-shop';

/**
 * demo-shop (active monthly host, 1500.00 recharged, no reward yet) with one good filing,
 * and `more` in place of those records.
 */
function eligible(more: RawRecords = {}): Required<RawRecords> {
  return { ...baseRecords(), icpFilings: [filing()], ...more };
}

function withAccount(
  raw: Required<RawRecords>,
  extra: Record<string, unknown>,
): Required<RawRecords> {
  const [account, ...others] = raw.accounts;
  return { ...raw, accounts: [{ ...account, ...extra }, ...others] };
}

function host(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'ecs-h',
    account: 'demo-shop',
    service: 'ECS',
    region: 'cn-north-1',
    billing: 'monthly',
    daily_fee: '10.00',
    host: true,
    status: 'active',
    ...extra,
  };
}

/** The reward granted: `amount` CNY. */
function granted(amount: string): Expected {
  return { type: 'icp_reward', ...paid('approved', amount) };
}

/** A rejection for exactly these reasons. */
function rejected(...reasons: ReasonCode[]): Expected {
  return { type: 'icp_reward', ...unpaid('rejected', ...reasons) };
}

/** A case with its own records. */
type IcpCase = AssessCase & { records: RawRecords };

describe('ICP reward: eligible accounts', () => {
  const rows: IcpCase[] = [
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

describe('ICP reward: the subscription host', () => {
  /** A case where the account's hosts are `resources`. */
  const hosts = (name: string, resources: Record<string, unknown>[], ...reasons: ReasonCode[]) => ({
    name,
    records: eligible({ resources }),
    claim: { subject: SUBJECT },
    expected: rejected(...reasons),
  });

  const rows: IcpCase[] = [
    hosts(
      'rejects an account without any cloud host with no_subscription_host',
      [],
      'no_subscription_host',
    ),
    hosts(
      'rejects an account whose only host is on-demand with no_subscription_host',
      [host({ billing: 'on_demand' })],
      'no_subscription_host',
    ),
    ...['hourly_package', 'postpaid'].map((billing) =>
      hosts(
        `rejects an account whose only host is billed ${billing} with no_subscription_host`,
        [host({ billing })],
        'no_subscription_host',
      ),
    ),
    hosts(
      'rejects an account whose monthly resource is not a cloud host with no_subscription_host',
      [host({ host: false })],
      'no_subscription_host',
    ),
    ...[
      ['terminated', 'monthly'],
      ['expired', 'monthly'],
      ['terminated', 'yearly'],
      ['expired', 'yearly'],
    ].map(([status, billing]) =>
      hosts(
        `rejects an account whose only ${status} ${billing} hosts remain with service_terminated`,
        [host({ id: 'h1', status, billing }), host({ id: 'h2', billing: 'on_demand' })],
        'service_terminated',
      ),
    ),
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });
});

describe('ICP reward: the filing', () => {
  /** A case where the account's filings are `icpFilings`. */
  const filings = (name: string, icpFilings: Record<string, unknown>[], expected: Expected) => ({
    name,
    records: eligible({ icpFilings }),
    claim: { subject: SUBJECT },
    expected,
  });

  const rows: IcpCase[] = [
    filings(
      'rejects an account without a filing with filing_not_found',
      [],
      rejected('filing_not_found'),
    ),
    filings(
      'does not count another account’s filing',
      [filing({ account: 'someone-else' })],
      rejected('filing_not_found'),
    ),
    filings(
      'rejects a filing that is not the account’s first with not_first_filing',
      [filing({ first_time: false })],
      rejected('not_first_filing'),
    ),
    filings(
      'rejects a pending filing with filing_incomplete',
      [filing({ status: 'pending', approved_at: null, submitted_at: '2026-03-01T10:00:00+08:00' })],
      rejected('filing_incomplete'),
    ),
    filings(
      'rejects a filing the authority rejected with filing_incomplete',
      [filing({ status: 'rejected', approved_at: null })],
      rejected('filing_incomplete'),
    ),
    filings(
      'rejects a filing rejected long ago with filing_incomplete only',
      [
        filing({
          status: 'rejected',
          approved_at: null,
          submitted_at: '2025-12-01T10:00:00+08:00',
        }),
      ],
      rejected('filing_incomplete'),
    ),
    filings(
      'rejects a filing approved more than 10 days after submission with filing_abandoned',
      [filing({ approved_at: '2026-03-02T10:00:00.001+08:00' })],
      rejected('filing_abandoned'),
    ),
    filings(
      'judges by the first-time filing when the account has several',
      [
        filing({
          first_time: false,
          submitted_at: '2026-03-01T10:00:00+08:00',
          approved_at: null,
          status: 'pending',
        }),
        filing(),
      ],
      { decision: 'approved' },
    ),
  ];

  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(row.records, row);
  });

  it('rejects a filing still pending more than 10 days after submission with filing_incomplete and filing_abandoned', () => {
    const pendingSince = (submitted_at: string) =>
      eligible({ icpFilings: [filing({ status: 'pending', approved_at: null, submitted_at })] });
    // The claim arrives 2026-03-04 09:00: exactly 10 days after this submission.
    const tenDays = assessClaim(pendingSince('2026-02-22T09:00:00+08:00'), { subject: SUBJECT });
    expectFields(tenDays, rejected('filing_incomplete'));
    const longer = assessClaim(pendingSince('2026-02-22T08:59:59.999+08:00'), { subject: SUBJECT });
    expectFields(longer, rejected('filing_incomplete', 'filing_abandoned'));
  });

  it('uses icp_abandon_days from the policy', () => {
    // Approved 5 days after submission.
    const four = assessClaim(eligible(), { subject: SUBJECT, policy: { icp_abandon_days: 4 } });
    expectFields(four, rejected('filing_abandoned'));
    const five = assessClaim(eligible(), { subject: SUBJECT, policy: { icp_abandon_days: 5 } });
    expect(five.decision).toBe('approved');
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

  const rows: IcpCase[] = [
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
  const rows: IcpCase[] = [
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
