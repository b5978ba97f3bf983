/** `check` keeps the contract's promises about exit codes, errors and output. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';

let dir: string;
const examples = join(REPO_ROOT, 'examples');
const approved = join(examples, 'emails/compensation-approved.eml');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'claim-intake-check-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function recordsWith(file: string, content: string): string {
  const records = mkdtempSync(join(dir, 'records-'));
  cpSync(join(examples, 'records'), records, { recursive: true });
  writeFileSync(join(records, file), content);
  return records;
}

describe('check usage errors exit 2 with one line naming the problem', () => {
  it('a missing email file', async () => {
    const r = await runCli([
      'check',
      join(dir, 'nope.eml'),
      '--records',
      join(examples, 'records'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.eml');
  });

  it('an unknown flag', async () => {
    const r = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--frobnicate',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frobnicate');
  });

  it('no email file at all', async () => {
    const r = await runCli(['check', '--records', join(examples, 'records')]);
    expect(r.code).toBe(2);
  });

  it('records that are not JSON, naming the file', async () => {
    const records = recordsWith('accounts.json', '[{"id":');
    const r = await runCli(['check', approved, '--records', records]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/accounts\.json: line 1, column 8: \(json\): not valid JSON/);
  });

  it('records with a bad field, naming the file, the index and the field', async () => {
    const records = recordsWith(
      'incidents.json',
      JSON.stringify([
        {
          id: 'I',
          start: 'yesterday',
          end: '2026-03-02T10:30:00+08:00',
          cause: 'platform',
          scenario: 'unavailable',
        },
      ]),
    );
    const r = await runCli(['check', approved, '--records', records]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/incidents\.json: line 1: \[0\]\.start: /);
  });

  it('a records directory that does not exist', async () => {
    const r = await runCli(['check', approved, '--records', join(dir, 'no-records')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-records');
  });

  it('a records directory missing a file reads that file as an empty list', async () => {
    const records = mkdtempSync(join(dir, 'records-'));
    cpSync(join(examples, 'records/resources.json'), join(records, 'resources.json'));
    const r = await runCli([
      'check',
      approved,
      '--records',
      records,
      '--received',
      '2026-03-04T09:00:00+08:00',
    ]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({
      decision: 'rejected',
      reasons: ['account_unknown'],
    });
  });

  it('a policy file with a bad value, naming the field', async () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ claim_window_working_days: 'seven' }));
    const r = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--policy',
      policy,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('claim_window_working_days');
  });

  it('a policy file with an unknown time zone', async () => {
    const policy = join(dir, 'policy-tz.json');
    writeFileSync(policy, JSON.stringify({ timezone: 'Mars/Olympus' }));
    const r = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--policy',
      policy,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('timezone');
  });

  it('a calendar file with a bad date, naming the field', async () => {
    const calendar = join(dir, 'calendar.json');
    writeFileSync(calendar, JSON.stringify({ holidays: ['2026-02-30'] }));
    const r = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--calendar',
      calendar,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holidays[0]');
  });

  it('a policy or calendar file that is not JSON, with the line and column (issue #14)', async () => {
    const policy = join(dir, 'policy-syntax.json');
    writeFileSync(policy, '{\n  "timezone": "Asia/Shanghai",\n  "review_above": ,\n}\n');
    const calendar = join(dir, 'calendar-syntax.json');
    writeFileSync(calendar, '{\n  "holidays": ["2026-10-01",],\n  "workdays": []\n}\n');
    const records = ['--records', join(examples, 'records')];
    const bad = await runCli(['check', approved, ...records, '--policy', policy]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(
      `${policy}: line 3, column 19: (json): not valid JSON: Unexpected token ','`,
    );
    const cal = await runCli(['check', approved, ...records, '--calendar', calendar]);
    expect(cal.code).toBe(2);
    expect(cal.stderr).toContain(
      `${calendar}: line 2, column 29: (json): not valid JSON: Unexpected token ']'`,
    );
    expect(cal.stderr).not.toContain('position');
  });

  it('a missing policy file', async () => {
    const r = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--policy',
      join(dir, 'x.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('x.json');
  });

  it('a received time that is not ISO 8601', async () => {
    const r = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--received',
      'tomorrow',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--received');
  });

  it('no --records and an unreachable DATABASE_URL, naming it', async () => {
    const r = await runCli(['check', approved], {
      env: { DATABASE_URL: 'postgres://127.0.0.1:1/claim_intake' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('DATABASE_URL');
  });

  it('an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });
});

describe('check prints one decision per input file, in input order, and exits 0', () => {
  it('bytes that are not an email still get a decision of type unknown', async () => {
    const junk = join(dir, 'junk.eml');
    writeFileSync(junk, Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0]));
    const empty = join(dir, 'empty.eml');
    writeFileSync(empty, '');
    const r = await runCli([
      'check',
      junk,
      empty,
      approved,
      '--records',
      join(examples, 'records'),
    ]);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.file)).toEqual([junk, empty, approved]);
    expect(lines[0]).toMatchObject({
      type: 'unknown',
      decision: 'review',
      reasons: ['unclassified'],
    });
    expect(lines[1]).toMatchObject({
      type: 'unknown',
      decision: 'review',
      reasons: ['unclassified'],
    });
  });

  it('prints every contract field, in the contract order', async () => {
    const r = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--received',
      '2026-03-04T09:00:00+08:00',
    ]);
    expect(Object.keys(jsonLines(r.stdout)[0]!)).toEqual([
      'file',
      'type',
      'decision',
      'account',
      'amount',
      'currency',
      'incidents',
      'orders',
      'occurrences_claimed',
      'fault_times',
      'deadline',
      'reasons',
    ]);
  });

  it('defaults the received time to now, so a claim from long ago is late', async () => {
    const r = await runCli(['check', approved, '--records', join(examples, 'records')]);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ decision: 'rejected', reasons: ['late_claim'] });
  });

  it('reads a received time without an offset in the policy time zone', async () => {
    const onTime = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--received',
      '2026-03-11T23:59:59',
    ]);
    expect(jsonLines(onTime.stdout)[0]).toMatchObject({ decision: 'approved' });
    const late = await runCli([
      'check',
      approved,
      '--records',
      join(examples, 'records'),
      '--received',
      '2026-03-12T00:00:00',
    ]);
    expect(jsonLines(late.stdout)[0]).toMatchObject({
      decision: 'rejected',
      reasons: ['late_claim'],
    });
  });

  it('warns on stderr when a date falls outside the default calendar’s years', async () => {
    const records = mkdtempSync(join(dir, 'records-'));
    mkdirSync(records, { recursive: true });
    cpSync(join(examples, 'records'), records, { recursive: true });
    writeFileSync(
      join(records, 'incidents.json'),
      JSON.stringify([
        {
          id: 'OLD',
          start: '2019-03-04T10:00:00+08:00',
          end: '2019-03-04T10:30:00+08:00',
          cause: 'platform',
          scenario: 'unavailable',
          resources: ['ecs-s1'],
        },
      ]),
    );
    const eml = join(dir, 'old.eml');
    writeFileSync(
      eml,
      'From: it@demo-shop.test\r\nSubject: Compensation - Account: demo-shop; Fault time: 2019-03-04 10:05; Occurrences: 1\r\n\r\nDown.\r\n',
    );
    const r = await runCli([
      'check',
      eml,
      '--records',
      records,
      '--received',
      '2019-03-05T09:00:00+08:00',
    ]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ decision: 'approved' });
    expect(r.stderr).toContain('2019-03-04');
  });
});
