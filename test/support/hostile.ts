/**
 * Generators for hostile and oversized messages. Everything is built in memory at test
 * time; no message is stored in the repository.
 */
import { createHash } from 'node:crypto';

const CRLF = '\r\n';

/** The header block every generated message starts with. */
export function basicHeader(subject: string, extra: string[] = []): string {
  return [
    'From: "Hostile Sender" <attacker@example.com>',
    'To: claims@example.net',
    `Subject: ${subject}`,
    'Message-ID: <hostile@example.com>',
    'Date: Tue, 02 Jan 2024 10:00:00 +0000',
    'MIME-Version: 1.0',
    ...extra,
  ].join(CRLF);
}

/** Deterministic pseudo-random bytes (xorshift32), so sizes and hashes are reproducible. */
export function pseudoRandomBytes(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Base64 with 76-character lines, as MIME writes it. */
export function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** multipart/mixed nested `depth` levels deep, a text part at the bottom. */
export function deepMultipart(depth: number): Buffer {
  const parts: string[] = [
    basicHeader('deep nesting', ['Content-Type: multipart/mixed; boundary="b0"']),
    '',
  ];
  for (let i = 0; i < depth; i++) {
    parts.push(`--b${i}`, `Content-Type: multipart/mixed; boundary="b${i + 1}"`, '');
  }
  parts.push(`--b${depth}`, 'Content-Type: text/plain', '', 'the bottom', `--b${depth}--`);
  for (let i = depth - 1; i >= 0; i--) parts.push(`--b${i}--`);
  return Buffer.from(parts.join(CRLF));
}

/** multipart/mixed with `count` small text parts. */
export function manyParts(count: number): Buffer {
  const parts: string[] = [
    basicHeader('many parts', ['Content-Type: multipart/mixed; boundary="sep"']),
    '',
  ];
  for (let i = 0; i < count; i++) parts.push('--sep', 'Content-Type: text/plain', '', `part ${i}`);
  parts.push('--sep--', '');
  return Buffer.from(parts.join(CRLF));
}

/** An intact From/Subject followed by `bytes` of further header lines. */
export function hugeHeader(bytes: number, singleLine = false): Buffer {
  const filler = singleLine
    ? `X-Filler: ${'a'.repeat(bytes)}`
    : Array.from(
        { length: Math.ceil(bytes / 80) },
        (_, i) => `X-Filler-${i}: ${'f'.repeat(64)}`,
      ).join(CRLF);
  return Buffer.from(
    `${basicHeader('huge header')}${CRLF}${filler}${CRLF}${CRLF}body after it${CRLF}`,
  );
}

/** A text/plain body that is a single line of `bytes` characters. */
export function longLine(bytes: number): Buffer {
  return Buffer.from(
    `${basicHeader('long line', ['Content-Type: text/plain'])}${CRLF}${CRLF}${'x'.repeat(bytes)}${CRLF}`,
  );
}

/** NUL bytes in a header, the body and a boundary. */
export function nulBytes(): Buffer {
  return Buffer.from(
    [
      basicHeader('nul\u0000subject', [
        'X-Nul: a\u0000b',
        'Content-Type: multipart/mixed; boundary="n\u0000b"',
      ]),
      '',
      '--n\u0000b',
      'Content-Type: text/plain',
      '',
      'before\u0000\u0000after',
      '--n\u0000b--',
      '',
    ].join(CRLF),
  );
}

/** Invalid base64 in a text part and an attachment, the attachment cut off mid-stream. */
export function brokenBase64(): Buffer {
  return Buffer.from(
    [
      basicHeader('broken base64', ['Content-Type: multipart/mixed; boundary="bb"']),
      '',
      '--bb',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      'SGVsbG8g!!!@@@ d29y===bGQ=\u00ff\u00fe====',
      '--bb',
      'Content-Type: application/pdf; name="claim.pdf"',
      'Content-Disposition: attachment; filename="claim.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK%%%%',
      'AAAA=BBBB=CC',
    ].join(CRLF),
    'latin1',
  );
}

/** Encoded words that are malformed, unterminated or name unknown charsets. */
export function brokenEncodedWords(): Buffer {
  return Buffer.from(
    [
      'From: =?utf-8?B?!!!notbase64?= <ew@example.com>',
      'To: =?bogus-charset?Q?x?= <to@example.net>',
      'Subject: =?utf-8?B?SGVsbG8?= =?x-unknown?Q?abc?= =?utf-8?Q?unterminated =?utf-8?B??= =?=?',
      'Content-Type: text/plain; charset="=?utf-8?Q?weird?="',
      '',
      'body',
      '',
    ].join(CRLF),
  );
}

/**
 * A message carrying a base64 attachment of `attachmentBytes` pseudo-random bytes, padded
 * with a text part so the whole message is about `totalBytes`.
 */
export function bigAttachment(
  attachmentBytes: number,
  totalBytes: number,
): { raw: Buffer; sha256: string; size: number } {
  const content = pseudoRandomBytes(attachmentBytes);
  const head = [
    basicHeader('big attachment', ['Content-Type: multipart/mixed; boundary="big"']),
    '',
    '--big',
    'Content-Type: application/octet-stream; name="dump.bin"',
    'Content-Disposition: attachment; filename="dump.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join(CRLF);
  const encoded = base64Lines(content);
  const padding = Math.max(0, totalBytes - head.length - encoded.length - 200);
  const line = `${'p'.repeat(98)}${CRLF}`;
  const text = line.repeat(Math.ceil(padding / line.length));
  const tail = ['', '--big', 'Content-Type: text/plain', '', `${text}the end`, '--big--', ''].join(
    CRLF,
  );
  return {
    raw: Buffer.concat([Buffer.from(head), Buffer.from(encoded), Buffer.from(tail)]),
    sha256: sha256(content),
    size: content.length,
  };
}

/** An HTML-only message with `depth` nested elements around one sentence (under 2 MB). */
export function nestedHtml(depth: number): Buffer {
  const html = `<html><body>${'<b>'.repeat(depth)}deep claim text${'</b>'.repeat(depth)}<p>after the nesting</p></body></html>`;
  return Buffer.from(
    `${basicHeader('nested html', ['Content-Type: text/html; charset=utf-8'])}${CRLF}${CRLF}${html}${CRLF}`,
  );
}

/** A format=flowed text body of about `bytes` made of URLs and soft line breaks. */
export function flowedUrls(bytes: number): Buffer {
  const line =
    'see https://example.com/a/very/long/path?with=query&and=more#frag www.x.example.org ';
  const body = `${line}${CRLF}`.repeat(Math.ceil(bytes / (line.length + 2)));
  return Buffer.from(
    `${basicHeader('flowed urls', ['Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no'])}${CRLF}${CRLF}${body}`,
  );
}

/** Random bytes that are not an email at all. */
export function randomGarbage(bytes: number, seed = 12345): Buffer {
  return pseudoRandomBytes(bytes, seed);
}
