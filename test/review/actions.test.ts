import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { approve, assign, reject, requestInfo } from '../../src/review/actions.ts';
import { previewReply } from '../../src/review/preview.ts';
import { createFixture, type Fixture, RecordingProducer, versionOf } from './review-fixture.ts';

let f: Fixture;
let templates: ReplyTemplates;
beforeAll(async () => {
  f = await createFixture();
  templates = await ReplyTemplates.load();
}, 60_000);
afterAll(async () => {
  await f?.db.drop();
});

const ALICE = 'agent:alice@cloud.example';
const BOB = 'agent:bob@cloud.example';

async function auditOf(id: number) {
  const { rows } = await f.db.pool.query<{
    actor: string;
    action: string;
    details: Record<string, unknown>;
  }>(
    `SELECT actor, action, details FROM audit_log WHERE claim_id = $1 AND action LIKE 'review.%' ORDER BY id`,
    [id],
  );
  return rows;
}

describe('reply preview', () => {
  it('renders the approval in Chinese for a Chinese email, with the amount, saving nothing', async () => {
    const before = await versionOf(f.db, f.ids.b);
    const p = await previewReply(f.db.pool, templates, f.ids.b, { decision: 'approved' });
    expect(p.lang).toBe('zh');
    expect(p.text).toContain('100.00');
    expect(p.text).toMatch(/[\u4e00-\u9fff]/);
    expect(p.subject).toContain(`CLM-${String(f.ids.b).padStart(6, '0')}`);
    expect(await versionOf(f.db, f.ids.b)).toBe(before);
  });

  it('renders a rejection with the reasons in plain words', async () => {
    const p = await previewReply(f.db.pool, templates, f.ids.a, {
      decision: 'rejected',
      reasons: ['late_claim'],
    });
    expect(p.lang).toBe('en');
    expect(p.text).toContain('after the deadline: claims must arrive within seven working days');
  });
});

describe('agent actions', () => {
  it('an edited amount needs a note; then the claim is approved, audited and sent to settlement', async () => {
    const producer = new RecordingProducer();
    const v = await versionOf(f.db, f.ids.a);
    await expect(
      approve(f.db.pool, producer, {
        claimId: f.ids.a,
        expectedVersion: v,
        actor: ALICE,
        amount: '80.00',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      approve(f.db.pool, producer, {
        claimId: f.ids.a,
        expectedVersion: v,
        actor: ALICE,
        amount: '80.001',
        note: 'three decimals',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    const done = await approve(f.db.pool, producer, {
      claimId: f.ids.a,
      expectedVersion: v,
      actor: ALICE,
      amount: '80',
      note: 'goodwill: partial outage only',
    });
    expect(done.version).toBe(v + 1);
    const { rows } = await f.db.pool.query(
      'SELECT state, decision, amount::text AS amount, assessment FROM claims WHERE id = $1',
      [f.ids.a],
    );
    expect(rows[0]).toMatchObject({ state: 'assessed', decision: 'approved', amount: '80.0000' });
    expect(rows[0].assessment.amount).toBe('80.00');
    expect(rows[0].assessment.agent).toMatchObject({
      actor: ALICE,
      note: 'goodwill: partial outage only',
      originalAmount: '100.00',
    });
    expect(producer.calls).toEqual([
      { queue: 'settle', items: [{ claimId: f.ids.a, version: v + 1, vip: false }] },
    ]);
    const audit = await auditOf(f.ids.a);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: ALICE, action: 'review.approve' });
    expect(audit[0]!.details).toMatchObject({
      note: 'goodwill: partial outage only',
      amount: '80.00',
    });
  });

  it('of two agents deciding the same claim, the second gets version_conflict', async () => {
    const producer = new RecordingProducer();
    const v = await versionOf(f.db, f.ids.b);
    await approve(f.db.pool, producer, { claimId: f.ids.b, expectedVersion: v, actor: ALICE });
    await expect(
      reject(f.db.pool, producer, {
        claimId: f.ids.b,
        expectedVersion: v,
        actor: BOB,
        reasons: ['late_claim'],
      }),
    ).rejects.toMatchObject({ code: 'version_conflict' });
    expect(producer.calls).toHaveLength(1);
    expect((await auditOf(f.ids.b)).map((a) => a.actor)).toEqual([ALICE]);
  });

  it('only one of two concurrent decisions wins', async () => {
    const producer = new RecordingProducer();
    const v = await versionOf(f.db, f.ids.c);
    const results = await Promise.allSettled([
      requestInfo(f.db.pool, producer, {
        claimId: f.ids.c,
        expectedVersion: v,
        actor: ALICE,
        missing: ['missing_account'],
      }),
      reject(f.db.pool, producer, {
        claimId: f.ids.c,
        expectedVersion: v,
        actor: BOB,
        reasons: ['filing_not_found'],
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(producer.calls).toEqual([
      { queue: 'reply', items: [{ claimId: f.ids.c, version: v + 1, vip: true }] },
    ]);
    expect(await auditOf(f.ids.c)).toHaveLength(1);
  });

  it('a rejection needs known reasons, replaces the reasons and goes to the reply stage', async () => {
    const producer = new RecordingProducer();
    const v = await versionOf(f.db, f.ids.d);
    await expect(
      reject(f.db.pool, producer, {
        claimId: f.ids.d,
        expectedVersion: v,
        actor: BOB,
        reasons: ['nope'],
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    const done = await reject(f.db.pool, producer, {
      claimId: f.ids.d,
      expectedVersion: v,
      actor: BOB,
      reasons: ['refund_window_expired'],
      note: 'bought in January',
    });
    const { rows } = await f.db.pool.query(
      'SELECT state, decision, reasons FROM claims WHERE id = $1',
      [f.ids.d],
    );
    expect(rows[0]).toEqual({
      state: 'assessed',
      decision: 'rejected',
      reasons: ['refund_window_expired'],
    });
    expect(producer.calls).toEqual([
      { queue: 'reply', items: [{ claimId: f.ids.d, version: done.version, vip: false }] },
    ]);
    expect((await auditOf(f.ids.d))[0]).toMatchObject({ action: 'review.reject', actor: BOB });
  });

  it('a claim no longer in review cannot be decided', async () => {
    const producer = new RecordingProducer();
    const v = await versionOf(f.db, f.ids.late);
    await expect(
      approve(f.db.pool, producer, { claimId: f.ids.late, expectedVersion: v, actor: ALICE }),
    ).rejects.toMatchObject({ code: 'not_reviewable' });
    await expect(
      approve(f.db.pool, producer, { claimId: 999_999, expectedVersion: 1, actor: ALICE }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(producer.calls).toEqual([]);
  });

  it('assigning is audited and changes no version', async () => {
    // Who works on a claim is not tied to its state: the decided 'late' claim serves.
    const id = f.ids.late;
    const v = await versionOf(f.db, id);
    await assign(f.db.pool, { claimId: id, assignee: ALICE, actor: ALICE });
    expect(await versionOf(f.db, id)).toBe(v);
    expect((await auditOf(id)).at(-1)).toMatchObject({
      action: 'review.assign',
      details: { assignee: ALICE, previous: null },
    });
    await expect(
      assign(f.db.pool, { claimId: 999_999, assignee: null, actor: ALICE }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
