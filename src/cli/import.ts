/**
 * `claim-intake import DIR`: streams a records directory (CONTRACT.md; each file NAME.json
 * or NAME.jsonl) into the database at DATABASE_URL in one transaction, validating every
 * record on the way. Prints one JSON line per file:
 * `{"file":"accounts.json","records":2,"inserted":2,"updated":0,"unchanged":0}`.
 * On a terminal, stderr shows each file's progress and rate.
 * Exit 0 on success; 2 for a usage error or an invalid record (nothing written); 1 when
 * the database cannot be reached.
 */
import { parseArgs } from 'node:util';
import { InvalidInputError } from '../domain/errors.ts';
import { type RecordFile, recordFiles } from '../files/records-dir.ts';
import { ensureDatabase } from '../store/database.ts';
import { isMigrated, migrate } from '../store/migrate.ts';
import { importRecordFiles } from '../store/records-store.ts';
import { failFor, withDatabase } from './command.ts';
import { databaseFailureLine, readDatabaseUrl } from './database-url.ts';
import { ImportProgress } from './import-progress.ts';
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
  let files: RecordFile[];
  try {
    url = readDatabaseUrl();
    // A missing directory, or NAME.json beside NAME.jsonl, fails before the database is touched.
    files = await recordFiles(dir);
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
    const progress = io.status ? new ImportProgress(io.status) : undefined;
    try {
      const counts = await importRecordFiles(pool, files, {
        ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
      });
      for (const { file, records, inserted, updated, unchanged } of counts)
        io.stdout(JSON.stringify({ file, records, inserted, updated, unchanged }));
      return 0;
    } catch (error) {
      progress?.clear();
      if (error instanceof InvalidInputError) return fail(error.message, 2);
      throw error;
    }
  });
}
