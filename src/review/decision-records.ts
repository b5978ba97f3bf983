/**
 * The platform records a claim's decision read, for the claim page: the record slice stored
 * with its latest assessment (claim_assessments), so an agent sees what the engine saw even
 * after billing or the incident feed changed the records since. Claims assessed before
 * slices were stored have none; for them the matched incidents and orders are read from the
 * records as they are now, and the detail says so.
 */
import type pg from 'pg';
import type { Assessment } from '../domain/assess/types.ts';
import { emptyJson, type RecordsJson } from '../store/record-slices.ts';
import { currentRecordsById, latestAssessmentSlice } from '../store/review-store.ts';

/** 'assessment': the slice stored with the decision; 'current': the records tables now. */
export type RecordsSource = 'assessment' | 'current';

export interface DecisionRecords {
  source: RecordsSource;
  /** The decision version the slice was stored with (claims.version); null for 'current'. */
  version: number | null;
  /** When that assessment was made; null for 'current'. */
  assessedAt: string | null;
  /** Every record of the slice, each kind as its records file's JSON. */
  records: RecordsJson;
  /** The incidents the decision matched, and the orders it names, as found in `records`. */
  incidents: { id: string; data: unknown }[];
  orders: { id: string; data: unknown }[];
}

export async function decisionRecords(
  pool: pg.Pool,
  claimId: number,
  a: Assessment | null,
): Promise<DecisionRecords> {
  const incidentIds = [
    ...new Set([...(a?.incidents ?? []), ...(a?.details.matchedIncidents ?? [])]),
  ];
  const orderIds = a?.orders ?? [];
  const row = await latestAssessmentSlice(pool, claimId);
  if (row) {
    // A slice stored by an older build may lack a kind added since: it read none of it.
    const records = { ...emptyJson(), ...row.slice };
    return {
      source: 'assessment',
      version: row.version,
      assessedAt: row.created_at.toISOString(),
      records,
      incidents: pick(records.incidents, incidentIds),
      orders: pick(records.orders, orderIds),
    };
  }
  const [incidents, orders] = await Promise.all([
    current(pool, 'incidents', incidentIds),
    current(pool, 'orders', orderIds),
  ]);
  return {
    source: 'current',
    version: null,
    assessedAt: null,
    records: {
      ...emptyJson(),
      incidents: incidents.map((r) => r.data as Record<string, unknown>),
      orders: orders.map((r) => r.data as Record<string, unknown>),
    },
    incidents,
    orders,
  };
}

/**
 * The records among `list` with one of `ids`, by id order. Ids compare case-insensitively,
 * as the slice's look-ups do (an email may write an order id in capitals).
 */
function pick(list: Record<string, unknown>[], ids: string[]): { id: string; data: unknown }[] {
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  return list
    .filter((r) => typeof r.id === 'string' && wanted.has(r.id.toLowerCase()))
    .map((r) => ({ id: r.id as string, data: r }))
    .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

async function current(
  pool: pg.Pool,
  table: 'incidents' | 'orders',
  ids: string[],
): Promise<{ id: string; data: unknown }[]> {
  if (ids.length === 0) return [];
  return currentRecordsById(pool, table, ids);
}
