import { describe, expect, it } from 'vitest';
import { extractFaultTimes, MAX_CLAIMS } from '../../../src/domain/extract/fault-times.ts';

const SHANGHAI = 'Asia/Shanghai';

/** Claims as plain strings: an instant as its UTC ISO form, a date as `date:YYYY-MM-DD`. */
function read(text: string, timeZone = SHANGHAI): string[] {
  return extractFaultTimes(text, timeZone).map((c) =>
    c.kind === 'instant' ? new Date(c.at).toISOString() : `date:${c.date}`,
  );
}

/** The single claim in `text`, as read(). */
function one(text: string, timeZone = SHANGHAI): string | undefined {
  const claims = read(text, timeZone);
  expect(claims, text).toHaveLength(1);
  return claims[0];
}

describe('extractFaultTimes', () => {
  describe('numeric year-first layouts', () => {
    it('reads a date and time with a dash in the account time zone', () => {
      expect(one('故障时间 2026-11-20 10:15')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads seconds when they are written', () => {
      expect(one('2026-11-20 10:15:30')).toBe('2026-11-20T02:15:30.000Z');
    });

    it('reads ISO 8601 with T and Z', () => {
      expect(one('at 2026-11-20T10:15:00Z')).toBe('2026-11-20T10:15:00.000Z');
    });

    it('reads ISO 8601 with an offset and no seconds', () => {
      expect(one('2026-11-20T10:15+08:00')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads ISO 8601 with fractional seconds', () => {
      expect(one('2026-11-20T10:15:00.123Z')).toBe('2026-11-20T10:15:00.123Z');
      expect(one('2026-11-20T10:15:00.123456789-05:00')).toBe('2026-11-20T15:15:00.123Z');
    });

    it('reads ISO 8601 with T and no zone in the account time zone', () => {
      expect(one('2026-11-20T10:15:00')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads slashes and dots as separators', () => {
      expect(one('2026/11/20 10:15')).toBe('2026-11-20T02:15:00.000Z');
      expect(one('2026.11.20 10:15')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads single-digit months, days and hours', () => {
      expect(one('2026-3-2 9:05')).toBe('2026-03-02T01:05:00.000Z');
      expect(one('2026/3/2 9:05')).toBe('2026-03-02T01:05:00.000Z');
    });

    it('reads Chinese 时 and 分 after a numeric date', () => {
      expect(one('2026-11-20 10时15分')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('does not mix separators inside one date', () => {
      expect(read('2026-11/20 10:15')).toEqual([]);
    });
  });

  describe('English month names', () => {
    it('reads day, abbreviated month, year', () => {
      expect(one('20 Nov 2026 10:15')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads day, full month, year', () => {
      expect(one('20 November 2026 10:15')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads month, day, comma, year with AM', () => {
      expect(one('Nov 20, 2026 10:15 AM')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads a full month name without a comma', () => {
      expect(one('November 20 2026 10:15')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads PM with or without a space and as p.m.', () => {
      expect(one('Nov 20, 2026 3:15 PM')).toBe('2026-11-20T07:15:00.000Z');
      expect(one('Nov 20, 2026 3:15pm')).toBe('2026-11-20T07:15:00.000Z');
      expect(one('20 Nov 2026 3:15 p.m.')).toBe('2026-11-20T07:15:00.000Z');
      expect(one('20 Nov 2026 9:15 a.m.')).toBe('2026-11-20T01:15:00.000Z');
    });

    it('reads 12 AM as midnight and 12 PM as noon', () => {
      expect(one('Nov 20, 2026 12:30 AM')).toBe('2026-11-19T16:30:00.000Z');
      expect(one('Nov 20, 2026 12:30 PM')).toBe('2026-11-20T04:30:00.000Z');
    });

    it('reads an hour with AM/PM and no minutes', () => {
      expect(one('Nov 20, 2026 3 PM')).toBe('2026-11-20T07:00:00.000Z');
    });

    it('reads a comma or "at" between the date and the time', () => {
      expect(one('Nov 20, 2026, 10:15 AM')).toBe('2026-11-20T02:15:00.000Z');
      expect(one('on 20 Nov 2026 at 10:15')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads a weekday-prefixed RFC 2822 date with its offset', () => {
      expect(one('Fri, 20 Nov 2026 10:15:00 -0500')).toBe('2026-11-20T15:15:00.000Z');
    });
  });

  describe('Chinese dates and times', () => {
    it('reads a Chinese date with a colon time', () => {
      expect(one('2026年11月20日 10:15')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads a Chinese date with 时 and 分', () => {
      expect(one('2026年11月20日10时15分')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads 时, 分 and 秒', () => {
      expect(one('2026年11月20日10时15分30秒')).toBe('2026-11-20T02:15:30.000Z');
    });

    it('reads 点 and 分', () => {
      expect(one('2026年11月20日10点15分')).toBe('2026-11-20T02:15:00.000Z');
    });

    it('reads a bare 点 as the full hour', () => {
      expect(one('2026年11月20日 10点')).toBe('2026-11-20T02:00:00.000Z');
    });

    it('reads 点半 as half past', () => {
      expect(one('2026年11月20日10点半')).toBe('2026-11-20T02:30:00.000Z');
    });

    it('reads single-digit months, days and minutes', () => {
      expect(one('2026年3月2日14时05分')).toBe('2026-03-02T06:05:00.000Z');
      expect(one('2026年3月2日9点5分')).toBe('2026-03-02T01:05:00.000Z');
    });

    it('reads 号 as 日 and spaces inside the date', () => {
      expect(one('2026 年 3 月 2 号 14:05')).toBe('2026-03-02T06:05:00.000Z');
    });

    it('adds 12 hours after 下午', () => {
      expect(one('2026年11月20日下午3点15分')).toBe('2026-11-20T07:15:00.000Z');
      expect(one('2026年11月20日 下午 3:15')).toBe('2026-11-20T07:15:00.000Z');
    });

    it('keeps 12 at 下午 as noon', () => {
      expect(one('2026年11月20日下午12点')).toBe('2026-11-20T04:00:00.000Z');
    });

    it('keeps the hour after 上午 and 凌晨', () => {
      expect(one('2026年11月20日上午10点')).toBe('2026-11-20T02:00:00.000Z');
      expect(one('2026年11月20日凌晨2点')).toBe('2026-11-19T18:00:00.000Z');
    });

    it('adds 12 hours after 晚上 when the hour is below 12', () => {
      expect(one('2026年11月20日晚上8点')).toBe('2026-11-20T12:00:00.000Z');
      expect(one('2026年11月20日晚上20点')).toBe('2026-11-20T12:00:00.000Z');
    });

    it('reads 中午 as around noon', () => {
      expect(one('2026年11月20日中午12点')).toBe('2026-11-20T04:00:00.000Z');
      expect(one('2026年11月20日中午1点')).toBe('2026-11-20T05:00:00.000Z');
    });
  });

  describe('zone suffixes', () => {
    const cases: [string, string][] = [
      ['2026-11-20 10:15 UTC', '2026-11-20T10:15:00.000Z'],
      ['2026-11-20 10:15 GMT', '2026-11-20T10:15:00.000Z'],
      ['2026-11-20 10:15Z', '2026-11-20T10:15:00.000Z'],
      ['2026-11-20 10:15 Z', '2026-11-20T10:15:00.000Z'],
      ['2026-11-20 10:15 +08:00', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 +0800', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 +08', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15+05:30', '2026-11-20T04:45:00.000Z'],
      ['2026-11-20 10:15 -05:00', '2026-11-20T15:15:00.000Z'],
      ['2026-11-20 10:15-05:00', '2026-11-20T15:15:00.000Z'],
      ['2026-11-20 10:15:00-05:00', '2026-11-20T15:15:00.000Z'],
      ['2026-11-20 10:15 UTC+8', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 UTC+08:00', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 GMT+8', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 GMT-5', '2026-11-20T15:15:00.000Z'],
      ['2026-11-20 10:15 UTC-3:30', '2026-11-20T13:45:00.000Z'],
      ['2026-11-20 10:15 北京时间', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 Beijing time', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 CST', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 (UTC)', '2026-11-20T10:15:00.000Z'],
      ['2026-11-20 10:15 [GMT+8]', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15（北京时间）', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 (-05:00)', '2026-11-20T15:15:00.000Z'],
      ['2026年11月20日下午3点15分(UTC)', '2026-11-20T15:15:00.000Z'],
      ['Nov 20, 2026 10:15 AM GMT-5', '2026-11-20T15:15:00.000Z'],
      ['2026-11-20 10:15 UTC + 8', '2026-11-20T02:15:00.000Z'],
      ['2026-11-20 10:15 China Standard Time', '2026-11-20T02:15:00.000Z'],
      ['Fri Nov 20 2026 10:15:00 GMT+0800 (China Standard Time)', '2026-11-20T02:15:00.000Z'],
    ];
    it.each(cases)('reads %s as the instant %s', (text, instant) => {
      expect(one(text, 'Europe/Berlin')).toBe(instant);
    });

    it('reads a minus glued to a time as an offset only when it cannot end a range', () => {
      expect(read('2026-11-20 10:15-05:00')).toEqual(['2026-11-20T15:15:00.000Z']);
      expect(read('2026-11-20 10:15-11:00')).toEqual(['2026-11-20T02:15:00.000Z']);
      expect(read('2026-11-20 10:15-10:20')).toEqual(['2026-11-20T02:15:00.000Z']);
      expect(read('2026-11-20T10:15-11:00')).toEqual(['2026-11-20T21:15:00.000Z']);
    });

    it('reads a spaced minus after UTC as a range, not an offset', () => {
      expect(read('2026-11-20 10:15 UTC - 11:00')).toEqual(['2026-11-20T10:15:00.000Z']);
    });

    it('reads a zone in lower case', () => {
      expect(one('2026-11-20 10:15 utc')).toBe('2026-11-20T10:15:00.000Z');
    });

    it('drops a time whose explicit offset is impossible', () => {
      expect(read('2026-11-20 10:15 UTC+15')).toEqual([]);
    });

    it('does not read a word that starts with Z or CST as a zone', () => {
      expect(one('2026-11-20 10:15 Zhang reported it')).toBe('2026-11-20T02:15:00.000Z');
      expect(one('2026-11-20 10:15 CSTX', 'UTC')).toBe('2026-11-20T10:15:00.000Z');
    });
  });

  describe('北京时间 before the date', () => {
    it('applies 北京时间 written before a Chinese date', () => {
      expect(one('北京时间2026年3月2日14:05', 'Europe/Berlin')).toBe('2026-03-02T06:05:00.000Z');
    });

    it('applies 北京时间 written before a numeric date after a space or colon', () => {
      expect(one('北京时间 2026-03-02 14:05', 'UTC')).toBe('2026-03-02T06:05:00.000Z');
      expect(one('北京时间：2026-03-02 14:05', 'UTC')).toBe('2026-03-02T06:05:00.000Z');
    });

    it('lets an explicit zone after the time win over the prefix', () => {
      expect(one('北京时间 2026-03-02 14:05 UTC')).toBe('2026-03-02T14:05:00.000Z');
    });
  });

  describe('date-only claims', () => {
    it.each([
      ['2026-11-20'],
      ['2026/11/20'],
      ['2026.11.20'],
      ['20 Nov 2026'],
      ['20 November 2026'],
      ['Nov 20, 2026'],
      ['November 20 2026'],
      ['2026年11月20日'],
      ['北京时间2026年11月20日'],
    ])('reads %s alone as the date 2026-11-20', (text) => {
      expect(extractFaultTimes(`服务中断于 ${text} 整天。`, SHANGHAI)).toEqual([
        { kind: 'date', date: '2026-11-20', text },
      ]);
    });

    it('reads a date followed by a number that is not a time as a date', () => {
      expect(read('2026-11-20 3 servers were down')).toEqual(['date:2026-11-20']);
      expect(read('2026-11-20 10 台主机')).toEqual(['date:2026-11-20']);
    });

    it('does not shift a date-only claim by the account time zone', () => {
      expect(read('2026-03-29', 'Europe/Berlin')).toEqual(['date:2026-03-29']);
    });
  });

  describe('ranges', () => {
    it.each([
      ['2026-11-20 10:15-11:00'],
      ['2026-11-20 10:15 - 11:00'],
      ['2026-11-20 10:15~11:00'],
      ['2026-11-20 10:15–11:00'],
      ['2026-11-20 10:15 — 11:00'],
      ['2026-11-20 10:15至11:00'],
      ['2026-11-20 10:15到11:00'],
      ['2026-11-20 10:15 to 11:00'],
      ['2026-11-20 10:15 - 2026-11-20 11:00'],
      ['2026-11-20 10:15-2026-11-20 11:00'],
      ['2026年11月20日10点15分至11点'],
    ])('counts only the start of %s', (text) => {
      expect(read(text)).toEqual(['2026-11-20T02:15:00.000Z']);
    });

    it('counts only the start of a range that ends on another day', () => {
      expect(read('2026-11-20 23:00 - 2026-11-21 01:00')).toEqual(['2026-11-20T15:00:00.000Z']);
    });

    it('applies a zone written after the end of the range to its start', () => {
      expect(read('2026-11-20 10:15-11:00 UTC')).toEqual(['2026-11-20T10:15:00.000Z']);
    });

    it('keeps the start zone when both ends carry one', () => {
      expect(read('2026-11-20 10:15 UTC - 11:00 GMT+8')).toEqual(['2026-11-20T10:15:00.000Z']);
    });

    it('counts only the first date of a date range', () => {
      expect(read('2026-11-20 至 2026-11-22')).toEqual(['date:2026-11-20']);
      expect(read('Nov 20, 2026 to Nov 22, 2026')).toEqual(['date:2026-11-20']);
    });

    it('still counts a second claim after a range', () => {
      expect(read('2026-11-20 10:15-11:00, 2026-11-21 09:00')).toEqual([
        '2026-11-20T02:15:00.000Z',
        '2026-11-21T01:00:00.000Z',
      ]);
    });
  });

  describe('numeric orders other than year-first are not guessed', () => {
    it.each([
      ['20/11/2026 10:15'],
      ['11/20/2026'],
      ['20.11.2026 10:15'],
      ['20-11-2026'],
      ['3/2/2026 9:05'],
    ])('reads nothing from %s', (text) => {
      expect(read(text)).toEqual([]);
    });
  });

  describe('invalid dates and times', () => {
    it.each([
      ['2026-02-30'],
      ['2026-02-30 10:15'],
      ['2026-13-01 10:15'],
      ['2026年2月30日'],
      ['30 Feb 2026'],
      ['2026-11-20 25:00'],
      ['2026-11-20 24:00'],
      ['2026-11-20 10:61'],
      ['2026-11-20 10:15:60'],
      ['2026年11月20日25点'],
      ['2026年11月20日10点61分'],
      ['1969-12-31 10:00'],
      ['2101-01-01'],
      ['0001-01-01 10:00'],
    ])('reads nothing from %s', (text) => {
      expect(read(text)).toEqual([]);
    });

    it('accepts the first and last allowed years', () => {
      expect(read('1970-01-01 2100-12-31')).toEqual(['date:1970-01-01', 'date:2100-12-31']);
    });

    it('accepts 29 February in a leap year only', () => {
      expect(read('2028-02-29 2026-02-29')).toEqual(['date:2028-02-29']);
    });
  });

  describe('numbers that are not times', () => {
    it.each([
      ['order CS2603020001'],
      ['call 4000-955-988'],
      ['host 10.1.2.3'],
      ['version 1.2.3'],
      ['retried 2次'],
      ['paid 100.00 yuan'],
      ['ticket #20261120 at 10:15'],
      ['a bare time 10:15 without a date'],
      ['ID2026-11-20'],
      ['v2026.11.20'],
      ['2026-11-20-5'],
      ['1.2026.11.20'],
      ['12026-11-20 10:15'],
    ])('reads nothing from %s', (text) => {
      expect(read(text)).toEqual([]);
    });

    it('finds a real time among such numbers', () => {
      expect(
        read(
          '订单CS2603020001于2026年3月2日14:05故障2次，致电4000-955-988，IP 10.1.2.3，退款100.00元',
        ),
      ).toEqual(['2026-03-02T06:05:00.000Z']);
    });
  });

  describe('de-duplication and order', () => {
    it('returns claims in order of appearance', () => {
      expect(read('first 2026-11-21 09:00, then 2026-11-20 10:15, then 2026-11-19')).toEqual([
        '2026-11-21T01:00:00.000Z',
        '2026-11-20T02:15:00.000Z',
        'date:2026-11-19',
      ]);
    });

    it('removes the same instant written twice, even in different layouts and zones', () => {
      expect(
        read('2026-11-20 10:15, again 2026年11月20日10点15分, i.e. 2026-11-20T02:15:00Z'),
      ).toEqual(['2026-11-20T02:15:00.000Z']);
    });

    it('removes the same date written twice', () => {
      expect(read('2026-11-20 and 20 Nov 2026 and 2026年11月20日')).toEqual(['date:2026-11-20']);
    });

    it('keeps a date claim and an instant claim on the same day apart', () => {
      expect(read('2026-11-20: outage at 2026-11-20 10:15')).toEqual([
        'date:2026-11-20',
        '2026-11-20T02:15:00.000Z',
      ]);
    });

    it('keeps the text of the first occurrence', () => {
      const claims = extractFaultTimes(
        '2026-11-20 10:15 (UTC+8) and 2026-11-20 02:15 UTC',
        SHANGHAI,
      );
      expect(claims).toEqual([
        { kind: 'instant', at: Date.UTC(2026, 10, 20, 2, 15), text: '2026-11-20 10:15 (UTC+8)' },
      ]);
    });
  });

  describe('matched text', () => {
    it('includes a 北京时间 prefix, the time and the zone but not what follows', () => {
      expect(extractFaultTimes('于北京时间2026年3月2日14:05发生', SHANGHAI)).toEqual([
        { kind: 'instant', at: Date.UTC(2026, 2, 2, 6, 5), text: '北京时间2026年3月2日14:05' },
      ]);
    });

    it('leaves out the end of a range unless the zone came from there', () => {
      expect(extractFaultTimes('2026-11-20 10:15 - 11:00 异常', SHANGHAI)[0]?.text).toBe(
        '2026-11-20 10:15',
      );
      expect(extractFaultTimes('2026-11-20 10:15 - 11:00 UTC', SHANGHAI)[0]?.text).toBe(
        '2026-11-20 10:15 - 11:00 UTC',
      );
    });

    it('includes a closing bracket only when the zone opened one', () => {
      expect(extractFaultTimes('(at 2026-11-20 10:15 UTC)', SHANGHAI)[0]?.text).toBe(
        '2026-11-20 10:15 UTC',
      );
    });
  });

  describe('account time zone', () => {
    it('reads unzoned times in Europe/Berlin winter time', () => {
      expect(one('2026-11-20 10:15', 'Europe/Berlin')).toBe('2026-11-20T09:15:00.000Z');
    });

    it('reads unzoned times in Europe/Berlin summer time', () => {
      expect(one('2026-07-01 10:00', 'Europe/Berlin')).toBe('2026-07-01T08:00:00.000Z');
    });

    it('reads both sides of the Europe/Berlin spring-forward on its DST date', () => {
      expect(read('2026-03-29 01:30, 2026-03-29 03:30', 'Europe/Berlin')).toEqual([
        '2026-03-29T00:30:00.000Z',
        '2026-03-29T01:30:00.000Z',
      ]);
    });

    it('reads Chinese times in the account time zone too', () => {
      expect(one('2026年3月29日下午3点', 'Europe/Berlin')).toBe('2026-03-29T13:00:00.000Z');
    });

    it('leaves explicitly zoned times alone', () => {
      expect(one('2026-07-01 10:00 北京时间', 'Europe/Berlin')).toBe('2026-07-01T02:00:00.000Z');
      expect(one('2026-07-01 10:00 UTC', 'America/New_York')).toBe('2026-07-01T10:00:00.000Z');
    });

    it('rejects a time zone that is not an IANA name', () => {
      expect(() => extractFaultTimes('2026-11-20 10:15', 'Mars/Olympus')).toThrow(RangeError);
    });
  });

  describe('hostile and large input', () => {
    it('caps the number of claims', () => {
      const text = Array.from(
        { length: 200 },
        (_, i) => `2026-01-01 ${i % 24}:${String(i % 60).padStart(2, '0')}`,
      ).join('\n');
      expect(read(text)).toHaveLength(MAX_CLAIMS);
    });

    it('scans an 8 MB line of "2026-" and finds nothing', () => {
      expect(read('2026-'.repeat(1_600_000))).toEqual([]);
    });

    it('scans 1 MB of digits and finds nothing', () => {
      expect(read('1234567890'.repeat(100_000))).toEqual([]);
    });

    it('scans 3 MB of one repeated date-time and keeps one claim', () => {
      expect(read('2026-11-20 10:15 '.repeat(180_000))).toEqual(['2026-11-20T02:15:00.000Z']);
    });

    it('scans 3 MB of distinct dates and stops at the cap', () => {
      const days = Array.from(
        { length: 300_000 },
        (_, i) => `2026-${(i % 12) + 1}-${(i % 28) + 1}`,
      );
      expect(read(days.join(' '))).toHaveLength(MAX_CLAIMS);
    });

    it('scans long runs of spaces and Chinese date fragments', () => {
      expect(read(`2026-11-20${' '.repeat(1_000_000)}10:15`)).toEqual(['date:2026-11-20']);
      expect(read('2026年11月2026年'.repeat(200_000))).toEqual([]);
    });
  });
});
