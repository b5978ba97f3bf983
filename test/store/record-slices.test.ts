/**
 * Record slices read from a real PostgreSQL: the same records as the in-memory reference
 * selection (domain/slice.ts selectSlice), with what the service settled itself added.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/domain/assess/engine.ts';
import type { ParsedEmail } from '../../src/domain/email.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { RecordIndex } from '../../src/domain/record-index.ts';
import { RECORD_FILES, type Records } from '../../src/domain/records.ts';
import { selectSlice } from '../../src/domain/slice.ts';
import { loadRecordsDir } from '../../src/files/load.ts';
import { migrate } from '../../src/store/migrate.ts';
import { checkSliceQueries, type Queryable, readSlice } from '../../src/store/record-slices.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { at, contextOf, emailOf, incident } from '../support/builders.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { world } from '../support/slice-world.ts';
import { storeClaim } from '../support/store-claim.ts';

let db: TestDatabase;
let tmp: string;
let all: Records;

const INCIDENTS = [
  incident('INC-1', '2026-03-01T10:00:00+08:00', '2026-03-01T10:30:00+08:00'),
  incident('INC-2', '2026-02-20T10:00:00+08:00', '2026-02-20T10:30:00+08:00', {
    resources: ['ecs-s1'],
    scope: undefined,
  }),
  incident('INC-3', '2026-02-26T09:00:00+08:00', '2026-03-01T11:00:00+08:00', {
    scope: [{ service: 'RDS', region: 'cn-north-1' }],
  }),
  incident('INC-4', '2026-01-29T10:00:00+08:00', '2026-01-29T11:00:00+08:00', {
    cause: 'maintenance',
  }),
  incident('INC-5', '2026-03-01T10:10:00-05:00', '2026-03-01T10:40:00-05:00', {
    scope: [{ service: 'ECS', region: 'us-east-1' }],
  }),
  incident('INC-6', '2025-12-01T10:00:00+08:00', '2025-12-01T10:30:00+08:00'),
  incident('INC-7', '2026-03-01T10:00:00+08:00', '2026-03-01T10:30:00+08:00', {
    resources: ['ecs-o1'],
    scope: undefined,
  }),
  // Touches demo-shop's object storage bucket, which is not a host.
  incident('INC-8', '2026-03-01T09:50:00+08:00', '2026-03-01T10:20:00+08:00', {
    scope: [{ service: 'OSS', region: 'cn-north-1' }],
  }),
];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  tmp = mkdtempSync(join(tmpdir(), 'claim-intake-slices-'));
  const raw = world();
  raw.incidents = INCIDENTS;
  raw.compensations = [
    { account: 'demo-shop', incident: 'INC-2', at: '2026-02-21T10:00:00+08:00' },
  ];
  for (const [kind, file] of Object.entries(RECORD_FILES))
    writeFileSync(join(tmp, file), JSON.stringify(raw[kind as keyof Records] ?? []));
  await importRecordsDir(db.pool, tmp);
  all = await loadRecordsDir(tmp);
});
afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Each list sorted by its key: the database returns rows by key, a directory by position. */
function canonical(records: Records): Records {
  const key = (r: object) => JSON.stringify(r);
  const out = { ...records };
  for (const kind of Object.keys(out) as (keyof Records)[])
    (out[kind] as unknown[]) = [...out[kind]].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return out;
}

const SUBJECTS: readonly [string, ...string[]] = [
  'Compensation - Account: demo-shop; Fault time: 2026-03-01 10:05; Occurrences: 3',
  'Compensation - Account: demo-shop; Fault times: 2026-03-01 10:05, 2026-02-20 10:10; twice',
  'Compensation - Account: demo-shop; Fault time: 2026-03-01; Occurrences: 1',
  'Compensation - Account: NY-Corp; Fault time: 2026-03-01 10:15; Occurrences: 1',
  'Compensation - account DEMO-SHOP Fault time: 2026-03-01T02:05Z x2',
  'Refund - Account: demo-shop; Orders: ORD-1, ORD-3, ORD-2',
  'Refund - ord-4 please, account NY-Corp',
  'ICP license reward - Account: other-co',
  'Complaint about other-co and demo-shop',
  'hello',
];
const SENDERS = ['it@demo-shop.test', 'ops@ny.test', 'Boss@Other.test', 'mallory@evil.test'];

