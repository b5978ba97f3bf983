/**
 * `claim-intake housekeeping [--dry-run]`: one housekeeping run now (retention purge,
 * expired sessions, old sign-in attempts), the same run the worker processes schedule, and
 * under the same cluster-wide lock. Prints the outcome as one JSON line. `--dry-run` only
 * counts. Exit 0 when done or skipped (another run holds the lock), 1 when the database
 * cannot be used, 2 for a usage error or a bad setting.
 */
import { loadConfig } from '../config.ts';
import { ClaimIntakeError } from '../domain/errors.ts';
import { createLogger } from '../logger.ts';
import { runHousekeeping } from '../ops/housekeeping.ts';
import { asDatabaseError, createPool } from '../store/database.ts';
import { isMigrated } from '../store/migrate.ts';
import { databaseFailureLine } from './database-url.ts';
import type { Io } from './main.ts';

/** The first schema version with the retention columns (005_retention.sql). */
const RETENTION_SCHEMA_VERSION = 5;

export async function runHousekeepingCommand(argv: string[], io: Io): Promise<number> {
  const fail = (line: string, code: number) => {
    io.stderr(`claim-intake housekeeping: ${line}`);
    return code;
  };
  const unknown = argv.find((a) => a !== '--dry-run');
  if (unknown !== undefined)
    return fail(`unexpected argument '${unknown}' (usage: housekeeping [--dry-run])`, 2);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ClaimIntakeError) return fail(error.message, 2);
    throw error;
  }
  // Two connections: one holds the run's advisory lock, the other does the work.
  const pool = createPool(config.databaseUrl, { max: 2 });
  try {
    if (!(await hasRetentionSchema(pool)))
      return fail("the database schema is not current; run 'claim-intake migrate' first", 1);
    // Logs go to stderr: stdout carries only the outcome's JSON line.
    const logger = createLogger(config.logLevel, { write: (line) => io.stderr(line.trimEnd()) });
    const outcome = await runHousekeeping(pool, logger, {
      retentionDays: config.retentionDays,
      dryRun: argv.includes('--dry-run'),
    });
    io.stdout(JSON.stringify(outcome));
    return 0;
  } catch (error) {
    const line = databaseFailureLine(asDatabaseError(error), config.databaseUrl);
    if (line === undefined) throw error;
    return fail(line, 1);
  } finally {
    await pool.end();
  }
}

async function hasRetentionSchema(pool: ReturnType<typeof createPool>): Promise<boolean> {
  if (!(await isMigrated(pool))) return false;
  try {
    const { rows } = await pool.query(
      'SELECT 1 FROM schema_migrations WHERE version >= $1 LIMIT 1',
      [RETENTION_SCHEMA_VERSION],
    );
    return rows.length > 0;
  } catch (error) {
    throw asDatabaseError(error);
  }
}
