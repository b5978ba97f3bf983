/** `check` keeps the contract's promises about exit codes, errors and output. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';
import { named } from '../support/named-rows.ts';

let dir: string;
const examples = join(REPO_ROOT, 'examples');
const approved = join(examples, 'emails/compensation-approved.eml');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'claim-intake-check-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the example records with `file` replaced by `content`. */
function recordsWith(file: string, content: string): string {
  const records = mkdtempSync(join(dir, 'records-'));
  cpSync(join(examples, 'records'), records, { recursive: true });
  writeFileSync(join(records, file), content);
  return records;
}

/** A file `name` in the temp dir holding `value` as JSON. */
function jsonFile(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** `check` of `email` against the example records, with `extra` arguments. */
function check(email: string, ...extra: string[]): string[] {
  return ['check', email, '--records', join(examples, 'records'), ...extra];
}

/** A command line that `check` refuses with exit code 2, and what its output must show. */
interface UsageError {
  name: string;
  /** Built when the test runs: the temp dir exists only then. */
  args: () => string[];
  env?: NodeJS.ProcessEnv;
  /** Text stderr contains, or a pattern it matches; nothing said where only the code counts. */
  names?: string | RegExp;
  /** stderr is one line. */
  oneLine?: true;
  /** stdout is empty. */
  quiet?: true;
}

describe('check usage errors exit 2 with one line naming the problem', () => {
  const rows: UsageError[] = [
    {
      name: 'a missing email file',
      args: () => check(join(dir, 'nope.eml')),
      names: 'nope.eml',
      oneLine: true,
      quiet: true,
    },
    {
      name: 'an unknown flag',
      args: () => check(approved, '--frobnicate'),
      names: '--frobnicate',
    },
    {
      name: 'no email file at all',
      args: () => ['check', '--records', join(examples, 'records')],
    },
    {
      name: 'records that are not JSON, naming the file',
      args: () => ['check', approved, '--records', recordsWith('accounts.json', '[{"id":')],
      names: /accounts\.json: line 1, column 8: \(json\): not valid JSON/,
    },
    {
      name: 'records with a bad field, naming the file, the index and the field',
      args: () => {
        const incidents = [
          {
            id: 'I',
            start: 'yesterday',
            end: '2026-03-02T10:30:00+08:00',
            cause: 'platform',
            scenario: 'unavailable',
          },
        ];
        const records = recordsWith('incidents.json', JSON.stringify(incidents));
        return ['check', approved, '--records', records];
      },
      names: /incidents\.json: line 1: \[0\]\.start: /,
    },
    {
      name: 'a records directory that does not exist',
      args: () => ['check', approved, '--records', join(dir, 'no-records')],
      names: 'no-records',
    },
    {
      name: 'a policy file with a bad value, naming the field',
      args: () =>
        check(
          approved,
          '--policy',
          jsonFile('policy.json', { claim_window_working_days: 'seven' }),
        ),
      names: 'claim_window_working_days',
    },
    {
      name: 'a policy file with an unknown time zone',
      args: () =>
        check(approved, '--policy', jsonFile('policy-tz.json', { timezone: 'Mars/Olympus' })),
      names: 'timezone',
    },
    {
      name: 'a calendar file with a bad date, naming the field',
      args: () =>
        check(approved, '--calendar', jsonFile('calendar.json', { holidays: ['2026-02-30'] })),
      names: 'holidays[0]',
    },
    {
      name: 'a missing policy file',
      args: () => check(approved, '--policy', join(dir, 'x.json')),
      names: 'x.json',
    },
    {
      name: 'a received time that is not ISO 8601',
      args: () => check(approved, '--received', 'tomorrow'),
      names: '--received',
    },
    {
      name: 'no --records and an unreachable DATABASE_URL, naming it',
      args: () => ['check', approved],
      env: { DATABASE_URL: 'postgres://127.0.0.1:1/claim_intake' },
      names: 'DATABASE_URL',
      oneLine: true,
    },
    {
      name: 'an unknown command',
      args: () => ['frobnicate'],
      names: 'frobnicate',
    },
  ];

  it.each(named(rows))('%s', async (_name, row) => {
    const r = await runCli(row.args(), { env: row.env ?? {} });
    expect(r.code).toBe(2);
    if (row.quiet) expect(r.stdout).toBe('');
    if (row.oneLine) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    if (typeof row.names === 'string') expect(r.stderr).toContain(row.names);
    else if (row.names) expect(r.stderr).toMatch(row.names);
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

  it('a policy or calendar file that is not JSON, with the line and column (issue #14)', async () => {
    const policy = join(dir, 'policy-syntax.json');
    writeFileSync(policy, '{\n  "timezone": "Asia/Shanghai",\n  "review_above": ,\n}\n');
    const calendar = join(dir, 'calendar-syntax.json');
    writeFileSync(calendar, '{\n  "holidays": ["2026-10-01",],\n  "workdays": []\n}\n');
    const bad = await runCli(check(approved, '--policy', policy));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(
      `${policy}: line 3, column 19: (json): not valid JSON: Unexpected token ','`,
    );
    const cal = await runCli(check(approved, '--calendar', calendar));
    expect(cal.code).toBe(2);
    expect(cal.stderr).toContain(
      `${calendar}: line 2, column 29: (json): not valid JSON: Unexpected token ']'`,
    );
    expect(cal.stderr).not.toContain('position');
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
    const r = await runCli(check(approved, '--received', '2026-03-04T09:00:00+08:00'));
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
    const r = await runCli(check(approved));
    expect(jsonLines(r.stdout)[0]).toMatchObject({ decision: 'rejected', reasons: ['late_claim'] });
  });

  it('reads a received time without an offset in the policy time zone', async () => {
    const onTime = await runCli(check(approved, '--received', '2026-03-11T23:59:59'));
    expect(jsonLines(onTime.stdout)[0]).toMatchObject({ decision: 'approved' });
    const late = await runCli(check(approved, '--received', '2026-03-12T00:00:00'));
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
