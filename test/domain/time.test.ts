import { describe, expect, it } from 'vitest';
import {
  endOfLocalDate,
  formatInstant,
  fromLocal,
  isValidTimeZone,
  localDateOf,
  parseIsoInstant,
} from '../../src/domain/time.ts';

describe('times in IANA zones', () => {
  it('formats an instant with the zone’s offset', () => {
    const t = Date.parse('2026-11-20T02:15:00Z');
    expect(formatInstant(t, 'Asia/Shanghai')).toBe('2026-11-20T10:15:00+08:00');
    expect(formatInstant(t, 'America/New_York')).toBe('2026-11-19T21:15:00-05:00');
    expect(formatInstant(t, 'Asia/Kolkata')).toBe('2026-11-20T07:45:00+05:30');
  });

  it('the end of a local date is 23:59:59.999 there', () => {
    expect(formatInstant(endOfLocalDate('2026-12-01', 'Asia/Shanghai'), 'Asia/Shanghai')).toBe(
      '2026-12-01T23:59:59.999+08:00',
    );
  });

  it('reads a wall-clock time in a zone with daylight saving on both sides of the change', () => {
    const winter = fromLocal(
      { year: 2026, month: 3, day: 28, hour: 12, minute: 0, second: 0, millisecond: 0 },
      'Europe/Berlin',
    );
    const summer = fromLocal(
      { year: 2026, month: 3, day: 30, hour: 12, minute: 0, second: 0, millisecond: 0 },
      'Europe/Berlin',
    );
    expect(new Date(winter).toISOString()).toBe('2026-03-28T11:00:00.000Z');
    expect(new Date(summer).toISOString()).toBe('2026-03-30T10:00:00.000Z');
  });

  it('gives the local date of an instant', () => {
    expect(localDateOf(Date.parse('2026-11-20T17:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-21');
    expect(localDateOf(Date.parse('2026-11-20T17:00:00Z'), 'UTC')).toBe('2026-11-20');
  });

  it('knows real zones and refuses made-up ones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('parses ISO 8601 only with an offset or Z', () => {
    expect(parseIsoInstant('2026-03-02T10:00:00+08:00')).toBe(Date.parse('2026-03-02T02:00:00Z'));
    expect(parseIsoInstant('2026-03-02T10:00:00.250Z')).toBe(
      Date.parse('2026-03-02T10:00:00.250Z'),
    );
    expect(parseIsoInstant('2026-03-02T10:00+0530')).toBe(Date.parse('2026-03-02T04:30:00Z'));
    expect(parseIsoInstant('2026-03-02T10:00:00')).toBeUndefined();
    expect(parseIsoInstant('2026-02-30T10:00:00Z')).toBeUndefined();
  });
});
