/**
 * fast-check arbitraries for the subject round-trip property: fault times written in
 * DESIGN's layouts ("Extraction"), with zone suffixes, ranges and date-only claims, each with
 * what the engine should print for it. Times without a zone are meant in Asia/Shanghai
 * (+08:00, no DST), the zone of accounts without one.
 */
import fc from 'fast-check';

const HOUR = 3_600_000;

const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];
const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A label and its separator (`:`, `：` or nothing, spaced or not); the value follows. */
export const labelled = (labels: string[]) =>
  fc.tuple(fc.constantFrom(...labels), fc.constantFrom(':', '：', ': ', '： ', ' : ', ' ', ''));

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const wall = fc.record({
  year: fc.integer({ min: 2020, max: 2030 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.integer({ min: 0, max: 59 }),
});

/**
 * Zone suffixes as written, and the offset each stands for in minutes east of UTC. A bare
 * `-05:00` is written only after seconds, where DESIGN reads it as an offset: after
 * `10:15` it may end a range (`10:15-11:00`).
 */
const ZONES = [
  { text: '', offset: undefined },
  { text: ' UTC', offset: 0 },
  { text: ' GMT', offset: 0 },
  { text: 'Z', offset: 0 },
  { text: '+08:00', offset: 480 },
  { text: '+0800', offset: 480 },
  { text: ' +09:00', offset: 540 },
  { text: ' UTC+8', offset: 480 },
  { text: ' GMT+8', offset: 480 },
  { text: ' UTC-3', offset: -180 },
  { text: ' 北京时间', offset: 480 },
  { text: ' 北京時間', offset: 480 },
  { text: ' Beijing time', offset: 480 },
  { text: ' CST', offset: 480 },
  { text: ' (UTC+8)', offset: 480 },
];
const AFTER_SECONDS = { text: '-05:00', offset: -300 };

interface Layout {
  write: (w: Wall) => string;
  /**
   * Writes the seconds: `clock` (`10:15:30`) also makes a following `-05:00` an offset;
   * `chinese` (`10点15分30秒`) is kept but does not.
   */
  seconds?: 'clock' | 'chinese';
  /** Ends in AM/PM, after which a glued `Z` would not read as a zone. */
  meridiem?: boolean;
  /** The plain `10:15` form, which DESIGN gives ranges for (`10:15-11:00`). */
  ranges?: boolean;
}

const clock = (w: Wall) => `${pad(w.hour)}:${pad(w.minute)}`;
const hour12 = (h: number) => (h % 12 === 0 ? 12 : h % 12);
const ymd = (w: Wall, sep: string) => `${w.year}${sep}${pad(w.month)}${sep}${pad(w.day)}`;
const chineseDate = (w: Wall) => `${w.year}年${w.month}月${w.day}日`;

/** DESIGN's fault-time layouts. */
const LAYOUTS: Layout[] = [
  { write: (w) => `${ymd(w, '-')} ${clock(w)}`, ranges: true },
  { write: (w) => `${ymd(w, '-')} ${clock(w)}:${pad(w.second)}`, seconds: 'clock' },
  { write: (w) => `${ymd(w, '-')}T${clock(w)}:${pad(w.second)}`, seconds: 'clock' },
  { write: (w) => `${ymd(w, '/')} ${clock(w)}` },
  { write: (w) => `${w.year}/${w.month}/${w.day} ${clock(w)}` },
  { write: (w) => `${ymd(w, '.')} ${clock(w)}` },
  { write: (w) => `${w.day} ${MONTH_NAMES[w.month - 1]} ${w.year} ${clock(w)}` },
  { write: (w) => `${w.day} ${LONG_MONTHS[w.month - 1]} ${w.year} ${clock(w)}` },
  {
    write: (w) =>
      `${MONTH_NAMES[w.month - 1]} ${w.day}, ${w.year} ${hour12(w.hour)}:${pad(w.minute)} ${w.hour < 12 ? 'AM' : 'PM'}`,
    meridiem: true,
  },
  { write: (w) => `${LONG_MONTHS[w.month - 1]} ${w.day}, ${w.year} ${clock(w)}` },
  { write: (w) => `${chineseDate(w)} ${clock(w)}` },
  { write: (w) => `${chineseDate(w)}${w.hour}时${w.minute}分` },
  { write: (w) => `${chineseDate(w)}${w.hour}時${w.minute}分` },
  {
    write: (w) => `${chineseDate(w)} ${w.hour}点${w.minute}分${w.second}秒`,
    seconds: 'chinese',
  },
  { write: (w) => `${chineseDate(w)} ${w.hour}點${w.minute}分` },
  {
    write: (w) =>
      `${chineseDate(w)}${w.hour < 12 ? '上午' : '下午'}${w.hour <= 12 ? w.hour : w.hour - 12}点${w.minute}分`,
  },
];

const DATE_LAYOUTS = [
  (w: Wall) => ymd(w, '-'),
  (w: Wall) => ymd(w, '/'),
  (w: Wall) => `${w.day} ${MONTH_NAMES[w.month - 1]} ${w.year}`,
  (w: Wall) => `${MONTH_NAMES[w.month - 1]} ${w.day}, ${w.year}`,
  chineseDate,
];

/** Wall-clock time in +08:00 as the engine prints it. */
function printed(at: number): string {
  return `${new Date(at + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;
}

/** One claimed time as written, and what the engine should print for it. */
const instantClaim = fc
  .tuple(wall, fc.nat(LAYOUTS.length - 1), fc.nat(ZONES.length), fc.nat(30))
  .map(([w, index, zoneIndex, rangeMinutes]) => {
    const layout = LAYOUTS[index]!;
    let z = ZONES[zoneIndex] ?? (layout.seconds === 'clock' ? AFTER_SECONDS : ZONES[0]!);
    if (layout.meridiem && z.text === 'Z') z = ZONES[0]!;
    const second = layout.seconds ? w.second : 0;
    const local = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, second);
    const at = local - (z.offset ?? 480) * 60_000;
    // A range's end is no claim of its own; a zone after the whole range covers its start.
    const endMinute = w.hour * 60 + w.minute + rangeMinutes + 1;
    const range =
      layout.ranges && rangeMinutes > 0 && endMinute < 24 * 60
        ? `-${pad(Math.floor(endMinute / 60))}:${pad(endMinute % 60)}`
        : '';
    return { text: `${layout.write(w)}${range}${z.text}`, expected: printed(at), key: String(at) };
  });

/** A date alone: a date-only claim. */
const dateClaim = fc.tuple(wall, fc.nat(DATE_LAYOUTS.length - 1)).map(([w, index]) => ({
  text: DATE_LAYOUTS[index]!(w),
  expected: ymd(w, '-'),
  key: ymd(w, '-'),
}));

const claimedTime = fc.oneof(
  { weight: 4, arbitrary: instantClaim },
  { weight: 1, arbitrary: dateClaim },
);

export const faultTimes = fc
  .tuple(
    fc.uniqueArray(claimedTime, { minLength: 1, maxLength: 3, selector: (t) => t.key }),
    fc.constantFrom(', ', '，', '、', ' and ', '; '),
    fc.option(
      labelled([
        'Fault time',
        'Fault times',
        'fault times',
        'Time of fault',
        '故障时间',
        '故障時間',
      ]),
      { nil: undefined },
    ),
  )
  .map(([times, join, label]) => {
    const written = times.map((t) => t.text).join(join);
    let prefix = label ? label.join('') : '';
    // An English label glued to a month name makes one word ("timeJan"), which no reader
    // takes apart; glued to digits ("Fault time2026-03-02") it is read.
    if (/[A-Za-z]$/.test(prefix) && /^[A-Za-z]/.test(written)) prefix += ' ';
    return { text: prefix + written, expected: times.map((t) => t.expected) };
  });
