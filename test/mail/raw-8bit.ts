/**
 * Messages whose Subject and From display name are raw 8-bit bytes in a legacy charset, as
 * some mail clients still send them (issue #12, item 6), and their UTF-8 twins. Used by the
 * parser tests and the CLI test.
 */
import iconv from 'iconv-lite';

const CRLF = '\r\n';

/** Where the message declares a charset: on its top-level Content-Type, on its first text part, or nowhere. */
export type Declared = 'top-level' | 'first text part' | 'nowhere';

export interface RawHeaderMessage {
  /** The charset the Subject and From display name are written in, as raw bytes. */
  charset: string;
  subject: string;
  fromName: string;
  declared: Declared;
  /** The charset named where the message declares one; `charset` when not given. */
  declaredCharset?: string;
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Raw .eml bytes: ASCII header parts around the legacy-charset Subject and display name. */
export function rawHeaderMessage(m: RawHeaderMessage): Buffer {
  const bytes = (text: string): Buffer => iconv.encode(text, m.charset);
  const named = m.declaredCharset ?? m.charset;
  const body = m.declared === 'nowhere' ? ascii('Please see the subject.') : bytes('您好');
  const head = [
    ascii('From: '),
    bytes(m.fromName),
    ascii(` <it@demo-shop.test>${CRLF}To: claims@cloud.example${CRLF}Subject: `),
    bytes(m.subject),
    ascii(`${CRLF}Message-ID: <m1@mail.test>${CRLF}MIME-Version: 1.0${CRLF}`),
  ];
  if (m.declared === 'top-level') {
    return Buffer.concat([
      ...head,
      ascii(`Content-Type: text/plain; charset="${named}"${CRLF}${CRLF}`),
      body,
      ascii(CRLF),
    ]);
  }
  if (m.declared === 'first text part') {
    return Buffer.concat([
      ...head,
      ascii(`Content-Type: multipart/alternative; boundary="b1"${CRLF}${CRLF}`),
      ascii(`--b1${CRLF}Content-Type: text/plain;${CRLF}\tcharset=${named}${CRLF}${CRLF}`),
      body,
      ascii(`${CRLF}--b1${CRLF}Content-Type: text/html; charset=utf-8${CRLF}${CRLF}`),
      ascii(`<p>see the subject</p>${CRLF}--b1--${CRLF}`),
    ]);
  }
  return Buffer.concat([...head, ascii(CRLF), body, ascii(CRLF)]);
}

/** The same message written in UTF-8, declaring UTF-8 where the legacy one declares its charset. */
export function utf8Twin(m: RawHeaderMessage): Buffer {
  return rawHeaderMessage({ ...m, charset: 'utf-8', declaredCharset: 'utf-8' });
}

export const SIMPLIFIED_CLAIM = '赔偿申请 账号：demo-shop 故障时间：2026-03-02 10:05 次数：1';
export const TRADITIONAL_CLAIM = '賠償申請 帳號：demo-shop 故障時間：2026-03-02 10:05 次數：1';

/** The repros: each legacy charset with a claim written in a script it can encode. */
export const LEGACY: readonly { charset: string; subject: string; fromName: string }[] = [
  { charset: 'GBK', subject: SIMPLIFIED_CLAIM, fromName: '张三' },
  { charset: 'GB18030', subject: SIMPLIFIED_CLAIM, fromName: '张三' },
  { charset: 'GB2312', subject: SIMPLIFIED_CLAIM, fromName: '张三' },
  { charset: 'Big5', subject: TRADITIONAL_CLAIM, fromName: '陳大文' },
];

export const DECLARED: readonly Declared[] = ['top-level', 'first text part', 'nowhere'];
