/**
 * `claim-intake ledger [--format jsonl|csv] [--all]`: the billing export. Prints the ledger
 * entries not exported before and marks them exported in the same transaction, so each
 * entry reaches billing once; `--all` reprints everything without marking. Amounts are
 * decimal strings in the account's currency.
 */
import { parseArgs } from 'node:util';
import { formatMinor, minorDigitsOf, parseDecimal, toMinor } from '../domain/money.ts';
import { createPool } from '../store/database.ts';
import {
  exportLedgerEntries,
  LEDGER_EXPORT_COLUMNS,
  type LedgerExportRow,
} from '../store/ledger-store.ts';
import { databaseFailureLine, readDatabaseUrl } from './database-url.ts';
import type { Io } from './main.ts';

const COLUMNS = LEDGER_EXPORT_COLUMNS;
type Row = LedgerExportRow;

export async function runLedger(argv: string[], io: Io): Promise<number> {
  let values: { format?: string; all?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string', default: 'jsonl' },
        all: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr(`claim-intake ledger: ${(error as Error).message}`);
    return 2;
  }
  if (values.format !== 'jsonl' && values.format !== 'csv') {
    io.stderr('claim-intake ledger: --format must be jsonl or csv');
    return 2;
  }
  let url: string;
  try {
    url = readDatabaseUrl();
  } catch (error) {
    io.stderr(`claim-intake ledger: ${(error as Error).message}`);
    return 2;
  }
  const pool = createPool(url, { max: 1 });
  try {
    const rows = await exportLedgerEntries(pool, { all: values.all === true });
    if (values.format === 'csv') io.stdout(COLUMNS.join(','));
    for (const row of rows) {
      const record = toRecord(row);
      io.stdout(
        values.format === 'csv'
          ? COLUMNS.map((c) => csv(record[c])).join(',')
          : JSON.stringify(record),
      );
    }
    return 0;
  } catch (error) {
    const line = databaseFailureLine(error, url);
    if (line === undefined) throw error;
    io.stderr(`claim-intake ledger: ${line}`);
    return 1;
  } finally {
    await pool.end();
  }
}

function toRecord(row: Row): Record<(typeof COLUMNS)[number], unknown> {
  const digits = minorDigitsOf(row.currency);
  return {
    id: Number(row.id),
    claim_id: Number(row.claim_id),
    account: row.account,
    kind: row.kind,
    incident: row.incident,
    order_id: row.order_id,
    // numeric(20,4) comes back as a string: reprint it with the currency's minor digits.
    amount: formatMinor(toMinor(parseDecimal(row.amount)!, digits), digits),
    currency: row.currency,
    credit_by: row.credit_by?.toISOString() ?? null,
    valid_until: row.valid_until?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    details: row.details,
  };
}

/** RFC 4180 quoting; formulas are defused so a spreadsheet never runs a cell. */
function csv(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
