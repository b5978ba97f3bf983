/**
 * Traditional Chinese read as Simplified, for matching only (DESIGN v1.1, "Which emails are
 * handled"): keywords, labels and count words are written once, in Simplified, and a customer
 * who writes 賠償申請, 帳號 or 次數：1 is read as 赔偿申请, 帐号, 次数：1. What the customer
 * wrote is kept as written everywhere else (the stored email, the console, the reply's quote).
 *
 * The conversion is OpenCC's (opencc-js, its tables maintained upstream), character by
 * character with its variant tables, without phrase rewriting: Taiwan (著 → 着) and Hong Kong
 * (衞 → 卫) variants both. Text without a Han character is returned as it is, at no cost.
 */
import { Converter } from 'opencc-js/t2cn';

const fromTaiwan = Converter({ from: 'tw', to: 'cn' });
const fromHongKong = Converter({ from: 'hk', to: 'cn' });

const HAN = /\p{Script=Han}/u;

export function simplifiedForMatching(text: string): string {
  return HAN.test(text) ? fromTaiwan(fromHongKong(text)) : text;
}
