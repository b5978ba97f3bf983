/**
 * Time-zone arithmetic on plain epoch milliseconds and ISO local dates ('YYYY-MM-DD').
 * Built on Intl (full ICU ships with Node), so every IANA zone works and no clock is read.
 */

const MINUTE = 60_000;
export const DAY_MS = 86_400_000;

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offsets change only at transitions, and every transition the tz database knows falls
 * on a quarter hour; so one Intl look-up per zone and quarter hour is enough. Intl is by
 * far the slowest step of the engine without this cache.
 */
const QUARTER_HOUR = 15 * MINUTE;
const offsetCache = new Map<string, number>();
const OFFSET_CACHE_LIMIT = 100_000;

function intlOffsetMinutes(at: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(at));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - (at - (((at % 1000) + 1000) % 1000))) / MINUTE);
}

/** Offset of `timeZone` from UTC at instant `at`, in minutes (Asia/Shanghai: 480). */
export function offsetMinutes(at: number, timeZone: string): number {
  const key = `${timeZone} ${Math.floor(at / QUARTER_HOUR)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = intlOffsetMinutes(Math.floor(at / QUARTER_HOUR) * QUARTER_HOUR, timeZone);
    if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** The wall-clock reading of instant `at` in `timeZone`. */
export function toLocal(at: number, timeZone: string): LocalDateTime {
  const d = new Date(at + offsetMinutes(at, timeZone) * MINUTE);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/**
 * The instant at which the wall clock in `timeZone` reads the given local time.
 */
export function fromLocal(l: LocalDateTime, timeZone: string): number {
  const naive = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond);
  // Two rounds converge everywhere but inside a DST transition, where the second
  // offset (the one in force after the first guess) is the better answer.
  const first = naive - offsetMinutes(naive, timeZone) * MINUTE;
  return naive - offsetMinutes(first, timeZone) * MINUTE;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** 'YYYY-MM-DD' of instant `at` in `timeZone`. */
export function localDateOf(at: number, timeZone: string): string {
  const l = toLocal(at, timeZone);
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}`;
}

/** ISO 8601 with the zone's offset: 2026-11-20T10:15:00+08:00 (milliseconds only when set). */
export function formatInstant(at: number, timeZone: string): string {
  const l = toLocal(at, timeZone);
  const off = offsetMinutes(at, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const ms = l.millisecond ? `.${pad(l.millisecond, 3)}` : '';
  return (
    `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}` +
    `${ms}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Splits 'YYYY-MM-DD' into numbers; undefined when it is not a real calendar date. */
export function parseLocalDate(
  date: string,
): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (!isRealDate(year, month, day)) return undefined;
  return { year, month, day };
}

export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** 'YYYY-MM-DD' plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`not a date: ${date}`);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day) + days * DAY_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`not a date: ${date}`);
  return new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
}

/** Start (00:00) of a local date in `timeZone`, as an instant. */
export function startOfLocalDate(date: string, timeZone: string): number {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`not a date: ${date}`);
  return fromLocal({ ...p, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
}

/** Last millisecond (23:59:59.999) of a local date in `timeZone`, as an instant. */
export function endOfLocalDate(date: string, timeZone: string): number {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`not a date: ${date}`);
  return fromLocal({ ...p, hour: 23, minute: 59, second: 59, millisecond: 999 }, timeZone);
}

/** Parses ISO 8601 that carries an offset or Z; undefined otherwise. */
export function parseIsoInstant(text: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (!isRealDate(Number(y), Number(mo), Number(d))) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const naive = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? 0),
    ms,
  );
  if (!zone || zone.toUpperCase() === 'Z') return naive;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const off = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return naive - sign * off * MINUTE;
}
