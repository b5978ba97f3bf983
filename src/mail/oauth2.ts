/**
 * OAuth2 access tokens for XOAUTH2 (IMAP and SMTP) from one token endpoint (RFC 6749): the
 * client-credentials grant (§4.4, Microsoft 365's app-only access) or the refresh-token grant
 * (§6, Gmail). The token is cached and fetched again before it expires; concurrent callers
 * share one request, so a pool opening five SMTP connections at once costs one.
 *
 * Secrets (client secret, refresh token, access token) never reach a log line or an error
 * message: errors name the setting and the endpoint, with the server's error code.
 */
import type { Logger } from 'pino';
import { ClaimIntakeError } from '../domain/errors.ts';

/** The token endpoint and the client, as OAUTH2_* settings give them. */
export interface OAuth2Settings {
  /** OAUTH2_TOKEN_URL: the endpoint tokens are asked of (POST, form-encoded). */
  tokenUrl: string;
  /** OAUTH2_CLIENT_ID */
  clientId: string;
  /** OAUTH2_CLIENT_SECRET: required for client credentials; optional with a refresh token. */
  clientSecret?: string;
  /** OAUTH2_REFRESH_TOKEN: set, the refresh-token grant; unset, client credentials. */
  refreshToken?: string;
  /** OAUTH2_SCOPE: space-separated scopes, sent as given. @defaultValue none */
  scope?: string;
}

export interface OAuth2ProviderOptions extends OAuth2Settings {
  /** A token request that takes longer fails. @defaultValue 15000 */
  timeoutMs?: number;
  /** Token requests and failures, without any secret. @defaultValue none */
  logger?: Logger;
  /** The clock, in ms since the epoch (tests move it). @defaultValue Date.now */
  now?: () => number;
}

/** An access token and the time (ms since the epoch) it should be replaced. */
export interface AccessToken {
  accessToken: string;
  /** Before expiry: at 80% of its lifetime or 60 s before it ends, whichever is earlier. */
  refreshAt: number;
  expiresAt: number;
}

/** What IMAP and SMTP sign-in need: a token, and a way to say the server refused one. */
export interface AccessTokenSource {
  /**
   * A token that is not due for refresh; fetched when none is cached or the cached one is
   * due. `force`: fetch a new one whatever is cached (the server refused the cached one).
   */
  accessToken(options?: { force?: boolean }): Promise<AccessToken>;
  /** The server refused this token: the next call fetches a new one. */
  invalidate(accessToken: string): void;
}

/** The token endpoint did not give a token: unreachable, too slow, or it said no. */
export class OAuth2TokenError extends ClaimIntakeError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly oauthError: string | undefined,
    options: { retryable: boolean; cause?: unknown },
  ) {
    super('oauth2_token_failed', message, options);
  }
}

/** A lifetime the response did not state (expires_in is only RECOMMENDED, RFC 6749 §5.1). */
const ASSUMED_LIFETIME_S = 3600;
/** The error_description kept in a message: the server's words, not a page of HTML. */
const MAX_DESCRIPTION = 200;

/**
 * What to check, by the endpoint's error code (RFC 6749 §5.2). invalid_grant with a refresh
 * token: revoked, expired, or rotated away by a copy of this service that used it meanwhile.
 */
function hint(oauthError: string | undefined, refresh: boolean): string {
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client')
    return 'check OAUTH2_CLIENT_ID and OAUTH2_CLIENT_SECRET, and the app registration';
  if (oauthError === 'invalid_grant')
    return refresh
      ? 'OAUTH2_REFRESH_TOKEN is revoked, expired or replaced: issue a new one'
      : 'check OAUTH2_CLIENT_ID and the app registration';
  if (oauthError === 'invalid_scope') return 'check OAUTH2_SCOPE';
  return 'check OAUTH2_TOKEN_URL and the OAUTH2_* settings';
}

export class OAuth2TokenProvider implements AccessTokenSource {
  private cached: AccessToken | undefined;
  private inFlight: Promise<AccessToken> | undefined;
  /** The refresh token in use: OAUTH2_REFRESH_TOKEN until the server rotates it. */
  private refreshToken: string | undefined;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** The endpoint as errors and logs name it: no query, no user information. */
  private readonly endpoint: string;

