/**
 * Issue #12, item 10: subjects written in DESIGN's formats ("Extraction": the account labels,
 * the fault-time formats and zone suffixes, the count phrasings), in English, Simplified and
 * Traditional Chinese, with the fields in any order and the type keyword anywhere, give back
 * through the engine exactly the account, fault times and count they were written with.
 *
 * The account ids hide count words inside them (once-labs, shop-x3, …): a count word counts
 * only as a token of its own (DESIGN v1.1). Times are read in Asia/Shanghai (+08:00, no DST),
 * the zone of accounts without one, unless a zone suffix says otherwise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess } from '../../../src/domain/assess/engine.ts';
import { contextOf, emailOf } from '../../support/builders.ts';

const ACCOUNTS = [
  'demo-shop',
  'once-labs',
  'shop-x3',
  'twice_co',
  'x2.cloud',
  'ops-count9',
  'shop-3times',
  'HK-Trading',
];

const ctx = (() => {
  const accounts = ACCOUNTS.map((id) => ({
    id,
    emails: [`it@${id.toLowerCase()}.test`],
    vip: false,
    currency: 'CNY',
    accumulated_recharge: '0',
    icp_rewarded: false,
  }));
  return contextOf({ accounts });
})();

const RECEIVED = Date.UTC(2026, 2, 4, 1, 0);
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
const CHINESE_NUMERALS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A label, its separator (`:`, `：`, `=` or nothing, spaced or not) and then the value. */
const labelled = (labels: string[]) =>
  fc.tuple(fc.constantFrom(...labels), fc.constantFrom(':', '：', ': ', '： ', ' : ', ' ', ''));

// ---------------------------------------------------------------------------------------
// The account

const account = fc
  .tuple(
    fc.constantFrom(...ACCOUNTS),
    labelled([
      'Account',
      'account',
      'ACCOUNT',
      'Account ID',
      'account id',
      'Acct',
      '账号',
      '帐号',
      '账户',
      '帐户',
      '帳號',
      '賬號',
      '帳戶',
      '賬戶',
    ]),
    fc.boolean(),
  )
  .map(([id, [label, sep], upper]) => ({
    id,
    // An id written in another case is still the account (matched case-insensitively).
    text: `${label}${sep}${upper ? id.toUpperCase() : id}`,
  }));

// ---------------------------------------------------------------------------------------
// Fault times

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
  /** Writes the seconds (`10:15:30`), which makes a following `-05:00` an offset. */
  seconds?: boolean;
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
  { write: (w) => `${ymd(w, '-')} ${clock(w)}:${pad(w.second)}`, seconds: true },
  { write: (w) => `${ymd(w, '-')}T${clock(w)}:${pad(w.second)}`, seconds: true },
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
  // Chinese seconds are kept (秒), though they do not make a `-05:00` an offset.
  { write: (w) => `${chineseDate(w)} ${w.hour}点${w.minute}分${w.second}秒` },
  { write: (w) => `${chineseDate(w)} ${w.hour}點${w.minute}分` },
  {
    write: (w) =>
      `${chineseDate(w)}${w.hour < 12 ? '上午' : '下午'}${w.hour <= 12 ? w.hour : w.hour - 12}点${w.minute}分`,
  },
];
/** Layouts whose seconds the engine keeps (the Chinese 秒 one among them). */
const KEEPS_SECONDS = new Set([1, 2, 13]);

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
    let z = ZONES[zoneIndex] ?? (layout.seconds ? AFTER_SECONDS : ZONES[0]!);
    if (layout.meridiem && z.text === 'Z') z = ZONES[0]!;
    const second = KEEPS_SECONDS.has(index) ? w.second : 0;
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

const faultTimes = fc
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

// ---------------------------------------------------------------------------------------
// The count

interface Count {
  n: number;
  text: string;
  /** "N times" and "xN" can multiply compensation, so a type keyword may not follow them. */
  multiplier: boolean;
}

const n = fc.integer({ min: 1, max: 10 });

