/**
 * Vitest's global setup: tests write only into temporary folders. The service's embedded
 * defaults point into the checkout (OUTBOX_DIR var/outbox, MAILDIR_PATH var/mailbox), so a test
 * that starts the service or the CLI without its own folders fills var/ run after run. var/ is
 * listed before the run and again after it; anything that appeared or changed fails the run,
 * named, with the settings that move it elsewhere.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const VAR = join(REPO_ROOT, 'var');

/** How many paths the failure names; the count says how many there were in all. */
const SHOWN = 10;

/** Every path under var/ (var/ itself included) with its size and mtime; directories end in /. */
function listVar(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    found.set(`${relative(REPO_ROOT, dir)}/`, '');
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else {
        const stat = lstatSync(path);
        found.set(relative(REPO_ROOT, path), `${stat.size} ${stat.mtimeMs}`);
      }
    }
  };
  // No var/ at all is the clean state.
  if (existsSync(VAR)) walk(VAR);
  return found;
}

export default function guardCheckout(): () => void {
  const before = listVar();
  return () => {
    const written = [...listVar()]
      .filter(([path, stamp]) => before.get(path) !== stamp)
      .map(([path]) => path);
    if (written.length === 0) return;
    const more = written.length > SHOWN ? `, … (${written.length} in all)` : '';
    // Vitest prints an error thrown here ("error during close") but still exits 0.
    process.exitCode = 1;
    throw new Error(
      `the tests wrote into the checkout: ${written.slice(0, SHOWN).join(', ')}${more}; ` +
        'a test that starts the service or the CLI needs its own temp OUTBOX_DIR and MAILDIR_PATH',
    );
  };
}
