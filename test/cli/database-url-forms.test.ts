/**
 * DATABASE_URL in the forms libpq accepts (issue #14), through the real binary with USER and
 * LOGNAME removed from its environment, as in many containers and CI runners: no user name
 * means the operating-system user, no host the local socket.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { withLibpqDefaults } from '../../src/store/database.ts';
import { jsonLines, runCli } from '../support/cli.ts';

const SOCKET_DIR = '/var/run/postgresql';
const hasSocket = existsSync(`${SOCKET_DIR}/.s.PGSQL.5432`);

/** No user and no server named anywhere but in DATABASE_URL. */
const BARE_ENV = {
  USER: undefined,
  LOGNAME: undefined,
  PGUSER: undefined,
  PGHOST: undefined,
  PGPORT: undefined,
  PGDATABASE: undefined,
};

const created: { name: string; admin: string }[] = [];

function freshName(): string {
  return `claim_intake_test_url_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Connects the way the CLI does (the operating-system user), to `admin`'s database. */
async function onServer<T>(admin: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withLibpqDefaults(admin) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const { name, admin } of created)
    await onServer(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

async function migrateFresh(url: (name: string) => string, admin: string) {
  const name = freshName();
  created.push({ name, admin });
  const r = await runCli(['migrate'], { env: { ...BARE_ENV, DATABASE_URL: url(name) } });
  expect(r.stderr).toBe('claim-intake migrate: created the database\n');
  expect(r.code).toBe(0);
  expect(jsonLines(r.stdout)).toEqual([{ applied: expect.arrayContaining(['001_initial']) }]);
  const owner = await onServer(admin, async (c) => {
    const { rows } = await c.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [name],
    );
    return rows[0]?.owner;
  });
  return { name, owner };
}

describe('claim-intake migrate without USER or LOGNAME', () => {
  it.skipIf(!hasSocket)('reaches postgres:///db over the local socket as the OS user', async () => {
    const { owner } = await migrateFresh(
      (name) => `postgres:///${name}`,
      `postgresql:///postgres?host=${SOCKET_DIR}`,
    );
    expect(owner).toBe(userInfo().username);
  });

  it.skipIf(!hasSocket)('reaches the socket directory named by ?host=', async () => {
    await migrateFresh(
      (name) => `postgresql:///${name}?host=${SOCKET_DIR}`,
      `postgresql:///postgres?host=${SOCKET_DIR}`,
    );
  });

  it('reaches a TCP host named by ?host=, with no user in the URL', async () => {
    await migrateFresh(
      (name) => `postgresql:///${name}?host=127.0.0.1&port=5432`,
      'postgresql:///postgres?host=127.0.0.1&port=5432',
    );
  });
});
