/**
 * The language of a reply: Simplified Chinese when the customer wrote in Chinese, else
 * English. Only the customer's own words count: the subject and the start of the body
 * without quoted earlier messages (a quoted reply of ours in Chinese says nothing about
 * the language the customer chose).
 */
import type { ParsedEmail } from '../domain/email.ts';
import { mainBody } from '../domain/extract/body.ts';

export type ReplyLang = 'en' | 'zh';

/** How much of the body is read: enough to judge the language, bounded for hostile mail. */
const BODY_CHARS = 2000;
/** This many Han characters make a message Chinese even amid English (names, addresses). */
const MIN_HAN = 5;

const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/gu;

export function replyLanguage(email: ParsedEmail): ReplyLang {
  const words = `${email.subject}\n${mainBody(email.text).slice(0, BODY_CHARS)}`;
  const han = words.match(HAN)?.length ?? 0;
  const latin = words.match(LATIN)?.length ?? 0;
  return han >= MIN_HAN || han > latin ? 'zh' : 'en';
}
