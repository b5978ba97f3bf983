/**
 * Compensation rules 3–4: which incidents affect the account, and which incident a
 * claimed fault time matches.
 */
import { describe, expect, it } from 'vitest';
import { contextOf, incident, run } from '../../support/builders.ts';
import { disk, outputs, recordsWith, subjectOf } from './compensation-support.ts';

const DEADLINE = '2026-03-11T23:59:59.999+08:00';
const REJECTED = { decision: 'rejected', amount: null, currency: null, incidents: [] };
const NO_MATCH = { ...REJECTED, reasons: ['no_matching_incident'], deadline: null };

/** Approved for these incidents and amount, last fault on 2026-03-02. */
function paid(amount: string, incidents: string[]) {
  return {
    decision: 'approved',
    reasons: [],
    amount,
    currency: 'CNY',
    incidents,
    deadline: DEADLINE,
  };
}

describe('rule 3: an incident affects the account through its resources or its scope', () => {
  const claim = { subject: subjectOf('2026-03-02 14:05') };

  it('an incident listing an account resource in `resources` affects the account', () => {
    const inc = incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
      scope: undefined,
      resources: ['ecs-s1'],
    });
    expect(outputs(run(contextOf(recordsWith([inc])), claim))).toEqual(paid('200.00', ['INC-1']));
  });

  it('an incident whose scope names the service and region of an account resource affects it', () => {
    const inc = incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
      scope: [
        { service: 'RDS', region: 'cn-north-1' },
        { service: 'ECS', region: 'cn-north-1' },
      ],
    });
    expect(outputs(run(contextOf(recordsWith([inc])), claim))).toEqual(paid('200.00', ['INC-1']));
  });

  it('a scope entry with the right service but another region does not affect the account', () => {
    const inc = incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
      scope: [{ service: 'ECS', region: 'cn-south-1' }],
    });
    expect(outputs(run(contextOf(recordsWith([inc])), claim))).toEqual(NO_MATCH);
  });

  it('a scope entry with the right region but another service does not affect the account', () => {
    const inc = incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
      scope: [{ service: 'OBS', region: 'cn-north-1' }],
    });
    expect(outputs(run(contextOf(recordsWith([inc])), claim))).toEqual(NO_MATCH);
  });

  it("an incident listing only another account's resource does not affect the account", () => {
    const other = { ...disk(), id: 'ecs-o1', account: 'other-co', service: 'ECS' };
    const inc = incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
      scope: undefined,
      resources: ['ecs-o1'],
    });
    const raw = recordsWith([inc]);
    raw.resources.push(other);
    expect(outputs(run(contextOf(raw), claim))).toEqual(NO_MATCH);
  });

  it('an unaffected incident closer to the claimed time is ignored in favour of the affected one', () => {
    const raw = recordsWith([
      incident('INC-RDS', '2026-03-02T14:05:00+08:00', '2026-03-02T16:00:00+08:00', {
        scope: [{ service: 'RDS', region: 'cn-north-1' }],
      }),
      incident('INC-ECS', '2026-03-02T13:45:00+08:00', '2026-03-02T14:15:00+08:00'),
    ]);
    expect(outputs(run(contextOf(raw), claim))).toEqual(paid('100.00', ['INC-ECS']));
  });

  it('a resource both listed and in scope is counted once', () => {
    const inc = incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
      resources: ['ecs-s1'],
    });
    expect(outputs(run(contextOf(recordsWith([inc])), claim))).toEqual(paid('200.00', ['INC-1']));
  });

  it('only the account resources the incident touches are paid for', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]);
    raw.resources.push(disk());
    const a = run(contextOf(raw), claim);
    expect(outputs(a)).toEqual(paid('200.00', ['INC-1']));
    expect(a.details.compensation.map((l) => l.resource)).toEqual(['ecs-s1']);
  });

  it('an account without any affected incident is rejected with no_matching_incident', () => {
    expect(outputs(run(contextOf(recordsWith([])), claim))).toEqual(NO_MATCH);
  });
});

