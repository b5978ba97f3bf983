import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../src/mail/parse.ts';
import {
  type SenderAuthOptions,
  senderAuthenticated,
  senderAuthProblem,
} from '../../src/mail/sender-auth/index.ts';
import { message } from './build.ts';

const OURS = 'mx.claims.example';
const HEADER: SenderAuthOptions = { mode: 'header', authservId: OURS };

/** A claim as our mailbox stores it: trace fields on top, then the sender's own header. */
function delivered(authResults: string[], from = 'Claire Claimant <claire@example.com>'): Buffer {
  return message([
    'Return-Path: <bounce@example.com>',
    'Received: from mx.claims.example (mx.claims.example [10.0.0.5])',
    '\tby imap.claims.example (Dovecot) with LMTP id 9xYz',
    '\tfor <claims@claims.example>; Tue, 02 Jan 2024 10:00:02 +0000',
    ...authResults,
    'Received: from mail.example.com (mail.example.com [192.0.2.1])',
    '\tby mx.claims.example (Postfix) with ESMTPS id 4AbC',
    '\tfor <claims@claims.example>; Tue, 02 Jan 2024 10:00:01 +0000',
    `From: ${from}`,
    'To: claims@claims.example',
    'Subject: SLA compensation, account acme-01, 2024-01-01 10:15, 1 time',
    'Message-ID: <claim-1@example.com>',
    'Date: Tue, 02 Jan 2024 10:00:00 +0000',
    '',
    'Please compensate.',
    '',
  ]);
}

async function check(raw: Buffer, options: SenderAuthOptions = HEADER) {
  return senderAuthenticated(raw, await parseEmail(raw), options);
}

