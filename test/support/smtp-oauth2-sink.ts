/**
 * A real SMTP server (`smtp-server`) on a free 127.0.0.1 port that requires AUTH XOAUTH2 and
 * accepts only the tokens the test declared valid for a user, as Microsoft 365 and Gmail do
 * (support/smtp-sink.ts is the open sink). A refused token gets the provider's answer: a 334
 * with a base64 JSON status, after which the client may try once more with a new token.
 */
import { type CapturedMessage, startSmtpSink } from './smtp-sink.ts';

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
  const logins: XOAuth2Login[] = [];
  const valid = new Map<string, string>();
  const sink = await startSmtpSink({
    auth: {
      authMethods: ['XOAUTH2'],
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
    },
  });
  return {
    port: sink.port,
    messages: sink.messages,
    logins,
    accept: (token, user) => void valid.set(token, user),
    revoke: (token) => void valid.delete(token),
    stop: () => sink.stop(),
  };
}
