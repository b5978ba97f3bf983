/**
 * `claim-intake housekeeping [--dry-run]`: one housekeeping run now (retention purge,
 * expired sessions, old sign-in attempts), the same run the worker processes schedule, and
 * under the same cluster-wide lock. Prints the outcome as one JSON line. `--dry-run` only
 * counts. Exit 0 when done or skipped (another run holds the lock), 1 when the database
 * cannot be used, 2 for a usage error or a bad setting.
 */

import { createLogger } from '../logger.ts';
import { runHousekeeping } from '../ops/housekeeping.ts';
import { hasRetentionSchema } from '../store/retention.ts';
import { configOrFail, failFor, withDatabase } from './command.ts';
import type { Io } from './main.ts';

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
