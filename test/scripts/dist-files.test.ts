/**
 * The build's own steps beside tsc, on folders of the test's own: assets are copied, and what a
 * moved or deleted source left in dist/ goes while everything src/ still builds stays.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { copyAssets, removeOrphans } from '../../scripts/dist-files.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function tree(files: string[]): { src: string; dist: string } {
  const root = mkdtempSync(join(tmpdir(), 'dist-files-'));
  roots.push(root);
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), file);
  }
  return { src: join(root, 'src'), dist: join(root, 'dist') };
}

describe('the build beside tsc', () => {
  it('copies every file that is not TypeScript, keeping its place', () => {
    const { src, dist } = tree([
      'src/store/migrations/001.sql',
      'src/web/static/console.js',
      'src/a.ts',
    ]);
    copyAssets(src, dist);
    expect(existsSync(join(dist, 'store/migrations/001.sql'))).toBe(true);
    expect(existsSync(join(dist, 'web/static/console.js'))).toBe(true);
    expect(existsSync(join(dist, 'a.ts'))).toBe(false);
  });

  it('removes the outputs of moved sources and keeps compiled files, their maps and assets', () => {
    const { src, dist } = tree([
      'src/web/routes/ops.ts',
      'src/web/static/console.js',
      'src/store/migrations/001.sql',
      'dist/web/routes/ops.js',
      'dist/web/routes/ops.js.map',
      'dist/web/static/console.js',
      'dist/store/migrations/001.sql',
      'dist/.tsbuildinfo',
      'dist/web/ops-routes.js',
      'dist/web/ops-routes.js.map',
      'dist/web/static/gone.js',
    ]);
    expect(removeOrphans(src, dist).sort()).toEqual([
      'web/ops-routes.js',
      'web/ops-routes.js.map',
      'web/static/gone.js',
    ]);
    for (const kept of [
      'web/routes/ops.js',
      'web/routes/ops.js.map',
      'web/static/console.js',
      'store/migrations/001.sql',
      '.tsbuildinfo',
    ])
      expect(existsSync(join(dist, kept)), kept).toBe(true);
  });
});
