/**
 * PostgreSQL access: one pool per process (built by the composition root), transactions
 * that always release their client, and the two failures callers must tell apart: the
 * database cannot be reached (retrying may help) and the schema is not there (it will not).
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ClaimIntakeError } from '../domain/errors.ts';

export { redactUrl } from './redact-url.ts';

export type Log = (obj: Record<string, unknown>) => void;

export interface PoolOptions {
  /**
   * Most connections the pool opens.
   * @defaultValue 10
   */
  max?: number;
  /**
   * How long to wait for a connection before failing; a down database must fail fast,
   * not hang a CLI or a worker.
   * @defaultValue 5000
   */
  connectionTimeoutMillis?: number;
  /**
   * How long an unused connection stays open.
   * @defaultValue 30000
   */
  idleTimeoutMillis?: number;
  /**
   * Where pool-level problems go (object-first log calls).
   * @defaultValue one JSON line on stderr
   */
  log?: Log;
}

const stderrLog: Log = (obj) => process.stderr.write(`${JSON.stringify(obj)}\n`);

/** The database is unreachable, refuses us, or does not exist. */
export class DatabaseUnavailableError extends ClaimIntakeError {
  constructor(detail: string, cause?: unknown) {
    super('database_unavailable', `cannot connect to the database: ${detail}`, {
      retryable: true,
      cause,
    });
  }
}

/** The database answers but has no claim-intake schema (`claim-intake migrate` was never run). */
export class SchemaMissingError extends ClaimIntakeError {
  constructor(detail: string, cause?: unknown, outdated = false) {
    super(
      'schema_missing',
      outdated
        ? `the database's claim-intake schema is older than this version (${detail})`
        : `the database has no claim-intake schema (${detail})`,
      { cause },
    );
  }
}

/**
 * Where libpq looks for the server's socket when nothing names a host: Debian's and Red
 * Hat's builds use /var/run/postgresql, upstream's /tmp. node-postgres goes to localhost
 * over TCP instead, which is not the server `postgres:///db` means.
 */
const SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

/**
 * The connection string as libpq would read it, for node-postgres: a URL with no user means
 * the operating-system user (node-postgres would read $USER, which services, containers and
 * CI runners often lack), one with no host the local socket, and `?dbname=` the database.
 * PGUSER, PGHOST and PGPORT still win over these defaults, as they do for libpq. Filled in
 * as query parameters: a URL without a host (`postgres:///db`) cannot hold a user name.
 */
export function withLibpqDefaults(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = process.env,
  socketDirs: readonly string[] = SOCKET_DIRS,
): string {
  const url = new URL(databaseUrl);
  const params = url.searchParams;
  const dbname = params.get('dbname');
  if (dbname !== null) {
    params.delete('dbname');
    if (url.pathname === '' || url.pathname === '/')
      url.pathname = `/${encodeURIComponent(dbname)}`;
  }
  if (!url.username && !params.get('user') && !env.PGUSER) {
    const user = osUser(env);
    if (user) params.set('user', user);
  }
  if (!url.hostname && !params.get('host') && !env.PGHOST) {
    const port = params.get('port') || url.port || env.PGPORT || '5432';
    const dir = socketDirs.find((d) => existsSync(join(d, `.s.PGSQL.${port}`)));
    if (dir) params.set('host', dir);
  }
  return url.toString();
}

/**
 * The login name, as libpq takes it from the password database; where the process's uid has
 * no entry there (an arbitrary uid in a container), $USER or $LOGNAME when set.
 */
function osUser(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.LOGNAME || undefined;
  }
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const log = options.log ?? stderrLog;
  const pool = new pg.Pool({
    connectionString: withLibpqDefaults(databaseUrl),
    application_name: 'claim-intake',
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    // Dead peers (a failed-over server, a dropped NAT entry) are noticed instead of
    // leaving idle connections that fail on first use.
    keepAlive: true,
  });
  // An idle client whose server goes away emits 'error' on the pool; without a listener
  // Node would crash the whole process. The pool drops that client by itself.
  pool.on('error', (error) => {
    log({
      level: 'warn',
      component: 'database',
      msg: 'idle client failed',
      error: describeError(error),
    });
  });
  return pool;
}

export interface TransactionOptions {
  /** @defaultValue the server's default (read committed) */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  /** @defaultValue false */
  readOnly?: boolean;
}

