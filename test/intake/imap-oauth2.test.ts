/**
 * IMAP_AUTH=oauth2 through the real service: the poller asks the test's token endpoint for a
 * token and signs in to a private Dovecot with it (XOAUTH2, or OAUTHBEARER where offered).
 * Dovecot validates each token itself, locally, as an HS256 JWT signed with a key only it and
 * the token endpoint know (support/dovecot-oauth2.ts): a token it refuses stores nothing.
 */
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  type OAuth2Dovecot,
  startOAuth2Dovecot,
  type TokenMechanism,
} from '../support/dovecot-oauth2.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.ts';
import { waitFor } from '../support/wait.ts';

const CLIENT_SECRET = 'imap-client-secret';

let db: TestDatabase;
let redis: TestRedis;
let dovecot: OAuth2Dovecot | undefined;
let endpoint: TokenEndpoint | undefined;
let service: RunningService | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
  await migrate(db.pool);
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await dovecot?.stop();
  dovecot = undefined;
  await endpoint?.stop();
  endpoint = undefined;
});
afterAll(async () => {
  await db?.drop();
  await redis?.cleanup();
});

/** Dovecot and a token endpoint that issues, per request, what `issue` signs. */
async function world(
  mechanism: TokenMechanism,
  issue: (d: OAuth2Dovecot) => string,
  lifetimeS = 3600,
) {
  const d = await startOAuth2Dovecot({ mechanism });
  dovecot = d;
  endpoint = await startTokenEndpoint(() => ({
    body: { access_token: issue(d), token_type: 'Bearer', expires_in: lifetimeS },
  }));
  return { dovecot: d, endpoint };
}

async function start(d: OAuth2Dovecot, e: TokenEndpoint): Promise<string> {
  const config = loadConfig({
    HTTP_PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    // The user only: there is no password to give.
    IMAP_URL: `imap://${encodeURIComponent(d.server.user)}@127.0.0.1:${d.server.port}/INBOX`,
    IMAP_AUTH: 'oauth2',
    OAUTH2_TOKEN_URL: e.url,
    OAUTH2_CLIENT_ID: 'claim-intake-app',
    OAUTH2_CLIENT_SECRET: CLIENT_SECRET,
    OAUTH2_SCOPE: 'https://outlook.office365.com/.default',
    IMAP_POLL_INTERVAL_MS: '200',
    IMAP_RECONCILE_INTERVAL_MS: '1000',
    POLLER_LOCK_TTL_MS: '2000',
  });
  service = await startService(config, 'poller', createLogger('silent'));
  return config.mailboxes[0]!.name;
}

function claim(tag: string): Buffer {
  return Buffer.from(
    [
      'From: customer@example.com',
      `To: claims@example.test`,
      `Subject: Compensation request ${tag}, account ACC-1`,
      `Message-ID: <${tag}@customers.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Our server was unreachable (${tag}). Please compensate.`,
      '',
    ].join('\r\n'),
  );
}

const stored = async (mailbox: string) =>
  Number(
    (
      await db.pool.query<{ n: string }>('SELECT count(*) n FROM messages WHERE mailbox = $1', [
        mailbox,
      ])
    ).rows[0]!.n,
  );

describe('IMAP intake signed in with OAuth2', () => {
  it.each<TokenMechanism>(['xoauth2', 'oauthbearer'])(
    'stores a message after signing in with a token from the endpoint (%s)',
    async (mechanism) => {
      const { dovecot: d, endpoint: e } = await world(mechanism, (x) => x.sign());
      await d.server.append(claim(`oauth2-${mechanism}`));
      const mailbox = await start(d, e);
      await waitFor(async () => (await stored(mailbox)) === 1 && (await d.server.count()) === 0, {
        timeoutMs: 15_000,
        message: 'the message stored and moved',
      });
      expect(await d.server.count('Processed')).toBe(1);
      expect(e.requests).toHaveLength(1);
      expect(Object.fromEntries(e.requests[0]!.form)).toMatchObject({
        grant_type: 'client_credentials',
        client_id: 'claim-intake-app',
        scope: 'https://outlook.office365.com/.default',
      });
      // Dovecot saw the mechanism and validated the token itself.
      expect(d.server.logTail(200)).toMatch(
        new RegExp(`Login: user=<claims@example\\.test>, method=${mechanism.toUpperCase()}`),
      );
    },
  );

  it('asks for a fresh token when it connects again after its token is due', async () => {
    // 30 s tokens are due at once (60 s before expiry): every session asks anew.
    const { dovecot: d, endpoint: e } = await world(
      'xoauth2',
      (x) => x.sign({ lifetimeS: 30 }),
      30,
    );
    const mailbox = await start(d, e);
    await waitFor(async () => e.requests.length === 1 && (await stored(mailbox)) === 0, {
      message: 'the first session open',
    });
    await waitFor(() => /Login: user=<claims@example\.test>/.test(d.server.logTail(200)));
    await d.server.restart(); // the session drops; the poller reconnects
    await d.server.append(claim('after-restart'));
    await waitFor(async () => (await stored(mailbox)) === 1, {
      timeoutMs: 20_000,
      message: 'the message stored after the reconnect',
    });
    expect(e.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('stores nothing when Dovecot refuses the token, and asks for a new one at the next try', async () => {
    // Signed with a key Dovecot does not hold: a forged or foreign token.
    const { dovecot: d, endpoint: e } = await world('xoauth2', (x) =>
      x.sign({ key: Buffer.alloc(32, 7) }),
    );
    await d.server.append(claim('refused'));
    const mailbox = await start(d, e);
    // The refused token is dropped, so the retry after the backoff asks the endpoint again.
    await waitFor(() => e.requests.length >= 2, {
      timeoutMs: 20_000,
      message: 'a second token asked for after the refusal',
    });
    expect(d.server.logTail(400)).toContain('Local validation failed: Incorrect JWT signature');
    expect(d.server.logTail(400)).not.toMatch(/Login: user=<claims@example\.test>, method=XOAUTH2/);
    expect(await stored(mailbox)).toBe(0);
    expect(await d.server.count()).toBe(1);
  });

  it('refuses a token of another issuer or for another user', async () => {
    const { dovecot: d } = await world('xoauth2', (x) => x.sign());
    for (const accessToken of [
      d.sign({ issuer: 'https://elsewhere.example/' }),
      d.sign({ user: 'someone@example.test' }),
      d.sign({ lifetimeS: -60 }),
    ]) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: d.server.port,
        secure: false,
        auth: { user: d.server.user, accessToken },
        logger: false,
      });
      await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
      client.close();
    }
  });
});
