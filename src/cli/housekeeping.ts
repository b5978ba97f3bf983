/**
 * `claim-intake housekeeping [--dry-run]`: one housekeeping run now (retention purge,
 * expired sessions, old sign-in attempts), the same run the worker processes schedule, and
 * under the same cluster-wide lock. Prints the outcome as one JSON line. `--dry-run` only
 * counts. Exit 0 when done or skipped (another run holds the lock), 1 when the database
 * cannot be used, 2 for a usage error or a bad setting.
 */

import type pg from 'pg';
import { createLogger } from '../logger.ts';
import { runHousekeeping } from '../ops/housekeeping.ts';
import { asDatabaseError } from '../store/database.ts';
import { isMigrated } from '../store/migrate.ts';
import { configOrFail, failFor, withDatabase } from './command.ts';
import type { Io } from './main.ts';

/** The first schema version with the retention columns (005_retention.sql). */
const RETENTION_SCHEMA_VERSION = 5;

export async function runHousekeepingCommand(argv: string[], io: Io): Promise<number> {
  const fail = failFor('housekeeping', io);
  const unknown = argv.find((a) => a !== '--dry-run');
  if (unknown !== undefined)
    return fail(`unexpected argument '${unknown}' (usage: housekeeping [--dry-run])`, 2);
  const config = configOrFail(fail);
  if (!config) return 2;
  // Two connections: one holds the run's advisory lock, the other does the work.
  return withDatabase(config.databaseUrl, 2, fail, async (pool) => {
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
  });
}

async function hasRetentionSchema(pool: pg.Pool): Promise<boolean> {
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
