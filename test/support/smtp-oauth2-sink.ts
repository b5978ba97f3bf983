/**
 * A real SMTP server (`smtp-server`) on a free 127.0.0.1 port that requires AUTH XOAUTH2 and
 * accepts only the tokens the test declared valid for a user, as Microsoft 365 and Gmail do
 * (support/smtp-sink.ts is the open sink). A refused token gets the provider's answer: a 334
 * with a base64 JSON status, after which the client may try once more with a new token.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { CapturedMessage } from './smtp-sink.ts';

export interface XOAuth2Login {
  user: string;
  accessToken: string;
  accepted: boolean;
}

export interface OAuth2SmtpSink {
  port: number;
  messages: CapturedMessage[];
  /** Every AUTH XOAUTH2, in order. */
  logins: XOAuth2Login[];
  /** `token` signs `user` in from now on. */
  accept(token: string, user: string): void;
  /** `token` is refused from now on (expired or revoked on the server's side). */
  revoke(token: string): void;
  stop(): Promise<void>;
}

export async function startOAuth2SmtpSink(): Promise<OAuth2SmtpSink> {
  const messages: CapturedMessage[] = [];
  const logins: XOAuth2Login[] = [];
  const valid = new Map<string, string>();
  const server = new SMTPServer({
    authMethods: ['XOAUTH2'],
    // No TLS on loopback in tests: AUTH in clear is allowed here only.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      const accessToken = auth.accessToken ?? '';
      const accepted = auth.method === 'XOAUTH2' && valid.get(accessToken) === auth.username;
      logins.push({ user: auth.username ?? '', accessToken, accepted });
      if (accepted) return callback(null, { user: auth.username });
      // Gmail's answer to an expired or revoked token (RFC 7628 §3.2.2).
      callback(null, {
        data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' },
      });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
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
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    port,
    messages,
    logins,
    accept: (token, user) => void valid.set(token, user),
    revoke: (token) => void valid.delete(token),
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
