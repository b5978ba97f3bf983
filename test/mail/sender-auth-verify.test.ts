import { dkimSign } from 'mailauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from '../../src/mail/parse.ts';
import { type SenderAuthOptions, senderAuthenticated } from '../../src/mail/sender-auth/index.ts';
import { CRLF } from './build.ts';
import {
  type DkimKey,
  type DnsZone,
  failingResolver,
  rsaDkimKey,
  silentResolver,
  stubResolver,
} from './sender-auth-dns.ts';

const MX = 'mx.claims.example';
const ALLOWED_IP = '192.0.2.1'; // example.com's outbound server, listed in its SPF record
const FOREIGN_IP = '203.0.113.66'; // anyone else

let key: DkimKey;
beforeAll(() => {
  key = rsaDkimKey();
});

/** example.com publishes its DKIM key, SPF and DMARC p=reject (or no DMARC at all). */
function zone(dmarc: string | null = 'v=DMARC1; p=reject; rua=mailto:dmarc@example.com'): DnsZone {
  return {
    'TXT:sel._domainkey.example.com': [key.record],
    'TXT:example.com': [['v=spf1 ip4:192.0.2.1 -all'], ['google-site-verification=abc']],
    ...(dmarc ? { 'TXT:_dmarc.example.com': [[dmarc]] } : {}),
  };
}

