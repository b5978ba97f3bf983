/**
 * The examples end to end through the real service: Maildir in, PostgreSQL, BullMQ on
 * Redis, SMTP out. Each example ends where the policy says: paid once in the ledger (with
 * the formula's inputs), the refund through its steps with a receipt, the ICP reward valid
 * a year, and exactly one threaded, RFC 3834-marked reply per answered email.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/domain/time.ts';
import { parseEmail } from '../../src/mail/parse.ts';
import { waitFor } from '../support/wait.ts';
import {
  type ClaimRow,
  createHarness,
  EXAMPLES,
  type Harness,
  MAIL_FROM,
  type SentMail,
  waitIdle,
} from './pipeline-harness.ts';

interface Example {
  file: string;
  received: string;
  expect: Record<string, unknown>;
}

const examples: Example[] = readFileSync(join(EXAMPLES, 'expected.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Example);

let h: Harness;
/** Per example file: its claim, its original Message-ID and subject, its replies at the sink. */
const seen = new Map<
  string,
  { claim: ClaimRow; messageId: string; subject: string; sent: SentMail[] }
>();

const TERMINAL = new Set(['answered', 'ignored', 'review']);

beforeAll(async () => {
  h = await createHarness({ env: { REPLY_LIMIT_PER_SENDER: '100' } });
  const names = examples.map((e, i) =>
    h.deliver(readFileSync(join(EXAMPLES, e.file)), e.received, `170000000${i}.example${i}.host`),
  );
  await h.start();
  await waitFor(
    async () =>
      (await h.count(
        `SELECT count(*) n FROM claims WHERE state IN ('answered', 'ignored', 'review')`,
      )) === examples.length,
    { timeoutMs: 30_000, message: 'every example answered or ignored' },
  );
  await waitIdle(h);
  for (const [i, e] of examples.entries()) {
    const claim = (await h.claimBySource(names[i]!))!;
    const original = await parseEmail(readFileSync(join(EXAMPLES, e.file)));
    seen.set(e.file, {
      claim,
      messageId: original.messageId!,
      subject: original.subject,
      sent: await h.sentTo(original.messageId!),
    });
  }
}, 60_000);

afterAll(async () => {
  await h?.cleanup();
});

function example(file: string) {
  const s = seen.get(`emails/${file}`);
  if (!s) throw new Error(`example ${file} not seen`);
  return s;
}

/** The one reply to an example, checked for threading and the automatic-reply markers. */
function onlyReply(file: string): SentMail {
  const { claim, messageId, subject, sent } = example(file);
  expect(sent, `${file}: exactly one reply`).toHaveLength(1);
  const reply = sent[0]!;
  const ref = `CLM-${String(claim.id).padStart(6, '0')}`;
  expect(reply.header('in-reply-to')).toBe(`<${messageId}>`);
  expect(reply.header('references')).toBe(`<${messageId}>`);
  expect(reply.header('auto-submitted')).toBe('auto-replied');
  expect(reply.header('x-auto-response-suppress')).toBe('All');
  expect(reply.subject).toBe(`Re: ${subject} [${ref}]`);
  expect(reply.envelope).toEqual({ from: MAIL_FROM, to: [fromOf(file)] });
  return reply;
}

function fromOf(file: string): string {
  return file.startsWith('icp') ? 'ops@star.test' : 'it@demo-shop.test';
}

