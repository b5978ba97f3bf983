/**
 * The platform records in PostgreSQL: `import` upserts a records directory, the engine
 * reads them back. Each row keeps the record's contract JSON (`data`) as given, so what
 * comes out is validated by the same parser as a records directory.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type pg from 'pg';
import { InvalidInputError } from '../domain/errors.ts';
import {
  emptyRecords,
  parseRecordFile,
  RECORD_FILES,
  type Records,
  type RefundRequest,
} from '../domain/records.ts';
import { readRecordsDir } from '../files/load.ts';
import { asDatabaseError, withTransaction } from './database.ts';

type Kind = keyof Records;
type ColumnType = 'text' | 'timestamptz' | 'text[]';
type ColumnValue = string | string[];

interface TableSpec<K extends Kind> {
  table: string;
  /** Columns filled from the parsed record besides `data`, conflict key first. */
  columns: [name: string, type: ColumnType][];
  /** The unique key the upsert conflicts on. */
  conflict: string[];
  /** The record field named when two records share a key, and the key in words. */
  keyField: string;
  keyWords: string;
  values: (record: Records[K][number]) => ColumnValue[];
}

const iso = (ms: number) => new Date(ms).toISOString();

const TABLES: { [K in Kind]: TableSpec<K> } = {
  accounts: {
    table: 'accounts',
    columns: [
      ['id', 'text'],
      ['emails', 'text[]'],
    ],
    conflict: ['id'],
    keyField: 'id',
    keyWords: 'id',
    // The parser lower-cases contacts already.
    values: (a) => [a.id, a.emails],
  },
  resources: {
    table: 'resources',
    columns: [
      ['id', 'text'],
      ['account', 'text'],
      ['scope', 'text'],
    ],
    conflict: ['id'],
    keyField: 'id',
    keyWords: 'id',
    values: (r) => [r.id, r.account, scopeKey(r.service, r.region)],
  },
  incidents: {
    table: 'incidents',
    columns: [
      ['id', 'text'],
      ['starts_at', 'timestamptz'],
      ['ends_at', 'timestamptz'],
      ['resources', 'text[]'],
      ['scopes', 'text[]'],
    ],
    conflict: ['id'],
    keyField: 'id',
    keyWords: 'id',
    values: (i) => [
      i.id,
      iso(i.start),
      iso(i.end),
      i.resources ?? [],
      (i.scope ?? []).map((s) => scopeKey(s.service, s.region)),
    ],
  },
  orders: {
    table: 'orders',
    columns: [
      ['id', 'text'],
      ['account', 'text'],
    ],
    conflict: ['id'],
    keyField: 'id',
    keyWords: 'id',
    values: (o) => [o.id, o.account],
  },
  refunds: {
    table: 'refund_requests',
    columns: [
      ['id', 'text'],
      ['account', 'text'],
      ['orders', 'text[]'],
    ],
    conflict: ['id'],
    keyField: 'id',
    keyWords: 'id (or, without one, account, at and orders)',
    values: (r) => [r.id || derivedRefundId(r), r.account, r.orders.map((o) => o.toLowerCase())],
  },
  compensations: {
    table: 'past_compensations',
    columns: [
      ['account', 'text'],
      ['incident', 'text'],
    ],
    conflict: ['account', 'incident'],
    keyField: 'incident',
    keyWords: 'account and incident',
    values: (c) => [c.account, c.incident],
  },
  icpFilings: {
    table: 'icp_filings',
    columns: [
      ['account', 'text'],
      ['submitted_at', 'timestamptz'],
    ],
    conflict: ['account', 'submitted_at'],
    keyField: 'submitted_at',
    keyWords: 'account and submitted_at',
    values: (f) => [f.account, iso(f.submittedAt)],
  },
};

const KINDS = Object.keys(RECORD_FILES) as Kind[];

/** Joins a text[] column's elements for the upsert; U+001E cannot occur in an id we store. */
const ARRAY_SEPARATOR = '\u001e';

/** An incident scope entry as stored in `incidents.scopes`: service, U+001F, region. */
export function scopeKey(service: string, region: string): string {
  return `${service}\u001f${region}`;
}

/** Rows per INSERT: large enough that 100k records take ~100 round trips, small enough
 * that one statement's parameters stay a few megabytes. */
const CHUNK = 1000;

// Imports run one at a time (transaction-level advisory lock): two concurrent imports
// upserting overlapping keys in different orders could otherwise deadlock. Any fixed
// bigint works; this one is the ASCII bytes of "ciimport".
const IMPORT_LOCK_KEY = '7163372601068188276';

/**
 * A past refund request without an id still needs a stable key, so re-importing the same
 * file updates it instead of adding a copy: a hash of what identifies the request.
 */
export function derivedRefundId(r: Pick<RefundRequest, 'account' | 'at' | 'orders'>): string {
  const hash = createHash('sha256')
    .update([r.account, iso(r.at), ...r.orders].join('\u0000'))
    .digest('hex');
  return `auto-${hash.slice(0, 24)}`;
}

interface PreparedTable {
  kind: Kind;
  file: string;
  table: string;
  /** One array per column of TableSpec.columns, then the `data` JSON texts. */
  columns: string[][];
  data: string[];
}

/** A validated records directory, ready to write. */
export interface PreparedImport {
  dir: string;
  tables: PreparedTable[];
}

export interface ImportCount {
  file: string;
  table: string;
  /** Records in the file (0 when it is missing). */
  records: number;
  inserted: number;
  updated: number;
  /** Already stored with the same data; left untouched (imported_at kept). */
  unchanged: number;
}

