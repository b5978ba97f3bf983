// What scripts/build.mjs does beside tsc, apart so a test can run it on folders of its own:
// the assets copied into dist/, and the outputs of sources that are gone taken out of it.
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir`, or every one that is not TypeScript. */
function* files(dir, withTypeScript = true) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path, withTypeScript);
    else if (withTypeScript || !name.endsWith('.ts')) yield path;
  }
}

/** The files the code reads beside it (migrations, the console's scripts and styles). */
export function copyAssets(src, dist) {
  for (const file of files(src, false)) cpSync(file, join(dist, relative(src, file)));
}

/**
 * A file whose source was moved or deleted leaves its output behind (tsc never removes one):
 * it goes, so dist/ holds what src/ builds and nothing older. A file is kept when src/ has it
 * as an asset (the console's .js) or has the TypeScript it was compiled from. Returns what
 * it removed, relative to dist/.
 */
export function removeOrphans(src, dist) {
  const removed = [];
  for (const file of files(dist)) {
    const path = relative(dist, file);
    if (path === '.tsbuildinfo') continue;
    const compiledFrom = path.replace(/\.js(\.map)?$/, '.ts');
    if (existsSync(join(src, path)) || existsSync(join(src, compiledFrom))) continue;
    rmSync(file);
    removed.push(path);
  }
  return removed;
}
