/**
 * One attachment's bytes, for the review console's download route. parse.ts hashes and
 * discards attachment bytes; this reads the message again with the same streaming parser and
 * options, skips text work, and keeps only the index-th attachment (counted in the order
 * parse.ts lists them), bounded to MAX_ATTACHMENT_BYTES. Never throws: a parser error, a
 * stall, a missing index or an oversized attachment all answer null.
 */
import type { AttachmentStream, MailParser, MessageText } from 'mailparser';
import { mailparser } from './cjs.ts';
import { feedParser, PARSER_OPTIONS } from './feed-parser.ts';
import { cleanLine } from './header-fields.ts';
import { PARSE_TIMEOUT_MS, truncate } from './limits.ts';

/** An attachment larger than this is not served. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export interface ExtractedAttachment {
  /** As parse.ts reports it; '' when the part names no file. */
  filename: string;
  contentType: string;
  content: Buffer;
}

export function extractAttachment(raw: Buffer, index: number): Promise<ExtractedAttachment | null> {
  if (!Buffer.isBuffer(raw) || raw.length === 0 || !Number.isSafeInteger(index) || index < 0)
    return Promise.resolve(null);
  return new Promise<ExtractedAttachment | null>((resolve) => {
    let parser: MailParser;
    try {
      parser = new mailparser.MailParser(PARSER_OPTIONS);
    } catch {
      resolve(null);
      return;
    }
    let settled = false;
    let seen = 0;
    /** The wanted attachment is streaming: the parser's 'end' may come before its own. */
    let keeping = false;

    const settle = (result: ExtractedAttachment | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
      try {
        parser.destroy();
      } catch {
        // already torn down
      }
    };
    const timer = setTimeout(() => settle(null), PARSE_TIMEOUT_MS);

    const drain = (attachment: AttachmentStream): void => {
      attachment.content.on('data', () => undefined);
      attachment.content.once('end', () => attachment.release?.());
      attachment.content.on('error', () => settle(null));
    };

    const keep = (attachment: AttachmentStream): void => {
      keeping = true;
      const chunks: Buffer[] = [];
      let size = 0;
      const filename = attachment.filename ? truncate(cleanLine(attachment.filename), 1000) : '';
      const contentType = (attachment.contentType || 'application/octet-stream').toLowerCase();
      attachment.content.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > MAX_ATTACHMENT_BYTES) {
          settle(null);
          return;
        }
        chunks.push(chunk);
      });
      attachment.content.once('end', () => {
        attachment.release?.();
        settle({ filename, contentType, content: Buffer.concat(chunks, size) });
      });
      attachment.content.on('error', () => settle(null));
    };

    // Listeners stay attached after settling, so a late 'error' is never unhandled.
    parser.on('error', () => settle(null));
    parser.on('data', (data: AttachmentStream | MessageText) => {
      try {
        if (data.type !== 'attachment') return;
        if (settled || seen++ !== index) drain(data);
        else keep(data);
      } catch {
        settle(null);
      }
    });
    parser.on('end', () => {
      if (!keeping) settle(null);
    });

    feedParser(
      parser,
      raw,
      () => settled,
      () => settle(null),
    );
  });
}
