/**
 * Issue #12, item 6: a Subject or From display name of raw GBK, GB18030, GB2312 or Big5
 * bytes is decoded with the charset the message declares, else with one that decodes them
 * validly, and the claim is decided exactly as its UTF-8 twin. The world of the issue's
 * repros: demo-shop (contact it@demo-shop.test) with 30-minute platform faults on
 * 2026-02-27 10:00 and 2026-03-02 10:00 (+08:00); claims received 2026-03-04 09:00.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/domain/assess/engine.ts';
import type { Assessment } from '../../src/domain/assess/types.ts';
import { fallbackParse } from '../../src/mail/fallback-parse.ts';
import { parseEmail } from '../../src/mail/parse.ts';
import { at, baseRecords, contextOf, expectSameOnSlice, incident } from '../support/builders.ts';
import { named } from '../support/named-rows.ts';
import { CRLF, wordB } from './build.ts';
import { DECLARED, LEGACY, type RawHeaderMessage, rawHeaderMessage, utf8Twin } from './raw-8bit.ts';

const world = () => {
  const raw = baseRecords();
  raw.incidents = [
    incident('inc-0227', '2026-02-27T10:00:00+08:00', '2026-02-27T10:30:00+08:00'),
    incident('inc-0302', '2026-03-02T10:00:00+08:00', '2026-03-02T10:30:00+08:00'),
  ];
  return contextOf(raw);
};

async function decide(raw: Buffer): Promise<Assessment> {
  const ctx = world();
  const input = { email: await parseEmail(raw), receivedAt: at('2026-03-04T09:00:00+08:00') };
  const assessment = assess(input, ctx);
  expectSameOnSlice(input, ctx, assessment);
  return assessment;
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A message whose Subject (and display name, where named) must read back as written. */
interface ReadBack {
  name: string;
  message: RawHeaderMessage;
  fields: ('subject' | 'fromName')[];
}

