/**
 * The precompiled regexes behind fault-time extraction. Every quantifier is bounded
 * (`{0,3}`, `\d{1,2}` …) and every alternative has a bounded length, so one attempt
 * costs O(1) and a scan over the whole text stays linear even on hostile input.
 *
 * DATE is global and finds where a claim starts; TIME, ZONE and RANGE are sticky and
 * are tried once each at the position where the previous part ended.
 */

/** Spaces allowed inside one line: space, tab, no-break space, ideographic space. */
const SP = '[ \\t\\u00a0\\u3000]';

/** English month names and their usual abbreviations (the regexes are case-insensitive). */
const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?' +
  '|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

const ORDINAL = '(?:st|nd|rd|th)?';

/**
 * Builds a regex source whose capture groups are numbered but addressed by name. Named
 * groups would be more direct, but they make every exec build a `groups` object and run
 * about twice as slow; on 3 MB of dates that is most of the cost.
 */
class Captures<N extends string> {
  readonly at = {} as Record<N, number>;
  private count = 0;

  /** A capture group named `name` around `source`. Call in source order. */
  cap(name: N, source: string): string {
    this.count += 1;
    this.at[name] = this.count;
    return `(${source})`;
  }
}

type DateGroup =
  | 'bj'
  | 'y'
  | 'sep'
  | 'm'
  | 'd'
  | 'cm'
  | 'cd'
  | 'dd'
  | 'dm'
  | 'dy'
  | 'mm'
  | 'md'
  | 'my';

/**
 * A date in one of the accepted layouts, optionally preceded by 北京时间.
 * `lead` is the lookbehind for digits: in free text a date may not follow a letter, a
 * digit, or a digit plus separator (`1.2026.11.20`); after a range separator the
 * second part of that rule is dropped so `10:15-2026-11-20 11:00` still reads as a range.
 */
function dateSource(lead: string): { source: string; at: Record<DateGroup, number> } {
  const c = new Captures<DateGroup>();
  const prefix = `(?:${c.cap('bj', '北京时间')}[:：]?${SP}{0,3})?`;
  const year = c.cap('y', '\\d{4}');
  const numeric =
    `${c.cap('sep', '[-/.]')}${c.cap('m', '\\d{1,2}')}\\${c.at.sep}${c.cap('d', '\\d{1,2}')}` +
    // ISO `T` may follow the day; otherwise no letter, digit or further `.5`/`-5`/`/5`.
    '(?:(?=T\\d)|(?![0-9A-Za-z_]|[-/.][0-9]))';
  const chinese =
    `${SP}{0,2}年${SP}{0,2}${c.cap('cm', '\\d{1,2}')}${SP}{0,2}月` +
    `${SP}{0,2}${c.cap('cd', '\\d{1,2}')}${SP}{0,2}[日号]`;
  const dayMonthYear =
    `${c.cap('dd', '\\d{1,2}')}${ORDINAL}(?:${SP}{1,3}|-)${c.cap('dm', MONTHS)}\\.?` +
    `(?:,?${SP}{1,3}|-)${c.cap('dy', '\\d{4}')}(?![0-9A-Za-z_])`;
  const monthDayYear =
    `${c.cap('mm', MONTHS)}\\.?${SP}{1,3}${c.cap('md', '\\d{1,2}')}${ORDINAL}` +
    `(?:,${SP}{0,3}|${SP}{1,3})${c.cap('my', '\\d{4}')}(?![0-9A-Za-z_])`;
  const source =
    `${prefix}(?:${lead}${year}(?:${numeric}|${chinese})` +
    `|${lead}${dayMonthYear}|(?<![A-Za-z])${monthDayYear})`;
  return { source, at: c.at };
}

/**
 * A label may be followed by nothing (DESIGN, "Extraction"): "Fault time2026-03-02 10:15"
 * is read, while a year glued to any other word ("ID2026-7", "acme2026-03-02") is not.
 */
const freeDate = dateSource('(?:(?<=(?<![A-Za-z])(?:times?|fault))|(?<![A-Za-z0-9_]|[0-9][-./:]))');

/** Finds the start of every claim. Global: the caller moves `lastIndex` past what it used. */
export const DATE = new RegExp(freeDate.source, 'gi');
/** Group numbers of DATE and RANGE_END_DATE. */
export const D = freeDate.at;

/** A date as the end of a range (`… - 2026-11-20 11:00`). Sticky. */
export const RANGE_END_DATE = new RegExp(dateSource('(?<![A-Za-z0-9_])').source, 'iy');

type TimeGroup =
  | 't'
  | 'cn'
  | 'h'
  | 'mi'
  | 's'
  | 'f'
  | 'ap'
  | 'ch'
  | 'half'
  | 'cmi'
  | 'cs'
  | 'cmi2'
  | 'eh'
  | 'eap';

