/**
 * Replayable decisions: every assessment stores the email as assessed, the record slice,
 * the policy and the calendar; replaying gives the stored decision, even after the records
 * or the policy change, through the library call and `claim-intake check --replay`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINA_MAINLAND_CALENDAR } from '../../src/domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY, parsePolicy } from '../../src/domain/policy.ts';
import { loadCalendarFile, loadPolicyFile } from '../../src/files/load.ts';
import { assessClaim } from '../../src/pipeline/assess-claim.ts';
import { ReplayUnavailableError, replayClaim } from '../../src/pipeline/replay.ts';
import { type EngineSettings, saveEngineSettings } from '../../src/store/assessment-inputs.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { storeClaim } from '../support/store-claim.ts';

const EXAMPLES = join(REPO_ROOT, 'examples');
const RECEIVED = new Date('2026-03-04T09:00:00+08:00');
let db: TestDatabase;
let engine: EngineSettings;
const ids: Record<string, number> = {};

async function storeAndAssess(name: string, raw: Buffer | string, settings = engine) {
  const id = await storeClaim(db.pool, 'maildir:/replay', raw, {
    sourceKey: name,
    received: RECEIVED,
  });
  await assessClaim(db.pool, id, settings);
  return id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  await importRecordsDir(db.pool, join(EXAMPLES, 'records'));
  engine = await saveEngineSettings(
    db.pool,
    await loadPolicyFile(join(EXAMPLES, 'policy.json')),
    await loadCalendarFile(join(EXAMPLES, 'calendar.json')),
  );
  for (const file of ['compensation-approved.eml', 'refund-approved.eml', 'icp-reward-vip.eml'])
    ids[file] = await storeAndAssess(file, readFileSync(join(EXAMPLES, 'emails', file)));
});
afterAll(() => db?.drop());

describe('a replay', () => {
  it('gives the stored decision for each kind of claim', async () => {
    for (const [file, id] of Object.entries(ids)) {
      const replay = await replayClaim(db.pool, id);
      expect(replay.same, file).toBe(true);
      expect(replay.differences).toEqual([]);
      expect(replay.version).toBe(1);
      expect(replay.replayed.decision).toBe('approved');
    }
  });

  it('shows the records the decision used', async () => {
    const replay = await replayClaim(db.pool, ids['compensation-approved.eml']!);
    expect(replay.records.accounts.map((a) => a.id)).toEqual(['demo-shop']);
    expect(replay.records.incidents.map((i) => i.id)).toContain('INC-9001');
    expect(replay.records.orders).toEqual([]);
  });

  it('gives the decision as it was made after the records and the policy change', async () => {
    const id = await storeAndAssess(
      'before-change',
      'From: it@demo-shop.test\r\nSubject: Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1\r\n\r\nhi\r\n',
      await saveEngineSettings(db.pool, DEFAULT_POLICY, CHINA_MAINLAND_CALENDAR),
    );
    await db.pool.query(
      `UPDATE incidents SET data = jsonb_set(data, '{cause}', '"maintenance"') WHERE id = 'INC-9001'`,
    );
    // A different policy now (a review limit of 1.00) changes nothing already decided.
    await saveEngineSettings(
      db.pool,
      parsePolicy({ review_above: '1.00' }, 'p'),
      CHINA_MAINLAND_CALENDAR,
    );
    const replay = await replayClaim(db.pool, id);
    expect(replay.same).toBe(true);
    expect(replay.replayed).toMatchObject({ decision: 'approved', amount: '100.00' });
    await db.pool.query(
      `UPDATE incidents SET data = jsonb_set(data, '{cause}', '"platform"') WHERE id = 'INC-9001'`,
    );
  });

  it('rebuilds a follow-up merged into its claim from both messages', async () => {
    const first = await storeAndAssess(
      'needs-info',
      'From: it@demo-shop.test\r\nMessage-ID: <q1@demo-shop.test>\r\nSubject: Compensation claim - Account: demo-shop; Fault time: 2026-03-02 14:05\r\n\r\nhi\r\n',
    );
    const answer = await storeClaim(
      db.pool,
      'maildir:/replay',
      `From: it@demo-shop.test\r\nSubject: Re: Compensation [CLM-${String(first).padStart(6, '0')}] Occurrences: 1\r\n\r\nonce\r\n`,
      { sourceKey: 'answer', received: RECEIVED },
    );
    const merged = await assessClaim(db.pool, answer, engine);
    expect(merged).toMatchObject({ mergedInto: first, version: 2 });
    expect(merged?.assessment.decision).toBe('approved');
    const replay = await replayClaim(db.pool, first);
    expect(replay).toMatchObject({ version: 2, same: true });
    expect(replay.replayed.occurrencesClaimed).toBe(1);
    expect((await replayClaim(db.pool, first, 1)).replayed.decision).toBe('needs_info');
  });

  it('names the fields that differ from what was stored', async () => {
    const id = ids['refund-approved.eml']!;
    await db.pool.query(
      `UPDATE claim_assessments SET assessment = jsonb_set(assessment, '{amount}', '"1.00"') WHERE claim_id = $1`,
      [id],
    );
    const replay = await replayClaim(db.pool, id);
    expect(replay).toMatchObject({ same: false, differences: ['amount'] });
    const cli = await runCli(['check', '--replay', String(id)], { env: { DATABASE_URL: db.url } });
    expect(cli.code).toBe(1);
    expect(jsonLines(cli.stdout)[0]).toMatchObject({
      claim: id,
      same: false,
      differences: ['amount'],
      stored: { amount: '1.00' },
    });
  });

  it('replays a decision stored before excluded causes were kept as the same decision', async () => {
    await db.pool.query(
      `UPDATE incidents SET data = jsonb_set(data, '{cause}', '"force_majeure"') WHERE id = 'INC-9001'`,
    );
    try {
      const id = await storeAndAssess(
        'excluded-cause',
        'From: ops@demo-shop.test\r\nSubject: Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1\r\n\r\nhi\r\n',
      );
      const fresh = await replayClaim(db.pool, id);
      expect(fresh.same).toBe(true);
      expect(fresh.replayed.details.excludedCauses).toEqual({ 'INC-9001': 'force_majeure' });
      // As an earlier version stored it: without the part of the explanation added since.
      await db.pool.query(
        `UPDATE claim_assessments SET assessment = assessment #- '{details,excludedCauses}' WHERE claim_id = $1`,
        [id],
      );
      expect(await replayClaim(db.pool, id)).toMatchObject({ same: true, differences: [] });
    } finally {
      await db.pool.query(
        `UPDATE incidents SET data = jsonb_set(data, '{cause}', '"platform"') WHERE id = 'INC-9001'`,
      );
    }
  });

  it('says why when there is nothing to replay', async () => {
    await expect(replayClaim(db.pool, 999_999)).rejects.toBeInstanceOf(ReplayUnavailableError);
    const id = ids['icp-reward-vip.eml']!;
    await expect(replayClaim(db.pool, id, 7)).rejects.toThrow(/no assessment at version 7/);
    await db.pool.query(
      `UPDATE messages SET raw = NULL, purged_at = '2027-03-04T00:00:00Z'
        WHERE id = (SELECT message_id FROM claims WHERE id = $1)`,
      [id],
    );
    await expect(replayClaim(db.pool, id)).rejects.toThrow(/purged on 2027-03-04/);
  });
});

describe('claim-intake check --replay', () => {
  it('prints the decision beside the stored one and exits 0 when they agree', async () => {
    const id = ids['compensation-approved.eml']!;
    const cli = await runCli(['check', '--replay', String(id)], { env: { DATABASE_URL: db.url } });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const [line] = jsonLines(cli.stdout);
    expect(line).toMatchObject({
      claim: id,
      version: 1,
      same: true,
      differences: [],
      decision: { type: 'compensation', decision: 'approved', amount: '100.00' },
      stored: { decision: 'approved', amount: '100.00', incidents: ['INC-9001'] },
    });
  });

  it('refuses what does not go with it, and a claim without an assessment, with exit 2', async () => {
    const env = { DATABASE_URL: db.url };
    const cases = [
      ['check', '--replay', 'abc'],
      ['check', '--replay', '1', 'a.eml'],
      ['check', '--replay', '1', '--records', 'x'],
      ['check', '--replay', '999999'],
      ['check', 'a.eml', '--version', '2'],
    ];
    const results = await Promise.all(cases.map((args) => runCli(args, { env })));
    for (const [i, cli] of results.entries()) {
      const args = cases[i]!.join(' ');
      expect(cli.code, args).toBe(2);
      expect(cli.stderr.trim().split('\n'), args).toHaveLength(1);
    }
  });
});
