/** A Redis key prefix of its own per test run, and the keys removed afterwards. */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** The shared test Redis; its path may name a database (`redis://127.0.0.1:6379/12`). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A Redis URL as options, for clients that take options rather than a URL (BullMQ's
 * `connection`): host, port, credentials and the database number, which a hand-built
 * `{ host, port }` drops, so that test's keys land in database 0 and outlive its cleanup.
 */
export function redisOptions(url: string = REDIS_URL): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export interface TestRedis {
  url: string;
  prefix: string;
  client: Redis;
  /** Deletes every key under the prefix (queues use `{prefix}`) and disconnects. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const prefix = `cit-${process.pid}-${randomBytes(4).toString('hex')}`;
  const client = new Redis(REDIS_URL);
  return {
    url: REDIS_URL,
    prefix,
    client,
    async cleanup() {
      for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await client.del(...keys);
        } while (cursor !== '0');
      }
      client.disconnect();
    },
  };
}
