import { describe, expect, it } from 'vitest';
import { fallbackParse, readHeaderLines, splitHeader } from '../../src/mail/fallback-parse.ts';

describe('fallbackParse', () => {
  it('splits header and body at the first empty line, CRLF or LF', () => {
    expect(splitHeader(Buffer.from('A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore'))).toEqual({
      headerEnd: 12,
      bodyStart: 14,
    });
    expect(splitHeader(Buffer.from('A: 1\n\nbody'))).toEqual({ headerEnd: 5, bodyStart: 6 });
    expect(splitHeader(Buffer.from('\r\nbody'))).toEqual({ headerEnd: 0, bodyStart: 2 });
    expect(splitHeader(Buffer.from('A: 1'))).toEqual({ headerEnd: 4, bodyStart: 4 });
  });

  it('unfolds continuation lines and drops lines that are not headers', () => {
    expect(
      readHeaderLines('Subject: one\r\n two\r\nnot a header\r\n continued junk\r\nTo: x@y'),
    ).toEqual([
      { key: 'subject', value: ' one\n two' },
      { key: 'to', value: ' x@y' },
    ]);
  });

  it('reads the wanted headers, decodes encoded words and keeps the body as text', () => {
    const raw = Buffer.from(
      [
        'From ignored-mbox-line@example.com Mon Jan  1 00:00:00 2024',
        'Return-Path: <>',
        'From: =?utf-8?B?5byg5LiJ?= <Zhang@Example.CN>',
        'To: a@example.com',
        'Cc: B@example.com',
        'Subject: =?utf-8?Q?caf=C3=A9?=',
        '  claim',
        'Message-ID: <m1@example.com>',
        'In-Reply-To: <m0@example.com>',
        'References: <r1@example.com> <m0@example.com>',
        'Date: Mon, 01 Jan 2024 00:00:00 +0000',
        'Auto-Submitted: auto-generated',
        'Content-Type: multipart/report; report-type=delivery-status; boundary=x',
        'Authentication-Results: mx; spf=fail',
        '',
        'raw body \u00e9',
      ].join('\r\n'),
    );
    const email = fallbackParse(raw, 'Parser said no');
    expect(email).toMatchObject({
      from: 'zhang@example.cn',
      fromName: '张三',
      to: ['a@example.com', 'b@example.com'],
      subject: 'café claim',
      messageId: 'm1@example.com',
      inReplyTo: 'm0@example.com',
      references: ['r1@example.com', 'm0@example.com'],
      date: Date.UTC(2024, 0, 1),
      text: 'raw body \u00e9',
      html: null,
      attachments: [],
      parseError: 'Parser said no',
      headers: {
        returnPath: '<>',
        autoSubmitted: 'auto-generated',
        contentType: 'multipart/report',
        authenticationResults: ['mx; spf=fail'],
      },
    });
  });

  it('treats input that does not open with a header line as body only', () => {
    const email = fallbackParse(Buffer.from('just some text\n\nSubject: not a header'), 'x');
    expect(email.subject).toBe('');
    expect(email.text).toBe('just some text\n\nSubject: not a header');
  });

  it('reads at most 256 KB of header and 1 MB of body', () => {
    const header = `Subject: kept\r\nX-Big: ${'h'.repeat(400 * 1024)}\r\nFrom: late@example.com\r\n\r\n`;
    const email = fallbackParse(Buffer.from(header + 'b'.repeat(3 * 1024 * 1024)), 'x');
    expect(email.subject).toBe('kept');
    expect(email.from).toBeNull();
    expect(email.text.length).toBe(1024 * 1024);
  });

  it('derives text from an HTML body', () => {
    const email = fallbackParse(
      Buffer.from('Content-Type: text/html\r\n\r\n<p>hi &amp; bye</p>'),
      'x',
    );
    expect(email.html).toBe('<p>hi &amp; bye</p>');
    expect(email.text).toBe('hi & bye');
  });
});
