/**
 * Full-width forms (U+FF01–U+FF5E) are the ASCII characters a Chinese input method types
 * in full-width mode: "２０２６－１１－２０　１０：１５" is the date and time
 * "2026-11-20 10:15", "ａｃｃｏｕｎｔ" is "account". Extraction reads them as ASCII (their
 * Unicode compatibility mapping), one character for one, so positions stay the same.
 */

const FULL_WIDTH = /[\uff01-\uff5e\u3000]/g;

export function foldFullWidth(text: string): string {
  return text.replace(FULL_WIDTH, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}
