/**
 * Every public example decided against the database: the records imported with the real
 * `import`, then `check` without --records, which reads each email's record slice as the
 * service does. The same decisions as `check --records` (examples.test.ts).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { byReceived, exampleCases } from '../support/examples.ts';

const SETS = [
  { name: 'the examples shipped in the repository', dir: join(REPO_ROOT, 'examples') },
  { name: 'the shared public examples', dir: resolve(REPO_ROOT, '../shared/examples') },
];

for (const set of SETS) {
  describe.runIf(existsSync(join(set.dir, 'expected.jsonl')))(
    `check against the database over ${set.name}`,
    () => {
      let db: TestDatabase;
      beforeAll(async () => {
        db = await createTestDatabase();
        const imported = await runCli(['import', 'records'], {
          cwd: set.dir,
          env: { DATABASE_URL: db.url },
        });
        expect(imported.code, imported.stderr).toBe(0);
      });
      afterAll(() => db?.drop());

      it('decides every email as expected', async () => {
        const groups = byReceived(exampleCases(set.dir));
        const runs = [...groups].map(async ([received, group]) => {
          const files = group.map((c) => c.file);
          const result = await runCli(
            ['check', ...files, '--policy', 'policy.json', '--calendar', 'calendar.json'].concat([
              '--received',
              received,
            ]),
            { cwd: set.dir, env: { DATABASE_URL: db.url } },
          );
          expect(result.stderr).toBe('');
          expect(result.code).toBe(0);
          const lines = jsonLines(result.stdout);
          expect(lines.map((l) => l.file)).toEqual(files);
          group.forEach((c, i) => {
            expect(lines[i]).toMatchObject({ file: c.file, ...c.expect });
          });
        });
        await Promise.all(runs);
      });
    },
  );
}
