/**
 * How each kind of record is stored: its table, the columns derived from the parsed record
 * besides `data` (the record's contract JSON as given), and the key an upsert conflicts on.
 * Migration 007 says what the derived columns mean; import fills them from here.
 */
import { createHash } from 'node:crypto';
import type { RecordKind, Records, RefundRequest } from '../domain/records.ts';

type Kind = RecordKind;
export type ColumnType = 'text' | 'timestamptz' | 'text[]';
export type ColumnValue = string | string[];

export interface TableSpec<K extends Kind> {
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

export const TABLES: { [K in Kind]: TableSpec<K> } = {
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

/** An incident scope entry as stored in `incidents.scopes`: service, U+001F, region. */
export function scopeKey(service: string, region: string): string {
  return `${service}\u001f${region}`;
}

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

/** Every table `import` fills, one per records file. */
export const RECORD_TABLES: readonly string[] = Object.values(TABLES).map((t) => t.table);
