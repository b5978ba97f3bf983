/**
 * SMTP_AUTH=oauth2 through the real reply transport: nodemailer signs in with AUTH XOAUTH2 as
 * SMTP_URL's user, with tokens the provider gets from the test's endpoint, to a real SMTP
 * server that accepts only the tokens the endpoint issued and has not revoked.
 */
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { OAuth2TokenProvider } from '../../src/mail/oauth2.ts';
import { ReadinessCheck } from '../../src/ops/health.ts';
import {
  composeReply,
  createReplyTransport,
  type ReplyTransport,
  SmtpTemporaryError,
} from '../../src/reply/outbound/transport.ts';
import { type OAuth2SmtpSink, startOAuth2SmtpSink } from '../support/smtp-oauth2-sink.ts';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.ts';

const USER = 'claims@example.test';
const REFRESH = '1//refresh-token-9c1d';
const envelope = { from: USER, to: ['alice@customer.example'] };

let sink: OAuth2SmtpSink;
let endpoint: TokenEndpoint;
let transport: ReplyTransport | undefined;
let issued: number;
/** Seconds each issued token lives, as the endpoint says. */
let lifetimeS: number;

beforeEach(async () => {
  issued = 0;
  lifetimeS = 3600;
  sink = await startOAuth2SmtpSink();
  // Each token issued is valid at the server for the mailbox user, until revoked.
  endpoint = await startTokenEndpoint(() => {
    const token = `ya29.token-${++issued}`;
    sink.accept(token, USER);
    return { body: { access_token: token, token_type: 'Bearer', expires_in: lifetimeS } };
  });
});
afterEach(async () => {
  await transport?.close();
  transport = undefined;
  await sink.stop();
  await endpoint.stop();
});

/** The settings an operator writes for Gmail, read as the service reads them. */
function gmailConfig() {
  return loadConfig({
    SMTP_URL: `smtp://${encodeURIComponent(USER)}@127.0.0.1:${sink.port}`,
    SMTP_AUTH: 'oauth2',
    MAIL_FROM: `Claims Desk <${USER}>`,
    OAUTH2_TOKEN_URL: endpoint.url,
    OAUTH2_CLIENT_ID: 'desk.apps.googleusercontent.com',
    OAUTH2_REFRESH_TOKEN: REFRESH,
    OAUTH2_SCOPE: 'https://mail.google.com/',
  });
}

/** A transport as the service builds it; one message per connection, so each send signs in. */
function oauth2Transport() {
  const config = gmailConfig();
  const tokens = new OAuth2TokenProvider(config.mailAuth.oauth2!);
  transport = createReplyTransport({
    smtpUrl: config.reply.smtpUrl,
    smtp: { oauth2: tokens, maxMessages: 1, maxConnections: 2 },
  });
  return { transport, tokens, config };
}

function reply(n: number): Promise<Buffer> {
  return composeReply({
    claimRef: `CLM-00030${n}`,
    to: 'alice@customer.example',
    toName: 'Alice',
    from: USER,
    originalSubject: 'Outage on acme-prod',
    originalMessageId: `<orig-${n}@customer.example>`,
    originalReferences: [],
    messageId: `<clm-30${n}.v1@claims.example>`,
    text: 'Approved.\n',
    html: '<p>Approved.</p>',
    lang: 'en',
  });
}

describe('SMTP replies signed in with OAuth2', () => {
  it('signs in with XOAUTH2 as the URL user, one token for every connection while it is good', async () => {
    const { transport } = oauth2Transport();
    const results = await Promise.all(
      [1, 2, 3].map(async (n) => transport.send(await reply(n), envelope)),
    );
    expect(results.every((r) => r.accepted)).toBe(true);
    expect(sink.messages).toHaveLength(3);
    expect(sink.logins.length).toBeGreaterThanOrEqual(2); // a connection per message
    expect(sink.logins.every((l) => l.accepted && l.user === USER)).toBe(true);
    expect(new Set(sink.logins.map((l) => l.accessToken))).toEqual(new Set(['ya29.token-1']));
    expect(endpoint.requests).toHaveLength(1);
    expect(Object.fromEntries(endpoint.requests[0]!.form)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'desk.apps.googleusercontent.com',
      refresh_token: REFRESH,
      scope: 'https://mail.google.com/',
    });
  });

  it('gets a new token when the server refuses the cached one as expired (renew), and sends', async () => {
    const { transport } = oauth2Transport();
    await transport.send(await reply(1), envelope);
    sink.revoke('ya29.token-1'); // expired at the server, still in date for the client
    const result = await transport.send(await reply(2), envelope);
    expect(result.accepted).toBe(true);
    expect(sink.messages).toHaveLength(2);
    expect(sink.logins.map((l) => [l.accessToken, l.accepted])).toEqual([
      ['ya29.token-1', true],
      ['ya29.token-1', false],
      ['ya29.token-2', true],
    ]);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('asks for a new token before a connection when the cached one is due, without a refusal', async () => {
    lifetimeS = 30; // due at once: refreshed 60 s before expiry
    const { transport } = oauth2Transport();
    await transport.send(await reply(1), envelope);
    await transport.send(await reply(2), envelope);
    expect(sink.logins.map((l) => [l.accessToken, l.accepted])).toEqual([
      ['ya29.token-1', true],
      ['ya29.token-2', true],
    ]);
  });

  it('defers the reply as a transport failure when the new token is refused too', async () => {
    endpoint.answer = () => ({
      body: { access_token: `ya29.unknown-${++issued}`, token_type: 'Bearer', expires_in: 3600 },
    });
    const { transport } = oauth2Transport();
    const error = await transport.send(await reply(1), envelope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpTemporaryError);
    expect(error).toMatchObject({ scope: 'transport', smtpCode: 'EAUTH' });
    expect(endpoint.requests).toHaveLength(2); // the token, then one renewal
    expect((error as Error).message).not.toContain('ya29.');
    expect(sink.messages).toHaveLength(0);
  });

  it('defers the reply naming the setting when the endpoint refuses the refresh token', async () => {
    endpoint.answer = () => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    });
    const { transport } = oauth2Transport();
    const error = await transport.send(await reply(1), envelope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpTemporaryError);
    expect((error as Error).message).toContain(
      `OAUTH2_TOKEN_URL (${endpoint.url}): HTTP 400 invalid_grant: Token has been expired or revoked.; OAUTH2_REFRESH_TOKEN is revoked, expired or replaced`,
    );
    expect((error as Error).message).not.toContain(REFRESH);
    expect(sink.logins).toHaveLength(0);
  });

  it('reports the way out ready when it signs in with a token (readiness)', async () => {
    const config = gmailConfig();
    const tokens = new OAuth2TokenProvider(config.mailAuth.oauth2!);
    // Only the SMTP check matters here: a PostgreSQL that always answers.
    const pool = { query: async () => ({ rows: [] }) } as unknown as pg.Pool;
    const readiness = new ReadinessCheck({
      pool,
      smtp: { url: config.reply.smtpUrl, outboxDir: '/nonexistent', oauth2: tokens },
      cacheMs: 0,
    });
    expect((await readiness.check()).checks.smtp).toEqual({ ok: true });
    expect(sink.logins).toEqual([{ user: USER, accessToken: 'ya29.token-1', accepted: true }]);
  });
});
