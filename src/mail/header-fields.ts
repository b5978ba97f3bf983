/**
 * Turns the top-level header lines of a message into the header-derived fields of a
 * ParsedEmail. Shared by the mailparser path (fed from its raw `headerLines`) and the
 * fallback path (fed from a bounded reading of the raw bytes), so both agree on every rule.
 */
import { libmime, mailparser } from './cjs.ts';

const { parseAddressHeader } = mailparser;

import type { AutoHeaders, ParsedEmail } from '../domain/email.ts';
import { MAX_HEADER_VALUE_CHARS, MAX_SUBJECT_CHARS, truncate } from './limits.ts';

/**
 * One header: `key` lower-cased, `value` as received (may still be folded), its bytes
 * decoded by header-charset.ts.
 */
export interface RawHeader {
  key: string;
  value: string;
}

export type HeaderFields = Pick<
  ParsedEmail,
  | 'from'
  | 'fromName'
  | 'to'
  | 'subject'
  | 'messageId'
  | 'inReplyTo'
  | 'references'
  | 'date'
  | 'headers'
>;

/** RFC 5322 unfolding: a line break and the white space after it become one space. */
export function unfold(value: string): string {
  return value.replace(/(?:\r\n|\n|\r)[ \t]*/g, ' ').trim();
}

/** Unfolds and replaces every run of control characters (CR, LF, NUL, TAB...) with one space. */
export function cleanLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** RFC 2047 decoding that never throws: on failure the value is kept as it is. */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** Message ids in a Message-ID / In-Reply-To / References value, without angle brackets. */
export function messageIds(value: string): string[] {
  const ids: string[] = [];
  const bounded = truncate(value, MAX_HEADER_VALUE_CHARS);
  for (const match of bounded.matchAll(/<([^<>]*)>/g)) {
    const id = (match[1] ?? '').replace(/\s+/g, '');
    if (id) ids.push(id);
  }
  if (ids.length > 0) return ids;
  for (const token of bounded.split(/[\s,]+/)) {
    // trimmed by hand: /^<+|>+$/ is quadratic on a long run of '>' that does not end the token
    let start = 0;
    let end = token.length;
    while (start < end && token[start] === '<') start++;
    while (end > start && token[end - 1] === '>') end--;
    if (end > start) ids.push(token.slice(start, end));
  }
  return ids;
}

interface Mailbox {
  address: string;
  name: string;
}

/** Parses address header values with mailparser's own address parser; never throws. */
export function mailboxes(values: string[]): Mailbox[] {
  const result: Mailbox[] = [];
  for (const value of values) {
    try {
      const parsed = parseAddressHeader(truncate(unfold(value), MAX_HEADER_VALUE_CHARS), {
        flatten: true,
      });
      for (const entry of parsed.value) {
        result.push({
          address: cleanLine(entry.address ?? '').toLowerCase(),
          name: cleanLine(entry.name ?? ''),
        });
      }
    } catch {
      // an unparseable address header contributes no addresses
    }
  }
  return result;
}

function parseDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(truncate(unfold(value), 200));
  return Number.isFinite(ms) ? ms : null;
}

/** Top-level media type without parameters or comments, lower-cased. */
function mediaType(value: string | undefined): string | null {
  if (value === undefined) return null;
  const type = (unfold(value).split(';')[0] ?? '').replace(/\([^()]*\)/g, '');
  return cleanLine(type).toLowerCase() || null;
}

export function buildHeaderFields(raw: readonly RawHeader[]): HeaderFields {
  const all = (key: string): string[] => raw.filter((h) => h.key === key).map((h) => h.value);
  const first = (key: string): string | undefined => raw.find((h) => h.key === key)?.value;
  const lowered = (key: string, decode = false): string | null => {
    const value = first(key);
    if (value === undefined) return null;
    const plain = truncate(unfold(value), MAX_HEADER_VALUE_CHARS);
    return cleanLine(decode ? decodeWords(plain) : plain).toLowerCase();
  };

  const fromHeader = first('from');
  const fromList = fromHeader === undefined ? [] : mailboxes([fromHeader]);
  const fromBox = fromList.find((m) => m.address) ?? fromList[0];
  const to = [...new Set(mailboxes([...all('to'), ...all('cc')]).map((m) => m.address))].filter(
    Boolean,
  );
  const senderHeader = first('sender');
  const sender = senderHeader === undefined ? null : mailboxes([senderHeader])[0]?.address || null;

  const subjectRaw = truncate(unfold(first('subject') ?? ''), MAX_HEADER_VALUE_CHARS);
  const subject = truncate(cleanLine(decodeWords(subjectRaw)), MAX_SUBJECT_CHARS).trim();

  const returnPathValue = lowered('return-path');
  const returnPath =
    returnPathValue === null ? null : /^<\s*>$/.test(returnPathValue) ? '<>' : returnPathValue;

  const headers: AutoHeaders = {
    autoSubmitted: lowered('auto-submitted'),
    precedence: lowered('precedence'),
    listId: lowered('list-id', true),
    returnPath,
    sender,
    xAutoreply: lowered('x-autoreply'),
    xAutorespond: lowered('x-autorespond'),
    contentType: mediaType(first('content-type')),
    authenticationResults: all('authentication-results').map((v) =>
      cleanLine(truncate(unfold(v), MAX_HEADER_VALUE_CHARS)),
    ),
  };

  return {
    from: fromBox?.address || null,
    fromName: fromBox?.name || null,
    to,
    subject,
    messageId: messageIds(first('message-id') ?? '')[0] ?? null,
    inReplyTo: messageIds(first('in-reply-to') ?? '')[0] ?? null,
    references: all('references').flatMap(messageIds),
    date: parseDate(first('date')),
    headers,
  };
}
