import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // dist/ built from the sources first: some tests run the real CLI (bin → dist). The
    // checkout guard fails the run when a test wrote into var/ instead of a temp dir.
    globalSetup: ['test/support/build.ts', 'test/support/checkout-guard.ts'],
  },
});
