/**
 * SMTP_AUTH=oauth2: nodemailer signs in with AUTH XOAUTH2 as SMTP_URL's user, with a token
 * from the provider (src/mail/oauth2.ts). nodemailer asks through its provision callback:
 * `renew` false when a connection opens (the cached token serves until its refresh time),
 * true after the server refused the token it offered, and then it tries once more.
 */
import type { Transporter } from 'nodemailer';
import type { AccessTokenSource } from '../../mail/oauth2.ts';

/**
 * The connection options for an SMTP_URL signed in with XOAUTH2: the URL without user and
 * password (nodemailer would take them for a password login, over the auth given here).
 */
export function smtpOAuth2Options(url: string): {
  url: string;
  auth: { type: 'OAuth2'; user: string };
} {
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  u.username = '';
  u.password = '';
  return { url: u.toString(), auth: { type: 'OAuth2', user } };
}

/** Hands nodemailer tokens from `tokens`, a new one when it says the last was refused. */
export function provideTokens(transporter: Transporter, tokens: AccessTokenSource): void {
  transporter.set('oauth2_provision_cb', (_user, renew, callback) => {
    tokens.accessToken({ force: renew }).then(
      // The refresh time, not the expiry: nodemailer asks again once it has passed.
      (token) => callback(null, token.accessToken, token.refreshAt),
      (error: Error) => callback(error, ''),
    );
  });
}
