/**
 * Vitest's global setup: builds dist/ from the sources before any test starts, so the tests
 * that run the real CLI or service (`node bin/claim-intake.js …`) run the code under test,
 * never an older build. Incremental: a second run without changes takes about a second.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function build(): void {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url))],
    {
      stdio: 'inherit',
    },
  );
}