describe('raw 8-bit Subject and From in a legacy Chinese charset (issue #12, item 6)', () => {
  for (const legacy of LEGACY) {
    for (const declared of DECLARED) {
      const m = { ...legacy, declared };
      const where = declared === 'nowhere' ? 'no charset declared' : `charset on the ${declared}`;

      it(`reads a raw ${legacy.charset} Subject and display name (${where})`, async () => {
        const email = await parseEmail(rawHeaderMessage(m));
        expect(email.subject).toBe(legacy.subject);
        expect(email.fromName).toBe(legacy.fromName);
        expect(email.from).toBe('it@demo-shop.test');
      });

      it(`decides a raw ${legacy.charset} claim as its UTF-8 twin (${where})`, async () => {
        const twin = await decide(utf8Twin(m));
        expect(twin).toMatchObject({
          type: 'compensation',
          decision: 'approved',
          account: 'demo-shop',
          amount: '100.00',
          incidents: ['inc-0302'],
        });
        expect(await decide(rawHeaderMessage(m))).toEqual(twin);
      });

      it(`the fallback reading decodes a raw ${legacy.charset} Subject too (${where})`, () => {
        const email = fallbackParse(rawHeaderMessage(m), 'parser failed');
        expect(email.subject).toBe(legacy.subject);
        expect(email.fromName).toBe(legacy.fromName);
      });
    }
  }

  const readBack: ReadBack[] = [
    {
      name: 'reads a GB18030 four-byte character in a raw Subject',
      message: {
        charset: 'GB18030',
        subject: '赔偿申请 𠮷野家 账号：demo-shop',
        fromName: '张三',
        declared: 'nowhere',
      },
      fields: ['subject'],
    },
    {
      // 請問 alone reads as plausible GB18030 too (叫拜); the name 陳大文 does not.
      name: 'reads a two-character Big5 subject as Big5 on the evidence of its display name',
      message: { charset: 'Big5', subject: '請問', fromName: '陳大文', declared: 'nowhere' },
      fields: ['subject', 'fromName'],
    },
    {
      name: 'keeps reading a raw UTF-8 Subject as UTF-8 when the body declares GBK',
      message: {
        charset: 'utf-8',
        subject: '赔偿申请 账号：demo-shop',
        fromName: '张三',
        declared: 'top-level',
        declaredCharset: 'gbk',
      },
      fields: ['subject', 'fromName'],
    },
    {
      name: 'guesses from the bytes when the declared charset does not decode them',
      message: {
        charset: 'GBK',
        subject: '退款申请 订单号：o-1',
        fromName: '李四',
        declared: 'top-level',
        declaredCharset: 'utf-8',
      },
      fields: ['subject', 'fromName'],
    },
    {
      name: 'ignores a declared charset it does not know and guesses',
      message: {
        charset: 'Big5',
        subject: '投訴：客服態度很差',
        fromName: '黃志明',
        declared: 'top-level',
        declaredCharset: 'x-no-such-charset',
      },
      fields: ['subject', 'fromName'],
    },
    {
      name: 'reads raw Latin-1 with a declared ISO-8859-1 body',
      message: {
        charset: 'ISO-8859-1',
        subject: 'Réclamation de compensation',
        fromName: 'Hélène',
        declared: 'first text part',
      },
      fields: ['subject', 'fromName'],
    },
  ];

  it.each(named(readBack))('%s', async (_name, { message, fields }) => {
    const email = await parseEmail(rawHeaderMessage(message));
    for (const field of fields) expect(email[field]).toBe(message[field]);
  });

  it('uses the declared charset even where another one also decodes the bytes', async () => {
    // Big5 bytes are valid GB18030 too; the declaration settles it without any guessing.
    const email = await parseEmail(
      rawHeaderMessage({ charset: 'Big5', subject: '請問', fromName: '陳', declared: 'top-level' }),
    );
    expect(email.subject).toBe('請問');
    expect(iconv.decode(iconv.encode('請問', 'big5'), 'gb18030')).not.toBe('請問');
  });

  it('a stray Latin-1 byte in another header does not spoil the Subject', async () => {
    const raw = Buffer.concat([
      ascii(`X-Mailer: Caf\xe9 1.0${CRLF}From: it@demo-shop.test${CRLF}Subject: `),
      iconv.encode('補償申請', 'big5'),
      ascii(`${CRLF}${CRLF}x`),
    ]);
    expect((await parseEmail(raw)).subject).toBe('補償申請');
  });

  it('decodes an RFC 2047 encoded word beside raw GBK bytes', async () => {
    const raw = Buffer.concat([
      ascii(`From: a@example.com${CRLF}Subject: `),
      iconv.encode('赔偿申请 ', 'gbk'),
      ascii(`${wordB('账号', 'UTF-8')}${CRLF}Content-Type: text/plain; charset=gbk${CRLF}${CRLF}x`),
    ]);
    expect((await parseEmail(raw)).subject).toBe('赔偿申请 账号');
  });

  it('keeps bytes that no charset decodes as replacement characters, never throwing', async () => {
    const raw = Buffer.concat([
      ascii(`From: a@example.com${CRLF}Subject: Claim `),
      Buffer.from([0xff, 0xff, 0x80]),
      ascii(`${CRLF}${CRLF}x`),
    ]);
    const email = await parseEmail(raw);
    expect(email.subject.startsWith('Claim ')).toBe(true);
    expect(email.subject).toMatch(/\ufffd/);
  });

  it('reads a long raw GBK Subject, cut to the subject limit', async () => {
    const subject = '赔偿申请 账号：demo-shop '.repeat(20_000);
    const email = await parseEmail(
      rawHeaderMessage({ charset: 'GBK', subject, fromName: '张三', declared: 'nowhere' }),
    );
    expect(email.subject.startsWith('赔偿申请 账号：demo-shop 赔偿申请')).toBe(true);
    expect(email.subject).not.toMatch(/\ufffd/);
    expect(email.subject.length).toBeLessThanOrEqual(4000);
  });
});
