/**
 * Turns the capture groups of the fault-time regexes into numbers, applying the policy's
 * rules: which hours 上午/下午/AM/PM mean, which offsets a zone suffix stands for, and
 * when a `-05:00` after a time is an offset rather than the start of a range's end.
 */
import { isRealDate } from '../time.ts';
import { D, monthNumber, T, Z } from './fault-time-patterns.ts';

export interface ClaimDate {
  year: number;
  month: number;
  day: number;
}

export interface ClaimTimeOfDay {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Written with seconds (`10:15:30`), which makes a following `-05:00` an offset. */
  withSeconds: boolean;
  /** Joined to the date by ISO `T`. */
  iso: boolean;
}

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2100;

/** The date a DATE match names, or undefined when it is not a real date in 1970–2100. */
export function readDate(m: RegExpExecArray): ClaimDate | undefined {
  let year: number;
  let month: number;
  let day: number;
  if (m[D.y] !== undefined) {
    year = Number(m[D.y]);
    month = Number(m[D.m] ?? m[D.cm]);
    day = Number(m[D.d] ?? m[D.cd]);
  } else if (m[D.dy] !== undefined) {
    year = Number(m[D.dy]);
    month = monthNumber(m[D.dm] ?? '');
    day = Number(m[D.dd]);
  } else {
    year = Number(m[D.my]);
    month = monthNumber(m[D.mm] ?? '');
    day = Number(m[D.md]);
  }
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return undefined;
  // Days 1–28 exist in every month; only later days need the calendar (and its Date object).
  if (day > 28 && !isRealDate(year, month, day)) return undefined;
  return { year, month, day };
}

/** 上午 etc. keep the hour; 下午/晚上/傍晚 add 12 below 12; 中午 adds 12 below 11 (中午1点 = 13:00). */
function applyChinesePeriod(hour: number, period: string): number {
  if (period === '下午' || period === '晚上' || period === '傍晚')
    return hour < 12 ? hour + 12 : hour;
  if (period === '中午') return hour < 11 ? hour + 12 : hour;
  return hour;
}

/** 12 AM = 00, 12 PM = 12; an hour outside 1–12 ignores the marker (13:00 PM = 13:00). */
function applyMeridiem(hour: number, marker: string): number {
  if (hour < 1 || hour > 12) return hour;
  if (marker.toLowerCase() === 'a') return hour === 12 ? 0 : hour;
  return hour === 12 ? 12 : hour + 12;
}

/** The time a TIME match names; null when the numbers are out of range (25:00, 10:61). */
export function readTime(m: RegExpExecArray): ClaimTimeOfDay | null {
  let hour: number;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let marker: string | undefined;
  if (m[T.h] !== undefined) {
    hour = Number(m[T.h]);
    minute = Number(m[T.mi]);
    second = Number(m[T.s] ?? 0);
    const fraction = m[T.f];
    millisecond = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
    marker = m[T.ap];
  } else if (m[T.ch] !== undefined) {
    hour = Number(m[T.ch]);
    minute = m[T.half] ? 30 : Number(m[T.cmi] ?? m[T.cmi2] ?? 0);
    second = Number(m[T.cs] ?? 0);
  } else {
    hour = Number(m[T.eh]);
    marker = m[T.eap];
  }
  const period = m[T.cn];
  if (marker) hour = applyMeridiem(hour, marker);
  else if (period) hour = applyChinesePeriod(hour, period);
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second, millisecond, withSeconds: m[T.s] !== undefined, iso: !!m[T.t] };
}

/** The offset a zone stands for, in minutes east of UTC. */
export type ZoneReading =
  | { kind: 'offset'; minutes: number }
  /** An explicit zone with an impossible offset (UTC+15): the claim is dropped. */
  | { kind: 'invalid' }
  /** Not a zone after all (`-11:00` ending a range `10:15-11:00`). */
  | { kind: 'none' };

const MAX_OFFSET_HOURS = 14;
const BEIJING = 480;

function offsetMinutes(sign: string, hours: string, minutes: string | undefined): number | null {
  const h = Number(hours);
  const m = Number(minutes ?? 0);
  if (h > MAX_OFFSET_HOURS || m > 59) return null;
  return (sign === '+' ? 1 : -1) * (h * 60 + m);
}

/**
 * A bare `-HH[:MM]` glued to a time written without seconds, ISO `T` or brackets could be
 * an offset (`10:15-05:00`) or a range's end (`10:15-11:00`). It is an offset only when it
 * looks like one (hours up to 12, minutes 00/30/45) and, read as a range end, would end
 * the range before it started.
 */
function gluedMinusIsOffset(hours: number, minutes: number, time: ClaimTimeOfDay): boolean {
  const offsetLike = hours <= 12 && (minutes === 0 || minutes === 30 || minutes === 45);
  return offsetLike && hours * 60 + minutes <= time.hour * 60 + time.minute;
}

/** Reads a ZONE match that follows `time`. */
export function readZone(m: RegExpExecArray, time: ClaimTimeOfDay): ZoneReading {
  if (m[Z.utc] !== undefined) {
    const sign = m[Z.up] ?? m[Z.us];
    const hours = m[Z.uh];
    if (sign === undefined || hours === undefined) return { kind: 'offset', minutes: 0 };
    const minutes = offsetMinutes(sign, hours, m[Z.um]);
    return minutes === null ? { kind: 'invalid' } : { kind: 'offset', minutes };
  }
  if (m[Z.z] !== undefined) return { kind: 'offset', minutes: 0 };
  if (m[Z.bj] !== undefined) return { kind: 'offset', minutes: BEIJING };
  const sign = m[Z.os] ?? '+';
  if (sign !== '+') {
    const bracketed = m[Z.open] !== undefined;
    const spaced = (m[Z.gap] ?? '') !== '';
    const colonless = m[Z.om] !== undefined && m[Z.oc] === undefined;
    const plain = !bracketed && !spaced && !time.iso && !time.withSeconds && !colonless;
    if (plain && !gluedMinusIsOffset(Number(m[Z.oh]), Number(m[Z.om] ?? 0), time))
      return { kind: 'none' };
  }
  const minutes = offsetMinutes(sign, m[Z.oh] ?? '', m[Z.om]);
  // A bare offset that cannot be one (`-2026`) is just not a zone.
  return minutes === null ? { kind: 'none' } : { kind: 'offset', minutes };
}

/** The fixed offset of a 北京时间 prefix. */
export const BEIJING_OFFSET = BEIJING;
