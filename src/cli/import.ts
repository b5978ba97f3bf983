/**
 * `claim-intake import DIR`: validates a records directory (CONTRACT.md) and upserts it
 * into the database at DATABASE_URL in one transaction. Prints one JSON line per file:
 * `{"file":"accounts.json","records":2,"inserted":2,"updated":0,"unchanged":0}`.
 * Exit 0 on success; 2 for a usage error or an invalid record (nothing written); 1 when
 * the database cannot be reached.
 */
import { parseArgs } from 'node:util';
import { InvalidInputError } from '../domain/errors.ts';
import { ensureDatabase } from '../store/database.ts';
import { isMigrated, migrate } from '../store/migrate.ts';
import { type PreparedImport, prepareImport, writeImport } from '../store/records-store.ts';
import { failFor, withDatabase } from './command.ts';
import { databaseFailureLine, readDatabaseUrl } from './database-url.ts';
import type { Io } from './main.ts';

export async function runImport(argv: string[], io: Io): Promise<number> {
  const fail = failFor('import', io);
  let dir: string;
  try {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
    if (positionals.length !== 1)
      return fail('expects one records directory (usage: import DIR)', 2);
    dir = positionals[0]!;
  } catch (error) {
    return fail((error as Error).message.split('\n')[0]!, 2);
  }
  let url: string;
  let prepared: PreparedImport;
  try {
    url = readDatabaseUrl();
    // Every file is read and validated before the database is touched.
    prepared = await prepareImport(dir);
  } catch (error) {
    if (error instanceof InvalidInputError) return fail(error.message, 2);
    const line = databaseFailureLine(error, '');
    if (line === undefined) throw error;
    return fail(line, 2);
  }
  return withDatabase(url, 2, fail, async (pool) => {
    if (await ensureDatabase(url)) io.stderr('claim-intake import: created the database');
    if (!(await isMigrated(pool))) {
      const { applied } = await migrate(pool);
      if (applied.length > 0)
        io.stderr(`claim-intake import: applied migrations ${applied.join(', ')}`);
    }
    for (const c of await writeImport(pool, prepared)) {
      const { file, records, inserted, updated, unchanged } = c;
      io.stdout(JSON.stringify({ file, records, inserted, updated, unchanged }));
    }
    return 0;
  });
}
