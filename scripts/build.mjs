// Builds what `bin/claim-intake.js` runs: src/ compiled to dist/ (tsc, tsconfig.build.json),
// with the files the code reads beside it (migrations, the console's scripts and styles).
// Run by `npm ci` (the `prepare` script), by the tests before they start, and by `npm run build`.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { copyAssets, removeOrphans } from './dist-files.mjs';

const root = new URL('..', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
copyAssets(join(root, 'src'), join(root, 'dist'));
removeOrphans(join(root, 'src'), join(root, 'dist'));
