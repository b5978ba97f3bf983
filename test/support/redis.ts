/** A Redis key prefix of its own per test run, and the keys removed afterwards. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

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
