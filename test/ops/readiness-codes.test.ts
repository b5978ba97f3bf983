/**
 * /readyz names each failing check with a stable code and nothing else: a driver's message
 * can carry host names, user names, paths and versions, and the probe answers without
 * credentials. The details go to the log, once when a check starts failing (or fails another
 * way) and once when it passes again, not at every probe.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { CHECK_ERRORS, ReadinessCheck } from '../../src/ops/health.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { buildProbeServer } from '../../src/ops/ops-http.ts';
import { startService } from '../../src/service/index.ts';
import { createPool } from '../../src/store/database.ts';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis } from '../support/redis.ts';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';
import { type PrivateRedis, startPrivateRedis } from './private-redis.ts';

let db: TestDatabase;
let tmp: string;
beforeAll(async () => {
  db = await createTestDatabase();
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-readiness-'));
});
afterAll(async () => {
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('trace', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

const CODES = Object.keys(CHECK_ERRORS);

describe('a failing check, as /readyz shows it', () => {
  let pgProxy: TcpProxy;
  let viaPool: ReturnType<typeof createPool>;
  beforeAll(async () => {
    const p = new URL(db.url);
    pgProxy = await startProxy(p.hostname, Number(p.port || 5432));
    viaPool = createPool(pgProxy.via(db.url));
    viaPool.on('error', () => undefined);
  });
  afterAll(async () => {
    await viaPool?.end().catch(() => undefined);
    await pgProxy?.close();
  });

  it('PostgreSQL cut: "unreachable" in the answer, the driver’s words in one log line', async () => {
    const { logger, lines } = logSink();
    const readiness = new ReadinessCheck({ pool: viaPool, timeoutMs: 2000, cacheMs: 0, logger });
    const app = buildProbeServer(createLogger('silent'), {
      readiness,
      metrics: new Metrics({ defaultMetrics: false }),
    });
    try {
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      pgProxy.pause();
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        ready: false,
        checks: { postgres: { ok: false, error: 'unreachable' } },
      });
      await app.inject({ url: '/readyz' });
      const failing = lines.filter((l) => l.check === 'postgres' && l.code === 'unreachable');
      expect(failing).toHaveLength(1);
      expect(failing[0]).toMatchObject({ level: 40, err: { message: expect.any(String) } });
      // What the log says is what the answer must not.
      expect(res.body).not.toContain((failing[0]!.err as { message: string }).message);

      pgProxy.resume();
      await waitFor(async () => (await app.inject({ url: '/readyz' })).statusCode === 200, {
        message: 'ready again',
      });
      expect(lines.filter((l) => l.check === 'postgres' && l.code === undefined)).toHaveLength(1);
    } finally {
      pgProxy.resume();
      await app.close();
    }
  });

  it('PostgreSQL hung: "timeout"', async () => {
    const readiness = new ReadinessCheck({ pool: viaPool, timeoutMs: 300, cacheMs: 0 });
    await waitFor(async () => (await readiness.check()).ready, { message: 'ready at first' });
    pgProxy.blackhole();
    try {
      expect((await readiness.check()).checks.postgres).toEqual({ ok: false, error: 'timeout' });
    } finally {
      pgProxy.resume();
    }
  });

  it('PostgreSQL answers with an error (no such database): "failed"', async () => {
    const url = new URL(ADMIN_URL);
    url.pathname = '/claim_intake_no_such_database';
    const pool = createPool(url.toString());
    pool.on('error', () => undefined);
    try {
      const result = await new ReadinessCheck({ pool, cacheMs: 0 }).check();
      expect(result.checks.postgres).toEqual({ ok: false, error: 'failed' });
      expect(JSON.stringify(result)).not.toContain('claim_intake_no_such_database');
    } finally {
      await pool.end().catch(() => undefined);
    }
  });

  describe('Redis', () => {
    let server: PrivateRedis;
    beforeAll(async () => {
      server = await startPrivateRedis(['--requirepass', 'the-right-one']);
    });
    afterAll(() => server?.stop());

    it('refusing the credentials: "auth_failed"; stopped: "unreachable"', async () => {
      const client = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true });
      client.on('error', () => undefined);
      try {
        const check = () =>
          new ReadinessCheck({ pool: db.pool, redis: client, cacheMs: 0 }).check();
        expect((await check()).checks.redis).toEqual({ ok: false, error: 'auth_failed' });
        const gone = await startPrivateRedis();
        await gone.stop();
        const away = new Redis(gone.url, { maxRetriesPerRequest: 1, lazyConnect: true });
        away.on('error', () => undefined);
        const result = await new ReadinessCheck({
          pool: db.pool,
          redis: away,
          cacheMs: 0,
        }).check();
        away.disconnect();
        expect(result.checks.redis).toEqual({ ok: false, error: 'unreachable' });
      } finally {
        client.disconnect();
      }
    });
  });

  describe('the way out', () => {
    const smtpCheck = (url: string | undefined, outboxDir = tmp) =>
      new ReadinessCheck({ pool: db.pool, smtp: { url, outboxDir }, cacheMs: 0 })
        .check()
        .then((r) => r.checks.smtp);

    it('SMTP refusing the credentials: "auth_failed"; nothing listening: "unreachable"', async () => {
      const server = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        logger: false,
        onAuth: (_auth, _session, callback) => callback(new Error('no such user here')),
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.server.address() as { port: number };
      try {
        expect(await smtpCheck(`smtp://claims:wrong@127.0.0.1:${port}`)).toEqual({
          ok: false,
          error: 'auth_failed',
        });
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      expect(await smtpCheck(`smtp://127.0.0.1:${port}`)).toEqual({
        ok: false,
        error: 'unreachable',
      });
    });

    it('an outbox that cannot be written: "not_writable"', async () => {
      const file = join(tmp, 'a-file');
      writeFileSync(file, 'not a directory');
      expect(await smtpCheck(undefined, join(file, 'outbox'))).toEqual({
        ok: false,
        error: 'not_writable',
      });
    });
  });

  it('the running service logs what its /readyz leaves out', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.server.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const redis = await createTestRedis();
    const { logger, lines } = logSink();
    const service = await startService(
      loadConfig({
        HTTP_PORT: '0',
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        MAILDIR_PATH: join(tmp, 'service-mail'),
        SMTP_URL: `smtp://claims:secret@127.0.0.1:${port}`,
        MAIL_FROM: 'claims@example.com',
      }),
      'worker',
      logger,
    );
    try {
      const res = await fetch(`http://127.0.0.1:${service.port}/readyz`);
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(JSON.parse(body).checks.smtp).toEqual({ ok: false, error: 'unreachable' });
      const logged = lines.filter((l) => l.msg === 'readiness check fails' && l.check === 'smtp');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ component: 'readiness', code: 'unreachable' });
      const message = (logged[0]!.err as { message: string }).message;
      expect(message).toContain(String(port));
      expect(body).not.toContain(String(port));
    } finally {
      await service.stop();
      await redis.cleanup();
    }
  });

  it('every code is listed with its meaning', () => {
    expect(CODES).toEqual(
      expect.arrayContaining(['timeout', 'unreachable', 'auth_failed', 'failed', 'not_writable']),
    );
    for (const code of CODES) expect(CHECK_ERRORS[code as keyof typeof CHECK_ERRORS]).toBeTruthy();
  });
});