describe('sender authentication, header mode', () => {
  it('is unknown when sender authentication is off', async () => {
    const raw = delivered([`Authentication-Results: ${OURS}; dmarc=fail header.from=example.com`]);
    expect(await check(raw, { mode: 'off' })).toEqual({
      authenticated: undefined,
      method: 'off',
      detail: 'off',
    });
  });

  it('authenticates a DMARC pass for the From domain written by our server', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS};`,
      '\tdkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com',
      '\theader.s=sel header.b="ab/c+D=";',
      '\tspf=pass (mx.claims.example: domain of bounce@example.com designates 192.0.2.1',
      '\tas permitted sender) smtp.mailfrom=bounce@example.com;',
      '\tdmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com',
    ]);
    expect(await check(raw)).toMatchObject({ authenticated: true, method: 'header:dmarc' });
  });

  it('does not authenticate a DMARC failure, whatever else passed', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS}; dkim=pass header.d=example.com;`,
      '\tdmarc=fail (p=REJECT) header.from=example.com',
    ]);
    expect(await check(raw)).toMatchObject({
      authenticated: false,
      method: 'header:dmarc',
      detail: 'dmarc=fail header.from=example.com',
    });
  });

  it('does not authenticate a DMARC temporary error (a DNS hiccup never approves a payout)', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS}; dmarc=temperror header.from=example.com`,
    ]);
    expect((await check(raw)).authenticated).toBe(false);
  });

  it('ignores a DMARC pass that names another domain than the From domain', async () => {
    const raw = delivered([`Authentication-Results: ${OURS}; dmarc=pass header.from=evil.example`]);
    expect((await check(raw)).authenticated).toBe(false);
  });

  it('without a DMARC policy, authenticates an aligned DKIM signature', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS}; dkim=pass header.d=mail.example.com header.s=sel;`,
      '\tdmarc=none (p=NONE) header.from=example.com',
    ]);
    expect(await check(raw)).toMatchObject({ authenticated: true, method: 'header:dkim' });
  });

  it('without any DMARC result, authenticates an aligned SPF pass', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS}; spf=pass smtp.mailfrom=bounce@example.com`,
    ]);
    expect(await check(raw)).toMatchObject({ authenticated: true, method: 'header:spf' });
  });

  it('without a DMARC policy, does not authenticate a DKIM signature of another domain', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS}; dkim=pass header.d=bulkmailer.example;`,
      '\tspf=pass smtp.mailfrom=bounces@bulkmailer.example; dmarc=none header.from=example.com',
    ]);
    expect(await check(raw)).toMatchObject({ authenticated: false, method: 'header:dmarc' });
  });

  it('does not authenticate when our server wrote no result at all', async () => {
    expect(await check(delivered([]))).toMatchObject({
      authenticated: false,
      detail: `no results from ${OURS}`,
    });
    const none = delivered([`Authentication-Results: ${OURS}; none`]);
    expect((await check(none)).authenticated).toBe(false);
  });

  it('ignores a forged Authentication-Results from another authserv-id claiming a pass', async () => {
    const forged = 'Authentication-Results: mx.google.com; dmarc=pass header.from=example.com';
    expect((await check(delivered([forged]))).authenticated).toBe(false);
    const withOurs = delivered([
      `Authentication-Results: ${OURS}; dmarc=fail header.from=example.com`,
      forged,
    ]);
    expect((await check(withOurs)).authenticated).toBe(false);
  });

  it('ignores a field with our authserv-id below a foreign one: it came from outside', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS}; spf=fail smtp.mailfrom=bounce@example.com`,
      'Authentication-Results: relay.example.net; spf=pass smtp.mailfrom=bounce@example.com',
      `Authentication-Results: ${OURS}; dmarc=pass header.from=example.com`,
    ]);
    expect((await check(raw)).authenticated).toBe(false);
  });

  it('reads every field of our run: results split over several fields by several filters', async () => {
    const raw = delivered([
      `Authentication-Results: ${OURS.toUpperCase()} 1; dmarc=pass header.from=example.com`,
      `Authentication-Results: ${OURS}; dkim=pass header.d=example.com`,
      `Authentication-Results: ${OURS}; spf=pass smtp.mailfrom=bounce@example.com`,
    ]);
    expect(await check(raw)).toMatchObject({ authenticated: true, method: 'header:dmarc' });
  });

  it('reads results written by another filter of ours above our MX (e.g. the spam filter)', async () => {
    const raw = delivered([
      'Authentication-Results: filter.claims.example; x-spam=pass',
      `Authentication-Results: ${OURS}; dmarc=pass header.from=example.com`,
    ]);
    expect((await check(raw)).authenticated).toBe(true);
  });

  it('never authenticates a message with two From fields (RFC 7489 §6.6.1)', async () => {
    const raw = delivered(
      [`Authentication-Results: ${OURS}; dmarc=pass header.from=example.com`],
      'claire@example.com\r\nFrom: ceo@claims.example',
    );
    expect(await check(raw)).toMatchObject({ authenticated: false, detail: '2 From fields' });
  });

  it('never authenticates a From field with two addresses (RFC 7489 §6.6.1)', async () => {
    const raw = delivered(
      [`Authentication-Results: ${OURS}; dmarc=pass header.from=example.com`],
      'claire@example.com, ceo@claims.example',
    );
    expect(await check(raw)).toMatchObject({ authenticated: false, detail: '2 From addresses' });
  });

  it('never authenticates a message without a From address', async () => {
    const raw = message([
      `Authentication-Results: ${OURS}; dmarc=pass header.from=example.com`,
      '',
      'x',
    ]);
    expect((await check(raw)).authenticated).toBe(false);
  });

  it('does not authenticate when no authserv-id is configured, and says so', async () => {
    const raw = delivered([`Authentication-Results: ${OURS}; dmarc=pass header.from=example.com`]);
    expect(await check(raw, { mode: 'header' })).toMatchObject({
      authenticated: false,
      method: 'header:config',
    });
  });
});

describe('sender authentication options', () => {
  it('names the missing authserv-id, a bad mode and a bad timeout', () => {
    expect(senderAuthProblem({ mode: 'header' })).toMatch(/^authservId:/);
    expect(senderAuthProblem({ mode: 'bogus' as 'off' })).toMatch(/^mode:/);
    expect(senderAuthProblem({ mode: 'verify', timeoutMs: 0 })).toMatch(/^timeoutMs:/);
    expect(senderAuthProblem({ mode: 'verify' })).toBeNull();
    expect(senderAuthProblem({ mode: 'header', authservId: OURS })).toBeNull();
  });
});
