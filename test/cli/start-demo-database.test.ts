/**
 * `start` and `demo` with a database they cannot use (issue #14) end with one line on stderr
 * naming DATABASE_URL, its password hidden, and exit 1, as `migrate`, `import` and `check`
 * do: an unreachable server, a user the server does not know, and a database that does not
 * exist for a user without the right to create it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.ts';
import { ADMIN_URL } from '../support/database.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
let tmp: string;
/** A login role without CREATEDB, made for this file. */
const role = `claim_intake_nocreate_${randomBytes(4).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  redis = await createTestRedis();
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-start-db-'));
  await admin(`CREATE ROLE ${role} LOGIN NOCREATEDB`);
});
afterAll(async () => {
  await admin(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  await redis?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A URL on the test server with another user, password and database. */
function onTestServer(user: string, password: string | undefined, database: string): string {
  const url = new URL(ADMIN_URL);
  url.username = user;
  url.password = password ?? '';
  url.pathname = `/${database}`;
  return url.toString();
}

type Command = 'start' | 'demo' | 'migrate' | 'import';

function run(command: Command, databaseUrl: string) {
  const args = command === 'import' ? [command, join(REPO_ROOT, 'examples', 'records')] : [command];
  return runCli(args, {
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      MAILDIR_PATH: join(tmp, 'mail'),
      OUTBOX_DIR: join(tmp, 'outbox'),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
  });
}

const cases = [
  {
    what: 'an unreachable server',
    url: () => 'postgres://app:hunter2@127.0.0.1:1/x',
    shown: 'postgres://app:***@127.0.0.1:1/x',
    says: 'cannot connect to the database',
  },
  {
    what: 'a user the server does not know',
    url: () => onTestServer('no_such_user_claim_intake', 'hunter2', 'postgres'),
    shown: onTestServer('no_such_user_claim_intake', '***', 'postgres'),
    says: 'no_such_user_claim_intake',
  },
  {
    what: 'a missing database and no right to create it',
    url: () => onTestServer(role, 'hunter2', 'claim_intake_absent'),
    shown: onTestServer(role, '***', 'claim_intake_absent'),
    says: 'permission denied to create database',
  },
];

// migrate and import create the database too (ensureDatabase): the same one line each.
for (const command of ['start', 'demo', 'migrate', 'import'] as const) {
  describe(`${command} with a database it cannot use`, () => {
    for (const c of cases) {
      it(`names DATABASE_URL in one line and exits 1: ${c.what}`, async () => {
        const r = await run(command, c.url());
        expect(r.code).toBe(1);
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`claim-intake ${command}: DATABASE_URL (${c.shown})`);
        expect(lines[0]).toContain(c.says);
        expect(`${r.stdout}${r.stderr}`).not.toContain('hunter2');
      });
    }
  });
}
