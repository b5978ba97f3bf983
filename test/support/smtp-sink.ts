/**
 * A real SMTP server (the `smtp-server` package) on a free 127.0.0.1 port that keeps every
 * message it accepts, for tests of anything that sends mail. No TLS, no authentication
 * required. Failures are scripted: `failNext` answers the next message(s) with a code,
 * `rejectRecipient` refuses one address at RCPT TO.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError, type SMTPServerOptions } from 'smtp-server';

export interface CapturedMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

export type FailStage = 'data' | 'rcpt';

export interface SmtpSinkOptions {
  /**
   * The SIZE the server announces (bytes); larger messages are refused with 552 after DATA.
   * 0 announces no limit. @defaultValue 0
   */
  size?: number;
  /**
   * Require AUTH with these mechanisms, decided by `onAuth` (support/smtp-oauth2-sink.ts);
   * without it the sink takes mail from anyone.
   */
  auth?: Pick<SMTPServerOptions, 'authMethods' | 'onAuth'>;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Every accepted message, in order of acceptance. */
  messages: CapturedMessage[];
  /**
   * The next `count` messages are answered `code message`: after the whole DATA (the
   * default), or at their first RCPT TO.
   */
  failNext(code: number, message: string, count?: number, stage?: FailStage): void;
  /** RCPT TO this address (any case) is answered `code` until the sink stops. */
  rejectRecipient(address: string, code: number, message?: string): void;
  /** Connections currently open (a pool keeps some idle). */
  connections(): number;
  /** Stops listening and drops open connections. Safe to call twice. */
  stop(): Promise<void>;
}

interface PlannedFailure {
  code: number;
  message: string;
  stage: FailStage;
}

function smtpError(code: number, message: string): SMTPServerError {
  const error: SMTPServerError = new Error(message);
  error.responseCode = code;
  return error;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: CapturedMessage[] = [];
  const planned: PlannedFailure[] = [];
  const rejected = new Map<string, { code: number; message: string }>();
  // A failure planned for RCPT belongs to one transaction: taken at its first RCPT.
  const takeFailure = (stage: FailStage): PlannedFailure | undefined =>
    planned[0]?.stage === stage ? planned.shift() : undefined;

  const server = new SMTPServer({
    ...(options.auth
      ? // No TLS on loopback in tests: AUTH in clear is allowed here only.
        { ...options.auth, allowInsecureAuth: true }
      : { authOptional: true }),
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: options.size ?? 0,
    // Tests stop the sink while a client pool still holds connections: close them at once.
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      const refusal = rejected.get(address.address.toLowerCase());
      if (refusal) return callback(smtpError(refusal.code, refusal.message));
      const failure = takeFailure('rcpt');
      if (failure) return callback(smtpError(failure.code, failure.message));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        // As real servers do (RFC 1870 §6.3): the whole message was read, then refused.
        if (stream.sizeExceeded) {
          return callback(smtpError(552, 'Message size exceeds fixed maximum message size'));
        }
        const failure = takeFailure('data');
        if (failure) return callback(smtpError(failure.code, failure.message));
        const from = session.envelope.mailFrom;
        messages.push({
          envelope: {
            from: from === false ? '' : from.address,
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after start-up (a client resetting its connection) are part of the tests.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    failNext(code, message, count = 1, stage = 'data') {
      for (let i = 0; i < count; i++) planned.push({ code, message, stage });
    },
    rejectRecipient(address, code, message = 'Recipient rejected') {
      rejected.set(address.toLowerCase(), { code, message });
    },
    connections: () => server.connections.size,
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
