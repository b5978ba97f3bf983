/**
 * IMAP_AUTH, SMTP_AUTH and the OAUTH2_* settings: how the poller and the reply transport sign
 * in. `password` (the default) takes the password from IMAP_URL and SMTP_URL as before;
 * `oauth2` takes the user from the URL and an access token from OAUTH2_TOKEN_URL (XOAUTH2),
 * for providers that refuse passwords (Microsoft 365, Gmail). One token endpoint and client
 * serve both protocols: the providers' scopes cover IMAP and SMTP together.
 */
import { DEFAULTS } from '../config-defaults.ts';
import { ConfigError, type StringReader } from '../config-values.ts';
import { isLoopbackHost } from '../mail-tls.ts';
import type { OAuth2Settings } from './oauth2.ts';

export type MailAuthMethod = 'password' | 'oauth2';

export interface MailAuthConfig {
  /** IMAP_AUTH. @defaultValue 'password' */
  imap: MailAuthMethod;
  /** SMTP_AUTH. @defaultValue 'password' */
  smtp: MailAuthMethod;
  /** The OAUTH2_* settings; present only when IMAP_AUTH or SMTP_AUTH is oauth2. */
  oauth2?: OAuth2Settings;
}

const METHODS: readonly string[] = ['password', 'oauth2'];

/**
 * Reads the settings, given which of IMAP_URL and SMTP_URL are set (with its user, for SMTP).
 * oauth2 without a way to sign in, or without what its grant needs, stops start-up naming the
 * missing setting.
 */
export function mailAuth(
  str: StringReader,
  urls: { imap: boolean; smtpUrl: string | undefined },
): MailAuthConfig {
  const method = (name: 'IMAP_AUTH' | 'SMTP_AUTH'): MailAuthMethod => {
    const v = str(name, DEFAULTS[name]).toLowerCase();
    if (!METHODS.includes(v))
      throw new ConfigError(name, `must be password or oauth2, got "${v.slice(0, 40)}"`);
    return v as MailAuthMethod;
  };
  const imap = method('IMAP_AUTH');
  const smtp = method('SMTP_AUTH');
  if (imap === 'oauth2' && !urls.imap)
    throw new ConfigError('IMAP_AUTH', 'oauth2 needs IMAP_URL (the Maildir has no sign-in)');
  if (smtp === 'oauth2') {
    if (urls.smtpUrl === undefined)
      throw new ConfigError('SMTP_AUTH', 'oauth2 needs SMTP_URL (the outbox has no sign-in)');
    if (!new URL(urls.smtpUrl).username)
      throw new ConfigError(
        'SMTP_URL',
        'needs the mailbox user with SMTP_AUTH=oauth2 (smtp://user@host:port)',
      );
  }
  if (imap !== 'oauth2' && smtp !== 'oauth2') return Object.freeze({ imap, smtp });
  return Object.freeze({ imap, smtp, oauth2: Object.freeze(oauth2Settings(str)) });
}

function oauth2Settings(str: (name: string) => string | undefined): OAuth2Settings {
  const tokenUrl = str('OAUTH2_TOKEN_URL');
  if (tokenUrl === undefined)
    throw new ConfigError('OAUTH2_TOKEN_URL', 'is required with IMAP_AUTH or SMTP_AUTH oauth2');
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    throw new ConfigError('OAUTH2_TOKEN_URL', 'is not a URL');
  }
  // The client secret and the refresh token go in the request body: never in clear off this
  // machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    throw new ConfigError(
      'OAUTH2_TOKEN_URL',
      'must start with https:// (http:// only to loopback)',
    );
  if (url.username || url.password)
    throw new ConfigError(
      'OAUTH2_TOKEN_URL',
      'must not hold credentials (use OAUTH2_CLIENT_SECRET)',
    );
  const clientId = str('OAUTH2_CLIENT_ID');
  if (clientId === undefined)
    throw new ConfigError('OAUTH2_CLIENT_ID', 'is required with IMAP_AUTH or SMTP_AUTH oauth2');
  const clientSecret = str('OAUTH2_CLIENT_SECRET');
  const refreshToken = str('OAUTH2_REFRESH_TOKEN');
  if (refreshToken === undefined && clientSecret === undefined)
    throw new ConfigError(
      'OAUTH2_CLIENT_SECRET',
      'is required for the client-credentials grant (or set OAUTH2_REFRESH_TOKEN for the refresh-token grant)',
    );
  const scope = str('OAUTH2_SCOPE');
  return {
    tokenUrl,
    clientId,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(scope === undefined ? {} : { scope }),
  };
}
