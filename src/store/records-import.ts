/**
 * Upserts streams of validated records in one transaction: everything is written, or
 * nothing. Each stream is COPYed into a temporary staging table as it is read (so the
 * process holds one batch, never the file), checked there for repeated keys, then merged
 * into its table by one INSERT … SELECT … ON CONFLICT DO UPDATE that rewrites a row only
 * when its data changed.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { InvalidInputError } from '../domain/errors.ts';
import type { RecordKind } from '../domain/records.ts';
import type { ReadRecord } from '../files/record-stream.ts';
import { copyArrayField, copyField, copyRow } from './copy-text.ts';
import { asDatabaseError, withTransaction } from './database.ts';
import { onlyRow } from './only-row.ts';
import { TABLES, type TableSpec } from './record-tables.ts';

// Writers of records run one at a time (transaction-level advisory lock): two imports or
// feeds upserting overlapping keys in different orders could otherwise deadlock. Any fixed
// bigint works; this one is the ASCII bytes of "ciimport".
const IMPORT_LOCK_KEY = '7163372601068188276';

const UNIQUE_VIOLATION = '23505';

/** One stream of records to write. */
export interface RecordStream<K extends RecordKind = RecordKind> {
  kind: K;
  /** Names the input in counts and progress, e.g. `orders.jsonl`. */
  name: string;
  /** Names the input in errors, e.g. the file's path. */
  file: string;
  /** Validated records in batches, read only when this stream's turn comes. */
  batches: AsyncIterable<ReadRecord<K>[]>;
}

export interface ImportCount {
  /** The stream's name, e.g. `orders.json`. */
  file: string;
  kind: RecordKind;
  table: string;
  /** Records read (0 for a missing file). */
  records: number;
  inserted: number;
  updated: number;
  /** Already stored with the same data; left untouched (imported_at kept). */
  unchanged: number;
}

export interface Progress {
  /** The stream's name. */
  file: string;
  /** Records read so far. */
  records: number;
  /** `reading` while records arrive, `merging` once all are staged, `done` when merged. */
  phase: 'reading' | 'merging' | 'done';
}

export interface WriteOptions {
  /** Told after every batch and at each phase; keep it cheap. */
  onProgress?: (progress: Progress) => void;
  /** Runs in the transaction after every stream is written (the feed's audit row). */
  beforeCommit?: (client: pg.PoolClient, counts: ImportCount[]) => Promise<void>;
}

/** Upserts `streams` in order, in one transaction; throws InvalidInputError for bad input. */
export async function writeRecordStreams(
  pool: pg.Pool,
  streams: Iterable<RecordStream>,
  options: WriteOptions = {},
): Promise<ImportCount[]> {
  try {
    const counts = await withTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [IMPORT_LOCK_KEY]);
      // The merge sorts a whole file by key: room for that before it spills to disk.
      await client.query("SET LOCAL work_mem = '64MB'");
      const written: ImportCount[] = [];
      for (const stream of streams) written.push(await writeStream(client, stream, options));
      await options.beforeCommit?.(client, written);
      return written;
    });
    await analyzeChanged(pool, counts);
    return counts;
  } catch (error) {
    throw asDatabaseError(error);
  }
}

/** Rows written to a table past which its planner statistics are refreshed at once. */
const ANALYZE_AFTER_ROWS = 10_000;

/**
 * Refreshes the statistics of tables that a large write changed. Until autovacuum gets to
 * them, a freshly loaded table has none, and the planner reads every claim's records by
 * sequential scans (measured: 9 claims/s instead of 32 on 500,000 accounts). After the
 * commit: ANALYZE only reads, and the write must not wait for it.
 */
async function analyzeChanged(pool: pg.Pool, counts: ImportCount[]): Promise<void> {
  const tables = new Set(
    counts.filter((c) => c.inserted + c.updated >= ANALYZE_AFTER_ROWS).map((c) => c.table),
  );
  for (const table of tables) await pool.query(`ANALYZE ${table}`);
}