/** The message as example.com's server sends it. */
function original(body = 'Please compensate the outage of 2024-01-01.'): string {
  return [
    'From: Claire Claimant <claire@example.com>',
    'To: claims@claims.example',
    'Subject: SLA compensation, account acme-01, 2024-01-01 10:15, 1 time',
    'Message-ID: <claim-1@example.com>',
    'Date: Tue, 02 Jan 2024 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join(CRLF);
}

async function signed(text: string): Promise<string> {
  const signature = { signingDomain: 'example.com', selector: 'sel', privateKey: key.privateKey };
  const result = await dkimSign(text, { ...signature, signatureData: [signature] });
  expect(result.errors).toEqual([]);
  return result.signatures + text;
}

/** What our mailbox stores: delivery's Return-Path and Received fields on top of what arrived. */
function delivered(arrived: string, clientIp: string, extraTrace: string[] = []): Buffer {
  const trace = [
    'Return-Path: <bounce@example.com>',
    'Received: from mx.claims.example (mx.claims.example [10.0.0.5])',
    '\tby imap.claims.example (Dovecot) with LMTP id 9xYz',
    '\tfor <claims@claims.example>; Tue, 02 Jan 2024 10:00:02 +0000',
    `Received: from mail.example.com (mail.example.com [${clientIp}])`,
    `\tby ${MX} (Postfix) with ESMTPS id 4AbC`,
    '\tfor <claims@claims.example>; Tue, 02 Jan 2024 10:00:01 +0000',
    ...extraTrace,
  ];
  return Buffer.from(trace.join(CRLF) + CRLF + arrived);
}

function options(resolver: SenderAuthOptions['resolver']): SenderAuthOptions {
  return { mode: 'verify', resolver, trustedReceivedBy: MX };
}

async function check(raw: Buffer, opts: SenderAuthOptions) {
  return senderAuthenticated(raw, await parseEmail(raw), opts);
}

describe('sender authentication, verify mode', () => {
  it('authenticates a message signed by example.com and sent from its server', async () => {
    const dns = stubResolver(zone());
    const result = await check(delivered(await signed(original()), ALLOWED_IP), options(dns));
    expect(result).toMatchObject({ authenticated: true, method: 'verify:dmarc' });
    expect(dns.asked).toEqual(
      expect.arrayContaining([
        'TXT:sel._domainkey.example.com',
        'TXT:example.com',
        'TXT:_dmarc.example.com',
      ]),
    );
  });

  it('does not authenticate the signed message with a forged body, replayed from elsewhere', async () => {
    const genuine = await signed(original());
    const forged = genuine.replace('2024-01-01.', '2024-01-01, and 30 more outages.');
    const result = await check(delivered(forged, FOREIGN_IP), options(stubResolver(zone())));
    expect(result).toMatchObject({ authenticated: false, method: 'verify:dmarc' });
    expect(result.detail).toMatch(/^dmarc=fail p=reject/);
  });

  it('does not authenticate an unsigned message claiming example.com from a foreign IP', async () => {
    const result = await check(delivered(original(), FOREIGN_IP), options(stubResolver(zone())));
    expect(result).toMatchObject({ authenticated: false, detail: 'dmarc=fail p=reject' });
  });

  it('authenticates an unsigned message from the IP example.com lists in SPF (aligned SPF passes DMARC)', async () => {
    const result = await check(delivered(original(), ALLOWED_IP), options(stubResolver(zone())));
    expect(result).toMatchObject({ authenticated: true, method: 'verify:dmarc' });
  });

  it('takes the client from our own Received field, not from a forged one below it', async () => {
    const forgedTrace = [
      `Received: from mail.example.com (mail.example.com [${ALLOWED_IP}]) by ${MX} (Postfix);`,
      '\tTue, 02 Jan 2024 09:59:59 +0000',
    ];
    const raw = delivered(original(), FOREIGN_IP, forgedTrace);
    expect((await check(raw, options(stubResolver(zone())))).authenticated).toBe(false);
  });

  it('without a DMARC policy, authenticates an aligned DKIM signature', async () => {
    const raw = delivered(await signed(original()), FOREIGN_IP);
    expect(await check(raw, options(stubResolver(zone(null))))).toMatchObject({
      authenticated: true,
      method: 'verify:dkim',
    });
  });

  it('without a DMARC policy, does not authenticate an unsigned message from a foreign IP', async () => {
    const raw = delivered(original(), FOREIGN_IP);
    expect(await check(raw, options(stubResolver(zone(null))))).toMatchObject({
      authenticated: false,
      method: 'verify:none',
    });
  });

  it('without our Received field, authenticates on DKIM alone and never on SPF', async () => {
    const opts = { ...options(stubResolver(zone())), trustedReceivedBy: 'other-mx.claims.example' };
    const signedResult = await check(delivered(await signed(original()), ALLOWED_IP), opts);
    expect(signedResult).toMatchObject({ authenticated: true, method: 'verify:dmarc' });
    expect(signedResult.detail).toMatch(/SPF not checked/);
    const unsigned = await check(delivered(original(), ALLOWED_IP), opts);
    expect(unsigned.authenticated).toBe(false);
  });

  it('does not authenticate, and does not throw, when DNS fails', async () => {
    const raw = delivered(await signed(original()), ALLOWED_IP);
    const result = await check(raw, options(failingResolver('ETIMEOUT')));
    expect(result.authenticated).toBe(false);
    expect(result.detail).toMatch(/temperror/);
  });

  it('does not authenticate when the resolver throws something that is not an Error', async () => {
    const raw = delivered(await signed(original()), ALLOWED_IP);
    const throwing = async (): Promise<unknown> => {
      throw 'resolver exploded';
    };
    expect((await check(raw, options(throwing))).authenticated).toBe(false);
  });

  it('gives up after its timeout when DNS never answers', async () => {
    const raw = delivered(await signed(original()), ALLOWED_IP);
    const result = await check(raw, { ...options(silentResolver()), timeoutMs: 50 });
    expect(result).toMatchObject({ authenticated: false, method: 'verify:error' });
    expect(result.detail).toMatch(/no answer within 50 ms/);
  });

  it('does not authenticate a message whose From is another domain than the one signed', async () => {
    const raw = delivered(
      (await signed(original())).replace(
        'From: Claire Claimant <claire@example.com>',
        'From: ceo@claims.example',
      ),
      FOREIGN_IP,
    );
    expect((await check(raw, options(stubResolver(zone())))).authenticated).toBe(false);
  });
});
