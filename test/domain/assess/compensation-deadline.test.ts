/**
 * Compensation rule 5: the claim deadline, the end of the 7th working day after the local
 * date of the last fault's start, in the account's time zone.
 */
import { describe, expect, it } from 'vitest';
import { parseCalendar } from '../../../src/domain/calendar.ts';
import { contextOf, incident, run } from '../../support/builders.ts';
import { outputs, recordsWith, subjectOf } from './compensation-support.ts';

/** Approved for 200.00 (one hour on the ECS host) with this deadline. */
function onTime(deadline: string, incidents = ['INC-1'], currency = 'CNY') {
  return { decision: 'approved', reasons: [], amount: '200.00', currency, incidents, deadline };
}
function late(deadline: string) {
  return {
    decision: 'rejected',
    reasons: ['late_claim'],
    amount: null,
    currency: null,
    incidents: [],
    deadline,
  };
}

/** The deadline for an incident from `start` to `end`, claimed at `claimed` and received at `end`. */
function deadlineFor(
  start: string,
  end: string,
  claimed: string,
  options: Parameters<typeof contextOf>[1] = {},
) {
  const ctx = contextOf(recordsWith([incident('INC-1', start, end)]), options);
  return run(ctx, { subject: subjectOf(claimed) }, end).deadline;
}

