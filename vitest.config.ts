import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    // The Parquet cache of validated inputs is tested on its own (test/cache.test.ts).
    env: { PBR_CACHE: 'off' },
  },
});
