/**
 * Issue #12, items 1–3: words are not numbers (DESIGN v1.1, "Settled readings"). Every repro
 * runs in the world: demo-shop (a contact, CNY, one ECS at 48.00/day) with 30-minute
 * platform faults on 2026-02-27 10:00 and 2026-03-02 10:00 (+08:00); the claim is received
 * 2026-03-04 09:00. Thirty minutes of an `unavailable` fault on 48.00/day pay 100.00.
 */
import { describe, expect, it } from 'vitest';
import { extractFaultTimes } from '../../../src/domain/extract/fault-times.ts';
import { findOccurrences } from '../../../src/domain/extract/occurrences.ts';
import { type AssessCase, type Expected, expectDecided } from '../../support/assess-cases.ts';
import { baseRecords, incident } from '../../support/builders.ts';
import { named } from '../../support/named-rows.ts';

/** The world, with demo-shop renamed to `accountId` where a repro needs another id. */
function world(accountId = 'demo-shop') {
  const raw = baseRecords();
  raw.accounts = raw.accounts.map((a) => ({ ...a, id: accountId }));
  raw.resources = raw.resources.map((r) => ({ ...r, account: accountId }));
  raw.incidents = [
    incident('inc-0227', '2026-02-27T10:00:00+08:00', '2026-02-27T10:30:00+08:00'),
    incident('inc-0302', '2026-03-02T10:00:00+08:00', '2026-03-02T10:30:00+08:00'),
  ];
  return raw;
}

/** A repro of the issue: its subject, in the world of `account` (demo-shop unless said). */
type Repro = AssessCase & { account?: string };

/** Approved for the latest `count` of the two incidents, 100.00 each. */
function paidFor(count: 1 | 2): Expected {
  return {
    decision: 'approved',
    occurrencesClaimed: count,
    amount: count === 1 ? '100.00' : '200.00',
    incidents: count === 1 ? ['inc-0302'] : ['inc-0227', 'inc-0302'],
    reasons: [],
  };
}

/** The check every table of repros runs on each of its rows. */
function eachRepro(rows: Repro[]): void {
  it.each(named(rows))('%s', (_name, row) => {
    expectDecided(world(row.account), row);
  });
}

describe('item 1: "Fault times:" is a label, not a count', () => {
  eachRepro([
    {
      name: '"Fault times: 2 Mar 2026 10:05; Occurrences: 1" claims one incident and is paid 100.00',
      claim: {
        subject:
          'Compensation claim - Account: demo-shop; Fault times: 2 Mar 2026 10:05; Occurrences: 1',
      },
      expected: paidFor(1),
    },
    {
      name: '"Fault times: 27 Feb 2026 10:05, 2 Mar 2026 10:05; twice" claims two and is paid 200.00',
      claim: {
        subject:
          'Compensation claim - Account: demo-shop; Fault times: 27 Feb 2026 10:05, 2 Mar 2026 10:05; twice',
      },
      expected: paidFor(2),
    },
  ]);

  it.each([
    ['Fault times: 2 Mar 2026 10:05; Occurrences: 1', 1],
    ['fault times：2026-03-02 10:05 次数：3', 3],
    ['Fault-times: 2 Mar 2026 10:05, count 3', 3],
  ])('the day after "%s" is not the count', (text, n) => {
    expect(findOccurrences(text)).toBe(n);
  });

  it.each([
    'Times: 2 Mar 2026 10:05',
    'count: 27/02/2026',
    'Occurrences: 10:05',
    'times 2026年3月2日',
  ])('a number that starts a date or a time after a count label is not a count: %s', (text) => {
    expect(findOccurrences(text)).toBeNull();
  });

  it('a labelled number longer than four digits is not read as its first four', () => {
    expect(findOccurrences('Occurrences: 10000')).toBeNull();
  });

  it('"number of fault times: 2" is still a count', () => {
    expect(findOccurrences('number of fault times: 2')).toBe(2);
  });
});

describe('item 2: a count followed by a type keyword is still a count', () => {
  eachRepro(
    ['Compensation claim', '赔偿申请', '賠償申請'].map((keyword) => ({
      name: `"… 10:05 2 occurrences ${keyword}" claims two incidents and is paid 200.00`,
      claim: {
        subject: `Account: demo-shop Fault time: 2026-03-02 10:05 2 occurrences ${keyword}`,
      },
      expected: paidFor(2),
    })),
  );

  it.each([
    ['2 occurrences compensation', 2],
    ['1 occurrence, compensation please', 1],
    ['3 occurrences SLA credit', 3],
  ])('%s → %i', (text, n) => {
    expect(findOccurrences(text)).toBe(n);
  });

  it('a number that multiplies compensation still is not a count', () => {
    expect(findOccurrences('100 times compensation')).toBeNull();
    expect(findOccurrences('100倍赔偿')).toBeNull();
  });
});

describe('item 3: a count word or xN counts only as a token of its own', () => {
  eachRepro([
    {
      name: 'account once-labs with "Occurrences: 2" claims two incidents',
      account: 'once-labs',
      claim: {
        subject:
          'Compensation claim - Account: once-labs; Fault time: 2026-03-02 10:05; Occurrences: 2',
      },
      expected: paidFor(2),
    },
    {
      name: 'account shop-x3 with "twice" claims two incidents',
      account: 'shop-x3',
      claim: {
        subject: 'Compensation claim - Account: shop-x3; Fault time: 2026-03-02 10:05; twice',
      },
      expected: paidFor(2),
    },
  ]);

  it.each([
    'once-labs',
    'labs-once',
    'twice_co',
    'thrice.cloud',
    'x2-ops',
    'shop-x3',
    'shop.x3',
    'ops@x2.test',
    'acme×2-prod',
    'a-2times-b',
    'shop-2-occurrences',
    'team-count2',
  ])('no count is read from the token %s', (token) => {
    expect(findOccurrences(`Account: ${token}`)).toBeNull();
  });

  it.each([
    ['twice.', 2],
    ['(once)', 1],
    ['x2;', 2],
    ['×3，', 3],
    ['it happened thrice, please check', 3],
  ])('a count word standing alone before punctuation is read: %s', (text, n) => {
    expect(findOccurrences(text)).toBe(n);
  });
});

describe('item 10: what the generated subjects found', () => {
  it('a count label before a month-first date keeps its count: "Occurrences:1 Jan 1, 2020 12:00 AM"', () => {
    expect(findOccurrences('Account:demo-shop Occurrences:1 Jan 1, 2020 12:00 AM')).toBe(1);
  });

  it('an English fault-time label glued to its date is read: "Fault time2026-03-02 10:05"', () => {
    expect(extractFaultTimes('Fault time2026-03-02 10:05', 'Asia/Shanghai')).toEqual([
      { kind: 'instant', at: Date.UTC(2026, 2, 2, 2, 5), text: '2026-03-02 10:05' },
    ]);
    expect(
      extractFaultTimes('Time of fault2026-03-02, Fault times2026-03-03 10:05', 'Asia/Shanghai'),
    ).toHaveLength(2);
  });

  it('a year glued to any other word is still no date', () => {
    expect(extractFaultTimes('order ID2026-03-02 acme2026-03-02 10:05', 'Asia/Shanghai')).toEqual(
      [],
    );
  });
});
