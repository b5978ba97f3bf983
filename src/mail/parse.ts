/**
 * Raw message bytes to a ParsedEmail. Uses mailparser's streaming MailParser with every
 * costly convenience off; attachments are hashed and counted as they stream past and never
 * held. parseEmail never throws and never hangs: a parser error, a throw or a stall falls
 * back to a bounded reading of the raw bytes (fallback-parse.ts) with parseError set.
 */
import { createHash } from 'node:crypto';
import type { AttachmentStream, HeaderLines, MessageText } from 'mailparser';
import type { AttachmentInfo, ParsedEmail } from '../domain/email.ts';
import { emptyEmail } from '../domain/email.ts';
import { mailparser } from './cjs.ts';
import { fallbackParse, splitHeader } from './fallback-parse.ts';
import { feedParser, PARSER_OPTIONS } from './feed-parser.ts';
import { decodeHeaders } from './header-charset.ts';
import { buildHeaderFields, cleanLine, type RawHeader } from './header-fields.ts';
import { htmlToText } from './html-to-text.ts';
import { MAX_HTML_CHARS, MAX_TEXT_CHARS, PARSE_TIMEOUT_MS, truncate } from './limits.ts';

interface ParserResult {
  headerLines: HeaderLines;
  text: MessageText | null;
  attachments: AttachmentInfo[];
}

type Outcome = { ok: true; result: ParserResult } | { ok: false; error: string };

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Header lines from mailparser (`Name: value` as binary strings, one character per byte) as
 * decoded key/value pairs. The bytes are decoded here, not by mailparser, because a raw
 * 8-bit value's charset is only known from the rest of the message (header-charset.ts).
 */
function rawHeaders(lines: HeaderLines, raw: Buffer): RawHeader[] {
  const bytes = lines.map(({ key, line }) => {
    const colon = line.indexOf(':');
    const value = colon < 0 ? '' : line.slice(colon + 1);
    return { key: key.toLowerCase(), value: Buffer.from(value, 'latin1') };
  });
  return decodeHeaders(bytes, () => raw.subarray(splitHeader(raw).bodyStart));
}

function runMailParser(raw: Buffer): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const parser = new mailparser.MailParser(PARSER_OPTIONS);
    const attachments: AttachmentInfo[] = [];
    let headerLines: HeaderLines = [];
    let text: MessageText | null = null;
    let settled = false;
    let ended = false;
    let pending = 0;

    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settle({ ok: false, error: errorMessage(err) });
      try {
        parser.destroy();
      } catch {
        // already torn down
      }
    };
    const maybeDone = (): void => {
      if (ended && pending === 0) settle({ ok: true, result: { headerLines, text, attachments } });
    };
    const timer = setTimeout(
      () => fail(new Error(`mail parser did not finish within ${PARSE_TIMEOUT_MS} ms`)),
      PARSE_TIMEOUT_MS,
    );

    const consume = (attachment: AttachmentStream): void => {
      const info: AttachmentInfo = {
        filename: attachment.filename ? truncate(cleanLine(attachment.filename), 1000) : null,
        contentType: (attachment.contentType || 'application/octet-stream').toLowerCase(),
        size: 0,
        sha256: '',
      };
      attachments.push(info);
      pending++;
      const hash = createHash('sha256');
      let finished = false;
      const finish = (err?: unknown): void => {
        if (finished) return;
        finished = true;
        pending--;
        info.sha256 = hash.digest('hex');
        attachment.release?.();
        if (err !== undefined) fail(err);
        else maybeDone();
      };
      attachment.content.on('data', (chunk: Buffer) => {
        info.size += chunk.length;
        hash.update(chunk);
      });
      attachment.content.once('end', () => finish());
      attachment.content.on('error', (err: unknown) =>
        finish(err ?? new Error('attachment error')),
      );
    };

    // Listeners stay attached after settling, so a late 'error' is never unhandled.
    parser.on('error', fail);
    parser.on('headerLines', (lines: HeaderLines) => {
      headerLines = lines;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      try {
        if (data.type === 'attachment') consume(data);
        else text = data;
      } catch (err) {
        fail(err);
      }
    });
    parser.on('end', () => {
      ended = true;
      maybeDone();
    });

    feedParser(parser, raw, () => settled, fail);
  });
}

function fromParser({ headerLines, text, attachments }: ParserResult, raw: Buffer): ParsedEmail {
  const fields = buildHeaderFields(rawHeaders(headerLines, raw));
  const html = text?.html ? truncate(text.html, MAX_HTML_CHARS) : null;
  const plain = text?.text ?? '';
  const body = plain.trim() === '' && html !== null ? htmlToText(html) : plain;
  return {
    ...fields,
    text: truncate(body, MAX_TEXT_CHARS),
    html,
    attachments,
    parseError: null,
  };
}

function safeFallback(raw: Buffer, error: string | null): ParsedEmail {
  try {
    return fallbackParse(raw, error);
  } catch (err) {
    return emptyEmail(error ?? errorMessage(err));
  }
}

/** Parses raw RFC 5322 bytes. Never throws; see parseError for a rejected message. */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  let input: Buffer;
  try {
    input = Buffer.isBuffer(raw) ? raw : Buffer.from(raw ?? []);
  } catch {
    return emptyEmail(null);
  }
  if (input.length === 0) return emptyEmail(null);
  try {
    const outcome = await runMailParser(input);
    if (outcome.ok) return fromParser(outcome.result, input);
    return safeFallback(input, outcome.error);
  } catch (err) {
    return safeFallback(input, errorMessage(err));
  }
}
