// Builds what `bin/claim-intake.js` runs: src/ compiled to dist/ (tsc, tsconfig.build.json),
// with the files the code reads beside it (migrations, the console's scripts and styles).
// Run by `npm ci` (the `prepare` script), by the tests before they start, and by `npm run build`.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

/** Every file under `dir` that is not TypeScript. */
function* assets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* assets(path);
    else if (!name.endsWith('.ts')) yield path;
  }
}
const src = join(root, 'src');
for (const file of assets(src)) cpSync(file, join(root, 'dist', relative(src, file)));
