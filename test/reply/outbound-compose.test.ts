import { type AddressObject, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { MAX_REFERENCES, replySubject } from '../../src/reply/outbound/headers.ts';
import {
  composeReply,
  InvalidReplyError,
  type ReplyInput,
} from '../../src/reply/outbound/transport.ts';

const base: ReplyInput = {
  claimRef: 'CLM-000123',
  to: 'alice@customer.example',
  toName: 'Alice Chen',
  from: 'claims@provider.example',
  fromName: 'Service Assurance',
  originalSubject: 'RE: Re: Outage on acme-prod',
  originalMessageId: '<orig-1@customer.example>',
  originalReferences: ['<root-1@customer.example>'],
  messageId: '<clm-123.v1@claims.example>',
  text: 'Your claim CLM-000123 was approved.\n.a line starting with a dot\n',
  html: '<p>Your claim <b>CLM-000123</b> was approved.</p>',
  lang: 'en',
  date: new Date('2026-11-20T10:00:00Z'),
};

/** Header names in order, lower-cased, exactly as they appear in the raw message. */
function headerSection(raw: Buffer): string {
  const text = raw.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

function headerNames(raw: Buffer): string[] {
  return headerSection(raw)
    .split('\r\n')
    .filter((line) => !/^[ \t]/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}

const TOP_LEVEL_HEADERS = [
  'auto-submitted',
  'x-auto-response-suppress',
  'content-language',
  'from',
  'to',
  'in-reply-to',
  'references',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
];

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  return [field ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''));
}

describe('composeReply', () => {
  it('threads the reply under the original and marks it as an automatic reply', async () => {
    const raw = await composeReply(base);
    const mail = await simpleParser(raw);

    expect(headerNames(raw)).toEqual(TOP_LEVEL_HEADERS);
    expect(mail.subject).toBe('Re: Outage on acme-prod [CLM-000123]');
    expect(mail.messageId).toBe('<clm-123.v1@claims.example>');
    expect(mail.inReplyTo).toBe('<orig-1@customer.example>');
    expect(mail.references).toEqual(['<root-1@customer.example>', '<orig-1@customer.example>']);
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.headers.get('x-auto-response-suppress')).toBe('All');
    expect(mail.headers.get('content-language')).toBe('en');
    expect(mail.headers.has('precedence')).toBe(false);
    expect(addresses(mail.to)).toEqual(['alice@customer.example']);
    expect(addresses(mail.from)).toEqual(['claims@provider.example']);
    expect(mail.date?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(mail.text).toBe(base.text);
    expect(mail.html).toContain('<b>CLM-000123</b>');
    expect(headerSection(raw)).toMatch(/^Content-Type: multipart\/alternative;/m);
  });

  it('writes Re: once and the claim reference once when the customer answers our reply', () => {
    expect(replySubject('Re: Outage on acme-prod [CLM-000123]', 'CLM-000123')).toBe(
      'Re: Outage on acme-prod [CLM-000123]',
    );
    expect(replySubject('回复：答复: RE[2]: AW: Outage', 'CLM-000123')).toBe(
      'Re: Outage [CLM-000123]',
    );
    expect(replySubject('', 'CLM-000123')).toBe('Re: [CLM-000123]');
    expect(replySubject('Fwd: Outage', 'CLM-000123')).toBe('Re: Fwd: Outage [CLM-000123]');
  });

  it('lets no CR or LF from the email add a header to the reply', async () => {
    const injection = '\r\nBcc: victim@x\r\nX-Injected: 1';
    const raw = await composeReply({
      ...base,
      originalSubject: `Outage${injection}`,
      toName: `Alice${injection}`,
      originalMessageId: `<orig-1@customer.example>${injection}`,
      originalReferences: [`<root-1@customer.example>\nBcc: victim@x`, 'fine@customer.example'],
      originalInReplyTo: `<x@y>\rBcc: victim@x`,
    });
    const mail = await simpleParser(raw);

    // The malformed Message-ID is dropped, so there is no In-Reply-To; nothing else changes.
    expect(headerNames(raw)).toEqual(TOP_LEVEL_HEADERS.filter((h) => h !== 'in-reply-to'));
    expect(mail.headerLines).toHaveLength(TOP_LEVEL_HEADERS.length - 1);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(headerSection(raw)).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(addresses(mail.to)).toEqual(['alice@customer.example']);
    expect(mail.subject).toBe('Re: Outage Bcc: victim@x X-Injected: 1 [CLM-000123]');
    expect(mail.references).toBe('<fine@customer.example>');
  });

  it('encodes a Chinese subject and name as MIME words that decode back exactly', async () => {
    const raw = await composeReply({
      ...base,
      originalSubject: '回复：关于服务中断的赔偿申请 账号：acme-prod',
      toName: '陈爱丽',
      fromName: '服务保障中心',
      lang: 'zh',
      text: '您好，您的申请已受理。',
      html: '<p>您好，您的申请已受理。</p>',
    });
    const mail = await simpleParser(raw);

    expect(headerSection(raw)).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    for (const line of headerSection(raw).split('\r\n'))
      expect(line.length).toBeLessThanOrEqual(78);
    expect(mail.subject).toBe('Re: 关于服务中断的赔偿申请 账号：acme-prod [CLM-000123]');
    expect([mail.to].flat()[0]?.value[0]?.name).toBe('陈爱丽');
    expect(mail.headers.get('content-language')).toBe('zh-CN');
    expect(mail.text?.trim()).toBe('您好，您的申请已受理。');
  });

  it('keeps the thread root and the latest ids when the References grow long', async () => {
    const refs = Array.from({ length: 30 }, (_, i) => `<r${i}@customer.example>`);
    const mail = await simpleParser(await composeReply({ ...base, originalReferences: refs }));

    expect(mail.references).toHaveLength(MAX_REFERENCES);
    expect(mail.references?.[0]).toBe('<r0@customer.example>');
    expect(mail.references?.at(-2)).toBe('<r29@customer.example>');
    expect(mail.references?.at(-1)).toBe('<orig-1@customer.example>');
  });

  it('uses the original In-Reply-To for References when the original has no References', async () => {
    const mail = await simpleParser(
      await composeReply({
        ...base,
        originalReferences: [],
        originalInReplyTo: 'parent@customer.example',
        originalMessageId: 'orig-1@customer.example',
      }),
    );
    expect(mail.inReplyTo).toBe('<orig-1@customer.example>');
    expect(mail.references).toEqual(['<parent@customer.example>', '<orig-1@customer.example>']);
  });

  it('refuses a recipient that is not one plain address', async () => {
    for (const to of [
      'alice@x, victim@y',
      'Alice <alice@x>',
      'alice@x\r\nBcc: victim@y',
      'alice',
    ]) {
      await expect(composeReply({ ...base, to })).rejects.toBeInstanceOf(InvalidReplyError);
    }
  });

  it('refuses a malformed Message-ID or claim reference of our own', async () => {
    await expect(composeReply({ ...base, messageId: '<no at sign>' })).rejects.toMatchObject({
      code: 'invalid_reply',
      field: 'messageId',
      retryable: false,
    });
    await expect(composeReply({ ...base, claimRef: 'CLM-1]\r\nBcc: x' })).rejects.toMatchObject({
      field: 'claimRef',
    });
  });
});
