/** What we paid ourselves reaches the engine as history, so it is not approved twice. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordIndex } from '../../src/domain/record-index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir, loadRecordsFromDb } from '../../src/store/records-store.ts';
import { withSettledHistory } from '../../src/store/settled-history.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

let db: TestDatabase;
let claimId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  await importRecordsDir(db.pool, join(REPO_ROOT, 'examples/records'));
  claimId = await storeClaim(db.pool, 'maildir:/tmp/h', 'Subject: x\r\n\r\nbody', {
    sourceKey: 'h1',
  });
  await db.pool.query(
    `INSERT INTO ledger_entries (claim_id, account, kind, incident, amount, currency) VALUES ($1, 'demo-shop', 'compensation', 'INC-9001', '100', 'CNY');
     `,
    [claimId],
  );
  await db.pool.query(
    `INSERT INTO ledger_entries (claim_id, account, kind, amount, currency) VALUES ($1, 'star-vip', 'icp_reward', '200', 'CNY')`,
    [claimId],
  );
  await db.pool.query(
    `INSERT INTO refund_settlements (claim_id, account, state, lines, amount, currency)
     VALUES ($1, 'demo-shop', 'completed', '[{"order":"CS2603020001","amount":"199.00","deduction":"0"}]', '199', 'CNY')`,
    [claimId],
  );
});
afterAll(async () => {
  await db.drop();
});

describe('the engine sees what this service has paid', () => {
  it('paid incidents, refunded orders and granted rewards count as history', async () => {
    const index = new RecordIndex(
      await withSettledHistory(db.pool, await loadRecordsFromDb(db.pool)),
    );
    expect(index.isCompensated('demo-shop', 'INC-9001')).toBe(true);
    expect(index.isCompensated('demo-shop', 'INC-9003')).toBe(false);
    expect(index.wasRefundRequested('CS2603020001')).toBe(true);
    expect(index.refundRequestsOf('demo-shop')).toHaveLength(1);
    expect(index.account('star-vip')?.icpRewarded).toBe(true);
    expect(index.account('demo-shop')?.icpRewarded).toBe(false);
  });
});
