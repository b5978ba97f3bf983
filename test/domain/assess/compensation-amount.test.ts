/**
 * Compensation rules 8–9: the amount (daily_fee × fault_seconds × multiplier / 86400 over
 * the recorded fault time, merged per resource, rounded once) and the review limit.
 */
import { describe, expect, it } from 'vitest';
import { contextOf, incident, run } from '../../support/builders.ts';
import { disk, outputs, recordsWith, subjectOf } from './compensation-support.ts';

const DEADLINE = '2026-03-11T23:59:59.999+08:00';

function approved(amount: string, incidents: string[], currency = 'CNY', deadline = DEADLINE) {
  return { decision: 'approved', reasons: [], amount, currency, incidents, deadline };
}

/** demo-shop's resources replaced by these (each `[id, daily_fee]`, ECS in cn-north-1). */
function withHosts(incidents: Record<string, unknown>[], hosts: [string, string][]) {
  const raw = recordsWith(incidents);
  const base = raw.resources[0]!;
  raw.resources = hosts.map(([id, fee]) => ({ ...base, id, daily_fee: fee }));
  return raw;
}

describe('rule 8: amount = daily_fee × fault_seconds × multiplier / 86400', () => {
  it('one hour of an `unavailable` fault on a 48.00/day host pays 48 × 3600 × 100 / 86400 = 200.00', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') });
    expect(outputs(a)).toEqual(approved('200.00', ['INC-1']));
    expect(a.details.compensation).toEqual([
      {
        resource: 'ecs-s1',
        dailyFee: '48.00',
        from: '2026-03-02T14:00:00+08:00',
        to: '2026-03-02T15:00:00+08:00',
        faultSeconds: 3600,
        multiplier: 100,
        incidents: ['INC-1'],
      },
    ]);
  });

  it('one hour of an `other` fault pays at multiplier 1: 2.00', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
        scenario: 'other',
      }),
    ]);
    expect(outputs(run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') }))).toEqual(
      approved('2.00', ['INC-1']),
    );
  });

  it("the fault time is the platform's recorded duration, not the customer's claimed one", () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]);
    const a = run(contextOf(raw), {
      subject: subjectOf('2026-03-02 14:05-14:20'),
      text: 'The host was down for 15 minutes, from 14:05 to 14:20.',
    });
    expect(a.faultTimes).toEqual(['2026-03-02T14:05:00+08:00']);
    expect(outputs(a)).toEqual(approved('200.00', ['INC-1']));
  });

  it('several affected resources are summed: 200.00 for the host plus 50.00 for the disk', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
        scope: [
          { service: 'ECS', region: 'cn-north-1' },
          { service: 'EVS', region: 'cn-north-1' },
        ],
      }),
    ]);
    raw.resources.push(disk());
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') });
    expect(outputs(a)).toEqual(approved('250.00', ['INC-1']));
    expect(a.details.compensation.map((l) => [l.resource, l.faultSeconds, l.multiplier])).toEqual([
      ['ecs-s1', 3600, 100],
      ['evs-d1', 3600, 100],
    ]);
  });

  it('several claimed incidents are summed', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-02-27T10:00:00+08:00', '2026-02-27T10:30:00+08:00'),
      incident('INC-2', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
        scenario: 'other',
      }),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05', 'twice') });
    expect(outputs(a)).toEqual(approved('102.00', ['INC-1', 'INC-2']));
  });
});

describe('rule 8: overlapping incidents on one resource are merged, the overlap at the highest multiplier', () => {
  it('an `unavailable` fault overlapping an `other` one counts the overlap once at ×100: 1.00 + 200.00', () => {
    const raw = recordsWith([
      incident('INC-A', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
        scenario: 'other',
      }),
      incident('INC-B', '2026-03-02T14:30:00+08:00', '2026-03-02T15:30:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:35', 'twice') });
    expect(outputs(a)).toEqual(approved('201.00', ['INC-A', 'INC-B']));
    expect(a.details.compensation.map((l) => [l.from, l.to, l.multiplier, l.incidents])).toEqual([
      ['2026-03-02T14:00:00+08:00', '2026-03-02T14:30:00+08:00', 1, ['INC-A']],
      ['2026-03-02T14:30:00+08:00', '2026-03-02T15:30:00+08:00', 100, ['INC-A', 'INC-B']],
    ]);
  });

  it('two overlapping `unavailable` faults count 14:00–15:30 once: 300.00, not 400.00', () => {
    const raw = recordsWith([
      incident('INC-A', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
      incident('INC-B', '2026-03-02T14:30:00+08:00', '2026-03-02T15:30:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:35', 'twice') });
    expect(outputs(a)).toEqual(approved('300.00', ['INC-A', 'INC-B']));
  });

  it('an `unavailable` fault inside a longer `other` one: 1.00 + 100.00 + 2.00', () => {
    const raw = recordsWith([
      incident('INC-A', '2026-03-02T14:00:00+08:00', '2026-03-02T16:00:00+08:00', {
        scenario: 'other',
      }),
      incident('INC-B', '2026-03-02T14:30:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:30', 'twice') });
    expect(outputs(a)).toEqual(approved('103.00', ['INC-A', 'INC-B']));
  });

  it('overlaps are merged per resource: a disk hit by only one of them is paid for that one alone', () => {
    const raw = recordsWith([
      incident('INC-A', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
      incident('INC-B', '2026-03-02T14:30:00+08:00', '2026-03-02T15:30:00+08:00', {
        scope: [
          { service: 'ECS', region: 'cn-north-1' },
          { service: 'EVS', region: 'cn-north-1' },
        ],
      }),
    ]);
    raw.resources.push(disk());
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:35', 'twice') });
    // Host 14:00–15:30 at ×100 = 300.00; disk 14:30–15:30 at ×100 = 50.00.
    expect(outputs(a)).toEqual(approved('350.00', ['INC-A', 'INC-B']));
  });
});

describe('rule 8: exact arithmetic, rounded once, half-up, to the currency minor unit', () => {
  it('the total is rounded, not each line: 6.9444… + 13.1944… = 20.14 (per-line rounding gives 20.13)', () => {
    const raw = withHosts(
      [
        incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T14:10:00+08:00', {
          scope: undefined,
          resources: ['ecs-a', 'ecs-b'],
        }),
      ],
      [
        ['ecs-a', '10.00'],
        ['ecs-b', '19.00'],
      ],
    );
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') });
    expect(outputs(a)).toEqual(approved('20.14', ['INC-1']));
  });

  it('an exact half cent rounds up: 21.60 × 3780 s × 1 / 86400 = 0.945 → 0.95', () => {
    const raw = withHosts(
      [
        incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:03:00+08:00', {
          scenario: 'other',
        }),
      ],
      [['ecs-s1', '21.60']],
    );
    expect(outputs(run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') }))).toEqual(
      approved('0.95', ['INC-1']),
    );
  });

  it('a JPY account is paid in whole yen, half-up: 1000 × 1350 s × 100 / 86400 = 1562.5 → "1563"', () => {
    const raw = withHosts(
      [incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T14:22:30+08:00')],
      [['ecs-s1', '1000']],
    );
    raw.accounts[0] = { ...raw.accounts[0], currency: 'JPY' };
    expect(outputs(run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') }))).toEqual(
      approved('1563', ['INC-1'], 'JPY'),
    );
  });
});

