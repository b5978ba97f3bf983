import { describe, expect, it } from 'vitest';
import { organizationalDomain, relaxedAligned } from '../../src/mail/sender-auth/domain.ts';
import { rawHeaderFields, trustedClient } from '../../src/mail/sender-auth/received.ts';
import { parseAuthResults, trustedResults } from '../../src/mail/sender-auth/results.ts';
import { message } from './build.ts';

describe('Authentication-Results parsing (RFC 8601)', () => {
  it('reads the authserv-id, methods, results and properties', () => {
    const parsed = parseAuthResults(
      'mx.claims.example 1; dkim=pass header.d=example.com header.s=sel; spf=fail smtp.mailfrom=a@b.example',
    );
    expect(parsed).toEqual({
      authservId: 'mx.claims.example',
      results: [
        {
          method: 'dkim',
          result: 'pass',
          reason: null,
          props: { 'header.d': 'example.com', 'header.s': 'sel' },
        },
        { method: 'spf', result: 'fail', reason: null, props: { 'smtp.mailfrom': 'a@b.example' } },
      ],
    });
  });

  it('skips nested comments, undoes quoted strings and reads unquoted base64 values whole', () => {
    const parsed = parseAuthResults(
      'mx.claims.example (the (nested) comment; with a semicolon); ' +
        'DKIM = Pass (good \\) signature) reason="key ok; fine" header.b=Ab/c+9== header.d="example.com" ; ' +
        'dmarc/1=pass(p=reject)header.from=example.com',
    );
    expect(parsed?.results).toEqual([
      {
        method: 'dkim',
        result: 'pass',
        reason: 'key ok; fine',
        props: { 'header.b': 'Ab/c+9==', 'header.d': 'example.com' },
      },
      { method: 'dmarc', result: 'pass', reason: null, props: { 'header.from': 'example.com' } },
    ]);
  });

  it('reads folded values and the no-result form', () => {
    expect(
      parseAuthResults('mx.claims.example;\r\n\tspf=pass\r\n smtp.mailfrom=example.com')?.results,
    ).toHaveLength(1);
    expect(parseAuthResults('mx.claims.example; none')?.results).toEqual([]);
  });

  it('survives junk: unterminated quotes and comments, stray separators, nothing at all', () => {
    for (const junk of [
      '',
      ';;;',
      '(',
      'mx; dkim',
      'mx; =pass',
      'mx; dkim="pass',
      'mx; dkim=pass (x',
      ')))',
    ]) {
      expect(() => parseAuthResults(junk)).not.toThrow();
    }
    expect(parseAuthResults('')).toBeNull();
    expect(parseAuthResults('mx; dkim')?.results).toEqual([]);
  });

  it('reads a huge hostile value without failing (the lexer is linear and bounded)', () => {
    const hostile = `mx;${' dkim=pass ('.repeat(50_000)}`;
    expect(parseAuthResults(hostile)?.results).toEqual([
      { method: 'dkim', result: 'pass', reason: null, props: {} },
    ]);
  });

  it('trusts only the first run of fields with our authserv-id', () => {
    const results = trustedResults(
      [
        'other; spf=pass',
        'mx.claims.example; dkim=pass',
        'MX.CLAIMS.EXAMPLE.; spf=pass',
        'x; a=b',
        'mx.claims.example; dmarc=pass',
      ],
      'mx.claims.example',
    );
    expect(results.map((r) => r.method)).toEqual(['dkim', 'spf']);
  });
});

describe('organizational domains (RFC 7489 §3.2, approximated)', () => {
  it.each([
    ['mail.example.com', 'example.com'],
    ['example.com', 'example.com'],
    ['a.b.example.com.cn', 'example.com.cn'],
    ['mail.example.co.uk', 'example.co.uk'],
    ['shop.example.bj.cn', 'example.bj.cn'],
    ['Mail.Example.COM.', 'example.com'],
    ['邮件.例子.中国', 'xn--fsqu00a.xn--fiqs8s'],
  ])('%s → %s', (domain, org) => {
    expect(organizationalDomain(domain)).toBe(org);
  });

  it('aligns subdomains of one organization, never two registrants of one registry', () => {
    expect(relaxedAligned('mail.example.com', 'example.com')).toBe(true);
    expect(relaxedAligned('evil.com.cn', 'victim.com.cn')).toBe(false);
    expect(relaxedAligned('example.com', 'example.net')).toBe(false);
    expect(relaxedAligned('', 'example.com')).toBe(false);
  });
});

describe('our Received field (RFC 5321 §4.4)', () => {
  const headers = rawHeaderFields(
    message([
      'Received: from mx.claims.example ([10.0.0.5]) by imap.claims.example with LMTP; Tue, 2 Jan 2024',
      'Received: from mail.example.com (mail.example.com [192.0.2.1])',
      '\tby MX.Claims.Example. (Postfix) with ESMTPS id 4AbC for <claims@claims.example>;',
      '\tTue, 02 Jan 2024 10:00:01 +0000',
      'Received: from forged.example ([192.0.2.1]) by mx.claims.example; Tue, 2 Jan 2024',
      'From: a@example.com',
      '',
      'body',
    ]),
  );

  it('is the topmost one whose `by` is our server, with the client IP and HELO', () => {
    expect(trustedClient(headers, 'mx.claims.example')).toEqual({
      ip: '192.0.2.1',
      helo: 'mail.example.com',
      envelopeFrom: undefined,
    });
    expect(trustedClient(headers, 'other.example')).toBeNull();
  });

  it("reads Exim's form: helo= and envelope-from in comments, IPv6 literals", () => {
    const exim = rawHeaderFields(
      message([
        'Received: from rdns.example.com ([IPv6:2001:db8::25] helo=mail.example.com)',
        '\tby mx.claims.example with esmtps (TLS1.3) (Exim 4.97)',
        '\t(envelope-from <bounce@example.com>) id 1rAbc-000; Tue, 02 Jan 2024 10:00:01 +0000',
        '',
      ]),
    );
    expect(trustedClient(exim, 'mx.claims.example')).toEqual({
      ip: '2001:db8::25',
      helo: 'mail.example.com',
      envelopeFrom: 'bounce@example.com',
    });
  });
});