describe('rule 5: deadline = end of the 7th working day after the local date of the last fault', () => {
  const ctx = contextOf(
    recordsWith([incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00')]),
  );
  const claim = { subject: subjectOf('2026-03-02 14:05') };
  const DEADLINE = '2026-03-11T23:59:59.999+08:00';

  it('a fault on Monday 2 March has its deadline on Wednesday 11 March, the weekend skipped', () => {
    expect(outputs(run(ctx, claim))).toEqual(onTime(DEADLINE));
  });

  it('a claim received exactly at the deadline is on time', () => {
    expect(outputs(run(ctx, claim, '2026-03-11T23:59:59.999+08:00'))).toEqual(onTime(DEADLINE));
  });

  it('a claim received 1 ms after the deadline is rejected with late_claim', () => {
    expect(outputs(run(ctx, claim, '2026-03-12T00:00:00.000+08:00'))).toEqual(late(DEADLINE));
  });

  it('the received time is compared as an instant, whatever offset it is written with', () => {
    expect(outputs(run(ctx, claim, '2026-03-11T15:59:59.999Z'))).toEqual(onTime(DEADLINE));
    expect(outputs(run(ctx, claim, '2026-03-11T16:00:00.000Z'))).toEqual(late(DEADLINE));
  });

  it('the deadline counts from the local date of the start, not of the rectification', () => {
    expect(
      deadlineFor('2026-03-02T23:50:00+08:00', '2026-03-03T00:50:00+08:00', '2026-03-02 23:55'),
    ).toBe(DEADLINE);
  });

  it('a fault on a Friday or a Saturday has its deadline on the Tuesday after next', () => {
    const fri = deadlineFor(
      '2026-03-06T10:00:00+08:00',
      '2026-03-06T11:00:00+08:00',
      '2026-03-06 10:05',
    );
    const sat = deadlineFor(
      '2026-03-07T10:00:00+08:00',
      '2026-03-07T11:00:00+08:00',
      '2026-03-07 10:05',
    );
    expect(fri).toBe('2026-03-17T23:59:59.999+08:00');
    expect(sat).toBe('2026-03-17T23:59:59.999+08:00');
  });

  it('the local date is taken in the account time zone (Monday 01:00 in Shanghai is Sunday in UTC)', () => {
    expect(
      deadlineFor('2026-03-09T01:00:00+08:00', '2026-03-09T02:00:00+08:00', '2026-03-09 01:05'),
    ).toBe('2026-03-18T23:59:59.999+08:00');
  });

  it('the deadline runs from the last fault, not from an earlier claimed one', () => {
    const two = contextOf(
      recordsWith([
        incident('INC-0', '2026-02-20T10:00:00+08:00', '2026-02-20T11:00:00+08:00'),
        incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00'),
      ]),
    );
    const a = run(
      two,
      { subject: subjectOf('2026-02-20 10:05, 2026-03-02 14:05', 'twice') },
      '2026-03-10T18:00:00+08:00',
    );
    expect(outputs(a)).toEqual({ ...onTime(DEADLINE, ['INC-0', 'INC-1']), amount: '400.00' });
  });

  it('a policy with a 3-working-day window moves the deadline to Thursday 5 March', () => {
    const short = contextOf(
      recordsWith([incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00')]),
      { policy: { claim_window_working_days: 3 } },
    );
    expect(outputs(run(short, claim, '2026-03-06T00:00:00+08:00'))).toEqual(
      late('2026-03-05T23:59:59.999+08:00'),
    );
  });
});

describe('rule 5: working days follow the calendar (holidays skipped, make-up workdays counted)', () => {
  /** Tuesday 29 September 2026, before a National Day week. */
  const start = '2026-09-29T10:00:00+08:00';
  const end = '2026-09-29T11:00:00+08:00';
  const claimed = '2026-09-29 10:05';
  const holidays = ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'];

  it('without holidays the 7th working day after 29 September is Thursday 8 October', () => {
    expect(deadlineFor(start, end, claimed)).toBe('2026-10-08T23:59:59.999+08:00');
  });

  it('weekday holidays are skipped: Thursday 15 October', () => {
    const calendar = parseCalendar({ holidays }, 'calendar.json');
    expect(deadlineFor(start, end, claimed, { calendar })).toBe('2026-10-15T23:59:59.999+08:00');
  });

  it('a make-up working Saturday counts: Wednesday 14 October', () => {
    const calendar = parseCalendar({ holidays, workdays: ['2026-10-10'] }, 'calendar.json');
    expect(deadlineFor(start, end, claimed, { calendar })).toBe('2026-10-14T23:59:59.999+08:00');
  });

  it('a claim received on the morning after the calendar deadline is late', () => {
    const calendar = parseCalendar({ holidays, workdays: ['2026-10-10'] }, 'calendar.json');
    const ctx = contextOf(recordsWith([incident('INC-1', start, end)]), { calendar });
    const claim = { subject: subjectOf(claimed) };
    expect(outputs(run(ctx, claim, '2026-10-14T23:59:59.999+08:00'))).toEqual(
      onTime('2026-10-14T23:59:59.999+08:00'),
    );
    expect(outputs(run(ctx, claim, '2026-10-15T09:00:00+08:00'))).toEqual(
      late('2026-10-14T23:59:59.999+08:00'),
    );
  });
});

describe('rule 5 with an account time zone other than Shanghai (Europe/Berlin)', () => {
  function berlin(incidents: Record<string, unknown>[]) {
    const raw = recordsWith(incidents);
    raw.accounts[0] = { ...raw.accounts[0], timezone: 'Europe/Berlin', currency: 'EUR' };
    return contextOf(raw);
  }

  it('an unzoned fault time is read in Berlin time and the deadline is printed with +02:00 after the DST change', () => {
    const ctx = berlin([
      incident('INC-1', '2026-03-25T10:00:00+01:00', '2026-03-25T11:00:00+01:00'),
    ]);
    const a = run(ctx, { subject: subjectOf('2026-03-25 10:15') }, '2026-03-26T09:00:00+01:00');
    expect(a.faultTimes).toEqual(['2026-03-25T10:15:00+01:00']);
    expect(outputs(a)).toEqual(onTime('2026-04-03T23:59:59.999+02:00', ['INC-1'], 'EUR'));
  });

  it('the Berlin deadline ends at Berlin midnight', () => {
    const ctx = berlin([
      incident('INC-1', '2026-03-25T10:00:00+01:00', '2026-03-25T11:00:00+01:00'),
    ]);
    const claim = { subject: subjectOf('2026-03-25 10:15') };
    const DEADLINE = '2026-04-03T23:59:59.999+02:00';
    expect(outputs(run(ctx, claim, '2026-04-04T05:59:59.999+08:00'))).toEqual(
      onTime(DEADLINE, ['INC-1'], 'EUR'),
    );
    expect(outputs(run(ctx, claim, '2026-04-04T00:00:00.000+02:00'))).toEqual(late(DEADLINE));
  });

  it('in winter the Berlin deadline is printed with +01:00', () => {
    const ctx = berlin([
      incident('INC-1', '2026-02-02T10:00:00+01:00', '2026-02-02T11:00:00+01:00'),
    ]);
    const a = run(ctx, { subject: subjectOf('2026-02-02 10:15') }, '2026-02-03T09:00:00+01:00');
    expect(outputs(a)).toEqual(onTime('2026-02-11T23:59:59.999+01:00', ['INC-1'], 'EUR'));
  });

  it('the same unzoned time from a Shanghai account names another instant and matches nothing', () => {
    const raw = recordsWith([
      incident('INC-1', '2026-03-25T10:00:00+01:00', '2026-03-25T11:00:00+01:00'),
    ]);
    const a = run(
      contextOf(raw),
      { subject: subjectOf('2026-03-25 10:15') },
      '2026-03-26T09:00:00+01:00',
    );
    expect(outputs(a)).toMatchObject({ decision: 'rejected', reasons: ['no_matching_incident'] });
  });

  it('a date-only claim matches an incident starting that day in Berlin, though it is the next day in Shanghai', () => {
    const ctx = berlin([
      incident('INC-1', '2026-03-03T00:30:00+08:00', '2026-03-03T01:30:00+08:00'),
    ]);
    const a = run(ctx, { subject: subjectOf('2026-03-02') }, '2026-03-03T09:00:00+01:00');
    expect(outputs(a)).toEqual(onTime('2026-03-11T23:59:59.999+01:00', ['INC-1'], 'EUR'));
  });

  it("the policy's time zone applies to accounts without one", () => {
    const ctx = contextOf(
      recordsWith([incident('INC-1', '2026-03-02T15:00:00+09:00', '2026-03-02T16:00:00+09:00')]),
      { policy: { timezone: 'Asia/Tokyo' } },
    );
    const a = run(ctx, { subject: subjectOf('2026-03-02 15:05') });
    expect(a.faultTimes).toEqual(['2026-03-02T15:05:00+09:00']);
    expect(outputs(a)).toEqual(onTime('2026-03-11T23:59:59.999+09:00'));
  });
});
