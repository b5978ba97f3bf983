import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isOutsideCoverage,
  isWorkingDay,
  nthWorkingDayAfter,
  parseCalendar,
} from '../../src/domain/calendar.ts';
import { CHINA_MAINLAND_CALENDAR } from '../../src/domain/calendars/china-mainland.ts';
import { InvalidInputError } from '../../src/domain/errors.ts';
import { addDays } from '../../src/domain/time.ts';

const plain = parseCalendar({}, 'calendar.json');

describe('working days are Monday to Friday, minus holidays, plus make-up days', () => {
  it('weekends are not working days and weekdays are', () => {
    expect(isWorkingDay(plain, '2026-11-20')).toBe(true); // Friday
    expect(isWorkingDay(plain, '2026-11-21')).toBe(false); // Saturday
    expect(isWorkingDay(plain, '2026-11-22')).toBe(false); // Sunday
  });

  it('a holiday on a weekday is not a working day; a make-up Saturday is', () => {
    const cal = parseCalendar(
      { holidays: ['2026-11-23'], workdays: ['2026-11-21'] },
      'calendar.json',
    );
    expect(isWorkingDay(cal, '2026-11-23')).toBe(false);
    expect(isWorkingDay(cal, '2026-11-21')).toBe(true);
  });

  it('the 7th working day after a Friday is the Tuesday of the week after next', () => {
    expect(nthWorkingDayAfter(plain, '2026-11-20', 7)).toBe('2026-12-01');
  });

  it('the 7th working day after a Monday is the Wednesday of the next week', () => {
    expect(nthWorkingDayAfter(plain, '2026-03-02', 7)).toBe('2026-03-11');
  });

  it('counts from the day after, so a fault on a Saturday starts counting on Monday', () => {
    expect(nthWorkingDayAfter(plain, '2026-11-21', 1)).toBe('2026-11-23');
  });

  it('skips China’s National Day week and counts its make-up Saturday', () => {
    // 2026-09-30 (Wed) → Oct 1–7 off, Oct 8 (Thu) 1, Oct 9 (Fri) 2, Oct 10 (Sat, make-up) 3, Oct 12 4, 13 5, 14 6, 15 7.
    expect(nthWorkingDayAfter(CHINA_MAINLAND_CALENDAR, '2026-09-30', 7)).toBe('2026-10-15');
  });

  it('skips the Spring Festival of 2026', () => {
    expect(isWorkingDay(CHINA_MAINLAND_CALENDAR, '2026-02-16')).toBe(false);
    expect(isWorkingDay(CHINA_MAINLAND_CALENDAR, '2026-02-14')).toBe(true);
  });
});

describe('the default calendar states the years it covers', () => {
  it('covers 2023 to 2026 and flags dates outside', () => {
    expect(isOutsideCoverage(CHINA_MAINLAND_CALENDAR, '2026-12-31')).toBe(false);
    expect(isOutsideCoverage(CHINA_MAINLAND_CALENDAR, '2027-01-04')).toBe(true);
    expect(isOutsideCoverage(CHINA_MAINLAND_CALENDAR, '2022-12-30')).toBe(true);
    expect(isOutsideCoverage(plain, '1999-01-01')).toBe(false);
  });
});

describe('calendar files are validated, naming the file and the field', () => {
  it('rejects a date that does not exist', () => {
    expect(() => parseCalendar({ holidays: ['2026-02-29'] }, 'cal.json')).toThrow(
      /cal\.json: holidays\[0\]/,
    );
  });
  it('rejects a non-array and unknown fields', () => {
    expect(() => parseCalendar({ workdays: '2026-01-01' }, 'cal.json')).toThrow(InvalidInputError);
    expect(() => parseCalendar({ holiday: [] }, 'cal.json')).toThrow(/holiday/);
    expect(() => parseCalendar([], 'cal.json')).toThrow(/\(root\)/);
  });
});

const dateArb = fc
  .date({
    min: new Date('2023-01-01T00:00:00Z'),
    max: new Date('2027-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));
const calendarArb = fc
  .record({
    holidays: fc.array(dateArb, { maxLength: 60 }),
    workdays: fc.array(dateArb, { maxLength: 20 }),
  })
  .map((c) => parseCalendar(c, 'generated'));

describe('deadlines, as properties', () => {
  it('a deadline is always a working day', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, fc.integer({ min: 1, max: 15 }), (cal, date, n) => {
        expect(isWorkingDay(cal, nthWorkingDayAfter(cal, date, n))).toBe(true);
      }),
    );
  });

  it('a later fault never has an earlier deadline', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, fc.integer({ min: 0, max: 40 }), (cal, date, later) => {
        const a = nthWorkingDayAfter(cal, date, 7);
        const b = nthWorkingDayAfter(cal, addDays(date, later), 7);
        expect(b >= a).toBe(true);
      }),
    );
  });

  it('exactly n working days lie after the fault date up to the deadline', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, fc.integer({ min: 1, max: 10 }), (cal, date, n) => {
        const deadline = nthWorkingDayAfter(cal, date, n);
        let count = 0;
        for (let d = addDays(date, 1); d <= deadline; d = addDays(d, 1))
          if (isWorkingDay(cal, d)) count++;
        expect(count).toBe(n);
      }),
    );
  });
});
