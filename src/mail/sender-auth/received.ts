/**
 * The SMTP client as our receiving server saw it, read from the Received trace field it
 * wrote (RFC 5321 §4.4). Received fields are prepended, so the topmost one whose `by`
 * names our server is its own; anything below it was written by the sender's side and
 * can be forged. Postfix and Sendmail write `from HELO (rdns [IP])`; Exim writes
 * `from rdns ([IP] helo=HELO)` and `(envelope-from <addr>)`.
 */
import { isIP } from 'node:net';
import { readHeaderLines, splitHeader } from '../fallback-parse.ts';
import type { RawHeader } from '../header-fields.ts';
import { MAX_FALLBACK_HEADER_BYTES } from '../limits.ts';
import { lex, type Token } from './lex.ts';

export interface SmtpClient {
  /** The client's IP address, IPv6 without the `IPv6:` prefix; undefined when not written. */
  ip: string | undefined;
  /** The EHLO/HELO name the client gave. */
  helo: string | undefined;
  /** The MAIL FROM address when the field records it (Exim's envelope-from). */
  envelopeFrom: string | undefined;
}

/** The top-level header fields of a raw message, in order (bounded like the fallback parser). */
export function rawHeaderFields(raw: Buffer): RawHeader[] {
  const { headerEnd } = splitHeader(raw);
  const block = raw.subarray(0, Math.min(headerEnd, MAX_FALLBACK_HEADER_BYTES)).toString('latin1');
  return readHeaderLines(block);
}

function hostName(value: string): string {
  return value.trim().replace(/\.$/, '').toLowerCase();
}

/** Tokens of the trace field's clauses, up to the ';' that starts its date. */
function clauses(value: string): Token[] {
  const tokens = lex(value);
  const end = tokens.findIndex((t) => t.kind === ';');
  return end < 0 ? tokens : tokens.slice(0, end);
}

function wordAfter(tokens: Token[], keyword: string): number {
  return tokens.findIndex(
    (t, i) =>
      t.kind === 'word' && t.text.toLowerCase() === keyword && tokens[i + 1]?.kind === 'word',
  );
}

function clientOf(tokens: Token[]): SmtpClient {
  const client: SmtpClient = { ip: undefined, helo: undefined, envelopeFrom: undefined };
  const from = wordAfter(tokens, 'from');
  if (from >= 0) {
    client.helo = tokens[from + 1]?.text;
    // the comments right after the `from` name: `(rdns [IP])` or `([IP] helo=NAME)`
    for (let i = from + 2; tokens[i]?.kind === 'comment'; i++) {
      const text = (tokens[i] as Token).text;
      const literal = /\[(?:IPv6:)?([0-9a-fA-F:.]+)\]/i.exec(text)?.[1];
      if (client.ip === undefined && literal !== undefined && isIP(literal) !== 0)
        client.ip = literal;
      const helo = /\bhelo=([^\s()]+)/i.exec(text)?.[1];
      if (helo !== undefined) client.helo = helo;
    }
  }
  for (const t of tokens) {
    const match =
      t.kind === 'comment' ? /^envelope-from\s+<([^<>\s]*)>$/i.exec(t.text.trim()) : null;
    if (match) client.envelopeFrom = match[1] || undefined;
  }
  return client;
}

/**
 * The client recorded by the topmost Received field whose `by` is `host`; null when no
 * Received field names it (the message did not arrive through our server).
 */
export function trustedClient(headers: readonly RawHeader[], host: string): SmtpClient | null {
  const ours = hostName(host);
  for (const header of headers) {
    if (header.key !== 'received') continue;
    const tokens = clauses(header.value);
    const by = wordAfter(tokens, 'by');
    if (by >= 0 && hostName(tokens[by + 1]?.text ?? '') === ours) return clientOf(tokens);
  }
  return null;
}
