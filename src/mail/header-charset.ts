/**
 * Header values from raw bytes to text. Headers are ASCII (RFC 5322) or raw UTF-8 (RFC 6532),
 * but legacy clients still put raw GBK, GB18030 or Big5 bytes into Subject and From with no
 * label at all; read as UTF-8 they become replacement characters, and 赔偿申请 is no longer a
 * compensation claim. So a value that is not valid UTF-8 is decoded with the charset the
 * message declares for its body (declared-charset.ts), when that decodes it validly; else
 * with the Chinese charset that decodes every such value of the message validly and most
 * plausibly (frequent-hanzi.ts); else as UTF-8 with replacement characters, as before.
 * RFC 2047 encoded words are ASCII and are decoded later, as ever (header-fields.ts).
 */
import { isUtf8 } from 'node:buffer';
import { iconv } from './cjs.ts';
import { declaredCharset } from './declared-charset.ts';
import { type ChineseCharset, plausibility } from './frequent-hanzi.ts';
import type { RawHeader } from './header-fields.ts';
import { MAX_HEADER_VALUE_CHARS } from './limits.ts';

/** One header: `key` lower-cased, `value` the raw bytes after the colon (may still be folded). */
export interface HeaderBytes {
  key: string;
  value: Buffer;
}

/**
 * Tried in this order when the declared charset does not decode the bytes. GB18030 reads
 * GB2312 and GBK too (it is their superset) and is first because mainland mail is the most
 * common; Big5 (with the HKSCS additions, as iconv-lite reads it) covers Taiwan and Hong Kong.
 */
const CANDIDATES: readonly ChineseCharset[] = ['gb18030', 'big5'];

/** Headers whose text a person writes; their bytes choose the message's charset. */
const TEXT_HEADERS = new Set(['subject', 'from', 'to', 'cc', 'reply-to', 'sender']);

/** ASCII every charset usable for a header must read unchanged (UTF-16, for one, does not). */
const ASCII_PROBE = 'Subject: Re: [#12] a-z_A-Z 0-9 <x@y.test>';

/** Bytes that never occur inside a multi-byte character of these charsets: a safe cut. */
const WHITE_SPACE = new Set([0x09, 0x0a, 0x0d, 0x20]);

/** The text of `bytes` in `charset`, or null when any byte sequence is invalid in it. */
function decodeValidly(bytes: Buffer, charset: string): string | null {
  try {
    const text = iconv.decode(bytes, charset);
    return text.includes('\ufffd') ? null : text;
  } catch {
    return null; // a charset iconv-lite does not know
  }
}

function decodesAscii(charset: string): boolean {
  return decodeValidly(Buffer.from(ASCII_PROBE, 'latin1'), charset) === ASCII_PROBE;
}

/**
 * A value that is not UTF-8 is decoded from at most MAX_HEADER_VALUE_CHARS bytes (it is cut
 * to that many characters afterwards anyway), so the work of trying each charset is bounded
 * whatever the header's size. The cut is made after white space where possible, so that it
 * does not split a character and make the value look invalid.
 */
function bounded(bytes: Buffer): Buffer {
  if (bytes.length <= MAX_HEADER_VALUE_CHARS) return bytes;
  let end = MAX_HEADER_VALUE_CHARS;
  while (end > 0 && !WHITE_SPACE.has(bytes[end - 1] ?? 0)) end--;
  return bytes.subarray(0, end > 0 ? end : MAX_HEADER_VALUE_CHARS);
}

/** The charset that decodes every value validly: the declared one, else the most plausible. */
function chooseCharset(values: readonly Buffer[], declared: string | null): string | null {
  const decodesAll = (charset: string): string[] | null => {
    const texts = values.map((v) => decodeValidly(v, charset));
    return texts.every((t) => t !== null) ? (texts as string[]) : null;
  };
  if (declared !== null && decodesAscii(declared) && decodesAll(declared) !== null) return declared;
  let best: { charset: string; score: number } | null = null;
  for (const charset of CANDIDATES) {
    const texts = decodesAll(charset);
    if (texts === null) continue;
    const score = plausibility(texts.join(' '), charset);
    if (best === null || score > best.score) best = { charset, score };
  }
  return best?.charset ?? null;
}

/**
 * One value that is not UTF-8: in the message's charset; else in the charset that decodes it
 * alone; else as UTF-8 with replacement characters, which at least shows where bytes were lost.
 */
function decodeLegacy(bytes: Buffer, charset: string | null, declared: string | null): string {
  const inMessageCharset = charset === null ? null : decodeValidly(bytes, charset);
  if (inMessageCharset !== null) return inMessageCharset;
  const own = chooseCharset([bytes], declared);
  return (own === null ? null : decodeValidly(bytes, own)) ?? bytes.toString('utf8');
}

/**
 * Decodes the values of a message's top-level header lines. `body` gives the bytes after the
 * header; it is read (its first 64 KB) only when a value needs the declared charset.
 */
export function decodeHeaders(headers: readonly HeaderBytes[], body: () => Buffer): RawHeader[] {
  const legacy = headers.filter((h) => !isUtf8(h.value));
  let charset: string | null = null;
  let declared: string | null = null;
  if (legacy.length > 0) {
    const contentType = headers.find((h) => h.key === 'content-type')?.value.toString('latin1');
    declared = declaredCharset(contentType, body);
    // One charset for the message, chosen on the headers a person writes text into: a client
    // writes them all alike, and a display name adds evidence to a short subject (two
    // characters can read plausibly in both charsets). A stray byte elsewhere does not count.
    const written = legacy.filter((h) => TEXT_HEADERS.has(h.key));
    const evidence = (written.length > 0 ? written : legacy).map((h) => bounded(h.value));
    charset = chooseCharset(evidence, declared);
  }
  return headers.map(({ key, value }) => ({
    key,
    value: isUtf8(value) ? value.toString('utf8') : decodeLegacy(bounded(value), charset, declared),
  }));
}
