/**
 * Writes raw bytes into a MailParser in 64 KB slices, honouring back-pressure. mailparser's
 * splitter would otherwise take a 35 MB buffer as one piece; slicing keeps its work and
 * memory per step bounded. Stops early once `done()` says the result is settled.
 */
import type { Writable } from 'node:stream';

const WRITE_CHUNK = 64 * 1024;

/** mailparser's options for bounded work: the text conversions we do not need are off. */
export const PARSER_OPTIONS = {
  skipTextToHtml: true, // no linkify over huge text bodies
  skipHtmlToText: true, // html-to-text is recursive; we convert HTML ourselves
  skipImageLinks: true,
  skipTextLinks: true,
  checksumAlgo: false as const, // we hash attachments with SHA-256 ourselves
};

export function feedParser(
  parser: Writable,
  raw: Buffer,
  done: () => boolean,
  fail: (error: unknown) => void,
): void {
  let offset = 0;
  const pump = (): void => {
    try {
      while (!done() && offset < raw.length) {
        const chunk = raw.subarray(offset, offset + WRITE_CHUNK);
        offset += chunk.length;
        if (!parser.write(chunk)) {
          parser.once('drain', pump);
          return;
        }
      }
      if (!done()) parser.end();
    } catch (error) {
      fail(error);
    }
  };
  pump();
}