  constructor(private readonly options: OAuth2ProviderOptions) {
    const url = new URL(options.tokenUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RangeError('OAUTH2_TOKEN_URL must be an http(s) URL');
    if (!options.clientId) throw new RangeError('OAUTH2_CLIENT_ID is required');
    if (!options.refreshToken && !options.clientSecret)
      throw new RangeError('OAUTH2_CLIENT_SECRET is required for the client-credentials grant');
    this.endpoint = `${url.origin}${url.pathname}`;
    this.refreshToken = options.refreshToken;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  /** 'refresh_token' or 'client_credentials', as sent. */
  get grant(): 'refresh_token' | 'client_credentials' {
    return this.refreshToken ? 'refresh_token' : 'client_credentials';
  }

  async accessToken(options: { force?: boolean } = {}): Promise<AccessToken> {
    const cached = this.cached;
    if (!options.force && cached && this.now() < cached.refreshAt) return cached;
    // One request at a time: callers that come while it runs share its answer (a forced
    // caller too: the request started after the token it saw refused was cached).
    this.inFlight ??= this.request().finally(() => {
      this.inFlight = undefined;
    });
    try {
      return await this.inFlight;
    } catch (error) {
      // Due for refresh is not expired: while the endpoint is away, a token that still has a
      // few seconds left serves, unless the server already refused it.
      const current = this.cached;
      if (!options.force && current && this.now() < current.expiresAt - 5000) {
        this.options.logger?.warn(
          {
            err: error,
            endpoint: this.endpoint,
            expiresInS: Math.round((current.expiresAt - this.now()) / 1000),
          },
          'OAuth2 token refresh failed; the current token serves until it expires',
        );
        return current;
      }
      throw error;
    }
  }

  invalidate(accessToken: string): void {
    if (this.cached?.accessToken === accessToken) this.cached = undefined;
  }

  private async request(): Promise<AccessToken> {
    const refresh = this.refreshToken !== undefined;
    const { clientId, clientSecret, scope } = this.options;
    const form = new URLSearchParams({ grant_type: this.grant, client_id: clientId });
    if (this.refreshToken) form.set('refresh_token', this.refreshToken);
    if (clientSecret) form.set('client_secret', clientSecret);
    if (scope) form.set('scope', scope);
    const started = this.now();
    let response: Response;
    try {
      response = await fetch(this.options.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error', // a redirect would carry the secret to another address
      });
    } catch (error) {
      const why =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : `unreachable (${this.causeCode(error)})`;
      throw this.failure(`${why}; check OAUTH2_TOKEN_URL`, undefined, undefined, true, error);
    }
    const text = await response.text().catch(() => '');
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON (a proxy's error page): said below by the status alone.
    }
    if (!response.ok) {
      const code = typeof body.error === 'string' ? this.scrub(body.error).slice(0, 60) : undefined;
      const description =
        typeof body.error_description === 'string'
          ? `: ${this.scrub(body.error_description).slice(0, MAX_DESCRIPTION)}`
          : '';
      const retryable = response.status >= 500 || response.status === 429;
      throw this.failure(
        `HTTP ${response.status}${code ? ` ${code}` : ''}${description}; ${hint(code, refresh)}`,
        response.status,
        code,
        retryable,
      );
    }
    const accessToken = body.access_token;
    if (typeof accessToken !== 'string' || accessToken === '')
      throw this.failure('the answer holds no access_token', response.status, undefined, false);
    if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer')
      throw this.failure(
        `token_type is "${this.scrub(body.token_type).slice(0, 20)}", not Bearer`,
        response.status,
        undefined,
        false,
      );
    // Some endpoints send expires_in as a string ("3599").
    const stated = Number(body.expires_in);
    const lifetimeS = Number.isFinite(stated) && stated > 0 ? stated : ASSUMED_LIFETIME_S;
    const rotated = typeof body.refresh_token === 'string' && body.refresh_token !== '';
    // A server that rotates refresh tokens may revoke the old one at once (RFC 6749 §6,
    // OAuth 2.1 §4.3.1): from now on only the new one works.
    if (rotated && refresh) this.refreshToken = body.refresh_token as string;
    const token: AccessToken = {
      accessToken,
      refreshAt: started + Math.min(0.8 * lifetimeS, lifetimeS - 60) * 1000,
      expiresAt: started + lifetimeS * 1000,
    };
    this.cached = token;
    this.options.logger?.info(
      {
        endpoint: this.endpoint,
        grant: refresh ? 'refresh_token' : 'client_credentials',
        expiresInS: lifetimeS,
        refreshTokenRotated: rotated && refresh,
      },
      'OAuth2 access token obtained',
    );
    return token;
  }

  private failure(
    problem: string,
    status: number | undefined,
    oauthError: string | undefined,
    retryable: boolean,
    cause?: unknown,
  ): OAuth2TokenError {
    // Logged by whoever asked (the mailbox loop, the reply's failure), so not here too. The
    // cause of a network failure is the socket's error: no request body in it.
    return new OAuth2TokenError(
      `OAUTH2_TOKEN_URL (${this.endpoint}): ${problem}`,
      status,
      oauthError,
      { retryable, ...(cause === undefined ? {} : { cause }) },
    );
  }

  /** fetch's "fetch failed" hides the reason in its cause: ECONNREFUSED, ENOTFOUND… */
  private causeCode(error: unknown): string {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? cause.code : (error as Error).message;
  }

  /** The server's words on one line, with any secret it echoed taken out. */
  private scrub(text: string): string {
    let out = text.replace(/\s+/g, ' ').trim();
    const secrets = [
      this.options.clientSecret,
      this.options.refreshToken,
      this.refreshToken,
      this.cached?.accessToken,
    ];
    for (const secret of secrets) if (secret) out = out.split(secret).join('***');
    return out;
  }
}