describe('rule 4: a claimed time matches an incident within [start − 30 min, end + 30 min]', () => {
  /** 14:00–15:00 on Monday 2 March 2026. */
  const ctx = contextOf(
    recordsWith([incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00')]),
  );
  const claimAt = (time: string) => outputs(run(ctx, { subject: subjectOf(time) }));

  it('a claimed time inside the incident matches it', () => {
    expect(claimAt('2026-03-02 14:40')).toEqual(paid('200.00', ['INC-1']));
  });

  it('a claimed time exactly 30 minutes before the start still matches the incident', () => {
    expect(claimAt('2026-03-02 13:30')).toEqual(paid('200.00', ['INC-1']));
  });

  it('a claimed time 31 minutes before the start does not match', () => {
    expect(claimAt('2026-03-02 13:29')).toEqual(NO_MATCH);
  });

  it('a claimed time 30 minutes after the rectification still matches the incident', () => {
    expect(claimAt('2026-03-02 15:30')).toEqual(paid('200.00', ['INC-1']));
  });

  it('a claimed time 31 minutes after the rectification does not match', () => {
    expect(claimAt('2026-03-02 15:31')).toEqual(NO_MATCH);
  });

  it('a claimed time with an explicit zone is compared as the instant it names', () => {
    expect(claimAt('2026-03-02 06:05 UTC')).toEqual(paid('200.00', ['INC-1']));
    expect(claimAt('2026-03-02T15:05:00+09:00')).toEqual(paid('200.00', ['INC-1']));
  });

  it('a policy with a 10-minute tolerance narrows the window to [start − 10 min, end + 10 min]', () => {
    const narrow = contextOf(
      recordsWith([incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00')]),
      { policy: { match_tolerance_minutes: 10 } },
    );
    const claim = (time: string) => outputs(run(narrow, { subject: subjectOf(time) }));
    expect(claim('2026-03-02 13:50')).toEqual(paid('200.00', ['INC-1']));
    expect(claim('2026-03-02 13:49')).toEqual(NO_MATCH);
    expect(claim('2026-03-02 15:10')).toEqual(paid('200.00', ['INC-1']));
    expect(claim('2026-03-02 15:11')).toEqual(NO_MATCH);
  });
});

describe('rule 4: a date-only claim matches the incidents that start on that local date', () => {
  const dateClaim = (count = 'occurrences: 1') => ({
    subject: `Compensation claim, account: demo-shop, fault date: 2026-03-02, ${count}`,
  });

  it('an incident starting early on that date in the account time zone matches (UTC still on the day before)', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-02T01:00:00+08:00', '2026-03-02T02:00:00+08:00'),
    ]);
    const a = run(contextOf(raw), dateClaim());
    expect(a.faultTimes).toEqual(['2026-03-02']);
    expect(outputs(a)).toEqual(paid('200.00', ['INC-1']));
  });

  it('an incident that started the day before and ran into that date does not match', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-01T23:00:00+08:00', '2026-03-02T01:00:00+08:00'),
    ]);
    expect(outputs(run(contextOf(raw), dateClaim()))).toEqual(NO_MATCH);
  });

  it('an incident starting just after local midnight, still that date in UTC, does not match', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-03T00:30:00+08:00', '2026-03-03T01:00:00+08:00'),
    ]);
    expect(outputs(run(contextOf(raw), dateClaim()))).toEqual(NO_MATCH);
  });

  it('with several incidents that day, the best match is the one starting latest (a whole-day tie)', () => {
    const raw = recordsWith([
      incident('INC-PM', '2026-03-02T20:00:00+08:00', '2026-03-02T21:00:00+08:00'),
      incident('INC-AM', '2026-03-02T09:00:00+08:00', '2026-03-02T09:30:00+08:00'),
    ]);
    const a = run(contextOf(raw), dateClaim());
    expect(outputs(a)).toEqual(paid('200.00', ['INC-PM']));
    expect(a.details.lastFault).toBe('INC-PM');
  });

  it('a date-only claim for two occurrences takes that day’s latest incident and the one before it', () => {
    const raw = recordsWith([
      incident('INC-PM', '2026-03-02T20:00:00+08:00', '2026-03-02T21:00:00+08:00'),
      incident('INC-AM', '2026-03-02T09:00:00+08:00', '2026-03-02T09:30:00+08:00'),
    ]);
    expect(outputs(run(contextOf(raw), dateClaim('twice')))).toEqual(
      paid('300.00', ['INC-AM', 'INC-PM']),
    );
  });
});

describe("rule 4: a time's best match is the matched incident whose start is closest", () => {
  it('of two matching incidents, the one starting closer to the claimed time is chosen', () => {
    const raw = recordsWith([
      incident('INC-A', '2026-03-02T13:40:00+08:00', '2026-03-02T14:30:00+08:00'),
      incident('INC-B', '2026-03-02T14:00:00+08:00', '2026-03-02T14:20:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') });
    expect(outputs(a)).toEqual(paid('66.67', ['INC-B']));
  });

  it('the closest start wins even over an incident that contains the claimed time', () => {
    const raw = recordsWith([
      incident('INC-A', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
      incident('INC-B', '2026-03-02T14:45:00+08:00', '2026-03-02T15:15:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:25') });
    expect(outputs(a)).toEqual(paid('100.00', ['INC-B']));
  });

  it('on a tie the incident with the later start is chosen, whatever the record order', () => {
    const later = incident('INC-LATE', '2026-03-02T14:20:00+08:00', '2026-03-02T14:40:00+08:00');
    const earlier = incident('INC-EARLY', '2026-03-02T13:40:00+08:00', '2026-03-02T13:50:00+08:00');
    for (const incidents of [
      [later, earlier],
      [earlier, later],
    ]) {
      const a = run(contextOf(recordsWith(incidents)), { subject: subjectOf('2026-03-02 14:00') });
      expect(outputs(a)).toEqual(paid('66.67', ['INC-LATE']));
    }
  });
});

describe('rule 4: the latest claimed time must match; its best match is the last fault', () => {
  const ctx = contextOf(
    recordsWith([
      incident('INC-0', '2026-02-27T10:00:00+08:00', '2026-02-27T11:00:00+08:00'),
      incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]),
  );

  it('when the latest claimed time matches nothing the claim is rejected, even if an earlier one matches', () => {
    const a = run(ctx, { subject: subjectOf('2026-02-27 10:10 and 2026-03-02 18:00', 'twice') });
    expect(outputs(a)).toEqual(NO_MATCH);
  });

  it('the latest claimed time decides even when it is written first', () => {
    const a = run(ctx, { subject: subjectOf('2026-03-02 14:05 and 2026-02-27 10:10', 'twice') });
    expect(outputs(a)).toEqual(paid('400.00', ['INC-0', 'INC-1']));
    expect(a.details.lastFault).toBe('INC-1');
  });

  it('an earlier claimed time that matches nothing leaves the claim to review as a count mismatch', () => {
    const a = run(ctx, { subject: subjectOf('2026-02-25 08:00 and 2026-03-02 14:05', 'twice') });
    expect(outputs(a)).toEqual({
      ...paid('200.00', ['INC-1']),
      decision: 'review',
      reasons: ['count_mismatch'],
    });
  });

  it('a claimed time far from every incident is rejected with no_matching_incident and no deadline', () => {
    expect(outputs(run(ctx, { subject: subjectOf('2026-03-03 09:00') }))).toEqual(NO_MATCH);
  });
});
