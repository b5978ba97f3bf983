/**
 * The poller never logs in to an `imap://` server off this machine that offers no STARTTLS,
 * unless ALLOW_PLAINTEXT_MAIL=true. A private Dovecot (ssl = no, so no STARTTLS) is reached
 * through a TCP relay on 0.0.0.0 that keeps every byte the client sends, at an address of this
 * machine that is not loopback: what the relay saw is what the server saw. The running service
 * (role poller) says why in one line naming IMAP_URL; on loopback it logs in as before.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { plaintextRefused } from '../../src/mail-tls.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type DovecotServer, startDovecot } from '../support/dovecot.ts';
import { describeAddress, offLoopbackAddress } from '../support/off-loopback.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

/** A relay on 0.0.0.0 to the server, keeping what clients send (latin1, for IMAP's text). */
interface Relay {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  sent(): string;
  close(): Promise<void>;
}

async function startRelay(targetPort: number): Promise<Relay> {
  let sent = '';
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      sent += chunk.toString('latin1');
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    sent: () => sent,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let db: TestDatabase;
let redis: TestRedis;
let dovecot: DovecotServer;
let relay: Relay;
let service: RunningService | undefined;
const off = offLoopbackAddress();

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  redis = await createTestRedis();
  dovecot = await startDovecot();
  relay = await startRelay(dovecot.port);
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
});
afterAll(async () => {
  await relay?.close();
  await dovecot?.stop();
  await redis?.cleanup();
  await db?.drop();
});

/** The poller in this process on `imapUrl`, with its log lines. */
async function poller(imapUrl: string, env: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    IMAP_URL: imapUrl,
    HTTP_PORT: '0',
    IMAP_POLL_INTERVAL_MS: '200',
    POLLER_LOCK_TTL_MS: '2000',
    ...env,
  });
  service = await startService(config, 'poller', logger);
  const mailbox = config.mailboxes[0]!.name;
  const readiness = async () => {
    const res = await fetch(`http://127.0.0.1:${service!.port}/readyz`);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
    return body.checks[`mailbox:${mailbox}`];
  };
  return { lines, readiness };
}

/** Successful logins in Dovecot's log. */
const logins = () => dovecot.logTail(10_000).match(/Login: user=/g)?.length ?? 0;

/** The credentials as AUTHENTICATE PLAIN sends them (RFC 4616), base64 of NUL user NUL pass. */
const plainAuth = () => Buffer.from(`\0${dovecot.user}\0${dovecot.password}`).toString('base64');

const url = (host: string, port: number) =>
  `imap://${dovecot.user}:${encodeURIComponent(dovecot.password)}@${host}:${port}/INBOX`;

describe(`an IMAP server without STARTTLS at ${describeAddress(off)}`, () => {
  it('is never sent LOGIN: the session fails with one line naming IMAP_URL and the fix', async () => {
    const before = relay.sent().length;
    const connectionsBefore = relay.connections();
    const loginsBefore = logins();
    const { lines, readiness } = await poller(url(off.address, relay.port));
    const line = plaintextRefused('IMAP_URL', off.address, relay.port);
    let failed: Record<string, unknown> | undefined;
    await waitFor(
      () => {
        failed = lines.find((l) => l.msg === 'mailbox session failed');
        return failed !== undefined;
      },
      { message: 'the session fails' },
    );
    expect(failed!.err).toMatchObject({
      code: 'plaintext_refused',
      message: expect.stringContaining(line),
    });
    expect(await readiness()).toEqual({ ok: false, error: 'not_connected' });
    // It connected and read the greeting's capabilities (no STARTTLS among them), then left.
    expect(relay.connections()).toBeGreaterThan(connectionsBefore);
    const sent = relay.sent().slice(before);
    expect(sent).not.toMatch(/LOGIN|AUTHENTICATE/i);
    expect(sent).not.toContain(dovecot.password);
    expect(sent).not.toContain(plainAuth());
    // And Dovecot logged no login beyond the test helper's own, made when it started.
    expect(logins()).toBe(loginsBefore);
  });

  it('is logged in to in clear with ALLOW_PLAINTEXT_MAIL=true', async () => {
    const before = relay.sent().length;
    const { readiness } = await poller(url(off.address, relay.port), {
      ALLOW_PLAINTEXT_MAIL: 'true',
    });
    await waitFor(async () => (await readiness())?.ok === true, {
      timeoutMs: 20_000,
      message: 'the session opens',
    });
    const sent = relay.sent().slice(before);
    expect(sent).toMatch(/LOGIN|AUTHENTICATE/);
    // The check above would see the credentials: here they did cross, as allowed.
    expect(sent.includes(dovecot.password) || sent.includes(plainAuth())).toBe(true);
  });
});

describe('an IMAP server without STARTTLS on loopback', () => {
  it('is logged in to as before', async () => {
    const { readiness } = await poller(url('127.0.0.1', dovecot.port));
    await waitFor(async () => (await readiness())?.ok === true, {
      timeoutMs: 20_000,
      message: 'the session opens',
    });
  });
});
