/**
 * Compensation rules 6, 7 and 10: which incidents a claim covers, which of them are paid,
 * and that each (account, incident) is paid once.
 */
import { describe, expect, it } from 'vitest';
import { contextOf, incident, run } from '../../support/builders.ts';
import { outputs, recordsWith, subjectOf } from './compensation-support.ts';

const DEADLINE = '2026-03-11T23:59:59.999+08:00';

/** 20 Feb: 1 h (200.00); 25 Feb: 30 min (100.00); 2 Mar: 1 h (200.00). All platform faults. */
function history(extra: Record<string, Record<string, unknown>> = {}): Record<string, unknown>[] {
  return [
    incident(
      'INC-0220',
      '2026-02-20T10:00:00+08:00',
      '2026-02-20T11:00:00+08:00',
      extra['INC-0220'],
    ),
    incident(
      'INC-0225',
      '2026-02-25T10:00:00+08:00',
      '2026-02-25T10:30:00+08:00',
      extra['INC-0225'],
    ),
    incident(
      'INC-0302',
      '2026-03-02T14:00:00+08:00',
      '2026-03-02T15:00:00+08:00',
      extra['INC-0302'],
    ),
  ];
}

function approved(amount: string, incidents: string[], reasons: string[] = []) {
  return { decision: 'approved', reasons, amount, currency: 'CNY', incidents, deadline: DEADLINE };
}
function rejected(reasons: string[]) {
  return {
    decision: 'rejected',
    reasons,
    amount: null,
    currency: null,
    incidents: [],
    deadline: DEADLINE,
  };
}

describe('rule 6: with two or more distinct claimed times, the claimed incidents are their best matches', () => {
  const ctx = contextOf(recordsWith(history()));

  it('two claimed times give exactly their two best matches, skipping the incident between them', () => {
    const a = run(ctx, { subject: subjectOf('2026-02-20 10:05 and 2026-03-02 14:05', 'twice') });
    expect(outputs(a)).toEqual(approved('400.00', ['INC-0220', 'INC-0302']));
    expect(a.occurrencesClaimed).toBe(2);
    expect(a.faultTimes).toEqual(['2026-02-20T10:05:00+08:00', '2026-03-02T14:05:00+08:00']);
  });

  it('two claimed times with a count of 3 go to review with count_mismatch', () => {
    const a = run(ctx, {
      subject: subjectOf('2026-02-20 10:05 and 2026-03-02 14:05', 'occurrences: 3'),
    });
    expect(outputs(a)).toEqual({
      ...approved('400.00', ['INC-0220', 'INC-0302']),
      decision: 'review',
      reasons: ['count_mismatch'],
    });
  });

  it('two claimed times with a count of 1 go to review with count_mismatch', () => {
    const a = run(ctx, { subject: subjectOf('2026-02-20 10:05 and 2026-03-02 14:05', 'once') });
    expect(outputs(a)).toEqual({
      ...approved('400.00', ['INC-0220', 'INC-0302']),
      decision: 'review',
      reasons: ['count_mismatch'],
    });
  });

  it('two claimed times inside the same incident claim it once, so a count of 2 is a mismatch', () => {
    const a = run(ctx, { subject: subjectOf('2026-03-02 14:05 and 2026-03-02 14:40', 'twice') });
    expect(outputs(a)).toEqual({
      ...approved('200.00', ['INC-0302']),
      decision: 'review',
      reasons: ['count_mismatch'],
    });
  });

  it('incidents are listed by start time whatever order the times are written in', () => {
    const a = run(ctx, {
      subject: subjectOf('2026-03-02 14:05, 2026-02-25 10:10, 2026-02-20 10:05', 'occurrences: 3'),
    });
    expect(outputs(a)).toEqual(approved('500.00', ['INC-0220', 'INC-0225', 'INC-0302']));
  });
});

