/** Every command has --help: its usage, exit 0, and nothing run (no database needed). */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const COMMANDS: [string, string][] = [
  ['start', 'start [--role all|poller|worker|web]'],
  ['demo', 'demo'],
  ['ledger', 'ledger [--format jsonl|csv] [--all]'],
  ['migrate', 'migrate'],
  ['housekeeping', 'housekeeping [--dry-run]'],
  ['import', 'import DIR'],
  ['user', 'user add EMAIL --role agent|ops|admin'],
  ['check', 'check FILE.eml...'],
];

// An unreachable database: a command that ran instead of printing its help would fail.
const env = { DATABASE_URL: 'postgres://127.0.0.1:1/claim_intake' };

describe('claim-intake CMD --help', () => {
  it.each(COMMANDS)('%s --help prints its usage and exits 0', async (command, usage) => {
    const r = await runCli([command, '--help'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith(`usage: claim-intake ${usage}`)).toBe(true);
    expect(r.stdout).toContain('DATABASE_URL');
  });

  it.each(COMMANDS)('help %s says the same', async (command) => {
    const [asked, flag] = await Promise.all([
      runCli(['help', command], { env }),
      runCli([command, '-h'], { env }),
    ]);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toBe(flag.stdout);
  });

  it('the general usage names every command and how to ask about one', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('claim-intake <command> --help');
    for (const [, usage] of COMMANDS) expect(r.stdout).toContain(`  ${usage}`);
  });
});
