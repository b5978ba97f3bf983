/**
 * DATABASE_URL read as libpq reads it (issue #14): no user is the operating-system user (not
 * $USER, which containers and CI runners often lack), no host the local socket.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLibpqDefaults } from '../../src/store/database.ts';

const OS_USER = userInfo().username;
let socketDir: string;

beforeAll(() => {
  socketDir = mkdtempSync(join(tmpdir(), 'claim-intake-socket-'));
  // Only its name is looked at: a server listening on port 5432 in this directory.
  writeFileSync(join(socketDir, '.s.PGSQL.5432'), '');
});
afterAll(() => rmSync(socketDir, { recursive: true, force: true }));

/** What node-postgres connects with, given the URL and no PG* variables. */
function connection(databaseUrl: string, env: NodeJS.ProcessEnv = {}) {
  const url = withLibpqDefaults(databaseUrl, env, [join(socketDir, 'missing'), socketDir]);
  const client = new pg.Client({ connectionString: url });
  return { user: client.user, host: client.host, port: client.port, database: client.database };
}

describe('DATABASE_URL as libpq reads it', () => {
  it('connects as the operating-system user over the local socket for postgres:///db', () => {
    expect(connection('postgres:///claims')).toEqual({
      user: OS_USER,
      host: socketDir,
      port: 5432,
      database: 'claims',
    });
  });

  it('takes the socket directory from ?host= and the database from ?dbname=', () => {
    expect(connection('postgresql:///claims?host=/var/run/postgresql')).toMatchObject({
      user: OS_USER,
      host: '/var/run/postgresql',
      database: 'claims',
    });
    expect(connection('postgresql://%2Fvar%2Frun%2Fpostgresql/claims')).toMatchObject({
      user: OS_USER,
      host: '/var/run/postgresql',
    });
    expect(connection('postgresql://?dbname=claims&host=db.internal')).toMatchObject({
      host: 'db.internal',
      database: 'claims',
    });
  });

  it('keeps a user and a host the URL names', () => {
    expect(connection('postgres://alice@db.internal:6432/claims')).toEqual({
      user: 'alice',
      host: 'db.internal',
      port: 6432,
      database: 'claims',
    });
    expect(connection('postgres:///claims?user=bob&host=127.0.0.1')).toMatchObject({
      user: 'bob',
      host: '127.0.0.1',
    });
    expect(connection('postgres://localhost/claims')).toMatchObject({
      user: OS_USER,
      host: 'localhost',
    });
  });

  it('leaves the user and host to PGUSER and PGHOST when they are set', () => {
    const url = new URL(
      withLibpqDefaults('postgres:///claims', { PGUSER: 'carol', PGHOST: '/run/pg' }, [socketDir]),
    );
    expect(url.searchParams.get('user')).toBeNull();
    expect(url.searchParams.get('host')).toBeNull();
  });

  it('finds no socket for a port nothing listens on, and leaves the host to node-postgres', () => {
    const url = new URL(withLibpqDefaults('postgres:///claims?port=5433', {}, [socketDir]));
    expect(url.searchParams.get('host')).toBeNull();
  });
});
