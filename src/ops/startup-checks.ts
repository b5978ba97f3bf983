/**
 * Start-up checks: facts about Redis and PostgreSQL that no setting expresses but that break
 * the service quietly when wrong. Each refusal is one StartupCheckError line naming the
 * setting and saying how to fix it; `claim-intake start` prints it and exits non-zero.
 * Every role runs them before any work starts.
 */
import { Cluster, type Redis, ReplyError } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ClaimIntakeError } from '../domain/errors.ts';
import { connect, describeError, redactUrl } from '../store/database.ts';
import { connectRedis, type RedisTarget } from '../store/redis.ts';
import { serverVersion } from '../store/server-facts.ts';

/** BullMQ needs 5.0 and recommends 6.2 or later; the test suite runs on 7. */
export const MIN_REDIS_VERSION = '6.2.0';

/**
 * The migrations need PostgreSQL 11 (`EXECUTE FUNCTION` in triggers); 13 is the oldest we
 * accept because older servers no longer receive fixes. Compared as server_version_num.
 */
export const MIN_POSTGRES_VERSION_NUM = 130_000;

/**
 * BullMQ keeps jobs and locks as ordinary keys: any other policy lets Redis drop them under
 * memory pressure, and jobs vanish or run twice without an error anywhere.
 */
export const REQUIRED_MAXMEMORY_POLICY = 'noeviction';

/** How long the checks wait for Redis to accept a connection. @defaultValue 5000 */
const REDIS_CONNECT_TIMEOUT_MS = 5000;

export class StartupCheckError extends ClaimIntakeError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

/** What the Redis server told about itself; undefined where it would not say. */
export interface RedisFacts {
  version: string | undefined;
  maxmemoryPolicy: string | undefined;
  /** Where the policy came from: CONFIG GET, or INFO memory where CONFIG is not allowed. */
  policySource: 'config' | 'info' | undefined;
  /** A Redis Cluster's masters (host:port), each checked; the facts above are the first's. */
  masters?: string[];
}

/** The one-line refusal for these facts, or undefined when Redis is fit to run BullMQ. */
export function redisProblem(facts: RedisFacts, setting: string): string | undefined {
  if (facts.maxmemoryPolicy !== undefined && facts.maxmemoryPolicy !== REQUIRED_MAXMEMORY_POLICY) {
    return (
      `${setting}: maxmemory-policy is ${facts.maxmemoryPolicy}; BullMQ needs ${REQUIRED_MAXMEMORY_POLICY}: ` +
      `run CONFIG SET maxmemory-policy ${REQUIRED_MAXMEMORY_POLICY} and set it in redis.conf`
    );
  }
  if (facts.version !== undefined && !versionAtLeast(facts.version, MIN_REDIS_VERSION)) {
    return `${setting}: Redis ${facts.version} is too old; claim-intake needs ${MIN_REDIS_VERSION.replace(/\.0$/, '')} or later: upgrade Redis`;
  }
  return undefined;
}

/** The one-line refusal for a PostgreSQL server_version_num, or undefined when it is recent enough. */
export function postgresProblem(versionNum: number, version: string, setting: string) {
  if (versionNum >= MIN_POSTGRES_VERSION_NUM) return undefined;
  return `${setting}: PostgreSQL ${version} is too old; claim-intake needs ${MIN_POSTGRES_VERSION_NUM / 10_000} or later: upgrade the server`;
}

/** Dotted versions compared numerically ("6.10.0" ≥ "6.2"); missing parts count as 0. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const need = minimum.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(have.length, need.length); i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** `key:value` lines of an INFO reply. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return out;
}

/**
 * Connects to REDIS_URL, reads its version and eviction policy, and refuses (throws
 * StartupCheckError) when Redis is unreachable, rejects our credentials, evicts keys or is
 * too old. A server that hides both CONFIG and INFO (some managed offerings) gets a warning.
 * In a Redis Cluster every master is checked: any one of them evicting loses jobs.
 */
