/** What we paid ourselves reaches the engine as history, so it is not approved twice. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { RecordIndex } from '../../src/domain/record-index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { readSlice } from '../../src/store/record-slices.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { emailOf } from '../support/builders.ts';
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

/** The records an email's assessment reads (store/record-slices.ts), as the engine indexes them. */
async function sliceFor(subject: string): Promise<RecordIndex> {
  const email = emailOf({ subject });
  return new RecordIndex((await readSlice(db.pool, email, DEFAULT_POLICY)).records);
}

describe('the engine sees what this service has paid', () => {
  it('paid incidents, refunded orders and granted rewards count as history', async () => {
    const claim = await sliceFor(
      'Compensation - Account: demo-shop; Fault times: 2026-03-02 10:05, 2026-03-02 14:05; twice',
    );
    expect(claim.isCompensated('demo-shop', 'INC-9001')).toBe(true);
    expect(claim.isCompensated('demo-shop', 'INC-9003')).toBe(false);
    const refund = await sliceFor('Refund - Account: demo-shop; Order: CS2603020001');
    expect(refund.wasRefundRequested('CS2603020001')).toBe(true);
    expect(refund.refundRequestsOf('demo-shop')).toHaveLength(1);
    expect(
      (await sliceFor('ICP reward - Account: star-vip')).account('star-vip')?.icpRewarded,
    ).toBe(true);
    expect(refund.account('demo-shop')?.icpRewarded).toBe(false);
  });
});
