import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClaimDetail } from '../../src/review/detail.ts';
import { listReviewQueue, queueChoices } from '../../src/review/queue.ts';
import { createFixture, type Fixture, MAILBOX } from './review-fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
}, 60_000);
afterAll(async () => {
  await f?.db.drop();
});

const ids = async (
  ...args: Parameters<typeof listReviewQueue> extends [unknown, ...infer R] ? R : never
) => (await listReviewQueue(f.db.pool, ...args)).items.map((i) => i.id);

describe('review queue', () => {
  it('lists only claims in review, oldest first, with subject and sender from the raw message', async () => {
    const q = await listReviewQueue(f.db.pool, {}, 'oldest', { limit: 10 });
    expect(q.items.map((i) => i.id)).toEqual([f.ids.a, f.ids.b, f.ids.c, f.ids.d]);
    expect(q.total).toBe(4);
    const a = q.items[0]!;
    expect(a.ref).toBe(`CLM-${String(f.ids.a).padStart(6, '0')}`);
    expect(a.subject).toContain('Compensation claim');
    expect(a.from).toBe('it@demo-shop.test');
    expect(a.amount).toBe('6000.00'); // with the currency's minor digits, not the column's four
    expect(a.mailbox).toBe(MAILBOX);
    expect(a.ageMinutes).toBeGreaterThanOrEqual(119);
    expect(q.nextCursor).toBeNull();
  });

  it('counts claims per reason', async () => {
    const q = await listReviewQueue(f.db.pool, {}, 'oldest', {});
    expect(q.countsByReason).toEqual({
      amount_over_review_limit: 1,
      count_mismatch: 2,
      fields_outside_subject: 1,
      sender_unauthenticated: 1,
    });
  });

  it('sorts by priority: VIP first, then the larger amount, then the oldest', async () => {
    expect(await ids({}, 'priority', {})).toEqual([f.ids.c, f.ids.a, f.ids.b, f.ids.d]);
  });

  it('filters by reason, keeping the reason counts of the other filters', async () => {
    const q = await listReviewQueue(f.db.pool, { reasons: ['count_mismatch'] }, 'oldest', {});
    expect(q.items.map((i) => i.id)).toEqual([f.ids.b, f.ids.d]);
    expect(q.total).toBe(2);
    expect(q.countsByReason.amount_over_review_limit).toBe(1);
  });

  it('filters by type, VIP, age, amount, mailbox and assignee', async () => {
    expect(await ids({ type: 'refund' }, 'oldest', {})).toEqual([f.ids.d]);
    expect(await ids({ vip: true }, 'oldest', {})).toEqual([f.ids.c]);
    expect(await ids({ minAgeMinutes: 45 }, 'oldest', {})).toEqual([f.ids.a, f.ids.b]);
    expect(await ids({ maxAgeMinutes: 45 }, 'oldest', {})).toEqual([f.ids.c, f.ids.d]);
    expect(await ids({ minAmount: '100', maxAmount: '5000' }, 'oldest', {})).not.toContain(f.ids.a);
    expect(await ids({ maxAmount: '60' }, 'oldest', {})).toEqual([f.ids.d]);
    expect(await ids({ mailbox: 'maildir:/elsewhere' }, 'oldest', {})).toEqual([]);
    expect(await ids({ assignee: null }, 'oldest', {})).toHaveLength(4);
    expect(await ids({ assignee: 'agent:x@cloud.example' }, 'oldest', {})).toEqual([]);
  });

  it('pages with a cursor and with an offset', async () => {
    const first = await listReviewQueue(f.db.pool, {}, 'priority', { limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([f.ids.c, f.ids.a]);
    expect(first.total).toBe(4);
    const second = await listReviewQueue(f.db.pool, {}, 'priority', {
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((i) => i.id)).toEqual([f.ids.b, f.ids.d]);
    expect(second.nextCursor).toBeNull();
    expect(await ids({}, 'oldest', { limit: 2, offset: 2 })).toEqual([f.ids.c, f.ids.d]);
  });

  it('offers every registered mailbox, and enabled agents and admins and current assignees', async () => {
    await f.db.pool.query(
      `INSERT INTO users (email, role, password_hash, disabled) VALUES
         ('agent@q.test', 'agent', 'x', false), ('ops@q.test', 'ops', 'x', false),
         ('gone@q.test', 'agent', 'x', true)`,
    );
    await f.db.pool.query('UPDATE claims SET assignee = $2 WHERE id = $1', [
      f.ids.d,
      'temp@q.test',
    ]);
    try {
      const choices = await queueChoices(f.db.pool);
      expect(choices.mailboxes).toEqual([MAILBOX]);
      expect(choices.assignees).toEqual(['agent@q.test', 'temp@q.test']);
    } finally {
      await f.db.pool.query('UPDATE claims SET assignee = NULL WHERE id = $1', [f.ids.d]);
      await f.db.pool.query(`DELETE FROM users WHERE email LIKE '%@q.test'`);
    }
  });

  it('refuses a page over 100 and a damaged cursor', async () => {
    await expect(listReviewQueue(f.db.pool, {}, 'oldest', { limit: 101 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(listReviewQueue(f.db.pool, {}, 'oldest', { cursor: 'xx' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});

describe('claim detail', () => {
  it('shows the email, sources, matched incidents, computation, reasons, thread and audit', async () => {
    const d = await getClaimDetail(f.db.pool, f.ids.a);
    expect(d.state).toBe('review');
    expect(d.email.subject).toContain('Compensation claim');
    expect(d.email.from).toBe('it@demo-shop.test');
    expect(d.email.text.length).toBeGreaterThan(0);
    expect(d.sources.account).toBe('subject');
    expect(d.incidents.map((i) => i.id)).toEqual(['INC-9001']);
    expect(d.compensation.length).toBeGreaterThan(0);
    expect(d.reasons).toEqual([
      {
        code: 'amount_over_review_limit',
        text: 'The amount is above the limit for automatic payment.',
        items: [],
      },
    ]);
    expect(d.thread).toHaveLength(1);
    expect(d.thread[0]!.direction).toBe('customer');
    expect(d.audit.map((e) => e.action)).toEqual(['message.stored', 'claim.assessed']);
    expect(d.ledger).toEqual([]);
    expect(d.version).toBe(1);
  });

  it('lists a refund claim’s orders', async () => {
    const d = await getClaimDetail(f.db.pool, f.ids.d);
    expect(d.orders.map((o) => o.id)).toEqual(['CS2603020001']);
    expect(d.refund.map((r) => r.order)).toEqual(['CS2603020001']);
  });

  it('is not_found for an unknown claim', async () => {
    await expect(getClaimDetail(f.db.pool, 999_999)).rejects.toMatchObject({ code: 'not_found' });
  });
});