describe('rule 9: above the review limit (5000.00) the claim goes to review', () => {
  /** 25 hours on the 48.00/day host: exactly 5000.00; started on Sunday 1 March. */
  const DEADLINE_0301 = '2026-03-10T23:59:59.999+08:00';
  const claim = { subject: subjectOf('2026-03-02 13:50') };

  it('exactly 5000.00 is approved', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-01T13:00:00+08:00', '2026-03-02T14:00:00+08:00'),
    ]);
    expect(outputs(run(contextOf(raw), claim))).toEqual(
      approved('5000.00', ['INC-1'], 'CNY', DEADLINE_0301),
    );
  });

  it('5000.06 goes to review with amount_over_review_limit, amount shown', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-01T13:00:00+08:00', '2026-03-02T14:00:01+08:00'),
    ]);
    expect(outputs(run(contextOf(raw), claim))).toEqual({
      ...approved('5000.06', ['INC-1'], 'CNY', DEADLINE_0301),
      decision: 'review',
      reasons: ['amount_over_review_limit'],
    });
  });

  it('an exact total of 5000.0015 is paid as 5000.00, which is not above the limit', () => {
    const raw = withHosts(
      [incident('INC-1', '2026-03-01T02:00:00+08:00', '2026-03-02T14:00:13+08:00')],
      [['ecs-s1', '33.33']],
    );
    expect(outputs(run(contextOf(raw), claim))).toEqual(
      approved('5000.00', ['INC-1'], 'CNY', DEADLINE_0301),
    );
  });

  it('a policy limit of 100.00 sends a 200.00 claim to review; a limit of 200.00 does not', () => {
    const raw = () =>
      recordsWith([incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00')]);
    const low = contextOf(raw(), { policy: { review_above: '100.00' } });
    const even = contextOf(raw(), { policy: { review_above: '200.00' } });
    const c = { subject: subjectOf('2026-03-02 14:05') };
    expect(outputs(run(low, c))).toEqual({
      ...approved('200.00', ['INC-1']),
      decision: 'review',
      reasons: ['amount_over_review_limit'],
    });
    expect(outputs(run(even, c))).toEqual(approved('200.00', ['INC-1']));
  });
});

describe('policy overrides of the multipliers', () => {
  const records = () =>
    recordsWith([
      incident('INC-1', '2026-02-27T10:00:00+08:00', '2026-02-27T11:00:00+08:00', {
        scenario: 'other',
      }),
      incident('INC-2', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]);
  const claim = { subject: subjectOf('2026-03-02 14:05', 'twice') };

  it('with the default multipliers the two faults pay 2.00 + 200.00', () => {
    expect(outputs(run(contextOf(records()), claim))).toEqual(
      approved('202.00', ['INC-1', 'INC-2']),
    );
  });

  it('`unavailable: 50` halves the unavailable fault and keeps `other` at 1: 2.00 + 100.00', () => {
    const ctx = contextOf(records(), { policy: { multipliers: { unavailable: 50 } } });
    expect(outputs(run(ctx, claim))).toEqual(approved('102.00', ['INC-1', 'INC-2']));
  });

  it('`other: 3` triples the other fault: 6.00 + 200.00', () => {
    const ctx = contextOf(records(), { policy: { multipliers: { other: 3 } } });
    expect(outputs(run(ctx, claim))).toEqual(approved('206.00', ['INC-1', 'INC-2']));
  });
});
