/**
 * The OAuth2 token provider against a real HTTP token endpoint the test runs: the two grants
 * as they go on the wire, the cache and its refresh before expiry, one request for many
 * callers, a rotated refresh token, and failures that name the setting and hold no secret.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { OAuth2TokenError, OAuth2TokenProvider } from '../../src/mail/oauth2.ts';
import { freePort } from '../support/dovecot.ts';
import {
  type AnswerFn,
  startTokenEndpoint,
  type TokenAnswer,
  type TokenEndpoint,
} from '../support/token-endpoint.ts';

const SECRET = 'client-secret-7f3a9c';
const REFRESH = 'refresh-token-1-b81e';
const SCOPE = 'https://outlook.office365.com/.default';

let endpoint: TokenEndpoint;
let issued = 0;
/** Answers with a new access token each time, `access-N`, living `expiresIn` seconds. */
const tokens =
  (expiresIn: number | string = 3600, extra: Record<string, unknown> = {}): AnswerFn =>
  () => ({
    body: {
      access_token: `access-${++issued}`,
      token_type: 'Bearer',
      expires_in: expiresIn,
      ...extra,
    },
  });

beforeEach(async () => {
  issued = 0;
  endpoint = await startTokenEndpoint(tokens());
});
afterEach(async () => {
  await endpoint.stop();
});

/** A clock the test moves: starts at the real time, as the provider compares with it. */
function clock() {
  let at = Date.now();
  return {
    now: () => at,
    advance(seconds: number) {
      at += seconds * 1000;
    },
  };
}