describe('a slice read from PostgreSQL', () => {
  it('holds exactly the records the in-memory selection holds', async () => {
    for (const subject of SUBJECTS) {
      for (const from of SENDERS) {
        const email = emailOf({ subject, from: from.toLowerCase() });
        const { records } = await readSlice(db.pool, email, DEFAULT_POLICY);
        expect(canonical(records), `${subject} from ${from}`).toEqual(
          canonical(selectSlice(all, email, DEFAULT_POLICY)),
        );
      }
    }
  });

  it('gives the engine the decision it makes on all records', async () => {
    const ctx = contextOf();
    for (const subject of SUBJECTS) {
      const email = emailOf({ subject });
      const input = { email, receivedAt: at('2026-03-02T09:00:00+08:00') };
      const { records } = await readSlice(db.pool, email, DEFAULT_POLICY);
      const onSlice = assess(input, { ...ctx, index: new RecordIndex(records) });
      const onAll = assess(input, { ...ctx, index: new RecordIndex(all) });
      expect({ ...onSlice, details: undefined }, subject).toEqual({ ...onAll, details: undefined });
    }
  });

  it('reads at most two statements, and one for an email naming no known account', async () => {
    const counted = async (email: ParsedEmail) => {
      let statements = 0;
      const counting = {
        query: (sql: string, values: unknown[]) => {
          statements++;
          return db.pool.query(sql, values);
        },
      };
      await readSlice(counting as unknown as Queryable, email, DEFAULT_POLICY);
      return statements;
    };
    expect(await counted(emailOf({ subject: SUBJECTS[0] }))).toBe(2);
    expect(await counted(emailOf({ subject: 'Refund - Account: nobody-1; Order: ORD-1' }))).toBe(1);
  });

  it('answers a schema check before any email is read', async () => {
    await expect(checkSliceQueries(db.pool)).resolves.toBeUndefined();
  });
});

describe("the service's own settled history in a slice", () => {
  let claimId: number;
  beforeAll(async () => {
    claimId = await storeClaim(db.pool, 'maildir:/slices', 'Subject: paid\r\n\r\npaid', {
      sourceKey: 'paid-1',
    });
    await db.pool.query(
      `INSERT INTO ledger_entries (claim_id, account, kind, incident, amount, currency, created_at)
       VALUES ($1, 'demo-shop', 'compensation', 'INC-1', '100.00', 'CNY', '2026-03-02T12:00:00+08:00'),
              ($1, 'demo-shop', 'icp_reward', NULL, '100.00', 'CNY', now())`,
      [claimId],
    );
    await db.pool.query(
      `INSERT INTO ledger_entries (claim_id, account, kind, order_id, amount, currency)
       VALUES ($1, 'other-co', 'refund', 'ORD-3', '300.00', 'CNY')`,
      [claimId],
    );
    await db.pool.query(
      `INSERT INTO refund_settlements (claim_id, account, state, lines, amount, currency, submitted_at)
       VALUES ($1, 'other-co', 'completed', $2, '300.00', 'CNY', '2026-03-02T12:00:00+08:00')`,
      [claimId, JSON.stringify([{ order: 'ORD-3', amount: '300.00', deduction: '0' }])],
    );
  });

  it('holds paid incidents as past payouts and a granted reward as icp_rewarded', async () => {
    const email = emailOf({ subject: SUBJECTS[0] });
    const { records, json } = await readSlice(db.pool, email, DEFAULT_POLICY);
    expect(records.compensations.map((c) => [c.incident, c.at])).toEqual([
      ['INC-1', at('2026-03-02T12:00:00+08:00')],
      ['INC-2', at('2026-02-21T10:00:00+08:00')],
    ]);
    expect(records.accounts.find((a) => a.id === 'demo-shop')?.icpRewarded).toBe(true);
    expect(json.accounts.find((a) => a.id === 'demo-shop')?.icp_rewarded).toBe(true);
  });

  it("holds a refund settled for an order, asked about from another account's email", async () => {
    const email = emailOf({ subject: 'Refund - Account: demo-shop; Order: ORD-3' });
    const { records } = await readSlice(db.pool, email, DEFAULT_POLICY);
    expect(records.refunds).toContainEqual({
      id: `claim-${claimId}`,
      account: 'other-co',
      at: at('2026-03-02T12:00:00+08:00'),
      orders: ['ORD-3'],
    });
  });
});
