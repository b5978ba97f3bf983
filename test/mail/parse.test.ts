import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../src/mail/parse.ts';
import { CRLF, encode, message, quotedPrintable, wordB, wordQ } from './build.ts';

const PDF_BYTES = Buffer.from('%PDF-1.4\n% claim evidence \u00e9\n%%EOF\n', 'latin1');

const normal = message([
  'From: "Claire Claimant" <Claire.Claimant@Example.COM>',
  'To: Claims Desk <CLAIMS@example.net>, other@example.net',
  'Cc: Copy@Example.net',
  'Subject: Claim for the outage',
  'Message-ID: <abc123@example.com>',
  'In-Reply-To: <prev@example.com>',
  'References: <first@example.com>',
  ' <prev@example.com>',
  'Date: Tue, 02 Jan 2024 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="mixed"',
  '',
  '--mixed',
  'Content-Type: multipart/alternative; boundary="alt"',
  '',
  '--alt',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Plain body of the claim.',
  '--alt',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>HTML body of the claim.</p>',
  '--alt--',
  '--mixed',
  'Content-Type: application/pdf; name="invoice.pdf"',
  'Content-Disposition: attachment; filename="invoice.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  PDF_BYTES.toString('base64'),
  '--mixed--',
  '',
]);

describe('parseEmail on ordinary messages', () => {
  it('reads addresses, subject, text, html and ids of a multipart/alternative message', async () => {
    const email = await parseEmail(normal);
    expect(email.parseError).toBeNull();
    expect(email.from).toBe('claire.claimant@example.com');
    expect(email.fromName).toBe('Claire Claimant');
    expect(email.to).toEqual(['claims@example.net', 'other@example.net', 'copy@example.net']);
    expect(email.subject).toBe('Claim for the outage');
    expect(email.text.trim()).toBe('Plain body of the claim.');
    expect(email.html).toContain('<p>HTML body of the claim.</p>');
    expect(email.messageId).toBe('abc123@example.com');
    expect(email.inReplyTo).toBe('prev@example.com');
    expect(email.references).toEqual(['first@example.com', 'prev@example.com']);
    expect(email.date).toBe(Date.UTC(2024, 0, 2, 10, 0, 0));
    expect(email.headers.contentType).toBe('multipart/mixed');
  });

  it('describes attachments by name, type, size and the SHA-256 of their decoded bytes', async () => {
    const email = await parseEmail(normal);
    expect(email.attachments).toEqual([
      {
        filename: 'invoice.pdf',
        contentType: 'application/pdf',
        size: PDF_BYTES.length,
        sha256: createHash('sha256').update(PDF_BYTES).digest('hex'),
      },
    ]);
  });

  it('derives the text from the HTML part when there is no text part', async () => {
    const email = await parseEmail(
      message([
        'From: a@example.com',
        'Subject: html only',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><head><title>T</title><style>p { color: red }</style>',
        '<script>alert("x")</script></head><body><p>Hello&nbsp;&amp; welcome</p>',
        '<div>Claim&#33; &#x263A; &lt;ok&gt;</div><!-- hidden comment --><ul><li>one</li><li>two</li></ul>',
        'a<br>b</body></html>',
      ]),
    );
    expect(email.text).toBe('Hello & welcome\n\nClaim! \u263a <ok>\n\none\ntwo\n\na\nb');
    expect(email.html).toContain('<script>');
  });

  it('unfolds, trims and caps the subject at 4,000 characters', async () => {
    const folded = await parseEmail(
      message(['From: a@example.com', 'Subject:   part one', '\tpart two  ', '', 'x']),
    );
    expect(folded.subject).toBe('part one part two');
    const long = await parseEmail(
      message(['From: a@example.com', `Subject: ${'s'.repeat(10_000)}`, '', 'x']),
    );
    expect(long.subject).toBe('s'.repeat(4000));
  });

  it('gives a null date for an unparseable Date header instead of the current time', async () => {
    const email = await parseEmail(message(['From: a@example.com', 'Date: not a date', '', 'x']));
    expect(email.date).toBeNull();
  });

  it('takes the first From address and skips group syntax and empty entries in To', async () => {
    const email = await parseEmail(
      message([
        'From: First <first@example.com>, Second <second@example.com>',
        'To: Team: One <one@example.com>, two@example.com;, , three@example.com',
        '',
        'x',
      ]),
    );
    expect(email.from).toBe('first@example.com');
    expect(email.fromName).toBe('First');
    expect(email.to).toEqual(['one@example.com', 'two@example.com', 'three@example.com']);
  });
});

