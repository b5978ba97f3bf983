/**
 * Working days: Monday–Friday, minus the calendar's holidays, plus its make-up working
 * days. Dates are local 'YYYY-MM-DD' strings; the caller turns instants into local dates
 * in the account's time zone.
 */
import { InvalidInputError } from './errors.ts';
import { addDays, parseLocalDate, weekday } from './time.ts';

export interface Calendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
  /** Years the calendar is known to describe; dates outside get a warning. Undefined: any. */
  coveredYears?: { from: number; to: number };
}

export function isWorkingDay(calendar: Calendar, date: string): boolean {
  if (calendar.workdays.has(date)) return true;
  if (calendar.holidays.has(date)) return false;
  const day = weekday(date);
  return day !== 0 && day !== 6;
}

/** The n-th working day strictly after `date` (n ≥ 1). */
export function nthWorkingDayAfter(calendar: Calendar, date: string, n: number): string {
  let current = date;
  let counted = 0;
  // A year has far more than 7 working days, so this ends quickly for any sane calendar;
  // the bound stops a calendar made only of holidays from looping forever.
  for (let step = 0; step < 3660 && counted < n; step++) {
    current = addDays(current, 1);
    if (isWorkingDay(calendar, current)) counted++;
  }
  return current;
}

/** True when `date` lies outside the years the calendar covers. */
export function isOutsideCoverage(calendar: Calendar, date: string): boolean {
  if (!calendar.coveredYears) return false;
  const year = Number(date.slice(0, 4));
  return year < calendar.coveredYears.from || year > calendar.coveredYears.to;
}

/** Validates a calendar file's JSON (`{"holidays":[...],"workdays":[...]}`). */
export function parseCalendar(json: unknown, file: string): Calendar {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError(file, '(root)', 'must be a JSON object');
  }
  const obj = json as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== 'holidays' && key !== 'workdays' && key !== 'covered_years') {
      throw new InvalidInputError(file, key, 'unknown field');
    }
  }
  const calendar: Calendar = {
    holidays: new Set(dates(obj.holidays, file, 'holidays')),
    workdays: new Set(dates(obj.workdays, file, 'workdays')),
  };
  const covered = obj.covered_years;
  if (covered !== undefined) {
    const c = covered as Record<string, unknown>;
    if (
      !Number.isInteger(c?.from) ||
      !Number.isInteger(c?.to) ||
      (c.from as number) > (c.to as number)
    ) {
      throw new InvalidInputError(file, 'covered_years', 'must be {"from":YEAR,"to":YEAR}');
    }
    calendar.coveredYears = { from: c.from as number, to: c.to as number };
  }
  return calendar;
}

function dates(value: unknown, file: string, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidInputError(file, field, 'must be an array of dates');
  return value.map((d, i) => {
    if (typeof d !== 'string' || !parseLocalDate(d)) {
      throw new InvalidInputError(
        file,
        `${field}[${i}]`,
        `not a date (YYYY-MM-DD): ${JSON.stringify(d)}`,
      );
    }
    return d;
  });
}

/** The calendar as a calendar file's JSON (dates sorted): parseCalendar reads it back equal. */
export function calendarJson(calendar: Calendar): Record<string, unknown> {
  return {
    holidays: [...calendar.holidays].sort(),
    workdays: [...calendar.workdays].sort(),
    ...(calendar.coveredYears ? { covered_years: { ...calendar.coveredYears } } : {}),
  };
}