export async function checkRedis(target: RedisTarget, logger: Logger): Promise<RedisFacts> {
  const setting = `REDIS_URL (${target.url.split(',').map(redactUrl).join(',')})`;
  const client = connectRedis(target, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    // One attempt: start-up should fail now, not retry behind the operator's back.
    reconnect: false,
  });
  // connect() rejects with a bare "Connection is closed."; the socket's error says why.
  let socketError: unknown;
  client.on('error', (error: unknown) => {
    socketError ??= error;
  });
  try {
    try {
      await client.connect();
    } catch (error) {
      const cause = socketError ?? error;
      // A cluster's "Failed to refresh slots cache." keeps the node's own answer beside it
      // (e.g. "cluster support disabled" when REDIS_CLUSTER=true meets a plain server).
      const last = (cause as { lastNodeError?: unknown }).lastNodeError;
      const why = last ? `${describeError(cause)} ${describeError(last)}` : describeError(cause);
      throw new StartupCheckError(
        'redis_unreachable',
        `${setting}: cannot connect (${why}); start Redis or fix REDIS_URL`,
        cause,
      );
    }
    if (client instanceof Cluster) {
      const masters = client.nodes('master');
      const names = masters.map((node) => `${node.options.host}:${node.options.port}`);
      let first: RedisFacts | undefined;
      for (const [i, node] of masters.entries()) {
        const facts = await checkServer(node, `${setting} node ${names[i]}`, logger, names[i]);
        first ??= facts;
      }
      if (!first)
        throw new StartupCheckError('redis_unfit', `${setting}: the cluster has no master node`);
      return { ...first, masters: names };
    }
    return await checkServer(client, setting, logger);
  } finally {
    client.disconnect();
  }
}

/** One server's facts, refused or warned about under `setting`. */
async function checkServer(
  client: Redis,
  setting: string,
  logger: Logger,
  node?: string,
): Promise<RedisFacts> {
  const facts = await readRedisFacts(client, setting);
  const problem = redisProblem(facts, setting);
  if (problem) throw new StartupCheckError('redis_unfit', problem);
  const where = node === undefined ? {} : { node };
  if (facts.maxmemoryPolicy === undefined) {
    logger.warn(
      { check: 'redis', ...where, required: REQUIRED_MAXMEMORY_POLICY },
      'Redis allows neither CONFIG GET nor INFO memory: cannot confirm maxmemory-policy is noeviction; make sure it is',
    );
  }
  if (facts.version === undefined) {
    logger.warn(
      { check: 'redis', ...where, minimum: MIN_REDIS_VERSION },
      'Redis does not tell its version (INFO not allowed); make sure it is 6.2 or later',
    );
  }
  return facts;
}

async function readRedisFacts(client: Redis, setting: string): Promise<RedisFacts> {
  const server = await allowed(client.info('server'), setting);
  const version = server === undefined ? undefined : parseInfo(server).get('redis_version');
  const configured = await allowed(
    client.config('GET', 'maxmemory-policy') as Promise<unknown[]>,
    setting,
  );
  if (Array.isArray(configured) && typeof configured[1] === 'string') {
    return { version, maxmemoryPolicy: configured[1], policySource: 'config' };
  }
  // Managed Redis often renames or forbids CONFIG; INFO memory still names the policy.
  const memory = await allowed(client.info('memory'), setting);
  const fromInfo = memory === undefined ? undefined : parseInfo(memory).get('maxmemory_policy');
  return {
    version,
    maxmemoryPolicy: fromInfo,
    policySource: fromInfo === undefined ? undefined : 'info',
  };
}

/**
 * The reply, or undefined when the server refuses this command (ACL, renamed command).
 * Wrong credentials are not a refused command: they stop start-up.
 */
async function allowed<T>(reply: Promise<T>, setting: string): Promise<T | undefined> {
  try {
    return await reply;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/^(NOAUTH|WRONGPASS)/.test(text)) {
      throw new StartupCheckError(
        'redis_auth',
        `${setting}: Redis refused our credentials (${text.split('\n')[0]}); fix the user and password in REDIS_URL`,
        error,
      );
    }
    if (error instanceof ReplyError) return undefined;
    throw new StartupCheckError(
      'redis_unreachable',
      `${setting}: Redis stopped answering during the start-up checks (${describeError(error)})`,
      error,
    );
  }
}

/** Reads the server's version and refuses one older than MIN_POSTGRES_VERSION_NUM. */
export async function checkPostgres(
  pool: pg.Pool,
  databaseUrl: string,
): Promise<{ version: string; versionNum: number }> {
  const client = await connect(pool);
  try {
    const row = await serverVersion(client);
    const versionNum = Number(row.num);
    // server_version may carry the distribution's suffix: "15.20 (Debian 15.20-0+deb12u1)".
    const version = row.version.split(' ')[0] ?? row.version;
    const problem = postgresProblem(
      versionNum,
      version,
      `DATABASE_URL (${redactUrl(databaseUrl)})`,
    );
    if (problem) throw new StartupCheckError('postgres_too_old', problem);
    return { version, versionNum };
  } finally {
    client.release();
  }
}
