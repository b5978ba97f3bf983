/**
 * Issue #12, item 6: the charset a message declares for its text, which decides how raw
 * 8-bit header bytes are read.
 */
import { describe, expect, it } from 'vitest';
import { declaredCharset } from '../../src/mail/declared-charset.ts';

const body = (text: string) => () => Buffer.from(text, 'latin1');
const never = () => {
  throw new Error('the body is not read when the top-level type says enough');
};

describe('the declared charset', () => {
  it('is the top-level charset parameter, quoted or not, lower-cased', () => {
    expect(declaredCharset(' text/plain; charset="GBK"', never)).toBe('gbk');
    expect(declaredCharset(' text/html; format=flowed; CHARSET=Big5', never)).toBe('big5');
  });

  it("is the first text part's charset for a multipart message, folded or not", () => {
    const parts = [
      '--b',
      'Content-Type: image/png; charset=ignored',
      '',
      'x',
      '--b',
      'Content-Type: text/plain;',
      '\tcharset=gb18030',
      '',
      'y',
      '--b',
      'Content-Type: text/html; charset=utf-8',
    ].join('\r\n');
    expect(declaredCharset(' multipart/alternative; boundary=b', body(parts))).toBe('gb18030');
  });

  it('is none without a Content-Type, or for a text type without a charset', () => {
    expect(declaredCharset(undefined, never)).toBeNull();
    expect(declaredCharset(' text/plain', never)).toBeNull();
  });

  it('is looked for in the first 64 KB of a multipart body only', () => {
    const late = `${'x'.repeat(70 * 1024)}\r\nContent-Type: text/plain; charset=big5\r\n`;
    expect(declaredCharset(' multipart/mixed; boundary=b', body(late))).toBeNull();
  });
});
