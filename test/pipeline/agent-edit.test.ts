/**
 * Issue #11, "Agent edits that settle", against the running service: an agent approves a
 * claim in review with an edited amount through the console API, and the edited amount is
 * what the ledger pays and what the customer is told, once. The amount limits answer 400
 * with a clear message, never a 500 and never a ledger row.
 */
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { type ConsoleClient, consoleUser } from './console-client.ts';
import {
  createHarness,
  EXAMPLES,
  type Harness,
  mail,
  type SentMail,
  uniqueId,
} from './pipeline-harness.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';

/** Two more 30-minute outages of demo-shop's server (100.00 each), for a claim of its own. */
const EXTRA_INCIDENTS = ['INC-7101', 'INC-7102'].map((id, i) => ({
  id,
  start: `2026-03-02T${16 + 2 * i}:00:00+08:00`,
  end: `2026-03-02T${16 + 2 * i}:30:00+08:00`,
  cause: 'platform',
  scenario: 'unavailable',
  resources: ['ecs-s1'],
}));

let h: Harness;
let records: string;
let agent: ConsoleClient;
let admin: ConsoleClient;

beforeAll(async () => {
  records = mkdtempSync(join(tmpdir(), 'claim-intake-agent-edit-'));
  for (const f of readdirSync(join(EXAMPLES, 'records')))
    copyFileSync(join(EXAMPLES, 'records', f), join(records, f));
  const incidents = JSON.parse(readFileSync(join(records, 'incidents.json'), 'utf8'));
  writeFileSync(
    join(records, 'incidents.json'),
    JSON.stringify([...incidents, ...EXTRA_INCIDENTS]),
  );
  h = await createHarness({ records, env: { REPLY_LIMIT_PER_SENDER: '100' } });
  const service = await h.start();
  const base = `http://127.0.0.1:${service.port}`;
  agent = await consoleUser(base, h.db.url, 'agent@cloud.example', 'agent');
  admin = await consoleUser(base, h.db.url, 'admin@cloud.example', 'admin');
});
afterAll(async () => {
  await h?.cleanup();
  if (records) rmSync(records, { recursive: true, force: true });
});

/** Delivers a compensation claim that lands in review (count_mismatch) once acknowledged. */
async function claimInReview(subject: string) {
  const messageId = uniqueId('agent-edit');
  const name = h.deliver(mail({ subject, messageId }), RECEIVED);
  const claim = await h.waitClaim(
    name,
    (c) => c.state === 'review' && c.reasons.includes('count_mismatch'),
    'claim in review',
  );
  // The acknowledgement is sent first, so what follows is the approval's doing.
  await waitFor(async () => (await h.replies(claim.id)).some((r) => r.state === 'sent'), {
    message: 'review acknowledgement sent',
  });
  return { claim, name };
}

/** What the SMTP sink received of the claim's approval reply (by its fixed Message-ID). */
async function approvalsSent(claimId: number): Promise<SentMail[]> {
  const approval = (await h.replies(claimId)).find((r) => r.kind === 'compensation_approved');
  if (!approval) return [];
  return (await h.sent()).filter((m) => m.header('message-id') === approval.message_id);
}

describe('an agent approving with an edited amount', () => {
  it('approving a computed 100.00 as 80.00 settles 80.00, agent-adjusted, and tells the customer once', async () => {
    const { claim, name } = await claimInReview(
      'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 2',
    );
    expect(claim.amount).toBe('100.0000');
    const res = await agent.post(`/api/review/claims/${claim.id}/approve`, {
      expectedVersion: claim.version,
      amount: '80.00',
      note: 'goodwill: the customer reported a shorter outage',
    });
    expect(res).toMatchObject({ status: 200, body: { decision: 'approved' } });

    await h.waitClaim(name, (c) => c.state === 'answered', 'edited approval answered');
    const ledger = await h.ledger(claim.id);
    expect(ledger.map((e) => [e.incident, e.amount])).toEqual([['INC-9001', '80.0000']]);
    expect(ledger[0]!.details).toMatchObject({
      agent_adjusted: true,
      computed_amount: '100.00',
      edited_by: 'agent:agent@cloud.example',
    });
    const replies = await h.replies(claim.id);
    expect(replies.map((r) => [r.kind, r.state])).toEqual([
      ['review_ack', 'sent'],
      ['compensation_approved', 'sent'],
    ]);
    const approvals = await approvalsSent(claim.id);
    expect(approvals).toHaveLength(1);
    expect(approvals[0]!.text).toContain('80.00');
  });

  it('refuses amounts outside the limits with 400 and a message, then an admin may pay more', async () => {
    const { claim, name } = await claimInReview(
      'Compensation claim - Account: demo-shop; Fault times: 2026-03-02 16:05, 2026-03-02 18:05; Occurrences: 3',
    );
    expect(claim.amount).toBe('200.0000');
    const approve = (who: ConsoleClient, amount: string) =>
      who.post(`/api/review/claims/${claim.id}/approve`, {
        expectedVersion: claim.version,
        amount,
        note: 'edited',
      });
    const refused: [string, RegExp][] = [
      ['9999999999999999.99', /at most 12 digits before the decimal point/],
      ['1'.repeat(40), /at most 12 digits before the decimal point/],
      ['1e3', /plain decimal/],
      ['80.001', /at most 2 decimals in CNY/],
      ['0.00', /more than zero/],
      ['-5', /plain decimal/],
      ['250.00', /admin.*computed 200\.00/],
    ];
    for (const [amount, message] of refused) {
      const res = await approve(agent, amount);
      expect({ amount, status: res.status, code: res.body.error?.code }).toEqual({
        amount,
        status: 400,
        code: 'invalid_input',
      });
      expect(res.body.error?.message).toMatch(message);
    }
    // Nothing of that reached the claim or the ledger.
    expect(await h.claim(claim.id)).toMatchObject({ state: 'review', version: claim.version });
    // Still refused for an admin: the format is nobody's to waive.
    expect((await approve(admin, '9999999999999999.99')).status).toBe(400);

    const ok = await approve(admin, '250.01');
    expect(ok).toMatchObject({ status: 200, body: { decision: 'approved' } });
    await h.waitClaim(name, (c) => c.state === 'answered', 'admin approval answered');
    const ledger = await h.ledger(claim.id);
    // Split over the two incidents in proportion to their computed 100.00 each; the cent
    // left over goes to the first (a tie of remainders).
    expect(ledger.map((e) => [e.incident, e.amount])).toEqual([
      ['INC-7101', '125.0100'],
      ['INC-7102', '125.0000'],
    ]);
    for (const e of ledger)
      expect(e.details).toMatchObject({
        agent_adjusted: true,
        computed_amount: '100.00',
        edited_by: 'agent:admin@cloud.example',
      });
    const approvals = await approvalsSent(claim.id);
    expect(approvals).toHaveLength(1);
    expect(approvals[0]!.text).toContain('250.01');
  });
});
