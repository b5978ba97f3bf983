/**
 * The records one email needs, read from PostgreSQL through indexes (domain/slice.ts says
 * what to read; `selectSlice` there is the same selection in memory). Two statements per
 * email at most: the accounts and orders among its candidate ids and the sender's
 * accounts, then everything about the account it is about. Each row is the record's
 * contract JSON, so the slice is validated by the records parser and can be stored with
 * the decision and replayed as it was.
 *
 * What the service settled itself is part of the slice, as records (DESIGN, "paid once"):
 * compensated incidents as past payouts, refund settlements as past refund requests and a
 * granted ICP reward as the account's `icp_rewarded`. Without it a second claim for
 * something already paid would be approved again.
 */
import type pg from 'pg';
import type { ParsedEmail } from '../domain/email.ts';
import type { Policy } from '../domain/policy.ts';
import { RecordIndex } from '../domain/record-index.ts';
import { emptyRecords, parseRecordFile, RECORD_FILES, type Records } from '../domain/records.ts';
import { lookupKeys, type SliceScope, sliceScope } from '../domain/slice.ts';
import { asDatabaseError } from './database.ts';

type Kind = keyof Records;

/** Each records file's JSON objects, as stored (the contract's snake_case). */
export type RecordsJson = { [K in Kind]: Record<string, unknown>[] };

export interface RecordSlice {
  /** The records as read, for storing with the decision. */
  json: RecordsJson;
  /** The same, validated: what the engine reads. */
  records: Records;
}

/** A pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const KINDS = Object.keys(RECORD_FILES) as Kind[];

/**
 * Step 1: the accounts named by any candidate id or having the sender as a contact, and
 * the orders named. Rows ordered by id bytewise, as every read of records is.
 */
export const FIRST_STEP_SQL = `
  SELECT * FROM (
    SELECT 'accounts' AS kind, id, data FROM accounts WHERE lower(id) = ANY($1::text[])
    UNION
    SELECT 'accounts', id, data FROM accounts WHERE emails @> ARRAY[$2::text]
    UNION ALL
    SELECT 'orders', id, data FROM orders WHERE lower(id) = ANY($1::text[])
  ) AS found ORDER BY kind, id COLLATE "C"`;

/**
 * Step 2, for one account: the incidents affecting its resources (by resource id or by
 * service and region) that overlap a claimed time's window, plus those in the look-back
 * before the earliest of the latest claim's matches; the resources they touch and the
 * subscription hosts; past payouts of those incidents; refund requests of the account or
 * naming the email's orders; filings; and what the service settled for them. $1 account,
 * $2/$3 windows (from[], to[]), $4/$5 the look-back window (or nulls), $6 look-back hours,
 * $7 the orders lower-cased, $8 as stored. Each part starts from an index: the account's
 * rows by account, incidents by when they happened (a GiST index on their period), orders
 * by id.
 */
