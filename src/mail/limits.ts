/** Size bounds applied to every parsed email, whichever path produced it. */

/** `text` is cut to this many UTF-16 code units. */
export const MAX_TEXT_CHARS = 1024 * 1024;
/** `html` is cut to this many UTF-16 code units. */
export const MAX_HTML_CHARS = 2 * 1024 * 1024;
/** `subject` is cut to this many UTF-16 code units. */
export const MAX_SUBJECT_CHARS = 4000;
/** The fallback reads at most this many bytes of header. */
export const MAX_FALLBACK_HEADER_BYTES = 256 * 1024;
/** The fallback decodes at most this many body bytes. */
export const MAX_FALLBACK_BODY_BYTES = 1024 * 1024;
/** A single header value is cut to this many characters before it is decoded. */
export const MAX_HEADER_VALUE_CHARS = 256 * 1024;
/** Safety net: a parse that neither finishes nor fails within this time falls back. */
export const PARSE_TIMEOUT_MS = 30_000;

/** Cuts `value` to at most `max` code units without splitting a surrogate pair. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return value.slice(0, end);
}