describe('parseEmail reads the headers auto-generated mail is recognised by', () => {
  it('keeps a null Return-Path as <> and lower-cases Auto-Submitted, Precedence and List-Id', async () => {
    const email = await parseEmail(
      message([
        'Return-Path: <>',
        'From: MAILER-DAEMON@Example.com (Mail Delivery System)',
        'Sender: Bounce-Handler@Example.com',
        'Auto-Submitted: Auto-Replied',
        'Precedence: Bulk',
        'List-Id: Claims Announcements <Claims.Lists.Example.com>',
        'X-Autoreply: YES',
        'X-Autorespond: Vacation',
        'Subject: Out of office',
        '',
        'I am away.',
      ]),
    );
    expect(email.headers.returnPath).toBe('<>');
    expect(email.headers.autoSubmitted).toBe('auto-replied');
    expect(email.headers.precedence).toBe('bulk');
    expect(email.headers.listId).toBe('claims announcements <claims.lists.example.com>');
    expect(email.headers.sender).toBe('bounce-handler@example.com');
    expect(email.headers.xAutoreply).toBe('yes');
    expect(email.headers.xAutorespond).toBe('vacation');
    expect(email.from).toBe('mailer-daemon@example.com');
    expect(email.fromName).toBe('Mail Delivery System');
  });

  it('reports an ordinary Return-Path and absent auto headers as null', async () => {
    const email = await parseEmail(
      message(['Return-Path: <Someone@Example.com>', 'From: someone@example.com', '', 'hi']),
    );
    expect(email.headers.returnPath).toBe('<someone@example.com>');
    expect(email.headers.autoSubmitted).toBeNull();
    expect(email.headers.precedence).toBeNull();
    expect(email.headers.listId).toBeNull();
    expect(email.headers.authenticationResults).toEqual([]);
  });

  it('gives multipart/report as the content type of a delivery status notification', async () => {
    const email = await parseEmail(
      message([
        'From: MAILER-DAEMON@example.com',
        'To: claims@example.net',
        'Subject: Undelivered Mail Returned to Sender',
        'Content-Type: multipart/report; report-type=delivery-status;',
        '\tboundary="rep"',
        '',
        '--rep',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--rep',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.com',
        '',
        'Final-Recipient: rfc822; gone@example.org',
        'Action: failed',
        'Status: 5.1.1',
        '--rep--',
        '',
      ]),
    );
    expect(email.headers.contentType).toBe('multipart/report');
    expect(email.text).toContain('Your message could not be delivered.');
    expect(email.text).toContain('Status: 5.1.1');
  });

  it('collects every Authentication-Results header, unfolded and without the name', async () => {
    const email = await parseEmail(
      message([
        'Authentication-Results: mx.example.net;',
        '  spf=pass smtp.mailfrom=example.com;',
        '\tdkim=pass header.d=example.com',
        'Authentication-Results: other.example.net; dmarc=fail header.from=example.com',
        'From: a@example.com',
        '',
        'x',
      ]),
    );
    expect(email.headers.authenticationResults).toEqual([
      'mx.example.net; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com',
      'other.example.net; dmarc=fail header.from=example.com',
    ]);
  });
});

describe('parseEmail decodes charsets', () => {
  const samples: Array<[string, string]> = [
    ['UTF-8', '赔偿申请 账号'],
    ['GB2312', '赔偿申请 账号'],
    ['GBK', '赔偿申请 账号'],
    ['GB18030', '赔偿申请 账号 𠮷'],
    ['Big5', '賠償申請 賬號'],
    ['ISO-2022-JP', '賠償申請 口座番号'],
  ];

  for (const [charset, sample] of samples) {
    it(`decodes ${charset} in a B-encoded subject and a base64 body`, async () => {
      const email = await parseEmail(
        message([
          'From: a@example.com',
          `Subject: ${wordB(sample, charset)}`,
          `Content-Type: text/plain; charset="${charset}"`,
          'Content-Transfer-Encoding: base64',
          '',
          encode(sample, charset).toString('base64'),
        ]),
      );
      expect(email.subject).toBe(sample);
      expect(email.text.trim()).toBe(sample);
    });

    it(`decodes ${charset} in a Q-encoded subject and a quoted-printable body`, async () => {
      const email = await parseEmail(
        message([
          'From: a@example.com',
          `Subject: Re: ${wordQ(sample, charset)}`,
          `Content-Type: text/plain; charset=${charset.toLowerCase()}`,
          'Content-Transfer-Encoding: quoted-printable',
          '',
          quotedPrintable(encode(sample, charset)),
        ]),
      );
      expect(email.subject).toBe(`Re: ${sample}`);
      expect(email.text.trim()).toBe(sample);
    });
  }

  it('decodes a display name given as a GBK encoded word', async () => {
    const email = await parseEmail(
      message([`From: ${wordB('张三', 'GBK')} <zhang@example.cn>`, '', 'x']),
    );
    expect(email.fromName).toBe('张三');
    expect(email.from).toBe('zhang@example.cn');
  });

  it('reads raw 8-bit UTF-8 in headers', async () => {
    const email = await parseEmail(
      Buffer.from(`From: 张三 <zhang@example.cn>${CRLF}Subject: 赔偿申请${CRLF}${CRLF}x`),
    );
    expect(email.subject).toBe('赔偿申请');
    expect(email.fromName).toBe('张三');
  });
});

describe('parseEmail resists header injection', () => {
  it('turns CR/LF hidden in B- and Q-encoded subjects into spaces', async () => {
    const b64 = Buffer.from('Claim\r\nBcc: victim@example.org\r\n\r\nbody').toString('base64');
    const email = await parseEmail(
      message([
        'From: a@example.com',
        'To: claims@example.net',
        `Subject: =?utf-8?B?${b64}?= =?utf-8?Q?and=0D=0AX-Evil:=20yes?=`,
        '',
        'x',
      ]),
    );
    expect(email.subject).not.toMatch(/[\r\n]/);
    // adjacent encoded words join without the space between them (RFC 2047, 6.2)
    expect(email.subject).toBe('Claim Bcc: victim@example.org bodyand X-Evil: yes');
    expect(email.to).toEqual(['claims@example.net']);
  });
});