const COUNTS: fc.Arbitrary<Count>[] = [
  fc
    .tuple(
      n,
      labelled([
        'Occurrences',
        'occurrences',
        'Occurrence',
        'Count',
        'count',
        'Times',
        'Number of occurrences',
        'number of faults',
        'Number of fault times',
        '次数',
        '次數',
        '故障次数',
        '故障次數',
      ]),
    )
    .map(([k, [label, sep]]) => ({ n: k, text: `${label}${sep}${k}`, multiplier: false })),
  n.map((k) => ({ n: k, text: `${k} ${k === 1 ? 'time' : 'times'}`, multiplier: true })),
  n.map((k) => ({
    n: k,
    text: `${k} ${k === 1 ? 'occurrence' : 'occurrences'}`,
    multiplier: false,
  })),
  fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('lower', 'title', 'upper'))
    .map(([k, style]) => {
      const word = ['once', 'twice', 'thrice'][k - 1]!;
      const text =
        style === 'upper'
          ? word.toUpperCase()
          : style === 'title'
            ? word[0]!.toUpperCase() + word.slice(1)
            : word;
      return { n: k, text, multiplier: false };
    }),
  fc
    .tuple(n, fc.constantFrom('x', 'X', '×', 'x ', '× '))
    .map(([k, mark]) => ({ n: k, text: `${mark}${k}`, multiplier: true })),
  fc
    .tuple(n, fc.constantFrom('', '共', '总共', '一共', '總共', '共 '), fc.boolean())
    .map(([k, lead, chinese]) => {
      const numeral = chinese ? CHINESE_NUMERALS[k]! : String(k);
      return { n: k, text: `${lead}${numeral}次`, multiplier: false };
    }),
  fc.constantFrom(
    { n: 2, text: '两次', multiplier: false },
    { n: 2, text: '兩次', multiplier: false },
    { n: 2, text: '共兩次', multiplier: false },
    { n: 3, text: '三次', multiplier: false },
  ),
];

const count = fc.oneof(...COUNTS);

// ---------------------------------------------------------------------------------------
// The subject

const TYPE_KEYWORDS = [
  'Compensation claim',
  'compensation request',
  'Request for compensation',
  'SLA credit request',
  '赔偿申请',
  '补偿申请',
  '赔付申请',
  '賠償申請',
  '補償申請',
  '賠付申請',
];

const SEPARATORS = [' ', ', ', '; ', '，', '；', ' | ', ' - ', ' / '];

const subject = fc
  .tuple(
    account,
    faultTimes,
    count,
    fc.constantFrom(...TYPE_KEYWORDS),
    fc.array(fc.constantFrom(...SEPARATORS), { minLength: 3, maxLength: 3 }),
    // The order of the four parts: the keyword anywhere, the fields in any order.
    fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
  )
  .map(([acct, times, cnt, keyword, seps, order]) => {
    const parts = [acct.text, times.text, cnt.text, keyword];
    let text = parts[order[0]!]!;
    for (let i = 1; i < 4; i++) {
      const previous = order[i - 1]!;
      const next = order[i]!;
      // "2 times compensation" and "compensation x2" are the multiplier DESIGN names, never
      // a count, so a keyword next to "N times" or "xN" is set off by punctuation.
      const touching = (previous === 2 && next === 3) || (previous === 3 && next === 2);
      const sep = touching && cnt.multiplier ? ', ' : seps[i - 1]!;
      text += sep + parts[next]!;
    }
    return { text, account: acct.id, times: times.expected, n: cnt.n };
  });

describe('subjects in DESIGN’s formats give back the fields they were written with', () => {
  it('account, fault times and count, in English, Simplified and Traditional Chinese', () => {
    fc.assert(
      fc.property(subject, (s) => {
        const a = assess(
          {
            email: emailOf({ subject: s.text, from: `it@${s.account.toLowerCase()}.test` }),
            receivedAt: RECEIVED,
          },
          ctx,
        );
        expect({
          type: a.type,
          account: a.account,
          faultTimes: a.faultTimes,
          occurrences: a.occurrencesClaimed,
          sources: a.details.sources,
        }).toEqual({
          type: 'compensation',
          account: s.account,
          faultTimes: s.times,
          occurrences: s.n,
          sources: { account: 'subject', faultTimes: 'subject', occurrences: 'subject' },
        });
      }),
      { numRuns: 10_000 },
    );
  });
});
