/**
 * DESIGN v1.1 "Agent decisions" on the real database: who may approve which edited amount
 * (the review limit is the one of the policy the claim was assessed with), and edited
 * refunds and ICP rewards settling as the edited amount, each entry agent-adjusted.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal } from '../../src/domain/money.ts';
import { loadCalendarFile, loadPolicyFile } from '../../src/files/load.ts';
import { settleClaim } from '../../src/pipeline/settle.ts';
import { ReplyTemplates } from '../../src/reply/render/templates.ts';
import { approve } from '../../src/review/actions.ts';
import { previewReply } from '../../src/review/preview.ts';
import { saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createFixture, type Fixture, RecordingProducer, versionOf } from './review-fixture.ts';

let f: Fixture;
const producer = new RecordingProducer();
const AGENT = 'agent:ann@cloud.example';
const ADMIN = 'agent:root@cloud.example';

beforeAll(async () => {
  f = await createFixture();
}, 60_000);
afterAll(async () => {
  await f?.db.drop();
});

async function ledger(claimId: number) {
  const { rows } = await f.db.pool.query<{ amount: string; details: Record<string, unknown> }>(
    'SELECT amount::text AS amount, details FROM ledger_entries WHERE claim_id = $1 ORDER BY id',
    [claimId],
  );
  return rows;
}

const edit = (claimId: number, amount: string, role: string, actor = AGENT) =>
  versionOf(f.db, claimId).then((v) =>
    approve(f.db.pool, producer, {
      claimId,
      expectedVersion: v,
      actor,
      role,
      amount,
      note: 'agreed with the customer',
    }),
  );

describe('who may approve an edited amount', () => {
  it('an agent may not pay more than computed; an admin may', async () => {
    await expect(edit(f.ids.a, '120.00', 'agent')).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'only an admin may approve more than the computed 100.00 CNY (asked: 120.00 CNY)',
    });
    await expect(edit(f.ids.a, '120.00', 'admin', ADMIN)).resolves.toMatchObject({
      decision: 'approved',
    });
  });

  it("above the review limit of the claim's own policy needs an admin, even below computed", async () => {
    // Claim b was assessed under a policy whose review limit is 50.00.
    const examples = join(REPO_ROOT, 'examples');
    const policy = await loadPolicyFile(join(examples, 'policy.json'));
    const strict = await saveEngineSettings(
      f.db.pool,
      { ...policy, reviewAbove: decimal('50.00') },
      await loadCalendarFile(join(examples, 'calendar.json')),
    );
    await f.db.pool.query('UPDATE claim_assessments SET settings = $2 WHERE claim_id = $1', [
      f.ids.b,
      strict.hash,
    ]);
    await expect(edit(f.ids.b, '60.00', 'agent')).rejects.toMatchObject({
      code: 'invalid_input',
      message:
        'only an admin may approve more than the review limit of 50.00 CNY (asked: 60.00 CNY)',
    });
    await edit(f.ids.b, '50.00', 'agent');
    expect((await settleClaim(f.db.pool, f.ids.b)).settled).toBe(true);
    expect(await ledger(f.ids.b)).toMatchObject([{ amount: '50.0000' }]);
  });

  it('the reply preview refuses the amounts an approval refuses', async () => {
    const templates = await ReplyTemplates.load();
    for (const amount of ['9999999999999999.99', '1'.repeat(40), '1e3', '80.001'])
      await expect(
        previewReply(f.db.pool, templates, f.ids.d, { decision: 'approved', amount, note: 'x' }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('edited refunds and ICP rewards settle as edited', () => {
  it('a refund of 199.00 approved as 150.00 refunds 150.00, agent-adjusted', async () => {
    await edit(f.ids.d, '150', 'agent');
    const settled = await settleClaim(f.db.pool, f.ids.d);
    expect(settled).toMatchObject({ settled: true, entries: 1 });
    const [entry, ...rest] = await ledger(f.ids.d);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      amount: '150.0000',
      details: { agent_adjusted: true, computed_amount: '199.00', edited_by: AGENT },
    });
    const { rows } = await f.db.pool.query(
      'SELECT amount::text AS amount, state FROM refund_settlements WHERE claim_id = $1',
      [f.ids.d],
    );
    expect(rows[0]).toEqual({ amount: '150.0000', state: 'completed' });
  });

  it('an ICP reward of 200.00 approved as 150.00 credits one entry of 150.00', async () => {
    await edit(f.ids.c, '150.00', 'agent');
    expect((await settleClaim(f.db.pool, f.ids.c)).settled).toBe(true);
    expect(await ledger(f.ids.c)).toMatchObject([
      { amount: '150.0000', details: { agent_adjusted: true, computed_amount: '200.00' } },
    ]);
  });
});