export const SECOND_STEP_SQL = `
  WITH own AS (
    SELECT id, scope, data FROM resources WHERE account = $1
  ), targets AS (
    SELECT (SELECT array_agg(id) FROM own) AS ids, (SELECT array_agg(DISTINCT scope) FROM own) AS scopes
  ), windows AS (
    SELECT tstzrange(lo, hi, '[]') AS period FROM unnest($2::timestamptz[], $3::timestamptz[]) AS w(lo, hi)
  ), near AS (
    SELECT i.id, i.starts_at, i.ends_at, i.resources, i.scopes, i.data FROM incidents i
     WHERE i.id IN (SELECT j.id FROM windows w
                      JOIN incidents j ON tstzrange(j.starts_at, j.ends_at, '[]') && w.period)
       AND (i.resources && (SELECT ids FROM targets) OR i.scopes && (SELECT scopes FROM targets))
  ), anchor AS (
    SELECT min(starts_at) AS starts_at FROM near WHERE ends_at >= $4::timestamptz AND starts_at <= $5::timestamptz
  ), earlier AS (
    SELECT i.id, i.resources, i.scopes, i.data FROM incidents i
     WHERE i.starts_at >= (SELECT starts_at FROM anchor) - make_interval(hours => $6::int)
       AND i.starts_at <= $5::timestamptz
       AND (i.resources && (SELECT ids FROM targets) OR i.scopes && (SELECT scopes FROM targets))
  ), inc AS (
    SELECT id, resources, scopes, data FROM near UNION SELECT id, resources, scopes, data FROM earlier
  ), res AS (
    -- The resources a rule reads: those the incidents touch, and subscription hosts (ICP).
    SELECT o.id, o.data FROM own o
     WHERE o.id IN (SELECT unnest(resources) FROM inc)
        OR o.scope IN (SELECT unnest(scopes) FROM inc)
        OR (coalesce((o.data ->> 'host')::boolean, false) AND o.data ->> 'billing' IN ('monthly', 'yearly'))
  )
  SELECT * FROM (
  SELECT 'resources' AS kind, id, data FROM res
  UNION ALL
  SELECT 'incidents', id, data FROM inc
  UNION ALL
  SELECT 'compensations', incident, data FROM past_compensations
   WHERE account = $1 AND incident IN (SELECT id FROM inc)
  UNION ALL
  SELECT 'compensations', l.incident,
         jsonb_build_object('account', l.account, 'incident', l.incident, 'at', min(l.created_at))
    FROM ledger_entries l
   WHERE l.kind = 'compensation' AND l.account = $1 AND l.incident IN (SELECT id FROM inc)
     AND NOT EXISTS (SELECT 1 FROM past_compensations p WHERE p.account = l.account AND p.incident = l.incident)
   GROUP BY l.account, l.incident
  UNION ALL
  SELECT 'refunds', id, data FROM (
    SELECT id, data FROM refund_requests WHERE account = $1
    UNION
    SELECT id, data FROM refund_requests WHERE orders && $7::text[]
  ) AS r
  UNION ALL
  SELECT 'refunds', 'claim-' || s.claim_id,
         jsonb_build_object('id', 'claim-' || s.claim_id, 'account', s.account, 'at', s.submitted_at,
                            'orders', (SELECT coalesce(jsonb_agg(l -> 'order'), '[]') FROM jsonb_array_elements(s.lines) AS l))
    FROM refund_settlements s
   WHERE s.claim_id IN (
     SELECT claim_id FROM refund_settlements WHERE account = $1
     UNION
     SELECT claim_id FROM ledger_entries WHERE kind = 'refund' AND order_id = ANY($8::text[]))
  UNION ALL
  SELECT 'icpFilings', submitted_at::text, data FROM icp_filings WHERE account = $1
  UNION ALL
  SELECT 'icpRewarded', account, '{}'::jsonb FROM ledger_entries WHERE kind = 'icp_reward' AND account = $1
  ) AS slice ORDER BY kind, id COLLATE "C"`;

/** The parameters of SECOND_STEP_SQL for a scope. */
export function secondStepParams(scope: SliceScope): unknown[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return [
    scope.account,
    scope.windows.map((w) => iso(w.from)),
    scope.windows.map((w) => iso(w.to)),
    scope.lookback ? iso(scope.lookback.window.from) : null,
    scope.lookback ? iso(scope.lookback.window.to) : null,
    (scope.lookback?.days ?? 0) * 24,
    scope.orders.map((o) => o.toLowerCase()),
    scope.orders,
  ];
}

/** The records this email needs, read in at most two statements. */
export async function readSlice(
  db: Queryable,
  email: ParsedEmail,
  policy: Policy,
): Promise<RecordSlice> {
  const json = emptyJson();
  const keys = lookupKeys(email);
  try {
    if (keys.ids.length > 0 || keys.sender !== null) {
      const { rows } = await db.query<Row>(FIRST_STEP_SQL, [keys.ids, keys.sender]);
      collect(json, rows);
    }
    const scope = sliceScope(email, policy, new RecordIndex(parse(json)));
    if (scope) {
      const { rows } = await db.query<Row>(SECOND_STEP_SQL, secondStepParams(scope));
      collect(json, rows);
    }
  } catch (error) {
    throw asDatabaseError(error);
  }
  return { json, records: parse(json) };
}

/**
 * Runs both statements for nothing (no ids, no account): fails as a read would when the
 * database is away or its schema older than this code, before any email is read.
 */
export async function checkSliceQueries(db: Queryable): Promise<void> {
  try {
    await db.query(FIRST_STEP_SQL, [[], null]);
    await db.query(SECOND_STEP_SQL, ['', [], [], null, null, 0, [], []]);
  } catch (error) {
    throw asDatabaseError(error);
  }
}

interface Row {
  kind: Kind | 'icpRewarded';
  data: Record<string, unknown>;
  id: string;
}

function collect(json: RecordsJson, rows: Row[]): void {
  for (const row of rows) {
    if (row.kind === 'icpRewarded') {
      // Granted by this service: the account reads as rewarded, whatever billing said.
      json.accounts = json.accounts.map((a) =>
        a.id === row.id ? { ...a, icp_rewarded: true } : a,
      );
    } else json[row.kind].push(row.data);
  }
}

/** Validates a slice like a records directory; errors name `database:FILE`. */
export function parse(json: RecordsJson): Records {
  const records = {} as Records;
  for (const kind of KINDS) {
    (records[kind] as unknown) = parseRecordFile(
      kind,
      json[kind],
      `database:${RECORD_FILES[kind]}`,
    );
  }
  return records;
}

/** A slice with nothing in it: an empty list per records file. */
export function emptyJson(): RecordsJson {
  return emptyRecords() as unknown as RecordsJson;
}
