/**
 * The real CLI reproduces every public example: the copy shipped in examples/ always,
 * and ../shared/examples when it is present beside the repository.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';
import { byReceived, exampleCases } from '../support/examples.ts';

const SETS = [
  { name: 'the examples shipped in the repository', dir: join(REPO_ROOT, 'examples') },
  { name: 'the shared public examples', dir: resolve(REPO_ROOT, '../shared/examples') },
];

for (const set of SETS) {
  describe.runIf(existsSync(join(set.dir, 'expected.jsonl')))(`check over ${set.name}`, () => {
    const cases = existsSync(join(set.dir, 'expected.jsonl')) ? exampleCases(set.dir) : [];
    for (const [received, group] of byReceived(cases)) {
      it(`decides every email received at ${received} as expected`, async () => {
        const files = group.map((c) => c.file);
        const result = await runCli(
          [
            'check',
            ...files,
            '--records',
            'records',
            '--policy',
            'policy.json',
            '--calendar',
            'calendar.json',
            '--received',
            received,
          ],
          { cwd: set.dir },
        );
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const lines = jsonLines(result.stdout);
        expect(lines.map((l) => l.file)).toEqual(files);
        group.forEach((c, i) => {
          expect(lines[i]).toMatchObject({ file: c.file, ...c.expect });
        });
      });
    }
  });
}
