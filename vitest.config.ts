import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // dist/ built from the sources first: some tests run the real CLI (bin → dist).
    globalSetup: ['test/support/build.ts'],
  },
});
