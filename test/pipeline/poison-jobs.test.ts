/**
 * Issue #11, "Poison jobs", against the running service: a stage that fails the same way
 * STAGE_MAX_FAILURES times hands its claim to an agent (`stage_failed`, the error in the
 * audit trail), and the sweeps never run it again. A permanent error does so at once.
 * The faults are real: CHECK constraints the database enforces on the ledger and replies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { jobId, PipelineProducer, type QueueName } from '../../src/pipeline/queues.ts';
import { createSweep } from '../../src/pipeline/sweeps.ts';
import { createHarness, EXAMPLES, type Harness, mail, uniqueId } from './pipeline-harness.ts';

const MAX_FAILURES = 3;

let h: Harness;
let producer: PipelineProducer;

beforeAll(async () => {
  h = await createHarness({
    env: { STAGE_MAX_FAILURES: String(MAX_FAILURES), REPLY_LIMIT_PER_SENDER: '100' },
  });
  // Billing refuses every credit to demo-shop, and the reply store every rejection: each
  // attempt of those stages fails the same way, as a bad row or a broken table would.
  await h.db.pool.query(
    `ALTER TABLE ledger_entries ADD CONSTRAINT test_billing_refuses CHECK (account <> 'demo-shop') NOT VALID`,
  );
  await h.db.pool.query(
    `ALTER TABLE replies ADD CONSTRAINT test_refuses_rejections CHECK (kind <> 'rejected') NOT VALID`,
  );
  await h.start();
  producer = new PipelineProducer({ url: h.redis.url, prefix: h.redis.prefix });
});
afterAll(async () => {
  await producer?.close();
  await h?.cleanup();
});

async function failureAudit(claimId: number) {
  const { rows } = await h.db.pool.query<{ actor: string; details: Record<string, unknown> }>(
    `SELECT actor, details FROM audit_log
      WHERE claim_id = $1 AND action = 'claim.to_review' AND details->>'reason' = 'stage_failed'`,
    [claimId],
  );
  return rows;
}

async function failures(claimId: number, stage: QueueName): Promise<number> {
  return h.count(
    'SELECT COALESCE(sum(failures), 0) AS n FROM stage_failures WHERE claim_id = $1 AND stage = $2',
    [claimId, stage],
  );
}

/**
 * Every job of the claim still in the queue. The failed job is then discarded (as ops'
 * Discard or the failed-job bound would), the claim made old enough for the sweeps, and three
 * sweeps run: none may enqueue the claim's stage again.
 */
async function sweepThrice(claimId: number, version: number, stage: QueueName) {
  const failed = await h.queue(stage).getJob(jobId(stage, { claimId, version }));
  expect(await failed?.getState()).toBe('failed');
  await failed!.remove();
  await h.db.pool.query(`UPDATE claims SET updated_at = now() - interval '1 hour' WHERE id = $1`, [
    claimId,
  ]);
  const sweep = createSweep(h.db.pool, producer, createLogger('silent'));
  for (let i = 0; i < 3; i++) await sweep();
  for (const queue of ['settle', 'reply'] as const)
    expect(await h.queue(queue).getJob(jobId(queue, { claimId, version }))).toBeUndefined();
}

describe('a stage that keeps failing', () => {
  it('settlement failing the same way goes to review with stage_failed and its error, and is not swept again', async () => {
    const name = h.deliver(
      readFileSync(join(EXAMPLES, 'emails', 'compensation-approved.eml')),
      '2026-03-04T09:00:00+08:00',
    );
    const claim = await h.waitClaim(
      name,
      (c) => c.state === 'review' && c.reasons.includes('stage_failed'),
      'settlement handed to an agent',
      45_000,
    );
    expect(claim.decision).toBe('review');
    expect(await failures(claim.id, 'settle')).toBe(MAX_FAILURES);
    const audit = await failureAudit(claim.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'system:settle',
      details: { stage: 'settle', failures: MAX_FAILURES, version: claim.version },
    });
    expect(String(audit[0]!.details.error)).toContain('test_billing_refuses');
    expect(await h.ledger(claim.id)).toEqual([]);
    // Nothing was paid, so nothing is told: the agent's decision will be answered.
    expect(await h.replies(claim.id)).toEqual([]);

    await sweepThrice(claim.id, claim.version, 'settle');
    expect(await failures(claim.id, 'settle')).toBe(MAX_FAILURES);
    expect(await h.claim(claim.id)).toMatchObject({ state: 'review', version: claim.version });
  });

  it('a reply failing the same way goes to review with its error, and is not swept again', async () => {
    const name = h.deliver(
      readFileSync(join(EXAMPLES, 'emails', 'compensation-late.eml')),
      '2026-03-12T09:00:00+08:00',
    );
    const claim = await h.waitClaim(
      name,
      (c) => c.state === 'review' && c.reasons.includes('stage_failed'),
      'reply handed to an agent',
      45_000,
    );
    // The decision stays what the customer is owed; the agent answers it.
    expect(claim.decision).toBe('rejected');
    expect(await failures(claim.id, 'reply')).toBe(MAX_FAILURES);
    const audit = await failureAudit(claim.id);
    expect(audit[0]).toMatchObject({ actor: 'system:reply', details: { stage: 'reply' } });
    expect(String(audit[0]!.details.error)).toContain('test_refuses_rejections');

    await sweepThrice(claim.id, claim.version, 'reply');
    expect(await failures(claim.id, 'reply')).toBe(MAX_FAILURES);
    expect(await h.replies(claim.id)).toEqual([]);
  });

  it('a permanent error goes to review with its error at once, never into silence', async () => {
    // A sender the reply cannot be addressed to (a quoted local part with a space): composing
    // the needs-info reply fails for good, on the first attempt.
    const name = h.deliver(
      mail({
        from: '"john doe"@demo-shop.test',
        subject: 'Compensation claim',
        messageId: uniqueId('poison-permanent'),
      }),
      '2026-03-04T09:00:00+08:00',
    );
    const claim = await h.waitClaim(
      name,
      (c) => c.state === 'review' && c.reasons.includes('stage_failed'),
      'permanent reply failure handed to an agent',
    );
    expect(claim.decision).toBe('needs_info');
    expect(await failures(claim.id, 'reply')).toBe(1);
    const audit = await failureAudit(claim.id);
    expect(audit[0]).toMatchObject({ details: { stage: 'reply', failures: 1 } });
    expect(String(audit[0]!.details.error)).toContain('not a plain email address');
    expect(await h.replies(claim.id)).toEqual([]);
  });
});