describe('rule 6: with one claimed time, the last fault plus the N−1 most recent earlier affected incidents', () => {
  it('a count of 2 adds the most recent earlier incident', () => {
    const a = run(contextOf(recordsWith(history())), {
      subject: subjectOf('2026-03-02 14:05', 'twice'),
    });
    expect(outputs(a)).toEqual(approved('300.00', ['INC-0225', 'INC-0302']));
  });

  it('a count of 3 adds the two most recent earlier incidents', () => {
    const a = run(contextOf(recordsWith(history())), {
      subject: subjectOf('2026-03-02 14:05', '3 times'),
    });
    expect(outputs(a)).toEqual(approved('500.00', ['INC-0220', 'INC-0225', 'INC-0302']));
  });

  it('fewer incidents on record than the count go to review with count_mismatch, paying those found', () => {
    const a = run(contextOf(recordsWith(history())), {
      subject: subjectOf('2026-03-02 14:05', 'occurrences: 4'),
    });
    expect(outputs(a)).toEqual({
      ...approved('500.00', ['INC-0220', 'INC-0225', 'INC-0302']),
      decision: 'review',
      reasons: ['count_mismatch'],
    });
  });

  it('incidents after the last fault and incidents not affecting the account are not counted', () => {
    const raw = recordsWith([
      ...history(),
      incident('INC-RDS', '2026-02-28T10:00:00+08:00', '2026-02-28T11:00:00+08:00', {
        scope: [{ service: 'RDS', region: 'cn-north-1' }],
      }),
      incident('INC-0303', '2026-03-03T09:00:00+08:00', '2026-03-03T10:00:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05', 'twice') });
    expect(outputs(a)).toEqual(approved('300.00', ['INC-0225', 'INC-0302']));
  });

  it('an earlier incident starting exactly 30 days before the last fault is still counted', () => {
    const raw = recordsWith([
      incident('INC-0131', '2026-01-31T14:00:00+08:00', '2026-01-31T15:00:00+08:00'),
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05', 'twice') });
    expect(outputs(a)).toEqual(approved('400.00', ['INC-0131', 'INC-0302']));
  });

  it('an earlier incident starting one minute more than 30 days before is not counted: count_mismatch', () => {
    const raw = recordsWith([
      incident('INC-0131', '2026-01-31T13:59:00+08:00', '2026-01-31T14:59:00+08:00'),
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
    ]);
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05', 'twice') });
    expect(outputs(a)).toEqual({
      ...approved('200.00', ['INC-0302']),
      decision: 'review',
      reasons: ['count_mismatch'],
    });
  });

  it('a policy with a 7-day look-back only reaches back to 23 February', () => {
    const ctx = contextOf(recordsWith(history()), { policy: { lookback_days: 7 } });
    const a = run(ctx, { subject: subjectOf('2026-03-02 14:05', '3 times') });
    expect(outputs(a)).toEqual({
      ...approved('300.00', ['INC-0225', 'INC-0302']),
      decision: 'review',
      reasons: ['count_mismatch'],
    });
  });
});

describe('rule 7: already compensated incidents and non-platform causes pay nothing', () => {
  const paidBefore = (incidentId: string, account = 'demo-shop') => ({
    compensations: [{ account, incident: incidentId, at: '2026-02-26T10:00:00+08:00' }],
  });

  it('an already compensated incident is dropped and reported while something is left (approved)', () => {
    const a = run(contextOf(recordsWith(history(), paidBefore('INC-0225'))), {
      subject: subjectOf('2026-03-02 14:05', 'twice'),
    });
    expect(outputs(a)).toEqual(approved('200.00', ['INC-0302'], ['already_compensated']));
    expect(a.details.perItem).toEqual({ 'INC-0225': ['already_compensated'] });
  });

  it('a claim whose only incident was already compensated is rejected with already_compensated', () => {
    const a = run(contextOf(recordsWith(history(), paidBefore('INC-0302'))), {
      subject: subjectOf('2026-03-02 14:05'),
    });
    expect(outputs(a)).toEqual(rejected(['already_compensated']));
  });

  it('a compensation paid to another account does not count for this one', () => {
    const a = run(contextOf(recordsWith(history(), paidBefore('INC-0302', 'other-co'))), {
      subject: subjectOf('2026-03-02 14:05'),
    });
    expect(outputs(a)).toEqual(approved('200.00', ['INC-0302']));
  });

  it.each(['maintenance', 'force_majeure', 'carrier', 'backbone', 'attack', 'customer'])(
    'an incident caused by %s pays nothing: rejected with excluded_cause when nothing is left',
    (cause) => {
      const a = run(contextOf(recordsWith(history({ 'INC-0302': { cause } }))), {
        subject: subjectOf('2026-03-02 14:05'),
      });
      expect(outputs(a)).toEqual(rejected(['excluded_cause']));
    },
  );

  it('an excluded incident among payable ones is dropped and reported (approved)', () => {
    const a = run(contextOf(recordsWith(history({ 'INC-0225': { cause: 'maintenance' } }))), {
      subject: subjectOf('2026-03-02 14:05', '3 times'),
    });
    expect(outputs(a)).toEqual(approved('400.00', ['INC-0220', 'INC-0302'], ['excluded_cause']));
  });

  it('dropped incidents still count towards the claimed number, so there is no count mismatch', () => {
    const a = run(
      contextOf(recordsWith(history({ 'INC-0225': { cause: 'carrier' } }), paidBefore('INC-0220'))),
      { subject: subjectOf('2026-03-02 14:05', '3 times') },
    );
    expect(outputs(a)).toEqual(
      approved('200.00', ['INC-0302'], ['already_compensated', 'excluded_cause']),
    );
  });

  it('when every claimed incident is compensated or excluded, both reasons reject', () => {
    const a = run(
      contextOf(recordsWith(history({ 'INC-0302': { cause: 'attack' } }), paidBefore('INC-0225'))),
      { subject: subjectOf('2026-03-02 14:05', 'twice') },
    );
    expect(outputs(a)).toEqual(rejected(['already_compensated', 'excluded_cause']));
  });

  it('an excluded or compensated last fault still sets the deadline and the claimed set', () => {
    const a = run(
      contextOf(recordsWith(history({ 'INC-0302': { cause: 'backbone' } }))),
      { subject: subjectOf('2026-03-02 14:05', 'twice') },
      '2026-03-12T08:00:00+08:00',
    );
    // INC-0225 is left to pay, so excluded_cause only informs, and a late claim pays
    // nothing: it is not reported (DESIGN v1.1, informing reasons).
    expect(outputs(a)).toEqual(rejected(['late_claim']));
    expect(a.details.matchedIncidents).toEqual(['INC-0302', 'INC-0225']);
  });
});

describe('rule 10: paid once per (account, incident)', () => {
  it('two claimed times inside one incident, claimed once, pay that incident once', () => {
    const a = run(contextOf(recordsWith(history())), {
      subject: subjectOf('2026-03-02 14:05 and 2026-03-02 14:50', 'once'),
    });
    expect(outputs(a)).toEqual(approved('200.00', ['INC-0302']));
  });

  it('an incident hitting two of the account resources is one incident, paid per resource', () => {
    const raw = recordsWith([
      incident('INC-0302', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
        scope: undefined,
        resources: ['ecs-s1', 'ecs-s2'],
      }),
    ]);
    raw.resources.push({ ...raw.resources[0]!, id: 'ecs-s2', daily_fee: '24.00' });
    const a = run(contextOf(raw), { subject: subjectOf('2026-03-02 14:05') });
    expect(outputs(a)).toEqual(approved('300.00', ['INC-0302']));
  });
});
