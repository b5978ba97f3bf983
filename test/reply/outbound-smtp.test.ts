import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  composeReply,
  createReplyTransport,
  type ReplyTransport,
  SmtpPermanentError,
  SmtpTemporaryError,
  TransportClosedError,
} from '../../src/reply/outbound/transport.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const envelope = { from: 'claims@provider.example', to: ['alice@customer.example'] };

function reply(n = 1): Promise<Buffer> {
  return composeReply({
    claimRef: `CLM-00012${n}`,
    to: 'alice@customer.example',
    toName: 'Alice',
    from: 'claims@provider.example',
    originalSubject: 'Outage on acme-prod',
    originalMessageId: '<orig-1@customer.example>',
    originalReferences: [],
    messageId: `<clm-12${n}.v1@claims.example>`,
    // A line that starts with a dot must survive SMTP's dot-stuffing unchanged.
    text: `Approved.\n.\n..dots\n${'long line '.repeat(30)}\n`,
    html: '<p>Approved.</p>',
    lang: 'en',
  });
}

describe('SMTP reply transport', () => {
  let sink: SmtpSink;
  let transport: ReplyTransport;

  beforeEach(async () => {
    sink = await startSmtpSink();
    transport = createReplyTransport({ smtpUrl: sink.url, smtp: { maxConnections: 2 } });
  });

  afterEach(async () => {
    await transport.close();
    await sink.stop();
  });

  it('delivers the exact bytes to the envelope it is given', async () => {
    const raw = await reply();
    const result = await transport.send(raw, envelope);

    expect(result).toMatchObject({ accepted: true, rejected: [] });
    expect(result.response).toMatch(/^250 /);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]!.envelope).toEqual(envelope);
    expect(sink.messages[0]!.raw.equals(raw)).toBe(true);
    expect((await simpleParser(sink.messages[0]!.raw)).messageId).toBe(
      '<clm-121.v1@claims.example>',
    );
  });

  it('sends several replies over the pool, each once', async () => {
    const raws = await Promise.all([1, 2, 3, 4, 5].map((n) => reply(n)));
    await Promise.all(raws.map((raw) => transport.send(raw, envelope)));

    expect(sink.messages).toHaveLength(5);
    const received = sink.messages.map((m) => m.raw.toString('latin1')).sort();
    expect(received).toEqual(raws.map((r) => r.toString('latin1')).sort());
  });

  it('reports a 451 as temporary, and the same message goes through on the next attempt', async () => {
    const raw = await reply();
    sink.failNext(451, 'Greylisted, try again later');

    const error = await transport.send(raw, envelope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpTemporaryError);
    expect(error).toMatchObject({
      code: 'smtp_temporary',
      retryable: true,
      responseCode: 451,
      scope: 'message',
    });
    expect(sink.messages).toHaveLength(0);

    await transport.send(raw, envelope);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]!.raw.equals(raw)).toBe(true);
  });

  it("reports a 550 as permanent with the server's answer", async () => {
    sink.failNext(550, 'Message rejected as spam');

    const error = await transport.send(await reply(), envelope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpPermanentError);
    expect(error).toMatchObject({ code: 'smtp_permanent', retryable: false, responseCode: 550 });
    expect((error as SmtpPermanentError).response).toBe('550 Message rejected as spam');
    expect((error as SmtpPermanentError).message).toContain('550 Message rejected as spam');
    expect(sink.messages).toHaveLength(0);
  });

  it('reports a recipient refused with 5xx as permanent, and with 4xx as temporary', async () => {
    sink.rejectRecipient('alice@customer.example', 550, 'No such user here');
    const refused = await transport.send(await reply(), envelope).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SmtpPermanentError);
    expect(refused).toMatchObject({
      responseCode: 550,
      response: '550 No such user here',
      command: 'RCPT TO',
    });

    sink.rejectRecipient('alice@customer.example', 452, 'Mailbox full');
    const deferred = await transport.send(await reply(), envelope).catch((e: unknown) => e);
    expect(deferred).toBeInstanceOf(SmtpTemporaryError);
    expect(deferred).toMatchObject({ responseCode: 452, scope: 'message' });
  });

  it('delivers to the accepted recipients and names the refused ones', async () => {
    sink.rejectRecipient('gone@customer.example', 550, 'No such user here');
    const result = await transport.send(await reply(), {
      from: envelope.from,
      to: ['alice@customer.example', 'gone@customer.example'],
    });

    expect(result).toMatchObject({ accepted: true, rejected: ['gone@customer.example'] });
    expect(sink.messages[0]!.envelope.to).toEqual(['alice@customer.example']);
  });

  it('reports a refused connection as a temporary failure of the transport', async () => {
    await sink.stop();

    const error = await transport.send(await reply(), envelope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpTemporaryError);
    expect(error).toMatchObject({ retryable: true, responseCode: null, scope: 'transport' });
  });

  it('reports a message over the size the server announces as permanent', async () => {
    const small = await startSmtpSink({ size: 512 });
    const toSmall = createReplyTransport({ smtpUrl: small.url });
    try {
      const error = await toSmall.send(await reply(), envelope).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmtpPermanentError);
      expect(error).toMatchObject({ responseCode: 552, retryable: false });
      expect(small.messages).toHaveLength(0);
    } finally {
      await toSmall.close();
      await small.stop();
    }
  });

  it('refuses to send after close, and closing twice is harmless', async () => {
    await transport.send(await reply(), envelope);
    await transport.close();
    await transport.close();

    await expect(transport.send(await reply(2), envelope)).rejects.toBeInstanceOf(
      TransportClosedError,
    );
    expect(sink.messages).toHaveLength(1);
  });
});
