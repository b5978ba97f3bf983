/**
 * Which Chinese script a customer writes, Traditional (Hong Kong, Macau, Taiwan) or
 * Simplified, told by OpenCC's tables rather than a hand-kept list of characters: a
 * character that Traditional→Simplified conversion changes (帳, 號, 賠) marks Traditional;
 * one that Simplified→Traditional conversion changes (账, 号, 赔) marks Simplified. The
 * script with more marks wins; a tie (no marks, or as many of each) is Simplified, the
 * desk's own.
 *
 * Marks are counted, not merely noticed, because each table also changes characters the
 * other script uses: Simplified→Traditional turns 台 (平台, 台灣) into 臺, Traditional→
 * Simplified turns 著 (Simplified 著名) into 着; and customers paste names and addresses
 * written in the other script. Both are a few characters among many.
 */
import { simplifiedForMatching } from '../../domain/extract/script.ts';
import { SIMPLIFIED_MARKS } from './simplified-marks.ts';

export type ChineseScript = 'Hans' | 'Hant';

const HAN = /\p{Script=Han}/u;

/** Marks per character: +1 Traditional, -1 Simplified, 0 shared by both scripts. */
function markOf(char: string): number {
  if (simplifiedForMatching(char) !== char) return 1;
  // The characters Simplified→Traditional conversion changes, listed ahead of time: OpenCC's
  // own tables for that direction take about 80 MB once built.
  if (SIMPLIFIED_MARKS.has(char)) return -1;
  return 0;
}

/**
 * The script of `text`; the caller bounds its length. Each distinct character is looked
 * up once (one character at a time, so a phrase rule never shifts a mark onto its neighbours).
 */
export function chineseScript(text: string): ChineseScript {
  const marks = new Map<string, number>();
  let score = 0;
  for (const char of text) {
    if (!HAN.test(char)) continue;
    let mark = marks.get(char);
    if (mark === undefined) {
      mark = markOf(char);
      marks.set(char, mark);
    }
    score += mark;
  }
  return score > 0 ? 'Hant' : 'Hans';
}
