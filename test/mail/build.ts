/** Small helpers the mail tests use to build messages in memory. */
import iconv from 'iconv-lite';

export const CRLF = '\r\n';

export function message(lines: string[]): Buffer {
  return Buffer.from(lines.join(CRLF));
}

/** Bytes of `text` in `charset`; ISO-2022-JP is built from EUC-JP, which iconv-lite can encode. */
export function encode(text: string, charset: string): Buffer {
  if (charset.toLowerCase() !== 'iso-2022-jp') return iconv.encode(text, charset);
  const out: number[] = [];
  let kanji = false;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x80) {
      if (kanji) out.push(0x1b, 0x28, 0x42); // ESC ( B
      kanji = false;
      out.push(code);
      continue;
    }
    const euc = iconv.encode(ch, 'euc-jp');
    if (euc.length !== 2) throw new Error(`not in JIS X 0208: ${ch}`);
    if (!kanji) out.push(0x1b, 0x24, 0x42); // ESC $ B
    kanji = true;
    out.push((euc[0] ?? 0) - 0x80, (euc[1] ?? 0) - 0x80);
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

/** RFC 2047 B-encoded word. */
export function wordB(text: string, charset: string): string {
  return `=?${charset}?B?${encode(text, charset).toString('base64')}?=`;
}

/** RFC 2047 Q-encoded word, every byte escaped. */
export function wordQ(text: string, charset: string): string {
  const hex = [...encode(text, charset)].map(
    (b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `=?${charset}?Q?${hex.join('')}?=`;
}

/** Quoted-printable body with every byte escaped, soft line breaks every 72 characters. */
export function quotedPrintable(bytes: Buffer): string {
  const escaped = [...bytes]
    .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
  const lines: string[] = [];
  for (let i = 0; i < escaped.length; i += 72) lines.push(escaped.slice(i, i + 72));
  return lines.join(`=${CRLF}`);
}
