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
import { createRequire } from 'node:module';

type Convert = (text: string) => string;

/**
 * Built on the first text with a Han character: OpenCC's tables take tens of milliseconds to
 * load and build, which mail without Chinese (and `check` of it) need not pay. Required (its
 * CommonJS build), so the build stays synchronous like the rest of the engine.
 */
let toSimplified: Convert | undefined;

function converter(): Convert {
  if (!toSimplified) {
    const { Converter } = createRequire(import.meta.url)('opencc-js/t2cn') as {
      Converter: (o: { from: string; to: string }) => Convert;
    };
    const fromTaiwan = Converter({ from: 'tw', to: 'cn' });
    const fromHongKong = Converter({ from: 'hk', to: 'cn' });
    toSimplified = (text) => fromTaiwan(fromHongKong(text));
  }
  return toSimplified;
}

const HAN = /\p{Script=Han}/u;

export function simplifiedForMatching(text: string): string {
  return HAN.test(text) ? converter()(text) : text;
}
