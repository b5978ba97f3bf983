/**
 * What an approved claim pays, written once: ledger entries (the unique indexes of migration
 * 002 refuse a second credit per incident and account, per refunded order, per ICP account)
 * and a refund's steps with its receipt. All of a claim's payment or none of it.
 */
import type pg from 'pg';
import type { LedgerEntry } from '../domain/settle/entries.ts';
import { auditInsert } from './audit-log.ts';
import { withTransaction } from './database.ts';

/** A refund's settlement row: its lines, the deduction (exact, 4 places) and the receipt. */
export interface RefundSettlement {
  lines: unknown;
  deduction: string;
  receiptNo: string;
}

export interface Payment {
  claimId: number;
  account: string;
  amount: string;
  currency: string;
  entries: LedgerEntry[];
  refund?: RefundSettlement;
}

/**
 * Writes the payment, or nothing when any part of it was paid already (by another claim):
 * then `skipped` names what was, and nothing of this claim stays written. The caller's
 * transaction keeps whatever it did before.
 */
export async function payOnce(
  client: pg.PoolClient,
  p: Payment,
): Promise<{ written: number; skipped: string[] }> {
  await client.query('SAVEPOINT pay_once');
  if (p.refund) await recordRefundSteps(client, p);
  const { rows } = await client.query<{
    kind: string;
    incident: string | null;
    order_id: string | null;
  }>(
    `INSERT INTO ledger_entries (claim_id, account, kind, incident, order_id, amount, currency, details, credit_by, valid_until)
     SELECT $1, $2, kind, incident, order_id, amount, $3, details, credit_by, valid_until
       FROM unnest($4::text[], $5::text[], $6::text[], $7::numeric[], $8::jsonb[], $9::timestamptz[],
                   $10::timestamptz[]) WITH ORDINALITY
            AS e(kind, incident, order_id, amount, details, credit_by, valid_until, n)
      ORDER BY n
     ON CONFLICT DO NOTHING
     RETURNING kind, incident, order_id`,
    [
      p.claimId,
      p.account,
      p.currency,
      p.entries.map((e) => e.kind),
      p.entries.map((e) => e.incident ?? null),
      p.entries.map((e) => e.order ?? null),
      p.entries.map((e) => e.amount),
      p.entries.map((e) => JSON.stringify(e.details)),
      p.entries.map((e) => e.creditBy ?? null),
      p.entries.map((e) => e.validUntil ?? null),
    ],
  );
  const written = new Set(rows.map((r) => entryKey(r.kind, r.incident, r.order_id)));
  const skipped = p.entries
    .filter((e) => !written.has(entryKey(e.kind, e.incident ?? null, e.order ?? null)))
    .map((e) => e.incident ?? e.order ?? e.kind);
  // Everything this claim pays, or nothing.
  if (skipped.length > 0) await client.query('ROLLBACK TO SAVEPOINT pay_once');
  else await client.query('RELEASE SAVEPOINT pay_once');
  return { written: skipped.length > 0 ? 0 : written.size, skipped };
}

function entryKey(kind: string, incident: string | null, order: string | null): string {
  return JSON.stringify([kind, incident, order]);
}

/**
 * The refund's steps: submitted → confirmed → receipt generated → completed, each with its
 * time (the transaction's) and an audit entry from 'confirmed' on. One statement.
 */
async function recordRefundSteps(client: pg.PoolClient, p: Payment): Promise<void> {
  const refund = p.refund!;
  await client.query(
    `WITH settlement AS (
       INSERT INTO refund_settlements (claim_id, account, state, lines, deduction, amount, currency,
                                       confirmed_at, receipt_at, receipt_no, completed_at)
       VALUES ($1, $2, 'completed', $3, $4, $5, $6, now(), now(), $7, now())
       ON CONFLICT (claim_id) DO UPDATE
          SET state = 'completed', confirmed_at = now(), receipt_at = now(),
              receipt_no = EXCLUDED.receipt_no, completed_at = now()
     )
     ${auditInsert(
       `SELECT 'system:settle', 'refund.step', $1::bigint, NULL::bigint, step
          FROM unnest($8::jsonb[]) WITH ORDINALITY AS s(step, n) ORDER BY n`,
     )}`,
    [
      p.claimId,
      p.account,
      JSON.stringify(refund.lines),
      refund.deduction,
      p.amount,
      p.currency,
      refund.receiptNo,
      [
        { step: 'confirmed' },
        { step: 'receipt_generated', receipt_no: refund.receiptNo },
        { step: 'completed' },
      ].map((s) => JSON.stringify(s)),
    ],
  );
}

/** The columns of the billing export, in its order (the CSV header). */
export const LEDGER_EXPORT_COLUMNS = [
  'id',
  'claim_id',
  'account',
  'kind',
  'incident',
  'order_id',
  'amount',
  'currency',
  'credit_by',
  'valid_until',
  'created_at',
  'details',
] as const;

/** A ledger entry as the export reads it (bigints and numeric as pg gives them). */
export interface LedgerExportRow {
  id: string;
  claim_id: string;
  account: string;
  kind: string;
  incident: string | null;
  order_id: string | null;
  amount: string;
  currency: string;
  credit_by: Date | null;
  valid_until: Date | null;
  created_at: Date;
  details: unknown;
}

/**
 * The billing export's entries in id order: those not exported before, marked exported in
 * the same transaction (rows locked FOR UPDATE) so each reaches billing once; with `all`,
 * every entry, locked but not marked.
 */
export async function exportLedgerEntries(
  pool: pg.Pool,
  options: { all: boolean },
): Promise<LedgerExportRow[]> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<LedgerExportRow>(
      `SELECT ${LEDGER_EXPORT_COLUMNS.join(', ')} FROM ledger_entries ${options.all ? '' : 'WHERE exported_at IS NULL'}
        ORDER BY id FOR UPDATE`,
    );
    if (!options.all && rows.length > 0) {
      await client.query(
        'UPDATE ledger_entries SET exported_at = now() WHERE id = ANY($1::bigint[])',
        [rows.map((r) => r.id)],
      );
    }
    return rows;
  });
}
