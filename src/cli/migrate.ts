/**
 * `claim-intake migrate`: creates or upgrades the schema at DATABASE_URL and prints
 * `{"applied":["001_initial",…]}` (empty when already current). Exit 0 on success, 1 when
 * the database cannot be reached or a migration fails, 2 for a usage error.
 */
import { ensureDatabase } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { failFor, withDatabase } from './command.ts';
import { databaseFailureLine, readDatabaseUrl } from './database-url.ts';
import type { Io } from './main.ts';

export async function runMigrate(argv: string[], io: Io): Promise<number> {
  const fail = failFor('migrate', io);
  if (argv.length > 0) return fail(`unexpected argument '${argv[0]}' (usage: migrate)`, 2);
  let url: string;
  try {
    url = readDatabaseUrl();
  } catch (error) {
    return fail(databaseFailureLine(error, '') ?? String(error), 2);
  }
  // One connection is all a migration run uses: it holds the lock for the whole run.
  return withDatabase(url, 1, fail, async (pool) => {
    if (await ensureDatabase(url)) io.stderr(`claim-intake migrate: created the database`);
    const { applied } = await migrate(pool);
    io.stdout(JSON.stringify({ applied }));
    return 0;
  });
}