describe('the examples through the whole pipeline', () => {
  it('ends every example in a final state, with the assessment the contract expects', async () => {
    for (const e of examples) {
      const { claim } = seen.get(e.file)!;
      expect(TERMINAL.has(claim.state), `${e.file}: ${claim.state}`).toBe(true);
      expect(claim.decision).toBe(e.expect.decision);
      expect(claim.version).toBe(1);
    }
    // Eight answers for nine emails (the auto-reply gets none), nothing else at the sink.
    expect(h.sink.messages).toHaveLength(examples.length - 1);
    expect(await h.count(`SELECT count(*) n FROM replies WHERE state <> 'sent'`)).toBe(0);
  });

  it('pays an approved compensation once per incident, with the formula inputs, and answers it', async () => {
    const { claim } = example('compensation-approved.eml');
    expect(claim.state).toBe('answered');
    const rows = await h.ledger(claim.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      account: 'demo-shop',
      kind: 'compensation',
      incident: 'INC-9001',
      order_id: null,
      amount: '100.0000',
      currency: 'CNY',
    });
    const details = rows[0]!.details as { method: string; lines: Record<string, unknown>[] };
    expect(details.method).toBe('bonus_recharge');
    // 48.00 a day × 30 minutes (1800 s) × 100 / 86400 = 100.00
    expect(details.lines).toEqual([
      expect.objectContaining({
        resource: 'ecs-s1',
        dailyFee: '48.00',
        faultSeconds: 1800,
        multiplier: 100,
        incidents: ['INC-9001'],
      }),
    ]);
    const reply = onlyReply('compensation-approved.eml');
    expect(reply.header('content-language')).toBe('en');
    expect(reply.text).toContain('100.00');
    expect(reply.text).toContain('INC-9001');
  });

  it('answers the Chinese claim in Chinese and pays its incident', async () => {
    const { claim } = example('compensation-chinese.eml');
    expect(claim.state).toBe('answered');
    expect((await h.ledger(claim.id)).map((r) => [r.incident, r.amount])).toEqual([
      ['INC-9003', '100.0000'],
    ]);
    const reply = onlyReply('compensation-chinese.eml');
    expect(reply.header('content-language')).toBe('zh-CN');
    expect(reply.text).toMatch(/赔偿/);
    expect(reply.text).toContain('INC-9003');
  });

  it('completes an approved refund with a receipt, one ledger entry per order, and reminds to migrate data', async () => {
    const { claim } = example('refund-approved.eml');
    expect(claim.state).toBe('answered');
    const { rows } = await h.db.pool.query(
      `SELECT state, receipt_no, amount::text AS amount, confirmed_at, receipt_at, completed_at
         FROM refund_settlements WHERE claim_id = $1`,
      [claim.id],
    );
    expect(rows).toHaveLength(1);
    const settlement = rows[0]!;
    expect(settlement.state).toBe('completed');
    expect(settlement.receipt_no).toMatch(/^RF-20260304-\d{6}$/);
    expect(settlement.amount).toBe('199.0000');
    for (const step of ['confirmed_at', 'receipt_at', 'completed_at'])
      expect(settlement[step]).toBeInstanceOf(Date);
    const ledger = await h.ledger(claim.id);
    expect(ledger.map((r) => [r.kind, r.order_id, r.amount])).toEqual([
      ['refund', 'CS2603020001', '199.0000'],
    ]);
    expect(ledger[0]!.details).toMatchObject({ receipt_no: settlement.receipt_no });
    const steps = await h.db.pool.query<{ step: string }>(
      `SELECT details->>'step' AS step FROM audit_log WHERE claim_id = $1 AND action = 'refund.step' ORDER BY id`,
      [claim.id],
    );
    expect(steps.rows.map((r) => r.step)).toEqual(['confirmed', 'receipt_generated', 'completed']);
    const reply = onlyReply('refund-approved.eml');
    expect(reply.text).toContain(settlement.receipt_no);
    expect(reply.text).toMatch(/migrate your data/i);
    expect(reply.text).toMatch(/released/);
  });

  it('grants the ICP reward valid one year, to be credited within a week', async () => {
    const { claim } = example('icp-reward-vip.eml');
    expect(claim.state).toBe('answered');
    const rows = await h.ledger(claim.id);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      account: 'star-vip',
      kind: 'icp_reward',
      amount: '200.0000',
      currency: 'CNY',
    });
    expect(row.details).toMatchObject({ withdrawable: false });
    const received = claim.received_at.getTime();
    expect(received).toBe(Date.parse('2026-03-04T09:00:00+08:00'));
    expect(row.valid_until?.toISOString()).toBe('2027-03-04T01:00:00.000Z');
    const creditBy = row.credit_by!.getTime();
    expect(creditBy).toBeGreaterThan(received);
    expect(creditBy - received).toBeLessThanOrEqual(7 * DAY_MS);
    const reply = onlyReply('icp-reward-vip.eml');
    expect(reply.text).toContain('200.00');
  });

  it('answers rejections and the needs-info claim once each, paying nothing', async () => {
    for (const file of [
      'compensation-late.eml',
      'compensation-force-majeure.eml',
      'refund-on-demand.eml',
      'compensation-needs-info.eml',
    ]) {
      const { claim } = example(file);
      expect(claim.state, file).toBe('answered');
      expect(await h.ledger(claim.id), file).toEqual([]);
      const replies = await h.replies(claim.id);
      expect(replies.map((r) => [r.kind, r.state, r.decision_version])).toEqual([
        [claim.decision === 'needs_info' ? 'needs_info' : 'rejected', 'sent', 1],
      ]);
      onlyReply(file);
    }
    expect(
      await h.count(
        `SELECT count(*) n FROM refund_settlements r JOIN claims c ON c.id = r.claim_id WHERE c.decision <> 'approved'`,
      ),
    ).toBe(0);
    const needsInfo = onlyReply('compensation-needs-info.eml');
    expect(needsInfo.text).toMatch(/account ID/);
    expect(needsInfo.text).toMatch(/Occurrences: 1/);
  });

  it('leaves the auto-reply unanswered and unpaid', async () => {
    const { claim, sent } = example('auto-reply-ignored.eml');
    expect(claim.state).toBe('ignored');
    expect(claim.reasons).toEqual(['auto_generated']);
    expect(sent).toEqual([]);
    expect(await h.replies(claim.id)).toEqual([]);
    expect(await h.ledger(claim.id)).toEqual([]);
  });

  it('pays exactly the four approved claims, nothing else', async () => {
    const rows = await h.ledger();
    expect(rows.map((r) => r.kind).sort()).toEqual([
      'compensation',
      'compensation',
      'icp_reward',
      'refund',
    ]);
  });
});