/** Every line a logger writes, to look for secrets in. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger('trace', destination), lines };
}

describe('OAuth2 token provider', () => {
  it('asks for a client-credentials token with the client id, secret and scope in a form body', async () => {
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app-1',
      clientSecret: SECRET,
      scope: SCOPE,
    });
    const token = await provider.accessToken();
    expect(token.accessToken).toBe('access-1');
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request!.method).toBe('POST');
    expect(request!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request!.form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app-1',
      client_secret: SECRET,
      scope: SCOPE,
    });
  });

  it('asks with the refresh token, and without a client secret when none is set', async () => {
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app-2',
      refreshToken: REFRESH,
      scope: 'https://mail.google.com/',
    });
    expect(provider.grant).toBe('refresh_token');
    await provider.accessToken();
    expect(Object.fromEntries(endpoint.requests[0]!.form)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'app-2',
      refresh_token: REFRESH,
      scope: 'https://mail.google.com/',
    });
  });

  it('serves the cached token until 80% of its lifetime, then asks again before it expires', async () => {
    const time = clock();
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
      now: time.now,
    });
    const first = await provider.accessToken();
    expect(first.refreshAt - time.now()).toBe(2880_000);
    expect(first.expiresAt - time.now()).toBe(3600_000);
    time.advance(2879);
    expect((await provider.accessToken()).accessToken).toBe('access-1');
    time.advance(2);
    expect((await provider.accessToken()).accessToken).toBe('access-2');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('refreshes a short-lived token 60 seconds before it expires, when that comes first', async () => {
    endpoint.answer = tokens('200'); // expires_in as a string, as some endpoints send it
    const time = clock();
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
      now: time.now,
    });
    const first = await provider.accessToken();
    expect(first.refreshAt - time.now()).toBe(140_000);
    time.advance(139);
    expect((await provider.accessToken()).accessToken).toBe('access-1');
    time.advance(1);
    expect((await provider.accessToken()).accessToken).toBe('access-2');
  });

  it('makes one request for callers that come together', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const issue = tokens();
    endpoint.answer = async (request) => {
      await held;
      return issue(request);
    };
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
    });
    const callers = Array.from({ length: 10 }, () => provider.accessToken());
    const forced = provider.accessToken({ force: true });
    release();
    const answers = await Promise.all([...callers, forced]);
    expect(new Set(answers.map((a) => a.accessToken))).toEqual(new Set(['access-1']));
    expect(endpoint.requests).toHaveLength(1);
  });

  it('uses a refresh token the server rotated from then on', async () => {
    let n = 0;
    endpoint.answer = () => ({
      body: {
        access_token: `access-${++n}`,
        token_type: 'bearer',
        expires_in: 3600,
        refresh_token: `refresh-token-${n + 1}`,
      },
    });
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      refreshToken: REFRESH,
    });
    await provider.accessToken();
    await provider.accessToken({ force: true });
    await provider.accessToken({ force: true });
    expect(endpoint.requests.map((r) => r.form.get('refresh_token'))).toEqual([
      REFRESH,
      'refresh-token-2',
      'refresh-token-3',
    ]);
  });

  it('asks anew when forced or when the server refused the cached token, not for another token', async () => {
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
    });
    expect((await provider.accessToken()).accessToken).toBe('access-1');
    expect((await provider.accessToken({ force: true })).accessToken).toBe('access-2');
    provider.invalidate('access-1'); // an older token: the cached one stays
    expect((await provider.accessToken()).accessToken).toBe('access-2');
    provider.invalidate('access-2');
    expect((await provider.accessToken()).accessToken).toBe('access-3');
    expect(endpoint.requests).toHaveLength(3);
  });

  it('serves the current token while a refresh fails before it expires, but not when forced', async () => {
    const time = clock();
    const { logger, lines } = capturedLogger();
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
      now: time.now,
      logger,
    });
    await provider.accessToken();
    endpoint.answer = () => ({ status: 503, body: { error: 'temporarily_unavailable' } });
    time.advance(3000); // due for refresh, 600 s left
    expect((await provider.accessToken()).accessToken).toBe('access-1');
    await expect(provider.accessToken({ force: true })).rejects.toMatchObject({
      name: 'OAuth2TokenError',
      status: 503,
      retryable: true,
    });
    time.advance(596); // 4 s left: too close to offer
    await expect(provider.accessToken()).rejects.toBeInstanceOf(OAuth2TokenError);
    expect(lines.join('')).toContain('the current token serves until it expires');
  });

  it('says which setting to check on a refusal, with the endpoint and its error, never a secret', async () => {
    endpoint.answer = (request) => ({
      status: 400,
      body: {
        error: 'invalid_grant',
        // A careless server that echoes what it was sent.
        error_description: `AADSTS70000: refresh token ${request.form.get('refresh_token')} for ${request.form.get('client_secret')} is expired`,
      },
    });
    const provider = new OAuth2TokenProvider({
      tokenUrl: `${endpoint.url}?tenant=contoso`,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: REFRESH,
    });
    const error = (await provider.accessToken().catch((e: unknown) => e)) as OAuth2TokenError;
    expect(error).toBeInstanceOf(OAuth2TokenError);
    expect(error).toMatchObject({
      code: 'oauth2_token_failed',
      status: 400,
      oauthError: 'invalid_grant',
      retryable: false,
    });
    expect(error.message).toBe(
      `OAUTH2_TOKEN_URL (${endpoint.url}): HTTP 400 invalid_grant: AADSTS70000: refresh token *** for *** is expired; OAUTH2_REFRESH_TOKEN is revoked, expired or replaced: issue a new one`,
    );
    expect(error.message).not.toMatch(/\n/);
  });

  it('names the client settings on invalid_client and the scope on invalid_scope', async () => {
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
    });
    endpoint.answer = () => ({ status: 401, body: { error: 'invalid_client' } });
    await expect(provider.accessToken()).rejects.toThrow(
      /HTTP 401 invalid_client; check OAUTH2_CLIENT_ID and OAUTH2_CLIENT_SECRET/,
    );
    endpoint.answer = () => ({ status: 400, body: { error: 'invalid_scope' } });
    await expect(provider.accessToken()).rejects.toThrow(/invalid_scope; check OAUTH2_SCOPE$/);
    endpoint.answer = () => ({ status: 502, body: '<html>Bad gateway</html>' });
    await expect(provider.accessToken()).rejects.toMatchObject({
      message: expect.stringMatching(/HTTP 502; check OAUTH2_TOKEN_URL/),
      retryable: true,
    });
  });

  it('refuses an answer without an access token or of another token type', async () => {
    const provider = new OAuth2TokenProvider({
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
    });
    endpoint.answer = () => ({ body: { token_type: 'Bearer', expires_in: 3600 } });
    await expect(provider.accessToken()).rejects.toThrow(/the answer holds no access_token/);
    endpoint.answer = () => ({ body: { access_token: 'x', token_type: 'mac' } });
    await expect(provider.accessToken()).rejects.toThrow(/token_type is "mac", not Bearer/);
  });

  it('fails with the reason when the endpoint is unreachable or too slow', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/token`;
    await expect(
      new OAuth2TokenProvider({
        tokenUrl: closed,
        clientId: 'app',
        clientSecret: SECRET,
      }).accessToken(),
    ).rejects.toMatchObject({
      message: `OAUTH2_TOKEN_URL (${closed}): unreachable (ECONNREFUSED); check OAUTH2_TOKEN_URL`,
      retryable: true,
    });
    endpoint.answer = () => new Promise<TokenAnswer>(() => undefined); // never answers
    await expect(
      new OAuth2TokenProvider({
        tokenUrl: endpoint.url,
        clientId: 'app',
        clientSecret: SECRET,
        timeoutMs: 200,
      }).accessToken(),
    ).rejects.toThrow(/no answer within 200 ms; check OAUTH2_TOKEN_URL$/);
  });

  it('logs what it did without a secret or a token, and the logger redacts them in config objects', async () => {
    endpoint.answer = tokens(3600, { refresh_token: 'refresh-token-rotated' });
    const { logger, lines } = capturedLogger();
    const settings = {
      tokenUrl: endpoint.url,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: REFRESH,
    };
    const provider = new OAuth2TokenProvider({ ...settings, logger });
    const token = await provider.accessToken();
    logger.info({ config: { mailAuth: { imap: 'oauth2', oauth2: settings } } }, 'config');
    logger.info({ mailAuth: { oauth2: settings } }, 'slice');
    logger.info({ oauth2: settings, token }, 'provider state');
    logger.info({ access_token: token.accessToken, refresh_token: REFRESH }, 'wire');
    const written = lines.join('');
    expect(written).toContain('OAuth2 access token obtained');
    expect(written).toContain('"refreshTokenRotated":true');
    for (const secret of [SECRET, REFRESH, 'refresh-token-rotated', token.accessToken])
      expect(written).not.toContain(secret);
  });
});
