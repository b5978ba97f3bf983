/**
 * `smtp://` and `imap://` off this machine upgrade with STARTTLS before any credential is
 * sent, unless ALLOW_PLAINTEXT_MAIL=true; loopback stays as it was. The rule on its own, then
 * a real SMTP server (the `smtp-server` package) that offers no STARTTLS, reached through an
 * address of this machine that is not loopback: the reply transport and the readiness check
 * refuse it before AUTH, and the server never sees a user name. The IMAP side, with Dovecot
 * and the running poller, is test/intake/imap-plaintext.test.ts.
 */
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import {
  imapTlsOptions,
  isLoopbackHost,
  mustStartTls,
  plaintextRefused,
  smtpTlsOptions,
} from '../src/mail-tls.ts';
import { ReadinessCheck } from '../src/ops/health.ts';
import { SmtpTemporaryError } from '../src/reply/outbound/errors.ts';
import { createSmtpTransport } from '../src/reply/outbound/smtp-transport.ts';
import { describeAddress, offLoopbackAddress } from './support/off-loopback.ts';

describe('when a mail connection must start TLS', () => {
  it('counts localhost, 127.0.0.0/8 and ::1 (also mapped, as a URL writes it) as loopback', () => {
    for (const host of ['localhost', 'LOCALHOST', 'mail.localhost', '127.0.0.1', '127.8.9.10'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const url of ['smtp://[::1]', 'smtp://[::ffff:127.0.0.1]', 'smtp://[0:0:0:0:0:0:0:1]'])
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(true);
  });

  it('counts every other host as off this machine, the unspecified address included', () => {
    for (const host of [
      'mail.example',
      'localhost.example',
      '10.0.0.1',
      '192.0.2.2',
      '0.0.0.0',
      '[::]',
      '[fd00::2]',
      '[::ffff:10.0.0.1]',
      '128.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('requires STARTTLS only in clear, off loopback, and without ALLOW_PLAINTEXT_MAIL', () => {
    expect(mustStartTls(false, 'mail.example', false)).toBe(true);
    expect(mustStartTls(true, 'mail.example', false)).toBe(false);
    expect(mustStartTls(false, 'mail.example', true)).toBe(false);
    expect(mustStartTls(false, '127.0.0.1', false)).toBe(false);
  });

  it('says so to imapflow (doSTARTTLS) and nodemailer (requireTLS)', () => {
    const imap = { secure: false, host: 'mail.example' };
    expect(imapTlsOptions(imap)).toEqual({ doSTARTTLS: true });
    expect(imapTlsOptions({ ...imap, allowPlaintext: true })).toEqual({});
    expect(imapTlsOptions({ ...imap, secure: true })).toEqual({});
    expect(imapTlsOptions({ ...imap, host: 'localhost' })).toEqual({});
    expect(smtpTlsOptions('smtp://u:p@mail.example:587', false)).toEqual({ requireTLS: true });
    expect(smtpTlsOptions('smtp://u:p@mail.example:587', true)).toEqual({});
    expect(smtpTlsOptions('smtps://u:p@mail.example', false)).toEqual({});
    expect(smtpTlsOptions('smtp://u:p@127.0.0.1:2525', false)).toEqual({});
  });
});

/** A real SMTP server on 0.0.0.0 that records every user name it is given and every sender. */
interface RecordingSmtp {
  port: number;
  users: string[];
  senders: string[];
  close(): Promise<void>;
}

async function recordingSmtp(options: { starttls: boolean }): Promise<RecordingSmtp> {
  const users: string[] = [];
  const senders: string[] = [];
  const server = new SMTPServer({
    // With STARTTLS on and no certificate given, smtp-server uses its own self-signed one,
    // which no client trusts: the upgrade is tried and its handshake fails.
    ...(options.starttls ? {} : { disabledCommands: ['STARTTLS'] }),
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      users.push(auth.username ?? '');
      callback(null, { user: auth.username });
    },
    onMailFrom(address, _session, callback) {
      senders.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    port,
    users,
    senders,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const envelope = { from: 'claims@provider.example', to: ['alice@customer.example'] };
const raw = Buffer.from('From: claims@provider.example\r\nSubject: hi\r\n\r\nApproved.\r\n');
const off = offLoopbackAddress();

describe(`an SMTP server in clear at ${describeAddress(off)}`, () => {
  let server: RecordingSmtp | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const send = async (host: string, allowPlaintext?: boolean) => {
    const transport = createSmtpTransport({
      url: `smtp://claims:relay-secret@${host}:${server!.port}`,
      connectionTimeoutMs: 5000,
      greetingTimeoutMs: 5000,
      ...(allowPlaintext === undefined ? {} : { allowPlaintext }),
    });
    try {
      return await transport.send(raw, envelope);
    } finally {
      await transport.close();
    }
  };

  it('gets no AUTH and no mail: the reply waits, with one line naming SMTP_URL and the fix', async () => {
    server = await recordingSmtp({ starttls: false });
    const error = await send(off.address).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpTemporaryError);
    // A transport failure: the queue backs off, no claim is blamed for it.
    expect((error as SmtpTemporaryError).scope).toBe('transport');
    expect((error as Error).message).toBe(
      `SMTP delivery deferred: ${plaintextRefused('SMTP_URL', off.address, server.port)}`,
    );
    expect((error as Error).message).not.toContain('relay-secret');
    expect(server.users).toEqual([]);
    expect(server.senders).toEqual([]);
  });

  it('is used in clear with ALLOW_PLAINTEXT_MAIL=true', async () => {
    server = await recordingSmtp({ starttls: false });
    expect(await send(off.address, true)).toMatchObject({ accepted: true });
    expect(server.users).toEqual(['claims']);
  });

  it('is used in clear on loopback, as before', async () => {
    server = await recordingSmtp({ starttls: false });
    expect(await send('127.0.0.1', false)).toMatchObject({ accepted: true });
    expect(server.users).toEqual(['claims']);
  });

  it('that offers STARTTLS with a certificate nobody trusts gets no AUTH either', async () => {
    server = await recordingSmtp({ starttls: true });
    const error = await send(off.address).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpTemporaryError);
    // The upgrade was offered and tried, and the handshake refused the certificate: not the
    // "offers no STARTTLS" line, and still a transport failure.
    expect((error as SmtpTemporaryError).scope).toBe('transport');
    expect((error as Error).message).toMatch(/certificate/i);
    expect((error as Error).message).not.toContain('offers no STARTTLS');
    expect(server.users).toEqual([]);
  });

  it('makes /readyz say tls_failed, and the log say why and what to do', async () => {
    server = await recordingSmtp({ starttls: false });
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    // Only the way out is under test here: a database that always answers.
    const pool = { query: async () => ({ rows: [] }) } as unknown as pg.Pool;
    const url = `smtp://claims:relay-secret@${off.address}:${server.port}`;
    const check = (allowPlaintextMail: boolean) =>
      new ReadinessCheck({
        pool,
        smtp: { url, outboxDir: '/nonexistent' },
        allowPlaintextMail,
        logger,
        cacheMs: 0,
        timeoutMs: 5000,
      }).check();
    expect((await check(false)).checks.smtp).toEqual({ ok: false, error: 'tls_failed' });
    expect(lines).toEqual([
      expect.objectContaining({
        check: 'smtp',
        code: 'tls_failed',
        err: expect.objectContaining({
          code: 'plaintext_refused',
          message: expect.stringContaining(plaintextRefused('SMTP_URL', off.address, server.port)),
        }),
      }),
    ]);
    expect(server.users).toEqual([]);
    expect((await check(true)).checks.smtp).toEqual({ ok: true });
    expect(server.users).toEqual(['claims']);
  });
});
