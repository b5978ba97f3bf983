/**
 * Every message of the shared external corpus (real-world and hostile MIME, read in place
 * when present beside the repository) yields a decision from the real CLI; the bounce,
 * delivery-status and ARF reports are ignored as auto-generated.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';

const dir = resolve(REPO_ROOT, '../shared/corpus/external');
const present = existsSync(dir);
const files = present
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort()
  : [];

const REPORTS = ['mailparser-delivery-status.eml', 'postal-mime-bounce.eml', 'postal-mime-arf.eml'];

describe.runIf(present)('the shared external corpus through check', () => {
  it('gives every message a decision and ignores the reports', async () => {
    const r = await runCli([
      'check',
      ...files.map((f) => join(dir, f)),
      '--records',
      join(REPO_ROOT, 'examples/records'),
    ]);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(files.length);
    const byFile = new Map(lines.map((l, i) => [files[i], l]));
    for (const line of lines)
      expect(['approved', 'rejected', 'needs_info', 'review', 'ignored']).toContain(line.decision);
    for (const report of REPORTS) {
      expect(files).toContain(report);
      expect(byFile.get(report)).toMatchObject({
        type: 'unknown',
        decision: 'ignored',
        reasons: ['auto_generated'],
      });
    }
  });
});