async function writeStream<K extends RecordKind>(
  client: pg.PoolClient,
  stream: RecordStream<K>,
  options: WriteOptions,
): Promise<ImportCount> {
  const spec = TABLES[stream.kind] as TableSpec<K>;
  const count: ImportCount = {
    file: stream.name,
    kind: stream.kind,
    table: spec.table,
    records: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  const report = (phase: Progress['phase']) =>
    options.onProgress?.({ file: stream.name, records: count.records, phase });
  // An empty or missing file costs no statement at all.
  const batches = stream.batches[Symbol.asyncIterator]();
  const first = await batches.next();
  if (first.done) {
    report('done');
    return count;
  }
  const stage = `stage_${spec.table}`;
  const columns = spec.columns.map(([name, type]) => `${name} ${type} NOT NULL`);
  await client.query(
    `CREATE TEMPORARY TABLE ${stage} (idx bigint NOT NULL, line bigint NOT NULL,
       ${columns.join(', ')}, data jsonb NOT NULL) ON COMMIT DROP`,
  );
  async function* all(): AsyncGenerator<ReadRecord<K>[]> {
    yield first.value;
    for (let next = await batches.next(); !next.done; next = await batches.next()) yield next.value;
  }
  try {
    await pipeline(
      Readable.from(
        copyText(all(), spec, stream.file, (records) => {
          count.records = records;
          report('reading');
        }),
      ),
      client.query(copyFrom(`COPY ${stage} FROM STDIN`)),
    );
  } finally {
    // Ends the reader (closes its file) when the copy failed before it was drained. Not
    // awaited: a reader waiting on a stalled upload must not hold up the rollback.
    batches.return?.().catch(() => undefined);
  }
  report('merging');
  await rejectRepeatedKeys(client, stage, spec, stream.file);
  const { inserted, updated } = await merge(client, stage, spec);
  await client.query(`DROP TABLE ${stage}`);
  report('done');
  return { ...count, inserted, updated, unchanged: count.records - inserted - updated };
}

/** The stream's records as COPY text, one string per batch; `counted` gets the running total. */
async function* copyText<K extends RecordKind>(
  batches: AsyncIterable<ReadRecord<K>[]>,
  spec: TableSpec<K>,
  file: string,
  counted: (records: number) => void,
): AsyncGenerator<string> {
  let records = 0;
  for await (const batch of batches) {
    let text = '';
    for (const r of batch) text += copyRow(stagedRow(r, spec, file));
    records += batch.length;
    counted(records);
    yield text;
  }
}

function stagedRow<K extends RecordKind>(
  r: ReadRecord<K>,
  spec: TableSpec<K>,
  file: string,
): string[] {
  const at = { line: r.line };
  let json: string;
  try {
    json = JSON.stringify(r.raw);
  } catch {
    // Only a record nested deeper than the call stack gets here.
    throw new InvalidInputError(file, `[${r.index}]`, 'is nested too deeply', at);
  }
  const problem = unstorable(json);
  if (problem) throw new InvalidInputError(file, `[${r.index}]`, problem, at);
  const fields = [String(r.index), String(r.line)];
  for (const value of spec.values(r.record))
    fields.push(Array.isArray(value) ? copyArrayField(value) : copyField(value));
  fields.push(copyField(json));
  return fields;
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000 or a lone UTF-16 surrogate; JSON.stringify
 * writes both as escapes. Caught here so the file, line and index are named.
 */
function unstorable(json: string): string | undefined {
  if (!json.includes('\\u')) return undefined;
  // An odd run of backslashes makes the `\u` an escape, not literal text.
  if (/(?<!\\)(?:\\\\)*\\u0000/.test(json)) return 'contains U+0000, which PostgreSQL cannot store';
  if (/(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i.test(json))
    return 'contains an unpaired UTF-16 surrogate, which PostgreSQL cannot store';
  return undefined;
}

/**
 * Two records of one stream with the same key: the first repeat in stream order, naming
 * the record it repeats, as the in-memory check did. A unique index on the staging table
 * finds out whether any key repeats (a sorted build: faster than grouping, no key held in
 * this process); only when one does, a grouping query says which.
 */
async function rejectRepeatedKeys<K extends RecordKind>(
  client: pg.PoolClient,
  stage: string,
  spec: TableSpec<K>,
  file: string,
): Promise<void> {
  const key = spec.conflict.join(', ');
  await client.query('SAVEPOINT unique_keys');
  try {
    await client.query(`CREATE UNIQUE INDEX ON ${stage} (${key})`);
    await client.query('RELEASE SAVEPOINT unique_keys');
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT unique_keys');
  }
  const same = spec.conflict.map((c) => `s.${c} = d.${c}`).join(' AND ');
  const { rows } = await client.query<{ idx: string; line: string; first: string }>(
    `SELECT s.idx, s.line, d.first FROM ${stage} s
       JOIN (SELECT ${key}, min(idx) AS first FROM ${stage} GROUP BY ${key} HAVING count(*) > 1) d
         ON ${same}
      WHERE s.idx > d.first ORDER BY s.idx LIMIT 1`,
  );
  const repeat = onlyRow(rows);
  throw new InvalidInputError(
    file,
    `[${repeat.idx}].${spec.keyField}`,
    `repeats record [${repeat.first}] (same ${spec.keyWords})`,
    { line: Number(repeat.line) },
  );
}

/**
 * Merges the staging table into the table. A conflicting row is rewritten only when its
 * data changed; `xmax = 0` tells inserted rows from updated ones (a fresh tuple has no
 * deleting transaction). Rows go in key order, so the key's index is written in order too.
 */
async function merge<K extends RecordKind>(
  client: pg.PoolClient,
  stage: string,
  spec: TableSpec<K>,
): Promise<{ inserted: number; updated: number }> {
  const names = spec.columns.map(([name]) => name);
  const set = [...names.filter((n) => !spec.conflict.includes(n)), 'data']
    .map((n) => `${n} = EXCLUDED.${n}`)
    .join(', ');
  const { rows } = await client.query<{ inserted: string; updated: string }>(
    `WITH written AS (
       INSERT INTO ${spec.table} AS t (${names.join(', ')}, data)
       SELECT ${names.join(', ')}, data FROM ${stage} ORDER BY ${spec.conflict.join(', ')}
       ON CONFLICT (${spec.conflict.join(', ')}) DO UPDATE SET ${set}, imported_at = now()
       WHERE t.data IS DISTINCT FROM EXCLUDED.data
       RETURNING (t.xmax = 0) AS inserted)
     SELECT count(*) FILTER (WHERE inserted) AS inserted,
            count(*) FILTER (WHERE NOT inserted) AS updated
       FROM written`,
  );
  return { inserted: Number(onlyRow(rows).inserted), updated: Number(onlyRow(rows).updated) };
}
