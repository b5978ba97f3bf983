/**
 * The charset a message declares for its text: the top-level Content-Type's `charset`, or,
 * for a multipart message, the one on its first text part. Legacy clients that put raw GBK
 * or Big5 bytes into Subject and From write their body in that same charset and say so
 * there (the header itself has no place to say it), so this is the best evidence for
 * decoding such header bytes (header-charset.ts).
 */
import { libmime } from './cjs.ts';

/** How far into the body the first text part's header is looked for. */
const SCAN_BODY_BYTES = 64 * 1024;

/**
 * A part header's Content-Type line of a text type, with its continuation lines. Linear:
 * a continuation must start after a line break, so the repetition cannot backtrack.
 */
const TEXT_PART_TYPE = /^content-type:[ \t]*text\/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim;

/** The `charset` parameter of a Content-Type value, lower-cased, or null. */
function charsetOf(contentType: string): string | null {
  try {
    const charset = libmime.parseHeaderValue(contentType).params.charset;
    return typeof charset === 'string' && charset.trim() !== ''
      ? charset.trim().toLowerCase()
      : null;
  } catch {
    return null;
  }
}

/**
 * The declared charset, or null. `contentType` is the top-level Content-Type value (read as
 * Latin-1: parameters are ASCII); `body` the bytes after the top-level header, of which only
 * the first 64 KB are read.
 */
export function declaredCharset(
  contentType: string | undefined,
  body: () => Buffer,
): string | null {
  if (contentType === undefined) return null;
  const topLevel = charsetOf(contentType);
  if (topLevel !== null) return topLevel;
  if (!/^\s*multipart\//i.test(contentType)) return null;
  const head = body().subarray(0, SCAN_BODY_BYTES).toString('latin1');
  for (const match of head.matchAll(TEXT_PART_TYPE)) {
    const charset = charsetOf(match[0].slice(match[0].indexOf(':') + 1));
    if (charset !== null) return charset;
  }
  return null;
}
