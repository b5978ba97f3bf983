/**
 * The language of a reply: Chinese when the customer wrote in Chinese, in the script they
 * wrote (Simplified 'zh' or Traditional 'zh-Hant'), else English. Only the customer's own
 * words count: the subject and the start of the body without quoted earlier messages (a
 * quoted reply of ours in Chinese says nothing about the language the customer chose).
 *
 * Japanese is written with Han characters too (補償, 返金, 苦情) and would pass for Chinese;
 * its kana give it away, and it is answered in English: the desk has no Japanese templates,
 * and a Chinese reply to a Japanese customer reads as a mistake.
 */
import type { ParsedEmail } from '../../domain/email.ts';
import { mainBody } from '../../domain/extract/body.ts';
import { chineseScript } from './chinese-script.ts';

export type ReplyLang = 'en' | 'zh' | 'zh-Hant';

/** How much of the body is read: enough to judge the language, bounded for hostile mail. */
const BODY_CHARS = 2000;
/** This many Han characters make a message Chinese even amid English (names, addresses). */
const MIN_HAN = 5;
/**
 * Japanese takes at least this many kana, and at least one kana for every KANJI_PER_KANA
 * Han characters: Japanese prose is mostly kana, even a terse subject (補償申請について)
 * has some, while Chinese may quote a product name in katakana or write の for 的.
 */
const MIN_KANA = 2;
const KANJI_PER_KANA = 4;

const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/gu;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/gu;

export function replyLanguage(email: ParsedEmail): ReplyLang {
  const words = `${email.subject}\n${mainBody(email.text).slice(0, BODY_CHARS)}`;
  const han = words.match(HAN)?.length ?? 0;
  const latin = words.match(LATIN)?.length ?? 0;
  const kana = words.match(KANA)?.length ?? 0;
  if (kana >= MIN_KANA && kana * KANJI_PER_KANA >= han) return 'en';
  if (han < MIN_HAN && han <= latin) return 'en';
  return chineseScript(words) === 'Hant' ? 'zh-Hant' : 'zh';
}
