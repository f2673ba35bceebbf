import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    // Test files share their worker process and its loaded modules (DuckDB, vega, exceljs and
    // src/ are imported once per worker, not once per file). Files that change process.env or
    // spy on globals put them back; every database is opened by the test that uses it.
    isolate: false,
    // The shared runs and datasets of test/helpers/shared.ts live under one folder per test run.
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/each-file.ts'],
    // The Parquet cache of validated inputs is tested on its own (test/cache.test.ts).
    env: { PBR_CACHE: 'off' },
  },
});
