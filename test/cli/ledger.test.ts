/** `claim-intake ledger` exports each entry once, as JSON Lines or CSV. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.ts';
import { jsonLines, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  const claimId = await storeClaim(db.pool, 'maildir:/tmp/x', 'Subject: x\r\n\r\nbody', {
    sourceKey: 'k1',
  });
  await db.pool.query(
    `INSERT INTO ledger_entries (claim_id, account, kind, incident, amount, currency, details)
     VALUES ($1, 'demo-shop', 'compensation', 'INC-1', '100.5', 'CNY', '{"note":"=cmd"}'),
            ($1, 'jp-shop', 'compensation', 'INC-2', '1234', 'JPY', '{}')`,
    [claimId],
  );
});
afterAll(async () => {
  await db.drop();
});

describe('the billing export', () => {
  it('prints each entry once, with the currency’s minor digits, then nothing', async () => {
    const first = await runCli(['ledger'], { env: { DATABASE_URL: db.url } });
    expect(first.code).toBe(0);
    const lines = jsonLines(first.stdout);
    expect(lines.map((l) => [l.account, l.amount, l.currency])).toEqual([
      ['demo-shop', '100.50', 'CNY'],
      ['jp-shop', '1234', 'JPY'],
    ]);
    const second = await runCli(['ledger'], { env: { DATABASE_URL: db.url } });
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('');
  });

  it('--all --format csv reprints everything as CSV with a header', async () => {
    const r = await runCli(['ledger', '--all', '--format', 'csv'], {
      env: { DATABASE_URL: db.url },
    });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'id,claim_id,account,kind,incident,order_id,amount,currency,credit_by,valid_until,created_at,details',
    );
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain(',100.50,CNY,');
  });

  it('rejects an unknown format', async () => {
    const r = await runCli(['ledger', '--format', 'xml'], { env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(2);
  });
});
