/**
 * The number of fault occurrences claimed: "Occurrences: 2", "count 2", "2 times",
 * "2 occurrences", once/twice/thrice, "x2", "×2", "次数：2", "2次", "两次", "共3次".
 * A number that multiplies compensation ("100 times compensation", "100倍") is not a count.
 */
import { DATE, matchAt } from './fault-time-patterns.ts';

const CHINESE_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 一…九十九 ('十' = 10, '十二' = 12, '二十' = 20, '二十三' = 23); undefined otherwise. */
export function chineseNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return undefined;
  const [, tens, ten, units] = m;
  if (!ten) return tens && !units ? CHINESE_DIGITS[tens] : undefined;
  return (tens ? (CHINESE_DIGITS[tens] ?? 0) : 1) * 10 + (units ? (CHINESE_DIGITS[units] ?? 0) : 0);
}

const NUM = '(\\d{1,4}|[一二两三四五六七八九十]{1,3})';
const WORDS: Record<string, number> = { once: 1, twice: 2, thrice: 3 };

/**
 * A count word, "xN" or an English label counts only as a token of its own (DESIGN v1.1):
 * in the account ids "once-labs", "shop-x3" or "ops@x2.test" it is part of the id. Ids are
 * made of letters, digits, `_`, `-`, `.` and `@`; a full stop ends a token only when no
 * id character follows it ("twice." is a count, "thrice.cloud" is not).
 */
const TOKEN_BEFORE = '(?<![\\w@.-])';
const TOKEN_AFTER = '(?![\\w@-]|\\.\\w)';

/** Words after "N times" that make N a compensation multiplier, not a count. */
const MULTIPLIER_AFTER =
  /^[ \t]*(?:the\s+|of\s+)?(?:(?:fault|sla|service|daily|monthly)\s+){0,2}(?:compensat|refund|credit|duration|fee|赔|补偿)/i;
/** Words before "N times" that do the same: "compensation of 100 times". */
const MULTIPLIER_BEFORE = /(?:compensat\w*|credit|赔偿|补偿)\s*(?:of|by|at|is|=)?\s*$/i;

/**
 * A labelled number that starts something else is no count: the rest of a time or a
 * decimal, or a Chinese date ("Occurrences: 10:05", "count: 27/02/2026", "次数：3月2日"),
 * or a date the fault-time reader takes ("Times: 2 Mar 2026"). A month name alone does not
 * make a date: "Occurrences: 1 Jan 1, 2026" is one occurrence on 1 January.
 */
const NOT_A_COUNT_AFTER = /^(?:[-/.:：]\d|[ \t]{0,3}[年月日号時时点點])/;
const DATE_HERE = new RegExp(DATE.source, 'iy');

function startsSomethingElse(text: string, numberAt: number, end: number): boolean {
  return (
    NOT_A_COUNT_AFTER.test(text.slice(end, end + 8)) || matchAt(DATE_HERE, text, numberAt) !== null
  );
}

interface Pattern {
  re: RegExp;
  /** English "N times" forms can be a multiplier; Chinese "N次" never is (that is "N倍"). */
  multiplier: boolean;
  /** The match ends with the number ("Occurrences: 2"), which may start a date instead. */
  labelled?: boolean;
}

const PATTERNS: Pattern[] = [
  {
    // "Fault times:" labels the fault times (DESIGN v1.1), so "times" after "fault" is no
    // count label; "number of fault times" still is one.
    re: new RegExp(
      `(?:${TOKEN_BEFORE}(?:number of (?:fault[\\s_-]{0,3})?(?:occurrences|faults|times)|occurrences?|count|(?<!fault[\\s_-]{0,3})times)|次数)` +
        `\\s*[:：=]?\\s*${NUM}(?![\\w@])`,
      'gi',
    ),
    // A labelled count ("Occurrences: 1") is a count whatever follows it, even on the next line.
    multiplier: false,
    labelled: true,
  },
  // Not the tail of a time, a date or a zone offset ("14:05 Occurrences: 1",
  // "2026-03-02 times: 1", "10:15+0800 occurrences: 1", "GMT+8 occurrences 2").
  {
    re: new RegExp(`(?<![\\w.:：/+−@-])(\\d{1,4})\\s*times?${TOKEN_AFTER}`, 'gi'),
    multiplier: true,
  },
  // An occurrence multiplies nothing: "2 occurrences Compensation claim" is a count of 2.
  {
    re: new RegExp(`(?<![\\w.:：/+−@-])(\\d{1,4})\\s*occurrences?${TOKEN_AFTER}`, 'gi'),
    multiplier: false,
  },
  {
    re: new RegExp(
      `${TOKEN_BEFORE}(?<!\\bat\\s)(once|twice|thrice)${TOKEN_AFTER}(?!\\s+(?:again|more|upon|and for all))`,
      'gi',
    ),
    multiplier: false,
  },
  { re: new RegExp(`${TOKEN_BEFORE}[x×]\\s?(\\d{1,4})${TOKEN_AFTER}`, 'gi'), multiplier: true },
  { re: new RegExp(`(?<!第)(?:共|总共|一共)?\\s*${NUM}\\s*次(?!数)`, 'g'), multiplier: false },
];

/** The first count written in `text`, or null. */
export function findOccurrences(text: string): number | null {
  let best: { at: number; value: number } | null = null;
  for (const { re, multiplier, labelled } of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const at = m.index ?? 0;
      if (best && at >= best.at) break;
      const end = at + m[0].length;
      if (
        multiplier &&
        (MULTIPLIER_AFTER.test(text.slice(end, end + 40)) ||
          MULTIPLIER_BEFORE.test(text.slice(Math.max(0, at - 30), at)))
      ) {
        continue;
      }
      const raw = (m[1] ?? '').toLowerCase();
      if (labelled && startsSomethingElse(text, end - raw.length, end)) continue;
      const value = WORDS[raw] ?? chineseNumber(raw);
      if (value === undefined || value < 1 || value > 1000) continue;
      best = { at, value };
      break;
    }
  }
  return best?.value ?? null;
}
