/**
 * METRICS_PORT: the probes and metrics on a port of their own, on real ports. HTTP_PORT then
 * answers /healthz (and the console, roles all and web), never /metrics or /readyz. Without
 * it, everything stays on HTTP_PORT as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { freePort } from '../support/service-process.ts';

let db: TestDatabase;
let redis: TestRedis;
let tmp: string;
let service: RunningService | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  redis = await createTestRedis();
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-metrics-port-'));
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
});
afterAll(async () => {
  await redis?.cleanup();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const env = (more: Record<string, string>) => ({
  DATABASE_URL: db.url,
  REDIS_URL: redis.url,
  REDIS_PREFIX: redis.prefix,
  MAILDIR_PATH: join(tmp, 'mail'),
  OUTBOX_DIR: join(tmp, 'outbox'),
  HTTP_PORT: '0',
  ...more,
});

const start = async (role: 'all' | 'poller' | 'worker' | 'web', more: Record<string, string>) => {
  service = await startService(loadConfig(env(more)), role, createLogger('silent'));
  return service;
};

/** Status of GET path, or the connection's error code when nothing answers. */
async function status(host: string, port: number, path: string): Promise<number | string> {
  try {
    const res = await fetch(`http://${host}:${port}${path}`);
    await res.arrayBuffer();
    return res.status;
  } catch (error) {
    return ((error as { cause?: { code?: string } }).cause?.code ?? 'failed') as string;
  }
}

describe('METRICS_PORT', () => {
  it('moves /metrics and /readyz off the console port; /healthz answers on both', async () => {
    const s = await start('web', { METRICS_PORT: '0' });
    expect(s.metricsPort).toBeGreaterThan(0);
    expect(s.metricsPort).not.toBe(s.port);
    const consolePort = s.port;
    const metricsPort = s.metricsPort!;

    expect(await status('127.0.0.1', consolePort, '/metrics')).toBe(404);
    expect(await status('127.0.0.1', consolePort, '/readyz')).toBe(404);
    expect(await status('127.0.0.1', consolePort, '/healthz')).toBe(200);
    expect(await status('127.0.0.1', consolePort, '/api/openapi.json')).toBe(200);

    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('claim_intake_');
    const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    expect((await ready.json()) as object).toHaveProperty('checks.postgres', { ok: true });
    expect(await status('127.0.0.1', metricsPort, '/healthz')).toBe(200);
    // The metrics port is no way into the console.
    expect(await status('127.0.0.1', metricsPort, '/api/openapi.json')).toBe(404);
    expect(await status('127.0.0.1', metricsPort, '/api/me')).toBe(404);
  });

  it('listens on METRICS_HOST, not on HTTP_HOST, when they differ', async () => {
    // 127.0.0.2 is on the loopback interface of every Linux, without any set-up.
    const s = await start('all', { METRICS_PORT: '0', METRICS_HOST: '127.0.0.2' });
    expect(await status('127.0.0.2', s.metricsPort!, '/metrics')).toBe(200);
    expect(await status('127.0.0.1', s.metricsPort!, '/metrics')).toBe('ECONNREFUSED');
    expect(await status('127.0.0.1', s.port, '/metrics')).toBe(404);
  });

  it('a worker serves the probes on the metrics port, and /healthz alone on HTTP_PORT', async () => {
    const s = await start('worker', { METRICS_PORT: '0' });
    expect(s.port).not.toBe(s.metricsPort);
    expect(await status('127.0.0.1', s.metricsPort!, '/metrics')).toBe(200);
    expect(await status('127.0.0.1', s.metricsPort!, '/readyz')).toBeOneOf([200, 503]);
    // The image's HEALTHCHECK asks HTTP_PORT whatever the role.
    expect(await status('127.0.0.1', s.port, '/healthz')).toBe(200);
    expect(await status('127.0.0.1', s.port, '/metrics')).toBe(404);
    expect(await status('127.0.0.1', s.port, '/readyz')).toBe(404);
  });

  it('a busy METRICS_PORT stops start-up with one line naming it, and frees the console port', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const taken = (busy.address() as { port: number }).port;
    const httpPort = await freePort();
    try {
      const error = await start('web', {
        HTTP_PORT: String(httpPort),
        METRICS_PORT: String(taken),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'listen_failed' });
      expect((error as Error).message).toMatch(
        new RegExp(`^METRICS_HOST/METRICS_PORT: cannot listen on 127\\.0\\.0\\.1:${taken} `),
      );
      expect((error as Error).message.split('\n')).toHaveLength(1);
      // The console had its port already; it is let go, so a restart can take it.
      const again = createServer();
      await new Promise<void>((resolve, reject) =>
        again.once('error', reject).listen(httpPort, '127.0.0.1', resolve),
      );
      await new Promise((resolve) => again.close(resolve));
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

describe('without METRICS_PORT', () => {
  it('the console serves /healthz, /readyz and /metrics on HTTP_PORT, as before', async () => {
    const s = await start('web', {});
    expect(s.metricsPort).toBeUndefined();
    expect(await status('127.0.0.1', s.port, '/metrics')).toBe(200);
    expect(await status('127.0.0.1', s.port, '/readyz')).toBeOneOf([200, 503]);
    expect(await status('127.0.0.1', s.port, '/healthz')).toBe(200);
  });

  it('a poller serves them on HTTP_PORT', async () => {
    const s = await start('poller', {});
    expect(await status('127.0.0.1', s.port, '/metrics')).toBe(200);
  });
});
