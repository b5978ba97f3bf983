import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

let db: TestDatabase;
let redis: TestRedis;
let service: RunningService | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await createTestRedis();
});
afterAll(async () => {
  await service?.stop();
  await redis?.cleanup();
  await db?.drop();
});

describe("the service's web role", () => {
  it('serves the console API on HTTP_HOST:HTTP_PORT and stops listening on stop()', async () => {
    const port = await freePort();
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
    });
    service = await startService(config, 'web', createLogger('silent'));
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    // The web role migrates like the others: the console's tables exist.
    const { rows } = await db.pool.query("SELECT to_regclass('sessions')::text AS t");
    expect(rows[0].t).toBe('sessions');

    await service.stop();
    await service.stop();
    service = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
