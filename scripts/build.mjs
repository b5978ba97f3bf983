// Builds what `bin/claim-intake.js` runs: src/ compiled to dist/ (tsc, tsconfig.build.json),
// with the files the code reads beside it (migrations, the console's scripts and styles).
// Run by `npm ci` (the `prepare` script), by the tests before they start, and by `npm run build`.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

/** Every file under `dir`, or every one that is not TypeScript. */
function* files(dir, withTypeScript = true) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path, withTypeScript);
    else if (withTypeScript || !name.endsWith('.ts')) yield path;
  }
}
const src = join(root, 'src');
const dist = join(root, 'dist');
for (const file of files(src, false)) cpSync(file, join(dist, relative(src, file)));

// A file whose source was moved or deleted leaves its output behind (tsc never removes one):
// it goes, so dist/ holds what src/ builds and nothing older.
for (const file of files(dist)) {
  const path = relative(dist, file);
  if (path === '.tsbuildinfo') continue;
  const source = path.replace(/\.js(\.map)?$/, '.ts');
  if (!existsSync(join(src, source))) rmSync(file);
}