/** The time of day after a date: separator, Chinese period of day, then one of three forms. */
function timeSource(): { source: string; at: Record<TimeGroup, number> } {
  const c = new Captures<TimeGroup>();
  const meridiem = (name: TimeGroup): string => `${c.cap(name, '[ap]')}\\.?m\\.?(?![a-z])`;
  const separator = `(?:${c.cap('t', 'T')}(?=\\d)|,?${SP}{0,3}(?:(?:at|@)${SP}{1,3})?)`;
  const period = `(?:${c.cap('cn', '上午|下午|晚上|凌晨|中午|早上|早晨|傍晚')}${SP}{0,2})?`;
  // 10:15, 10:15:30, 10:15:30.123, each optionally followed by AM/PM.
  const clock =
    `${c.cap('h', '\\d{1,2}')}[:：]${c.cap('mi', '\\d{2}')}` +
    `(?:[:：]${c.cap('s', '\\d{2}')}(?:\\.${c.cap('f', '\\d{1,9}')})?)?` +
    `(?![0-9]|[:：.][0-9])(?:${SP}{0,2}${meridiem('ap')})?`;
  // 10时15分30秒, 10点15分, 10点半, 10点15, 10点, 10点整.
  const chinese =
    `${c.cap('ch', '\\d{1,2}')}${SP}{0,2}[时点點時](?:${SP}{0,2}${c.cap('half', '半')}` +
    `|${SP}{0,2}${c.cap('cmi', '\\d{1,2}')}${SP}{0,2}分` +
    `(?:${SP}{0,2}${c.cap('cs', '\\d{1,2}')}${SP}{0,2}秒)?` +
    `|${c.cap('cmi2', '\\d{2}')}(?![0-9]))?整?`;
  // 10 AM.
  const hourOnly = `${c.cap('eh', '\\d{1,2}')}${SP}{0,2}${meridiem('eap')}`;
  return { source: `${separator}${period}(?:${clock}|${chinese}|${hourOnly})`, at: c.at };
}

const time = timeSource();
/** The time after a date. Sticky. */
export const TIME = new RegExp(time.source, 'iy');
/** Group numbers of TIME. */
export const T = time.at;

type ZoneGroup =
  | 'gap'
  | 'open'
  | 'utc'
  | 'us'
  | 'up'
  | 'uh'
  | 'um'
  | 'os'
  | 'oh'
  | 'oc'
  | 'om'
  | 'z'
  | 'bj'
  | 'close';

/** A zone after a time, optionally spaced and bracketed. */
function zoneSource(): { source: string; at: Record<ZoneGroup, number> } {
  const c = new Captures<ZoneGroup>();
  const lead = `${c.cap('gap', `${SP}{0,3}`)}${c.cap('open', `[(\\[（【]${SP}{0,2}`)}?`;
  // `UTC + 8` may be spaced, but `UTC - 11:00` is a range ending at 11:00.
  const utc =
    `${c.cap('utc', 'UTC|GMT')}(?:${SP}{0,2}(?:${c.cap('us', '[-−]')}|${c.cap('up', '\\+')}${SP}{0,2})` +
    `${c.cap('uh', '\\d{1,2}')}(?:[:：]?${c.cap('um', '\\d{2}')})?)?(?![0-9a-z])`;
  const offset =
    `${c.cap('os', '[-+−]')}${c.cap('oh', '\\d{2}')}(?:${c.cap('oc', '[:：]')}?${c.cap('om', '\\d{2}')})?` +
    '(?![0-9]|[-/.:：][0-9])';
  const zulu = `${c.cap('z', 'Z')}(?![0-9a-z])`;
  const beijing = `${c.cap('bj', '北京时间|beijing[ ]?time|china standard time|CST')}(?![a-z])`;
  const close = `${c.cap('close', `${SP}{0,2}[)\\]）】]`)}?`;
  return { source: `${lead}(?:${utc}|${offset}|${zulu}|${beijing})${close}`, at: c.at };
}

const zone = zoneSource();
/** A zone after a time. Sticky. */
export const ZONE = new RegExp(zone.source, 'iy');
/** Group numbers of ZONE. */
export const Z = zone.at;

/** The separator between the two ends of a range. Sticky. */
export const RANGE = new RegExp(
  `(?:${SP}{0,3}(?:--?|[~～–—]|至|到)|${SP}{1,3}(?:to|until|till|through)(?![a-z]))${SP}{0,3}`,
  'iy',
);

const MONTH_NUMBERS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** 1–12 for an English month name or abbreviation matched by MONTHS. */
export function monthNumber(name: string): number {
  return MONTH_NUMBERS[name.slice(0, 3).toLowerCase()] ?? 0;
}

/** Runs a sticky regex at `at`; the match or null. */
export function matchAt(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}
