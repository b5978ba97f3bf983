/**
 * The one place that opens Redis connections: one server (REDIS_URL) or, with REDIS_CLUSTER,
 * a Redis Cluster reached through the seed nodes REDIS_URL lists. Callers say how a
 * connection behaves (fail fast, wait while Redis is away, one attempt only) and get an
 * ioredis client either way; BullMQ accepts both.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { redisClusterSeeds } from '../config-values.ts';

/** Where Redis is: the part of config.redis a connection needs. */
export interface RedisTarget {
  /** REDIS_URL: one server, or with `cluster` a comma list of seed nodes. */
  url: string;
  /** REDIS_CLUSTER: `url` lists a Redis Cluster's seed nodes. @defaultValue false */
  cluster?: boolean;
}

/** config.redis: where Redis is, and the prefix of every key the service keeps there. */
export interface RedisSettings extends RedisTarget {
  /** REDIS_PREFIX: queues (as `{prefix}`), locks and mailbox states start with it. */
  prefix: string;
}

export type RedisClient = Redis | Cluster;

export interface ConnectOptions {
  /**
   * Attempts per command while the connection is down; null waits for Redis (BullMQ's
   * workers need that). @defaultValue 20 (ioredis)
   */
  maxRetriesPerRequest?: number | null;
  /** Queue commands while not connected. @defaultValue true */
  enableOfflineQueue?: boolean;
  /** Connect on connect() rather than at once. @defaultValue false */
  lazyConnect?: boolean;
  /** Wait for the server to finish loading before the first command. @defaultValue true */
  enableReadyCheck?: boolean;
  /** @defaultValue 10000 (ioredis) */
  connectTimeout?: number;
  /** False: one attempt, never reconnect (start-up checks). @defaultValue true */
  reconnect?: boolean;
}

export function connectRedis(target: RedisTarget, options: ConnectOptions = {}): RedisClient {
  const {
    reconnect = true,
    lazyConnect,
    enableOfflineQueue,
    enableReadyCheck,
    ...perNode
  } = options;
  const once = reconnect ? {} : { retryStrategy: () => null };
  const client = defined({ lazyConnect, enableOfflineQueue, enableReadyCheck });
  if (!target.cluster) {
    return new Redis(target.url, { ...client, ...defined(perNode), ...once });
  }
  const seeds = redisClusterSeeds(target.url);
  const redisOptions: RedisOptions = {
    ...defined({ username: seeds.username, password: seeds.password }),
    ...(seeds.tls ? { tls: {} } : {}),
    ...defined(perNode),
  };
  // Cluster-wide behaviour (offline queue, ready check, reconnecting) is the Cluster's;
  // per-command retries and timeouts belong to each node's connection.
  return new Cluster(seeds.nodes, {
    ...client,
    ...(reconnect ? {} : { clusterRetryStrategy: () => null }),
    redisOptions,
  });
}

/** Leaves out options not given, so ioredis's own defaults apply. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
