import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimIntakeError } from '../../src/domain/errors.ts';
import { createLogger } from '../../src/logger.ts';
import {
  checkPostgres,
  checkRedis,
  parseInfo,
  postgresProblem,
  redisProblem,
  StartupCheckError,
  versionAtLeast,
} from '../../src/ops/startup-checks.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort } from '../support/dovecot.ts';
import { REDIS_URL } from '../support/redis.ts';
import { type PrivateRedis, startPrivateRedis } from './private-redis.ts';

const FIX =
  'BullMQ needs noeviction: run CONFIG SET maxmemory-policy noeviction and set it in redis.conf';

/** A logger whose lines land in an array, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

async function refusal(promise: Promise<unknown>): Promise<StartupCheckError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StartupCheckError);
  expect(error).toBeInstanceOf(ClaimIntakeError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return error as StartupCheckError;
}

describe('the rules on Redis and PostgreSQL facts', () => {
  it('accepts noeviction on Redis 6.2 and later', () => {
    for (const version of ['6.2.0', '6.2.14', '7.0.15', '7.4.1', '10.0.0']) {
      expect(
        redisProblem({ version, maxmemoryPolicy: 'noeviction', policySource: 'config' }, 'R'),
      ).toBeUndefined();
    }
  });

  it('refuses any evicting policy, saying how to fix it', () => {
    for (const policy of ['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl']) {
      expect(
        redisProblem({ version: '7.0.15', maxmemoryPolicy: policy, policySource: 'info' }, 'R'),
      ).toBe(`R: maxmemory-policy is ${policy}; ${FIX}`);
    }
  });

  it('refuses Redis older than 6.2', () => {
    expect(
      redisProblem(
        { version: '6.0.9', maxmemoryPolicy: 'noeviction', policySource: 'config' },
        'R',
      ),
    ).toBe('R: Redis 6.0.9 is too old; claim-intake needs 6.2 or later: upgrade Redis');
    expect(
      redisProblem({ version: '5.0.14', maxmemoryPolicy: undefined, policySource: undefined }, 'R'),
    ).toMatch(/too old/);
  });

  it('lets unknown facts pass (the caller warns about them)', () => {
    expect(
      redisProblem(
        { version: undefined, maxmemoryPolicy: undefined, policySource: undefined },
        'R',
      ),
    ).toBeUndefined();
  });

  it('compares versions part by part, as numbers', () => {
    expect(versionAtLeast('6.10.0', '6.2.0')).toBe(true);
    expect(versionAtLeast('6.2', '6.2.0')).toBe(true);
    expect(versionAtLeast('6.1.99', '6.2.0')).toBe(false);
    expect(versionAtLeast('7.0.15', '6.2.0')).toBe(true);
  });

  it('refuses PostgreSQL older than 13', () => {
    expect(postgresProblem(120_017, '12.17', 'D')).toBe(
      'D: PostgreSQL 12.17 is too old; claim-intake needs 13 or later: upgrade the server',
    );
    expect(postgresProblem(130_000, '13.0', 'D')).toBeUndefined();
    expect(postgresProblem(170_002, '17.2', 'D')).toBeUndefined();
  });

  it('reads key:value lines of INFO, skipping section headers', () => {
    const info = parseInfo('# Memory\r\nused_memory:100\r\nmaxmemory_policy:noeviction\r\n');
    expect(info.get('maxmemory_policy')).toBe('noeviction');
    expect(info.has('# Memory')).toBe(false);
  });
});

describe('checking a real Redis', () => {
  let evicting: PrivateRedis;
  beforeAll(async () => {
    evicting = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(async () => {
    await evicting?.stop();
  });

  it('passes the shared test Redis (noeviction, 6.2 or later) and reports what it found', async () => {
    const { logger, lines } = capturedLogger();
    const facts = await checkRedis({ url: REDIS_URL }, logger);
    expect(facts.maxmemoryPolicy).toBe('noeviction');
    expect(facts.policySource).toBe('config');
    expect(versionAtLeast(facts.version!, '6.2')).toBe(true);
    expect(lines.filter((l) => l.level === 40)).toEqual([]);
  });

  it('refuses a Redis whose maxmemory-policy evicts keys, in one line naming REDIS_URL and the fix', async () => {
    const error = await refusal(checkRedis({ url: evicting.url }, capturedLogger().logger));
    expect(error.code).toBe('redis_unfit');
    expect(error.message).toBe(
      `REDIS_URL (${evicting.url}): maxmemory-policy is allkeys-lru; ${FIX}`,
    );
  });

  it('falls back to INFO memory when CONFIG is not allowed', async () => {
    await evicting.client.call(
      'ACL',
      'SETUSER',
      'info-only',
      'on',
      '>secret-pw',
      '+@all',
      '-config',
    );
    const url = `redis://info-only:secret-pw@127.0.0.1:${evicting.port}`;
    const error = await refusal(checkRedis({ url: url }, capturedLogger().logger));
    expect(error.message).toContain('maxmemory-policy is allkeys-lru');
    // The password in REDIS_URL never appears in the message.
    expect(error.message).not.toContain('secret-pw');
    expect(error.message).toContain(`redis://info-only:***@127.0.0.1:${evicting.port}`);
  });

  it('warns and continues when neither CONFIG nor INFO is allowed', async () => {
    await evicting.client.call(
      'ACL',
      'SETUSER',
      'blind',
      'on',
      '>blind-pw',
      '+@all',
      '-config',
      '-info',
    );
    const { logger, lines } = capturedLogger();
    const facts = await checkRedis(
      { url: `redis://blind:blind-pw@127.0.0.1:${evicting.port}` },
      logger,
    );
    expect(facts).toEqual({
      version: undefined,
      maxmemoryPolicy: undefined,
      policySource: undefined,
    });
    const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toHaveLength(2);
    expect(warnings.join(' ')).toMatch(/maxmemory-policy is noeviction/);
    expect(warnings.join(' ')).toMatch(/6\.2 or later/);
  });

  it('refuses wrong credentials in one line, without the password', async () => {
    const url = `redis://info-only:not-the-password@127.0.0.1:${evicting.port}`;
    const error = await refusal(checkRedis({ url: url }, capturedLogger().logger));
    expect(error.message).toMatch(/^REDIS_URL \(redis:\/\/info-only:\*\*\*@127\.0\.0\.1:\d+\): /);
    expect(error.message).not.toContain('not-the-password');
  });

  it('refuses an unreachable Redis in one line', async () => {
    const port = await freePort();
    const error = await refusal(
      checkRedis({ url: `redis://127.0.0.1:${port}` }, capturedLogger().logger),
    );
    expect(error.code).toBe('redis_unreachable');
    expect(error.message).toMatch(
      new RegExp(
        `^REDIS_URL \\(redis://127\\.0\\.0\\.1:${port}\\): cannot connect \\(.*ECONNREFUSED.*\\); start Redis or fix REDIS_URL$`,
      ),
    );
  });

  it('refuses REDIS_CLUSTER=true against a server that is not in a cluster, saying so', async () => {
    // The shared server without TEST_REDIS_URL's database number: cluster seeds name none
    // (REDIS_URL with one is refused before any connection), and the server's answer is wanted.
    const server = new URL(REDIS_URL);
    server.pathname = '';
    const error = await refusal(
      checkRedis({ url: server.toString(), cluster: true }, capturedLogger().logger),
    );
    expect(error.code).toBe('redis_unreachable');
    expect(error.message).toMatch(/cluster support disabled/);
    expect(error.message.split('\n')).toHaveLength(1);
  });
});

describe('checking a real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('passes the test server (13 or later) and reports its version', async () => {
    const { version, versionNum } = await checkPostgres(db.pool, db.url);
    expect(versionNum).toBeGreaterThanOrEqual(130_000);
    expect(version).toMatch(/^\d+\.\d+/);
  });
});

describe('claim-intake start', () => {
  let evicting: PrivateRedis;
  let db: TestDatabase;
  beforeAll(async () => {
    [evicting, db] = await Promise.all([
      startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']),
      createTestDatabase(),
    ]);
  });
  afterAll(async () => {
    await evicting?.stop();
    await db?.drop();
  });

  it.each(['worker', 'poller', 'web'])(
    'refuses an evicting Redis as role %s: one line on stderr, exit 1, nothing started',
    async (role) => {
      const result = await runCli(['start', '--role', role], {
        env: {
          REDIS_URL: evicting.url,
          DATABASE_URL: db.url,
          HTTP_PORT: '0',
          LOG_LEVEL: 'info',
          LOG_FORMAT: 'json',
        },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `claim-intake start: REDIS_URL (${evicting.url}): maxmemory-policy is allkeys-lru; ${FIX}\n`,
      );
      // Refused before the database was touched: no schema was created.
      const { rows } = await db.pool.query("SELECT to_regclass('claims')::text AS t");
      expect(rows[0].t).toBeNull();
    },
  );

  it('refuses an unreachable Redis with one line and exit 1', async () => {
    const port = await freePort();
    const result = await runCli(['start', '--role', 'worker'], {
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, DATABASE_URL: db.url, HTTP_PORT: '0' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^claim-intake start: REDIS_URL .*: cannot connect \(/);
  });
});
