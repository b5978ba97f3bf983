/**
 * A migrated database with the example records and example emails stored and assessed by
 * the real assessment stage, four of them then put in review the way the engine or a later
 * stage does, with receipt times relative to now so ages can be filtered on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCalendarFile, loadPolicyFile } from '../../src/files/load.ts';
import { assessClaim } from '../../src/pipeline/assess-claim.ts';
import type { QueueName, WorkItem } from '../../src/pipeline/queues.ts';
import { type EngineSettings, saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { ensureMailbox } from '../../src/store/messages-store.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

export const MAILBOX = 'maildir:/srv/review-test';
const EXAMPLES = join(REPO_ROOT, 'examples');

export interface Fixture {
  db: TestDatabase;
  /** Claim ids by name: a (compensation, 120 min old, 6000.00), b (Chinese, 60 min,
   * 100.00), c (VIP ICP reward, 30 min), d (refund, 10 min, 50.00); late: not in review. */
  ids: Record<'a' | 'b' | 'c' | 'd' | 'late', number>;
}

/** A hand-written producer that records what was enqueued. */
export class RecordingProducer {
  readonly calls: { queue: QueueName; items: WorkItem[] }[] = [];
  async add(queue: QueueName, items: WorkItem[]): Promise<void> {
    this.calls.push({ queue, items });
  }
}

/** The examples' policy and calendar, stored as the worker stores them. */
async function engineSettings(db: TestDatabase): Promise<EngineSettings> {
  return saveEngineSettings(
    db.pool,
    await loadPolicyFile(join(EXAMPLES, 'policy.json')),
    await loadCalendarFile(join(EXAMPLES, 'calendar.json')),
  );
}

async function storeAndAssess(
  db: TestDatabase,
  ctx: EngineSettings,
  file: string,
  received: string,
): Promise<number> {
  const raw = readFileSync(join(EXAMPLES, 'emails', file));
  const id = await storeClaim(db.pool, MAILBOX, raw, {
    sourceKey: file,
    received: new Date(received),
  });
  await assessClaim(db.pool, id, ctx);
  return id;
}

export async function createFixture(): Promise<Fixture> {
  const db = await createTestDatabase();
  await migrate(db.pool);
  await importRecordsDir(db.pool, join(EXAMPLES, 'records'));
  await ensureMailbox(db.pool, MAILBOX);
  const ctx = await engineSettings(db);
  const at = '2026-03-04T09:00:00+08:00';
  const ids = {
    a: await storeAndAssess(db, ctx, 'compensation-approved.eml', at),
    b: await storeAndAssess(db, ctx, 'compensation-chinese.eml', at),
    c: await storeAndAssess(db, ctx, 'icp-reward-vip.eml', at),
    d: await storeAndAssess(db, ctx, 'refund-approved.eml', at),
    late: await storeAndAssess(db, ctx, 'compensation-late.eml', '2026-03-12T09:00:00+08:00'),
  };
  const toReview = async (id: number, reasons: string[], ageMinutes: number, amount?: string) => {
    await db.pool.query(
      `UPDATE claims SET state = 'review', decision = 'review', reasons = $2,
              received_at = now() - make_interval(mins => $3), amount = COALESCE($4::numeric, amount)
        WHERE id = $1`,
      [id, reasons, ageMinutes, amount ?? null],
    );
  };
  await toReview(ids.a, ['amount_over_review_limit'], 120, '6000.00');
  await toReview(ids.b, ['count_mismatch'], 60);
  await toReview(ids.c, ['sender_unauthenticated'], 30);
  await toReview(ids.d, ['count_mismatch', 'fields_outside_subject'], 10, '50.00');
  return { db, ids };
}

export async function versionOf(db: TestDatabase, id: number): Promise<number> {
  const { rows } = await db.pool.query<{ version: number }>(
    'SELECT version FROM claims WHERE id = $1',
    [id],
  );
  return rows[0]!.version;
}
