/**
 * The platform records in PostgreSQL: `import` upserts a records directory, the engine
 * reads them back. Each row keeps the record's contract JSON (`data`) as given, so what
 * comes out is validated by the same parser as a records directory.
 */
import type pg from 'pg';
import { emptyRecords, parseRecordFile, RECORD_KINDS, type Records } from '../domain/records.ts';
import { type RecordFile, readRecordFile, recordFiles } from '../files/records-dir.ts';
import { asDatabaseError, withTransaction } from './database.ts';
import { TABLES } from './record-tables.ts';
import { type ImportCount, type Progress, writeRecordStreams } from './records-import.ts';

export { derivedRefundId, scopeKey } from './record-tables.ts';
export type { ImportCount, Progress } from './records-import.ts';

export interface ImportOptions {
  /** Told as each file is read and merged (the CLI's progress line). */
  onProgress?: (progress: Progress) => void;
}

/**
 * Reads, validates and upserts a records directory (`claim-intake import DIR`) in one
 * transaction, streaming each file: everything is written, or nothing. Throws
 * InvalidInputError naming the file, line, index and field.
 */
export async function importRecordsDir(
  pool: pg.Pool,
  dir: string,
  options: ImportOptions = {},
): Promise<ImportCount[]> {
  return importRecordFiles(pool, await recordFiles(dir), options);
}

/** importRecordsDir for files already found with recordFiles (`import` checks them first). */
export async function importRecordFiles(
  pool: pg.Pool,
  files: RecordFile[],
  options: ImportOptions = {},
): Promise<ImportCount[]> {
  const streams = files.map((f) => ({
    kind: f.kind,
    name: f.name,
    file: f.path ?? f.name,
    batches: readRecordFile(f),
  }));
  return writeRecordStreams(pool, streams, options);
}

/**
 * Every stored record, validated like a records directory (errors name `database:TABLE`),
 * read in one repeatable-read snapshot so a concurrent import is seen whole or not at all.
 * Rows come ordered by key (bytewise), not in the order of the imported files. For tests
 * and benchmarks on small databases only: the service and `check` read each email's record
 * slice (record-slices.ts) and never hold all records.
 */
export async function loadRecordsFromDb(pool: pg.Pool): Promise<Records> {
  try {
    return await withTransaction(
      pool,
      async (client) => {
        const records = emptyRecords();
        for (const kind of RECORD_KINDS) {
          const spec = TABLES[kind];
          const order = spec.columns
            .filter(([name]) => spec.conflict.includes(name))
            .map(([name, type]) => (type === 'text' ? `${name} COLLATE "C"` : name));
          const { rows } = await client.query<{ data: unknown }>(
            `SELECT data FROM ${spec.table} ORDER BY ${order.join(', ')}`,
          );
          (records[kind] as unknown) = parseRecordFile(
            kind,
            rows.map((r) => r.data),
            `database:${spec.table}`,
          );
        }
        return records;
      },
      { isolation: 'repeatable read', readOnly: true },
    );
  } catch (error) {
    throw asDatabaseError(error);
  }
}

/**
 * The contact addresses (lower-cased, as import stores them) of an account: one row by
 * primary key, never a scan. [] without an account, or for an id not in the records.
 */
export async function accountContacts(
  db: Pick<pg.Pool | pg.PoolClient, 'query'>,
  account: string | null,
): Promise<string[]> {
  if (account === null) return [];
  const { rows } = await db.query<{ emails: string[] }>(
    'SELECT emails FROM accounts WHERE id = $1',
    [account],
  );
  return rows[0]?.emails ?? [];
}

/**
 * Whether `address` (already lower-cased) is a contact of some account: exact match through
 * the GIN index on accounts.emails (migration 007), so a +tag variant is not that contact.
 */
export async function isContact(
  db: Pick<pg.Pool | pg.PoolClient, 'query'>,
  address: string,
): Promise<boolean> {
  const { rows } = await db.query<{ contact: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM accounts WHERE emails @> ARRAY[$1::text]) AS contact',
    [address],
  );
  return rows[0]?.contact === true;
}
