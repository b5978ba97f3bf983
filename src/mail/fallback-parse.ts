/**
 * A bounded reading of raw message bytes, used when the MIME parser rejects a message.
 * Header: the bytes before the first empty line (CRLF or LF), at most 256 KB of them, unfolded.
 * Body: the first 1 MB after that empty line, read as UTF-8 with invalid bytes replaced.
 * No MIME structure is followed; header values are decoded from their bytes as on the
 * parser's path (header-charset.ts), then RFC 2047 words in them.
 */
import { emptyEmail, type ParsedEmail } from '../domain/email.ts';
import { decodeHeaders } from './header-charset.ts';
import { buildHeaderFields, type RawHeader } from './header-fields.ts';
import { htmlToText } from './html-to-text.ts';
import {
  MAX_FALLBACK_BODY_BYTES,
  MAX_FALLBACK_HEADER_BYTES,
  MAX_HTML_CHARS,
  MAX_TEXT_CHARS,
  truncate,
} from './limits.ts';

/** The headers the fallback reads; every other header line is ignored. */
const WANTED = new Set([
  'subject',
  'from',
  'to',
  'cc',
  'message-id',
  'in-reply-to',
  'references',
  'date',
  'auto-submitted',
  'precedence',
  'list-id',
  'return-path',
  'sender',
  'x-autoreply',
  'x-autorespond',
  'content-type',
  'authentication-results',
]);

const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Where the header block ends and where the body starts. */
export function splitHeader(raw: Buffer): { headerEnd: number; bodyStart: number } {
  if (raw[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headerEnd: 0, bodyStart: 2 };
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\n\r\n');
  if (lf < 0 && crlf < 0) return { headerEnd: raw.length, bodyStart: raw.length };
  if (crlf < 0 || (lf >= 0 && lf < crlf)) return { headerEnd: lf + 1, bodyStart: lf + 2 };
  return { headerEnd: crlf + 1, bodyStart: crlf + 3 };
}

/** The name of a header line (`Name: value`), or null when the line is not one. */
function headerName(line: string): string | null {
  const colon = line.indexOf(':');
  if (colon <= 0) return null;
  const name = line.slice(0, colon).trimEnd();
  return HEADER_NAME.test(name) ? name.toLowerCase() : null;
}

/** Header lines of a header block; continuation lines are joined, junk lines dropped. */
export function readHeaderLines(block: string): RawHeader[] {
  const headers: RawHeader[] = [];
  let current: RawHeader | null = null;
  for (const line of block.split(/\r?\n/)) {
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (current) current.value += `\n${line}`;
      continue;
    }
    const name = headerName(line);
    current = name === null ? null : { key: name, value: line.slice(line.indexOf(':') + 1) };
    if (current) headers.push(current);
  }
  return headers;
}

export function fallbackParse(raw: Buffer, parseError: string | null): ParsedEmail {
  let { headerEnd, bodyStart } = splitHeader(raw);
  // Text that does not open with a header line has no header: all of it is body.
  const firstLine = raw.subarray(0, Math.min(headerEnd, 1000)).toString('utf8').split(/\r?\n/)[0];
  if (headerEnd > 0 && headerName(firstLine ?? '') === null && !firstLine?.startsWith('From ')) {
    headerEnd = 0;
    bodyStart = 0;
  }
  // Latin-1 keeps one character per byte, so each value's bytes can be had back to decode.
  const block = raw.subarray(0, Math.min(headerEnd, MAX_FALLBACK_HEADER_BYTES)).toString('latin1');
  const lines = readHeaderLines(block).filter((h) => WANTED.has(h.key));
  const headers = decodeHeaders(
    lines.map(({ key, value }) => ({ key, value: Buffer.from(value, 'latin1') })),
    () => raw.subarray(bodyStart),
  );
  const body = raw.subarray(bodyStart, bodyStart + MAX_FALLBACK_BODY_BYTES).toString('utf8');
  const fields = buildHeaderFields(headers);
  const isHtml = fields.headers.contentType === 'text/html';
  const html = isHtml ? truncate(body, MAX_HTML_CHARS) : null;
  return {
    ...emptyEmail(parseError),
    ...fields,
    text: truncate(html === null ? body : htmlToText(html), MAX_TEXT_CHARS),
    html,
  };
}
