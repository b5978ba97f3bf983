/**
 * IMAP_AUTH, SMTP_AUTH and OAUTH2_*: passwords unless told otherwise; oauth2 without what it
 * needs stops start-up with one line naming the setting, and never echoes a secret.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const IMAP = 'imaps://claims%40contoso.com@outlook.office365.com/INBOX';
const SMTP = 'smtp://claims%40contoso.com@smtp.office365.com:587';
const CLIENT = {
  OAUTH2_TOKEN_URL: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
  OAUTH2_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
  OAUTH2_CLIENT_SECRET: 'very-secret-value',
  OAUTH2_SCOPE: 'https://outlook.office365.com/.default',
};

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the settings');
}

describe('mail sign-in settings', () => {
  it('signs in with passwords by default and reads no OAUTH2_* setting then', () => {
    const c = loadConfig({
      IMAP_URL: 'imap://u:p@mail.example/INBOX',
      OAUTH2_TOKEN_URL: 'nonsense',
    });
    expect(c.mailAuth).toEqual({ imap: 'password', smtp: 'password' });
  });

  it('reads the client-credentials settings for IMAP and SMTP, with the users from the URLs', () => {
    const c = loadConfig({
      IMAP_URL: IMAP,
      IMAP_AUTH: 'oauth2',
      SMTP_URL: SMTP,
      SMTP_AUTH: 'OAuth2',
      MAIL_FROM: 'claims@contoso.com',
      ...CLIENT,
    });
    expect(c.mailAuth).toEqual({
      imap: 'oauth2',
      smtp: 'oauth2',
      oauth2: {
        tokenUrl: CLIENT.OAUTH2_TOKEN_URL,
        clientId: CLIENT.OAUTH2_CLIENT_ID,
        clientSecret: CLIENT.OAUTH2_CLIENT_SECRET,
        scope: CLIENT.OAUTH2_SCOPE,
      },
    });
    expect(c.mailboxes[0]).toMatchObject({ user: 'claims@contoso.com', password: '' });
    expect(Object.isFrozen(c.mailAuth.oauth2)).toBe(true);
  });

  it('reads the refresh-token settings, where the client secret is optional', () => {
    const c = loadConfig({
      IMAP_URL: 'imaps://claims%40gmail.com@imap.gmail.com/INBOX',
      IMAP_AUTH: 'oauth2',
      OAUTH2_TOKEN_URL: 'https://oauth2.googleapis.com/token',
      OAUTH2_CLIENT_ID: 'desk.apps.googleusercontent.com',
      OAUTH2_REFRESH_TOKEN: '1//refresh',
    });
    expect(c.mailAuth.oauth2).toEqual({
      tokenUrl: 'https://oauth2.googleapis.com/token',
      clientId: 'desk.apps.googleusercontent.com',
      refreshToken: '1//refresh',
    });
  });

  it.each([
    [{ IMAP_AUTH: 'xoauth' }, 'IMAP_AUTH: must be password or oauth2, got "xoauth"'],
    [{ SMTP_AUTH: 'token' }, 'SMTP_AUTH: must be password or oauth2, got "token"'],
    [
      { IMAP_AUTH: 'oauth2', OAUTH2_CLIENT_ID: 'app', OAUTH2_CLIENT_SECRET: 's' },
      'OAUTH2_TOKEN_URL: is required with IMAP_AUTH or SMTP_AUTH oauth2',
    ],
    [
      { IMAP_AUTH: 'oauth2', OAUTH2_TOKEN_URL: CLIENT.OAUTH2_TOKEN_URL },
      'OAUTH2_CLIENT_ID: is required with IMAP_AUTH or SMTP_AUTH oauth2',
    ],
    [
      { IMAP_AUTH: 'oauth2', OAUTH2_TOKEN_URL: CLIENT.OAUTH2_TOKEN_URL, OAUTH2_CLIENT_ID: 'app' },
      'OAUTH2_CLIENT_SECRET: is required for the client-credentials grant (or set OAUTH2_REFRESH_TOKEN for the refresh-token grant)',
    ],
    [
      { ...CLIENT, IMAP_AUTH: 'oauth2', OAUTH2_TOKEN_URL: 'http://login.example/token' },
      'OAUTH2_TOKEN_URL: must start with https:// (http:// only to loopback)',
    ],
    [
      { ...CLIENT, IMAP_AUTH: 'oauth2', OAUTH2_TOKEN_URL: 'https://app:pw@login.example/token' },
      'OAUTH2_TOKEN_URL: must not hold credentials (use OAUTH2_CLIENT_SECRET)',
    ],
    [
      { ...CLIENT, IMAP_AUTH: 'oauth2', OAUTH2_TOKEN_URL: 'not a url' },
      'OAUTH2_TOKEN_URL: is not a URL',
    ],
  ])('refuses %o with one line naming the setting', (env, message) => {
    const error = refusal({ IMAP_URL: IMAP, ...env });
    expect(error.message).toBe(message);
    expect(error.message).not.toContain(CLIENT.OAUTH2_CLIENT_SECRET);
  });

  it('refuses oauth2 where there is nothing to sign in to, or no user to sign in as', () => {
    expect(refusal({ IMAP_AUTH: 'oauth2', ...CLIENT }).message).toBe(
      'IMAP_AUTH: oauth2 needs IMAP_URL (the Maildir has no sign-in)',
    );
    expect(refusal({ SMTP_AUTH: 'oauth2', ...CLIENT }).message).toBe(
      'SMTP_AUTH: oauth2 needs SMTP_URL (the outbox has no sign-in)',
    );
    expect(
      refusal({
        SMTP_AUTH: 'oauth2',
        SMTP_URL: 'smtps://smtp.gmail.com',
        MAIL_FROM: 'claims@gmail.com',
        ...CLIENT,
      }).message,
    ).toBe('SMTP_URL: needs the mailbox user with SMTP_AUTH=oauth2 (smtp://user@host:port)');
  });

  it('allows a plain-http token endpoint on this machine (a local proxy, the tests)', () => {
    const c = loadConfig({
      IMAP_URL: IMAP,
      IMAP_AUTH: 'oauth2',
      ...CLIENT,
      OAUTH2_TOKEN_URL: 'http://127.0.0.1:8400/token',
    });
    expect(c.mailAuth.oauth2?.tokenUrl).toBe('http://127.0.0.1:8400/token');
  });
});
