/**
 * Readiness against real services: Redis and PostgreSQL behind TCP proxies that the test
 * cuts (the shared servers are never stopped), mailbox states in real Redis, the SMTP sink,
 * and the poller and worker roles serving /healthz, /readyz and /metrics on their own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { MailboxLock } from '../../src/intake/mailbox-lock.ts';
import { createLogger } from '../../src/logger.ts';
import { type LocalMailbox, ReadinessCheck } from '../../src/ops/health.ts';
import { MailboxStatePublisher, mailboxStateKey } from '../../src/ops/mailbox-state.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { buildProbeServer } from '../../src/ops/ops-http.ts';
import { startService } from '../../src/service/index.ts';
import { createPool } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';
import { startPrivateRedis } from './private-redis.ts';

let db: TestDatabase;
let redis: TestRedis;
let sink: SmtpSink;
let tmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  redis = await createTestRedis();
  sink = await startSmtpSink();
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-health-'));
});
afterAll(async () => {
  await sink?.stop();
  await redis?.cleanup();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('readiness when Redis or PostgreSQL goes away', () => {
  let redisProxy: TcpProxy;
  let pgProxy: TcpProxy;
  let viaRedis: Redis;
  let viaPool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    const r = new URL(redis.url);
    redisProxy = await startProxy(r.hostname, Number(r.port || 6379));
    viaRedis = new Redis(redisProxy.via(redis.url), { maxRetriesPerRequest: 1 });
    viaRedis.on('error', () => undefined);
    const p = new URL(db.url);
    pgProxy = await startProxy(p.hostname, Number(p.port || 5432));
    viaPool = createPool(pgProxy.via(db.url));
    viaPool.on('error', () => undefined);
  });
  afterAll(async () => {
    viaRedis?.disconnect();
    await viaPool?.end().catch(() => undefined);
    await redisProxy?.close();
    await pgProxy?.close();
  });

  it('answers 503 while Redis is cut and 200 again once it is back', async () => {
    const readiness = new ReadinessCheck({
      pool: db.pool,
      redis: viaRedis,
      redisPrefix: redis.prefix,
      timeoutMs: 500,
      cacheMs: 0,
    });
    const app = buildProbeServer(createLogger('silent'), {
      readiness,
      metrics: new Metrics({ defaultMetrics: false }),
    });
    const readyz = async () => {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      return { status: res.statusCode, body: res.json() };
    };
    try {
      await waitFor(async () => (await readyz()).status === 200, { message: 'ready at first' });
      expect((await readyz()).body).toEqual({
        ready: true,
        checks: { postgres: { ok: true }, redis: { ok: true } },
      });

      redisProxy.pause();
      let down = await readyz();
      await waitFor(
        async () => {
          down = await readyz();
          return down.status === 503;
        },
        { message: 'not ready while Redis is cut' },
      );
      expect(down.body).toEqual({
        ready: false,
        checks: { postgres: { ok: true }, redis: { ok: false, error: expect.any(String) } },
      });

      redisProxy.resume();
      await waitFor(async () => (await readyz()).status === 200, {
        message: 'ready again once Redis is back',
      });
    } finally {
      redisProxy.resume();
      await app.close();
    }
  });

  it('answers 503 when its Redis server stops, and 200 once a server runs there again', async () => {
    let server = await startPrivateRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    const readiness = new ReadinessCheck({
      pool: db.pool,
      redis: client,
      redisPrefix: redis.prefix,
      timeoutMs: 500,
      cacheMs: 0,
    });
    const app = buildProbeServer(createLogger('silent'), {
      readiness,
      metrics: new Metrics({ defaultMetrics: false }),
    });
    const readyz = async () => (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
    try {
      await waitFor(async () => (await readyz()) === 200, { message: 'ready at first' });
      await server.stop();
      await waitFor(async () => (await readyz()) === 503, { message: 'not ready, Redis stopped' });
      server = await startPrivateRedis([], server.port);
      await waitFor(async () => (await readyz()) === 200, {
        message: 'ready again, Redis started',
      });
    } finally {
      client.disconnect();
      await app.close();
      await server.stop();
    }
  });

  it('is not ready while PostgreSQL is cut', async () => {
    const readiness = new ReadinessCheck({ pool: viaPool, timeoutMs: 500, cacheMs: 0 });
    expect(await readiness.check()).toEqual({ ready: true, checks: { postgres: { ok: true } } });
    pgProxy.pause();
    try {
      const result = await readiness.check();
      expect(result.ready).toBe(false);
      expect(result.checks.postgres).toEqual({ ok: false, error: expect.any(String) });
    } finally {
      pgProxy.resume();
    }
    await waitFor(async () => (await readiness.check()).ready, { message: 'PostgreSQL back' });
  });

  it('reuses a result for cacheMs, so frequent probes cost one round of checks', async () => {
    const readiness = new ReadinessCheck({
      pool: db.pool,
      redis: viaRedis,
      timeoutMs: 500,
      cacheMs: 60_000,
    });
    await waitFor(
      async () =>
        (await new ReadinessCheck({ pool: db.pool, redis: viaRedis, cacheMs: 0 }).check()).ready,
    );
    const first = await readiness.check();
    expect(first.ready).toBe(true);
    redisProxy.pause();
    try {
      expect(await readiness.check()).toBe(first);
    } finally {
      redisProxy.resume();
    }
  });
});

describe('mailbox readiness', () => {
  const check = (mailbox: string, local?: LocalMailbox) =>
    new ReadinessCheck({
      pool: db.pool,
      redis: redis.client,
      redisPrefix: redis.prefix,
      mailboxes: [mailbox],
      ...(local ? { local: () => local } : {}),
      cacheMs: 0,
    })
      .check()
      .then((r) => r.checks[`mailbox:${mailbox}`]);

  it('a leader is ready while its session is connected, not while it is down', async () => {
    expect(await check('led', { leader: true, connected: true })).toEqual({ ok: true });
    expect(await check('led', { leader: false, connected: false })).toEqual({
      ok: false,
      error: 'no_leader',
    });
    expect(await check('led', { leader: true, connected: false })).toEqual({
      ok: false,
      error: 'not_connected',
    });
  });

  it('a standby, web or worker process is ready when the state shows a live leader', async () => {
    const lock = new MailboxLock(redis.client, redis.prefix, 'shared', {
      ttlMs: 5000,
      owner: 'other-host:7',
    });
    expect(await lock.tryAcquire()).toBe(true);
    const publisher = new MailboxStatePublisher(
      redis.client,
      redis.prefix,
      'shared',
      'other-host:7',
    );
    try {
      publisher.leadership(true);
      publisher.connected();
      await publisher.flushed();
      expect(await check('shared', { leader: false, connected: false })).toEqual({ ok: true });
      expect(await check('shared')).toEqual({ ok: true });

      // A leader that stopped writing (stuck, or dead with its key not yet expired).
      publisher.close();
      const stale = new Date(Date.now() - 10 * 60_000).toISOString();
      await redis.client.set(
        mailboxStateKey(redis.prefix, 'shared'),
        JSON.stringify({ instance: 'other-host:7', connected: true, updatedAt: stale }),
        'EX',
        60,
      );
      expect(await check('shared')).toEqual({
        ok: false,
        error: 'leader_stale',
      });
    } finally {
      publisher.close();
      await lock.release();
    }
    expect(await check('shared')).toEqual({ ok: false, error: 'no_leader' });
  });
});

describe('readiness of the way out', () => {
  const smtpCheck = (url: string | undefined, outboxDir: string) =>
    new ReadinessCheck({ pool: db.pool, smtp: { url, outboxDir }, timeoutMs: 2000, cacheMs: 0 })
      .check()
      .then((r) => r.checks.smtp);

  it('SMTP is ready when the server greets, not when nothing listens', async () => {
    expect(await smtpCheck(sink.url, tmp)).toEqual({ ok: true });
    const closed = await startSmtpSink();
    await closed.stop();
    expect(await smtpCheck(closed.url, tmp)).toEqual({ ok: false, error: expect.any(String) });
  });

  it('without SMTP_URL, the outbox directory must be writable', async () => {
    expect(await smtpCheck(undefined, join(tmp, 'outbox'))).toEqual({ ok: true });
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a directory');
    expect(await smtpCheck(undefined, join(file, 'outbox'))).toEqual({
      ok: false,
      error: expect.any(String),
    });
  });
});

describe('the poller and worker roles serve the ops endpoints without the console', () => {
  const env = (maildir: string) => ({
    HTTP_PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    MAILDIR_PATH: maildir,
    OUTBOX_DIR: join(tmp, 'role-outbox'),
    IMAP_POLL_INTERVAL_MS: '200',
  });

  it('a poller: /healthz, /readyz with its mailbox, /metrics; no console API', async () => {
    const maildir = join(tmp, 'poller-mail');
    const service = await startService(loadConfig(env(maildir)), 'poller', createLogger('silent'));
    const base = `http://127.0.0.1:${service.port}`;
    try {
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
      let body: unknown;
      await waitFor(
        async () => {
          const res = await fetch(`${base}/readyz`);
          body = await res.json();
          return res.status === 200;
        },
        { message: 'the poller is ready once its session is open' },
      );
      expect(body).toEqual({
        ready: true,
        checks: {
          postgres: { ok: true },
          redis: { ok: true },
          [`mailbox:maildir:${maildir}`]: { ok: true },
        },
      });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(`claim_intake_mailbox_connected{mailbox="maildir:${maildir}"} 1`);
      expect((await fetch(`${base}/api/me`)).status).toBe(404);
    } finally {
      await service.stop();
    }
  });

  it('a worker: /readyz checks the outbox, and the mailbox through the published state', async () => {
    const maildir = join(tmp, 'worker-mail');
    const service = await startService(loadConfig(env(maildir)), 'worker', createLogger('silent'));
    const base = `http://127.0.0.1:${service.port}`;
    try {
      const res = await fetch(`${base}/readyz`);
      // Nobody polls this Maildir: the worker says so rather than claiming to be ready.
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        ready: false,
        checks: {
          postgres: { ok: true },
          redis: { ok: true },
          [`mailbox:maildir:${maildir}`]: { ok: false, error: 'no_leader' },
          smtp: { ok: true },
        },
      });
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