/**
 * Reads and validates every file of `dir` and checks that keys do not repeat; throws
 * InvalidInputError naming the file, the index and the field. Touches no database.
 */
export async function prepareImport(dir: string): Promise<PreparedImport> {
  const { records, raw } = await readRecordsDir(dir);
  const tables = KINDS.map((kind) =>
    prepareTable(kind, join(dir, RECORD_FILES[kind]), records, raw[kind]),
  );
  return { dir, tables };
}

function prepareTable<K extends Kind>(
  kind: K,
  file: string,
  records: Records,
  raw: Record<string, unknown>[],
): PreparedTable {
  const spec = TABLES[kind] as TableSpec<K>;
  const columns: string[][] = spec.columns.map(() => []);
  const data: string[] = [];
  const seen = new Map<string, number>();
  (records[kind] as Records[K][number][]).forEach((record, index) => {
    const values = spec.values(record);
    const key = values.slice(0, spec.conflict.length).join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InvalidInputError(
        file,
        `[${index}].${spec.keyField}`,
        `repeats record [${first}] (same ${spec.keyWords})`,
      );
    }
    seen.set(key, index);
    const json = JSON.stringify(raw[index]);
    const problem = unstorable(json);
    if (problem) throw new InvalidInputError(file, `[${index}]`, problem);
    for (const [c, v] of values.entries())
      columns[c]!.push(Array.isArray(v) ? v.join(ARRAY_SEPARATOR) : v);
    data.push(json);
  });
  return { kind, file, table: spec.table, columns, data };
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000 or a lone UTF-16 surrogate; JSON.stringify
 * writes both as escapes. Caught here so the file and index are named, before any write.
 */
function unstorable(json: string): string | undefined {
  // An odd run of backslashes makes the `\u` an escape, not literal text.
  if (/(?<!\\)(?:\\\\)*\\u0000/.test(json)) return 'contains U+0000, which PostgreSQL cannot store';
  if (/(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i.test(json))
    return 'contains an unpaired UTF-16 surrogate, which PostgreSQL cannot store';
  return undefined;
}

/** Upserts a prepared import in one transaction: everything is written, or nothing. */
export async function writeImport(pool: pg.Pool, prepared: PreparedImport): Promise<ImportCount[]> {
  try {
    return await withTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [IMPORT_LOCK_KEY]);
      const counts: ImportCount[] = [];
      for (const t of prepared.tables) counts.push(await upsertTable(client, t));
      return counts;
    });
  } catch (error) {
    throw asDatabaseError(error);
  }
}

/** Reads, validates and upserts a records directory (`claim-intake import DIR`). */
export async function importRecordsDir(pool: pg.Pool, dir: string): Promise<ImportCount[]> {
  return writeImport(pool, await prepareImport(dir));
}

async function upsertTable(client: pg.PoolClient, t: PreparedTable): Promise<ImportCount> {
  const spec = TABLES[t.kind];
  const sql = upsertSql(spec);
  const count: ImportCount = {
    file: RECORD_FILES[t.kind],
    table: t.table,
    records: t.data.length,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  for (let start = 0; start < t.data.length; start += CHUNK) {
    const params = [...t.columns, t.data].map((values) => values.slice(start, start + CHUNK));
    const { rows } = await client.query<{ inserted: boolean }>(sql, params);
    for (const row of rows) {
      if (row.inserted) count.inserted++;
      else count.updated++;
    }
  }
  count.unchanged = count.records - count.inserted - count.updated;
  return count;
}

/**
 * One multi-row upsert per chunk: parallel arrays unnested into rows. A conflicting row
 * is rewritten only when its data changed; RETURNING then lists inserted and updated rows,
 * told apart by `xmax = 0` (a fresh tuple has no deleting transaction).
 */
function upsertSql(spec: Pick<TableSpec<Kind>, 'table' | 'columns' | 'conflict'>): string {
  const names = spec.columns.map(([name]) => name);
  // A text[] column travels as one text per row, its elements joined by ARRAY_SEPARATOR.
  const arrays = spec.columns.map(([, type], i) => `$${i + 1}::${type === 'text[]' ? 'text' : type}[]`);
  arrays.push(`$${spec.columns.length + 1}::jsonb[]`);
  const selected = spec.columns.map(([name, type]) =>
    type === 'text[]' ? `string_to_array(u.${name}, chr(30))` : `u.${name}`,
  );
  const set = [...names.filter((n) => !spec.conflict.includes(n)), 'data']
    .map((n) => `${n} = EXCLUDED.${n}`)
    .join(', ');
  return `INSERT INTO ${spec.table} AS t (${names.join(', ')}, data)
    SELECT ${selected.join(', ')}, u.data FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')}, data)
    ON CONFLICT (${spec.conflict.join(', ')}) DO UPDATE SET ${set}, imported_at = now()
    WHERE t.data IS DISTINCT FROM EXCLUDED.data
    RETURNING (t.xmax = 0) AS inserted`;
}

/**
 * Every stored record, validated like a records directory (errors name `database:TABLE`),
 * read in one repeatable-read snapshot so a concurrent import is seen whole or not at all.
 * Rows come ordered by key (bytewise), not in the order of the imported files.
 */
export async function loadRecordsFromDb(pool: pg.Pool): Promise<Records> {
  try {
    return await withTransaction(
      pool,
      async (client) => {
        const records = emptyRecords();
        for (const kind of KINDS) {
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
