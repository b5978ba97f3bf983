/**
 * How plausible a decoding of legacy Chinese bytes is. Big5 bytes are nearly always valid
 * GB18030 too, and GBK bytes often valid Big5, so validity alone cannot choose; but a wrong
 * decoding lands mostly on rare characters, kana, bopomofo or symbols, while real text is
 * mostly made of the characters each standard itself sets apart as frequent: GB2312's
 * level 1 (3,755 hanzi, rows 16–55) and Big5's frequently used hanzi (5,401, A440–C67E).
 * Both sets are read from iconv-lite's own tables, so nothing here is a hand-kept list.
 */
import { iconv } from './cjs.ts';

/** The charsets with a frequent set; each a name iconv-lite knows. */
export type ChineseCharset = 'gb18030' | 'big5';

/** Punctuation both kinds of text use: general punctuation, CJK symbols, full-width forms. */
const PUNCTUATION = /[\u00b7\u2010-\u2027\u3000-\u303f\uff01-\uff5e]/;

/** Characters after this many non-ASCII ones are not looked at: the score stays bounded work. */
const MAX_SCORED = 4096;

function decodedPairs(
  charset: string,
  leads: [number, number],
  trails: [number, number][],
  last: number,
): Set<string> {
  const set = new Set<string>();
  for (let lead = leads[0]; lead <= leads[1]; lead++) {
    for (const [from, to] of trails) {
      for (let trail = from; trail <= to; trail++) {
        if (lead * 256 + trail > last) continue;
        const char = iconv.decode(Buffer.from([lead, trail]), charset);
        if (char !== '\ufffd') set.add(char);
      }
    }
  }
  return set;
}

const frequent = new Map<ChineseCharset, Set<string>>();

function frequentSet(charset: ChineseCharset): Set<string> {
  let set = frequent.get(charset);
  if (set === undefined) {
    set =
      charset === 'gb18030'
        ? decodedPairs('gb18030', [0xb0, 0xd7], [[0xa1, 0xfe]], 0xd7f9)
        : decodedPairs(
            'big5',
            [0xa4, 0xc6],
            [
              [0x40, 0x7e],
              [0xa1, 0xfe],
            ],
            0xc67e,
          );
    frequent.set(charset, set);
  }
  return set;
}

/**
 * The share (0 to 1) of the non-ASCII characters of `text` that are frequent in `charset`
 * or common punctuation; 1 for text without any.
 */
export function plausibility(text: string, charset: ChineseCharset): number {
  const set = frequentSet(charset);
  let seen = 0;
  let plausible = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) continue;
    seen++;
    if (set.has(char) || PUNCTUATION.test(char)) plausible++;
    if (seen >= MAX_SCORED) break;
  }
  return seen === 0 ? 1 : plausible / seen;
}