/**
 * Runs `fn` inside BEGIN/COMMIT on one client, rolls back when it throws, and always
 * releases the client. A client whose ROLLBACK failed is destroyed, not returned to the
 * pool, since its connection state is unknown.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await connect(pool);
  const onError = () => {
    // The connection died while checked out; the pending query rejects, so nothing else to do.
  };
  client.on('error', onError);
  let broken: Error | undefined;
  try {
    let begin = 'BEGIN';
    if (options.isolation) begin += ` ISOLATION LEVEL ${options.isolation.toUpperCase()}`;
    if (options.readOnly) begin += ' READ ONLY';
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * BEGIN … COMMIT on a connection the caller holds and keeps (its session's advisory locks
 * stay): rolled back when `fn` throws.
 */
export async function inTransactionOn<T>(conn: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await conn.query('BEGIN');
  try {
    const result = await fn();
    await conn.query('COMMIT');
    return result;
  } catch (error) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `fn` inside a savepoint of the caller's transaction. When it throws, what it did is
 * undone and the transaction goes on: the error is returned, not thrown.
 */
export async function withSavepoint<T>(
  client: pg.PoolClient,
  name: string,
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await client.query(`SAVEPOINT ${name}`);
  try {
    const value = await fn();
    await client.query(`RELEASE SAVEPOINT ${name}`);
    return { ok: true, value };
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
    return { ok: false, error };
  }
}

/** `pool.connect()`, with connection failures turned into DatabaseUnavailableError. */
export async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw asDatabaseError(error);
  }
}

// SQLSTATE classes and codes that mean "we could not get a usable session":
// 08 connection exception, 28 invalid authorization, 3D000 no such database,
// 57P01-57P03 server shutting down or starting, 53300 too many connections.
const UNAVAILABLE_SQLSTATE = /^(08|28)|^(3D000|57P0[1-3]|53300)$/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * Maps driver errors to this project's errors: unreachable or refusing database →
 * DatabaseUnavailableError, undefined table → SchemaMissingError; anything else unchanged.
 */
export function asDatabaseError(error: unknown): unknown {
  if (error instanceof ClaimIntakeError) return error;
  const code = (error as { code?: unknown })?.code;
  if (code === '42P01') return new SchemaMissingError(describeError(error), error);
  // An undefined column: the schema is older than this code (a migration not yet applied).
  if (code === '42703') return new SchemaMissingError(describeError(error), error, true);
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)))
    return new DatabaseUnavailableError(describeError(error), error);
  const message = error instanceof Error ? error.message : '';
  // pg reports its own connect timeout and a server that hung up as Errors without a code.
  if (code === undefined && /timeout expired|Connection terminated/i.test(message))
    return new DatabaseUnavailableError(describeError(error), error);
  return error;
}

/** One line about an error; Node's AggregateError (IPv6 then IPv4) has an empty message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const first = (error as { errors?: unknown[] }).errors?.[0];
  const code = (error as { code?: unknown }).code;
  const text =
    error.message ||
    (first instanceof Error ? first.message : '') ||
    (typeof code === 'string' ? code : error.name);
  return text.split('\n')[0] ?? text;
}

/**
 * Creates the database named in `databaseUrl` when the server says it does not exist
 * (SQLSTATE 3D000), so `migrate` and `start` work on a fresh server. Returns true when it
 * created it. Needs the CREATEDB privilege; without it the server's error is passed on.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const probe = new pg.Client({
    connectionString: withLibpqDefaults(databaseUrl),
    connectionTimeoutMillis: 5000,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.end();
    return false;
  } catch (error) {
    await probe.end().catch(() => undefined);
    if ((error as { code?: string }).code !== '3D000') throw asDatabaseError(error);
  }
  const url = new URL(withLibpqDefaults(databaseUrl));
  // libpq's default database is the one named after the user.
  const name =
    decodeURIComponent(url.pathname.replace(/^\//, '')) ||
    process.env.PGDATABASE ||
    decodeURIComponent(url.username) ||
    url.searchParams.get('user') ||
    process.env.PGUSER ||
    '';
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    return true;
  } catch (error) {
    // 42P04: another instance created it a moment ago.
    const code = (error as { code?: string }).code;
    if (code === '42P04') return false;
    // 42501: the user may not create databases. Said as what it is (every command names
    // DATABASE_URL with it), not a driver error with its stack.
    if (code === '42501')
      throw new ClaimIntakeError(
        'database_unavailable',
        `database "${name}" does not exist, and this user may not create it (${(error as Error).message}): create it, or grant the user CREATEDB`,
        { retryable: false, cause: error },
      );
    throw asDatabaseError(error);
  } finally {
    await admin.end().catch(() => undefined);
  }
}
