import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest test files, slowest first: started first, they overlap with the many quick files
 * instead of leaving one worker busy alone at the end of the run. A file not listed goes after
 * them, in vitest's own order.
 */
const SLOW_FIRST = [
  'faults-cache', 'demo', 'cli', 'faults-output', 'measure-invariants', 'synth', 'audit-verify',
  'validate-fast', 'docs', 'cache-run', 'measure-method', 'measure-rules', 'pack', 'validate-integrity',
  'audit-run', 'pay-trcrc', 'assess', 'validate', 'mapping', 'audit-diff-cli', 'faults-privacy', 'faults-input',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.indexOf(path.basename(f.moduleId, '.test.ts'));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the files not listed keep vitest's order
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    // Test files share their worker process and its loaded packages (DuckDB, vega, exceljs are
    // imported once per worker, not once per file); test/setup/each-file.ts gives each file fresh
    // src/ modules and puts back process.env, spies and timers after it.
    isolate: false,
    sequence: { sequencer: SlowFirst },
    // The shared runs and datasets of test/helpers/shared.ts live under one folder per test run.
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/each-file.ts'],
    // The Parquet cache of validated inputs is tested on its own (test/cache.test.ts).
    // One DuckDB thread per database: two test files run at once on the two cores.
    env: { PBR_CACHE: 'off', PBR_THREADS: '1' },
  },
});
