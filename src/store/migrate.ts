/**
 * Applies `migrations/NNN_name.sql` in version order, each in its own transaction, and
 * records them in `schema_migrations`. Safe to run from many processes at once: the whole
 * run holds one PostgreSQL advisory lock, so a second instance waits and then finds
 * nothing left to do.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { ClaimIntakeError } from '../domain/errors.ts';
import { asDatabaseError, connect, describeError, type Log } from './database.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

// Any fixed bigint works; it only has to be the same in every instance and unlikely to be
// chosen by another application sharing the database: the ASCII bytes of "cimigrat".
export const MIGRATION_LOCK_KEY = '7163376981784027508';
const LOCK_KEY = MIGRATION_LOCK_KEY;

const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

export interface Migration {
  version: number;
  /** The file name without `.sql`, e.g. `001_initial`. */
  name: string;
  file: string;
}

/** A migration file is malformed or failed to apply; needs a person, not a retry. */
export class MigrationError extends ClaimIntakeError {
  constructor(message: string, cause?: unknown) {
    super('migration_failed', message, { cause });
  }
}

/** The migration files, by version. Rejects stray `.sql` names and repeated versions. */
export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const found: Migration[] = [];
  for (const entry of await readdir(dir)) {
    if (!entry.endsWith('.sql')) continue;
    const m = FILE_NAME.exec(entry);
    if (!m) throw new MigrationError(`${entry}: migration files are named NNN_name.sql`);
    found.push({ version: Number(m[1]), name: entry.slice(0, -4), file: join(dir, entry) });
  }
  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    if (found[i]!.version === found[i - 1]!.version)
      throw new MigrationError(`${found[i]!.name}: version repeats ${found[i - 1]!.name}`);
  }
  return found;
}

/** True once `schema_migrations` exists, i.e. `migrate` has run at least once. */
export async function isMigrated(pool: pg.Pool): Promise<boolean> {
  try {
    const { rows } = await pool.query<{ t: string | null }>(
      "SELECT to_regclass('schema_migrations')::text AS t",
    );
    return rows[0]?.t != null;
  } catch (error) {
    throw asDatabaseError(error);
  }
}

/**
 * Applies every pending migration. Returns the names applied by this call (empty when
 * the schema was already current, including when a concurrent instance applied them).
 */
export async function migrate(
  pool: pg.Pool,
  log: Log = () => {},
  dir = MIGRATIONS_DIR,
): Promise<{ applied: string[] }> {
  const migrations = await listMigrations(dir);
  // One dedicated session: a session-level advisory lock belongs to the connection that
  // took it, so the lock, the checks and every migration must share this client.
  const client = await connect(pool);
  const onError = (error: Error) =>
    log({ level: 'warn', component: 'migrate', msg: 'connection lost', error: error.message });
  client.on('error', onError);
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [LOCK_KEY]);
    try {
      return await applyPending(client, migrations, log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]).catch((e) => {
        // Ending the session releases the lock too: destroy the client instead of pooling it.
        broken = e as Error;
      });
    }
  } catch (error) {
    // After a failure the session's state is unknown: do not hand it back to the pool.
    broken ??= error as Error;
    throw asDatabaseError(error);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

async function applyPending(
  client: pg.PoolClient,
  migrations: Migration[],
  log: Log,
): Promise<{ applied: string[] }> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const done = new Set(rows.map((r) => r.version));
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...done].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    // A newer release migrated this database; this code may not understand the schema.
    log({
      level: 'warn',
      component: 'migrate',
      msg: 'unknown versions applied',
      versions: unknown,
    });
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    const sql = await readFile(migration.file, 'utf8');
    const started = Date.now();
    try {
      await client.query('BEGIN');
      // Without parameters pg uses the simple query protocol, which runs a whole script.
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const mapped = asDatabaseError(error);
      if (mapped !== error) throw mapped;
      throw new MigrationError(`${migration.name}.sql: ${describeError(error)}`, error);
    }
    applied.push(migration.name);
    log({
      level: 'info',
      component: 'migrate',
      msg: 'migration applied',
      migration: migration.name,
      ms: Date.now() - started,
    });
  }
  return { applied };
}
