/**
 * ICP reward: the subscription host the account must keep (a monthly or yearly cloud host,
 * still active) and the filing it must have (its first, approved within the abandon period).
 */
import { describe, expect, it } from 'vitest';
import type { ReasonCode } from '../../../src/domain/reasons.ts';
import {
  assessClaim,
  type CaseWithRecords,
  type Expected,
  expectDecided,
  expectFields,
  filing,
} from '../../support/assess-cases.ts';
import { named } from '../../support/named-rows.ts';
import { eligible, host, rejected, SUBJECT } from './icp-reward-support.ts';

describe('ICP reward: the subscription host', () => {
  /** A case where the account's hosts are `resources`. */
  const hosts = (name: string, resources: Record<string, unknown>[], ...reasons: ReasonCode[]) => ({
    name,
    records: eligible({ resources }),
    claim: { subject: SUBJECT },
    expected: rejected(...reasons),
  });

  const rows: CaseWithRecords[] = [
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

  const rows: CaseWithRecords[] = [
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
