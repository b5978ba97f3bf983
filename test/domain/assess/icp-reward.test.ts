import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../../src/domain/assess/types.ts';
import { baseRecords, contextOf, type RawRecords, run } from '../../support/builders.ts';

/** The default receipt time of `run`: 2026-03-04T09:00:00+08:00. */
const SUBJECT = 'ICP reward application, account demo-shop';

/** A first-time filing approved 5 days after submission. */
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

/** demo-shop (active monthly host, 1500.00 recharged, no reward yet) with one good filing. */
function eligible(): Required<RawRecords> {
  return { ...baseRecords(), icpFilings: [filing()] };
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

function claim(
  raw: RawRecords,
  subject = SUBJECT,
  options: { policy?: Record<string, unknown>; text?: string } = {},
): Assessment {
  const ctx = contextOf(raw, options.policy ? { policy: options.policy } : {});
  return run(ctx, { subject, text: options.text ?? '' });
}

function summary(a: Assessment) {
  return {
    type: a.type,
    decision: a.decision,
    reasons: a.reasons,
    amount: a.amount,
    currency: a.currency,
  };
}

/** Expects a rejection for exactly these reasons. */
function rejectedFor(a: Assessment, reasons: string[]): void {
  expect(summary(a)).toEqual({
    type: 'icp_reward',
    decision: 'rejected',
    reasons,
    amount: null,
    currency: null,
  });
}

describe('ICP reward: eligible accounts', () => {
  it('grants 100.00 to a common user who meets every condition', () => {
    expect(summary(claim(eligible()))).toEqual({
      type: 'icp_reward',
      decision: 'approved',
      reasons: [],
      amount: '100.00',
      currency: 'CNY',
    });
  });

  it('grants 200.00 to a VIP user who meets every condition', () => {
    expect(summary(claim(withAccount(eligible(), { vip: true })))).toEqual({
      type: 'icp_reward',
      decision: 'approved',
      reasons: [],
      amount: '200.00',
      currency: 'CNY',
    });
  });

  it('accepts a yearly cloud host as the subscription host', () => {
    const raw = eligible();
    raw.resources = [host({ billing: 'yearly' })];
    expect(claim(raw).decision).toBe('approved');
  });

  it('is satisfied by one active subscription host next to terminated ones', () => {
    const raw = eligible();
    raw.resources = [
      host({ id: 'h1', status: 'terminated' }),
      host({ id: 'h2', status: 'active' }),
    ];
    expect(summary(claim(raw))).toEqual({
      type: 'icp_reward',
      decision: 'approved',
      reasons: [],
      amount: '100.00',
      currency: 'CNY',
    });
  });

  it('accepts a filing approved exactly 10 days after its submission', () => {
    const raw = eligible();
    raw.icpFilings = [filing({ approved_at: '2026-03-02T10:00:00+08:00' })];
    expect(claim(raw).decision).toBe('approved');
  });

  it('reads the Chinese keywords 备案 and 奖励', () => {
    const a = claim(eligible(), '申请备案奖励 账号：demo-shop');
    expect(summary(a)).toEqual({
      type: 'icp_reward',
      decision: 'approved',
      reasons: [],
      amount: '100.00',
      currency: 'CNY',
    });
  });

  it('uses the reward amounts and the recharge minimum of the policy', () => {
    const raw = withAccount(eligible(), { accumulated_recharge: '150.00' });
    const a = claim(raw, SUBJECT, {
      policy: { icp_min_recharge: '100.00', icp_reward_common: '88.80' },
    });
    expect(summary(a)).toEqual({
      type: 'icp_reward',
      decision: 'approved',
      reasons: [],
      amount: '88.80',
      currency: 'CNY',
    });
  });
});

describe('ICP reward: the subscription host', () => {
  it('rejects an account without any cloud host with no_subscription_host', () => {
    const raw = eligible();
    raw.resources = [];
    rejectedFor(claim(raw), ['no_subscription_host']);
  });

  it('rejects an account whose only host is on-demand with no_subscription_host', () => {
    const raw = eligible();
    raw.resources = [host({ billing: 'on_demand' })];
    rejectedFor(claim(raw), ['no_subscription_host']);
  });

  it.each(['hourly_package', 'postpaid'])(
    'rejects an account whose only host is billed %s with no_subscription_host',
    (billing) => {
      const raw = eligible();
      raw.resources = [host({ billing })];
      rejectedFor(claim(raw), ['no_subscription_host']);
    },
  );

  it('rejects an account whose monthly resource is not a cloud host with no_subscription_host', () => {
    const raw = eligible();
    raw.resources = [host({ host: false })];
    rejectedFor(claim(raw), ['no_subscription_host']);
  });

  it.each([
    ['terminated', 'monthly'],
    ['expired', 'monthly'],
    ['terminated', 'yearly'],
    ['expired', 'yearly'],
  ])(
    'rejects an account whose only %s %s hosts remain with service_terminated',
    (status, billing) => {
      const raw = eligible();
      raw.resources = [
        host({ id: 'h1', status, billing }),
        host({ id: 'h2', billing: 'on_demand' }),
      ];
      rejectedFor(claim(raw), ['service_terminated']);
    },
  );
});

describe('ICP reward: the filing', () => {
  it('rejects an account without a filing with filing_not_found', () => {
    const raw = eligible();
    raw.icpFilings = [];
    rejectedFor(claim(raw), ['filing_not_found']);
  });

  it('does not count another account’s filing', () => {
    const raw = eligible();
    raw.icpFilings = [filing({ account: 'someone-else' })];
    rejectedFor(claim(raw), ['filing_not_found']);
  });

  it('rejects a filing that is not the account’s first with not_first_filing', () => {
    const raw = eligible();
    raw.icpFilings = [filing({ first_time: false })];
    rejectedFor(claim(raw), ['not_first_filing']);
  });

  it('rejects a pending filing with filing_incomplete', () => {
    const raw = eligible();
    raw.icpFilings = [
      filing({ status: 'pending', approved_at: null, submitted_at: '2026-03-01T10:00:00+08:00' }),
    ];
    rejectedFor(claim(raw), ['filing_incomplete']);
  });

  it('rejects a filing the authority rejected with filing_incomplete', () => {
    const raw = eligible();
    raw.icpFilings = [filing({ status: 'rejected', approved_at: null })];
    rejectedFor(claim(raw), ['filing_incomplete']);
  });

  it('rejects a filing rejected long ago with filing_incomplete only', () => {
    const raw = eligible();
    raw.icpFilings = [
      filing({ status: 'rejected', approved_at: null, submitted_at: '2025-12-01T10:00:00+08:00' }),
    ];
    rejectedFor(claim(raw), ['filing_incomplete']);
  });

  it('rejects a filing approved more than 10 days after submission with filing_abandoned', () => {
    const raw = eligible();
    raw.icpFilings = [filing({ approved_at: '2026-03-02T10:00:00.001+08:00' })];
    rejectedFor(claim(raw), ['filing_abandoned']);
  });

  it('rejects a filing still pending more than 10 days after submission with filing_incomplete and filing_abandoned', () => {
    const raw = eligible();
    // The claim arrives 2026-03-04 09:00: exactly 10 days after this submission.
    raw.icpFilings = [
      filing({ status: 'pending', approved_at: null, submitted_at: '2026-02-22T09:00:00+08:00' }),
    ];
    rejectedFor(claim(raw), ['filing_incomplete']);

    raw.icpFilings = [
      filing({
        status: 'pending',
        approved_at: null,
        submitted_at: '2026-02-22T08:59:59.999+08:00',
      }),
    ];
    rejectedFor(claim(raw), ['filing_incomplete', 'filing_abandoned']);
  });

  it('uses icp_abandon_days from the policy', () => {
    const raw = eligible();
    // Approved 5 days after submission.
    rejectedFor(claim(raw, SUBJECT, { policy: { icp_abandon_days: 4 } }), ['filing_abandoned']);
    expect(claim(raw, SUBJECT, { policy: { icp_abandon_days: 5 } }).decision).toBe('approved');
  });

  it('judges by the first-time filing when the account has several', () => {
    const raw = eligible();
    raw.icpFilings = [
      filing({
        first_time: false,
        submitted_at: '2026-03-01T10:00:00+08:00',
        approved_at: null,
        status: 'pending',
      }),
      filing(),
    ];
    expect(claim(raw).decision).toBe('approved');
  });
});

describe('ICP reward: recharge and earlier rewards', () => {
  it('rejects an accumulated recharge of exactly 200.00 with recharge_below_minimum: it must exceed 200', () => {
    rejectedFor(claim(withAccount(eligible(), { accumulated_recharge: '200.00' })), [
      'recharge_below_minimum',
    ]);
  });

  it('accepts an accumulated recharge of 200.01', () => {
    expect(claim(withAccount(eligible(), { accumulated_recharge: '200.01' })).decision).toBe(
      'approved',
    );
  });

  it('rejects an account that never recharged with recharge_below_minimum', () => {
    rejectedFor(claim(withAccount(eligible(), { accumulated_recharge: '0' })), [
      'recharge_below_minimum',
    ]);
  });

  it('rejects an account already rewarded with reward_already_granted', () => {
    rejectedFor(claim(withAccount(eligible(), { icp_rewarded: true })), ['reward_already_granted']);
  });
});

describe('ICP reward: several failures and missing fields', () => {
  it('reports every failure together, in contract order', () => {
    const raw = withAccount(eligible(), {
      accumulated_recharge: '10.00',
      icp_rewarded: true,
      vip: true,
    });
    raw.resources = [host({ status: 'expired' })];
    raw.icpFilings = [
      filing({
        first_time: false,
        status: 'pending',
        approved_at: null,
        submitted_at: '2026-01-01T10:00:00+08:00',
      }),
    ];
    rejectedFor(claim(raw), [
      'service_terminated',
      'not_first_filing',
      'filing_incomplete',
      'filing_abandoned',
      'recharge_below_minimum',
      'reward_already_granted',
    ]);
  });

  it('reports no host, no filing, low recharge and an earlier reward together', () => {
    const raw = withAccount(eligible(), { accumulated_recharge: '199.99', icp_rewarded: true });
    raw.resources = [];
    raw.icpFilings = [];
    rejectedFor(claim(raw), [
      'no_subscription_host',
      'filing_not_found',
      'recharge_below_minimum',
      'reward_already_granted',
    ]);
  });

  it('needs info when the account is missing', () => {
    const a = claim(eligible(), 'ICP reward application');
    expect(summary(a)).toEqual({
      type: 'icp_reward',
      decision: 'needs_info',
      reasons: ['missing_account'],
      amount: null,
      currency: null,
    });
  });

  it('rejects an unknown account with account_unknown only', () => {
    const a = claim(eligible(), 'ICP reward application, account: nobody-9');
    rejectedFor(a, ['account_unknown']);
    expect(a.account).toBe('nobody-9');
  });

  it('reads the account from the body when the subject has none, with no extra reason', () => {
    const a = claim(eligible(), 'ICP reward application', { text: 'Our account: demo-shop' });
    expect(summary(a)).toEqual({
      type: 'icp_reward',
      decision: 'approved',
      reasons: [],
      amount: '100.00',
      currency: 'CNY',
    });
  });
});
