/**
 * The reply stage against a real SMTP server that says no: a temporary refusal (4xx) is
 * retried with backoff and the same bytes are delivered once; a permanent one (5xx) marks
 * the reply failed with the server's answer, sends the claim to review and stops trying,
 * while the composed message stays in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId, REPLY_QUEUE } from '../../src/pipeline/queues.ts';
import { waitFor } from '../support/wait.ts';
import {
  createHarness,
  type Harness,
  mail,
  parseSent,
  uniqueId,
  waitIdle,
} from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { REPLY_LIMIT_PER_SENDER: '100' } });
  await h.start();
});

afterAll(async () => {
  await h?.cleanup();
});

/** A needs-info claim (no fields) from `from`; returns its Maildir name and Message-ID. */
function deliverNeedsInfo(from: string, tag: string) {
  const messageId = uniqueId(tag);
  const name = h.deliver(
    mail({ from, subject: 'Compensation please', body: 'We were down.\n', messageId }),
    RECEIVED,
  );
  return { name, messageId };
}

/** The time the poller last finished a pass (each pass may run the sweep). */
async function lastPoll(): Promise<number> {
  const { rows } = await h.db.pool.query<{ t: Date }>(
    'SELECT max(last_poll_at) AS t FROM mailboxes',
  );
  return rows[0]?.t?.getTime() ?? 0;
}

describe('replies when the SMTP server refuses them', () => {
  it('retries a 451 after DATA and delivers the same message once', async () => {
    h.sink.failNext(451, '4.3.0 Temporary local problem, try later', 2);
    const { name, messageId } = deliverNeedsInfo('it@demo-shop.test', 'temp-data');
    const claim = await h.waitClaim(
      name,
      (c) => c.state === 'answered',
      'answered after retries',
      30_000,
    );
    const [reply, ...more] = await h.replies(claim.id);
    expect(more).toEqual([]);
    expect(reply).toMatchObject({ state: 'sent', attempts: 3, last_error: null });
    const sent = await h.sentTo(messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.header('message-id')).toBe(reply!.message_id);
    // What was delivered is byte for byte what was composed before the first attempt.
    expect(sent[0]!.raw.equals(reply!.raw)).toBe(true);
    expect(
      await h.count(
        `SELECT count(*) n FROM audit_log WHERE claim_id = $1 AND action = 'reply.sent'`,
        [claim.id],
      ),
    ).toBe(1);
    await waitIdle(h);
    expect(await h.sentTo(messageId)).toHaveLength(1);
  });

  it('retries a 451 at RCPT TO and delivers once', async () => {
    h.sink.failNext(450, '4.2.1 Mailbox busy', 1, 'rcpt');
    const { name, messageId } = deliverNeedsInfo('it@demo-shop.test', 'temp-rcpt');
    const claim = await h.waitClaim(
      name,
      (c) => c.state === 'answered',
      'answered after a retry',
      30_000,
    );
    const [reply] = await h.replies(claim.id);
    expect(reply).toMatchObject({ state: 'sent', attempts: 2 });
    await waitIdle(h);
    expect(await h.sentTo(messageId)).toHaveLength(1);
  });

  it('marks a reply refused with 550 failed, sends the claim to review, keeps the message and stops', async () => {
    h.sink.failNext(550, '5.1.1 mailbox unavailable');
    const { name, messageId } = deliverNeedsInfo('it@demo-shop.test', 'perm-data');
    const claim = await h.waitClaim(
      name,
      (c) => c.state === 'review',
      'claim in review after a permanent refusal',
    );
    expect(claim.reasons).toContain('reply_failed');
    expect(claim.decision).toBe('needs_info');
    const [reply, ...more] = await h.replies(claim.id);
    expect(more).toEqual([]);
    expect(reply!.state).toBe('failed');
    expect(reply!.attempts).toBe(1);
    expect(reply!.last_error).toMatch(/550/);
    expect(reply!.last_error).toMatch(/mailbox unavailable/);
    // Nothing lost: the composed reply is kept whole for an agent to resend.
    const kept = await parseSent(reply!.raw);
    expect(kept.header('message-id')).toBe(reply!.message_id);
    expect(kept.header('in-reply-to')).toBe(`<${messageId}>`);
    expect(kept.text).toMatch(/account ID/);
    const audit = await h.db.pool.query<{ details: { reason: string; why: string } }>(
      `SELECT details FROM audit_log WHERE claim_id = $1 AND action = 'claim.to_review'`,
      [claim.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.details.reason).toBe('reply_failed');
    expect(audit.rows[0]!.details.why).toMatch(/550.*mailbox unavailable/);

    // The job is failed for good after one attempt.
    const job = await h
      .queue(REPLY_QUEUE)
      .getJob(jobId(REPLY_QUEUE, { claimId: claim.id, version: 1 }));
    await waitFor(async () => (await job!.getState()) === 'failed', { message: 'job failed' });
    expect((await h.queue(REPLY_QUEUE).getJob(job!.id!))!.attemptsMade).toBe(1);

    // Even once the work is old enough for the sweeps, nobody tries again.
    await h.db.pool.query(
      `UPDATE claims SET updated_at = now() - interval '10 minutes' WHERE id = $1`,
      [claim.id],
    );
    const since = Date.now();
    await waitFor(async () => (await lastPoll()) > since + 2500, {
      message: 'a few sweeps passed',
      timeoutMs: 15_000,
    });
    await waitIdle(h);
    const after = (await h.replies(claim.id))[0]!;
    expect(after).toMatchObject({ state: 'failed', attempts: 1 });
    expect((await h.claim(claim.id)).state).toBe('review');
    expect(await h.sentTo(messageId)).toEqual([]);
  });

  it('treats a recipient refused at RCPT TO (550) the same way', async () => {
    h.sink.rejectRecipient(
      'gone@demo-shop.test',
      550,
      '5.1.1 <gone@demo-shop.test>: mailbox unavailable',
    );
    const { name, messageId } = deliverNeedsInfo('gone@demo-shop.test', 'perm-rcpt');
    const claim = await h.waitClaim(name, (c) => c.state === 'review', 'claim in review');
    expect(claim.reasons).toContain('reply_failed');
    const [reply] = await h.replies(claim.id);
    expect(reply).toMatchObject({
      state: 'failed',
      attempts: 1,
      to_address: 'gone@demo-shop.test',
    });
    expect(reply!.last_error).toMatch(/550/);
    expect(reply!.raw.length).toBeGreaterThan(500);
    await waitIdle(h);
    expect((await h.replies(claim.id))[0]!.attempts).toBe(1);
    expect(await h.sentTo(messageId)).toEqual([]);
  });
});
