/**
 * Fault-time extraction (policy v1): every time or date a customer claims a fault
 * happened at, read from free email text in English or Chinese.
 *
 * One pass: the global DATE regex finds where a claim starts; at the position where it
 * ends, sticky regexes read an optional time of day, an optional zone and an optional
 * range end (whose time is not a claim of its own). Times never stand alone: a bare
 * `10:15` with no date before it is not a claim. All patterns are bounded, so the scan
 * is linear in the text, and it stops after MAX_CLAIMS distinct claims.
 */
import { fromLocal, isValidTimeZone } from '../time.ts';
import {
  BEIJING_OFFSET,
  type ClaimDate,
  type ClaimTimeOfDay,
  readDate,
  readTime,
  readZone,
  type ZoneReading,
} from './fault-time-parts.ts';
import { D, DATE, matchAt, RANGE, RANGE_END_DATE, TIME, Z, ZONE } from './fault-time-patterns.ts';

export type ClaimedTime =
  | { kind: 'instant'; at: number /* epoch ms */; text: string /* the matched source text */ }
  | { kind: 'date'; date: string /* 'YYYY-MM-DD' local date */; text: string };

/** At most this many claims are returned; the scan stops there. */
export const MAX_CLAIMS = 50;

const MINUTE = 60_000;

interface Scan {
  text: string;
  timeZone: string;
  /** Wall-clock readings already converted in `timeZone` (Intl is the slow part). */
  local: Map<number, number>;
  claims: ClaimedTime[];
  /** Claimed instants and dates (as YYYYMMDD) so far; duplicates build no claim at all. */
  instants: Set<number>;
  dates: Set<number>;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Every fault time claimed in `text`, in order of appearance, duplicates (same instant /
 * same date) removed. Times without an explicit zone are read in `timeZone` (an IANA
 * name, e.g. 'Asia/Shanghai').
 */
export function extractFaultTimes(text: string, timeZone: string): ClaimedTime[] {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${timeZone}`);
  const scan: Scan = {
    text,
    timeZone,
    local: new Map(),
    claims: [],
    instants: new Set(),
    dates: new Set(),
  };
  DATE.lastIndex = 0;
  while (scan.claims.length < MAX_CLAIMS) {
    const m = DATE.exec(text);
    if (!m) break;
    DATE.lastIndex = readClaim(scan, m);
  }
  return scan.claims;
}

/** Reads the claim whose date DATE matched as `m`, adds it when new; returns where it ends. */
function readClaim(scan: Scan, m: RegExpExecArray): number {
  const { text } = scan;
  const start = m.index;
  const dateEnd = start + m[0].length;
  const date = readDate(m);
  const timeMatch = matchAt(TIME, text, dateEnd);

  if (!timeMatch) {
    const end = skipRangeEnd(text, dateEnd, false)?.end ?? dateEnd;
    const key = date ? date.year * 10_000 + date.month * 100 + date.day : 0;
    if (date && !scan.dates.has(key)) {
      scan.dates.add(key);
      scan.claims.push({ kind: 'date', date: isoDate(date), text: text.slice(start, dateEnd) });
    }
    return end;
  }

  const time = readTime(timeMatch);
  let end = dateEnd + timeMatch[0].length;
  let claimEnd = end;
  let zone: ZoneReading = { kind: 'none' };
  if (time) {
    const z = readZoneAt(text, end, time);
    if (z) {
      zone = z.zone;
      end = claimEnd = z.end;
    }
  }
  const range = skipRangeEnd(text, end, true);
  if (range) {
    end = range.end;
    // A zone written once after the whole range (`10:15-11:00 UTC`) covers its start too.
    if (zone.kind === 'none' && range.zone && range.zone.kind !== 'none') {
      zone = range.zone;
      claimEnd = end;
    }
  }
  if (!date || !time || zone.kind === 'invalid') return end;
  const offset = zone.kind === 'offset' ? zone.minutes : m[D.bj] ? BEIJING_OFFSET : undefined;
  const at = instantOf(scan, date, time, offset);
  if (!scan.instants.has(at)) {
    scan.instants.add(at);
    scan.claims.push({ kind: 'instant', at, text: text.slice(start, claimEnd) });
  }
  return end;
}

/** A zone suffix at `at`, when there is one that reads as a zone. */
function readZoneAt(
  text: string,
  at: number,
  time: ClaimTimeOfDay,
): { zone: ZoneReading; end: number } | undefined {
  const m = matchAt(ZONE, text, at);
  if (!m) return undefined;
  const zone = readZone(m, time);
  if (zone.kind === 'none') return undefined;
  // A closing bracket belongs to the zone only when the zone opened one.
  const end = at + m[0].length - (m[Z.open] === undefined ? (m[Z.close]?.length ?? 0) : 0);
  return { zone, end };
}

/**
 * Skips the end of a range starting at `at` (`- 11:00`, `至 2026-11-21 10:00`, `to Nov 21, 2026`).
 * A time alone can end a range only when the start had a time. Returns where the end
 * stops and the zone written after it, if any.
 */
function skipRangeEnd(
  text: string,
  at: number,
  startHasTime: boolean,
): { end: number; zone?: ZoneReading } | undefined {
  const sep = matchAt(RANGE, text, at);
  if (!sep) return undefined;
  let end = at + sep[0].length;
  const date = matchAt(RANGE_END_DATE, text, end);
  if (date) end += date[0].length;
  else if (!startHasTime) return undefined;
  const timeMatch = matchAt(TIME, text, end);
  if (!timeMatch) return date ? { end } : undefined;
  end += timeMatch[0].length;
  const time = readTime(timeMatch);
  const z = time ? readZoneAt(text, end, time) : undefined;
  return z ? { end: z.end, zone: z.zone } : { end };
}

function isoDate(d: ClaimDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

/** The instant of a wall-clock reading at a fixed offset, or in the scan's zone. */
function instantOf(
  scan: Scan,
  d: ClaimDate,
  t: ClaimTimeOfDay,
  offsetMinutes: number | undefined,
): number {
  const naive = Date.UTC(d.year, d.month - 1, d.day, t.hour, t.minute, t.second, t.millisecond);
  if (offsetMinutes !== undefined) return naive - offsetMinutes * MINUTE;
  let at = scan.local.get(naive);
  if (at === undefined) {
    at = fromLocal({ ...d, ...t }, scan.timeZone);
    scan.local.set(naive, at);
  }
  return at;
}
