import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of the runs and datasets that several test files read (test/helpers/shared.ts). */
    sharedRoot: string;
  }
}

/**
 * One folder for the whole test run, removed at the end:
 * - `shared/`, where the first test file that needs a shared run or dataset makes it and the
 *   others read it (test/helpers/shared.ts);
 * - `tmp/`, the temporary folder (TMPDIR) of the test workers and of every `pbr` they start, so
 *   that what a test leaves behind (a failed test's folders, a killed run's) goes with the run
 *   instead of piling up in the system's temporary folder.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-test-'));
  const shared = path.join(root, 'shared');
  const tmp = path.join(root, 'tmp');
  for (const d of [shared, tmp]) mkdirSync(d);
  // open like the system's /tmp (sticky, anyone may pass and create): a test runs pbr as another
  // user (test/faults-output.test.ts, an --out it may not write)
  chmodSync(root, 0o755);
  chmodSync(tmp, 0o1777);
  project.provide('sharedRoot', shared);
  // the workers are started after this and inherit it (os.tmpdir() reads TMPDIR on each call)
  process.env.TMPDIR = tmp;
  return () => rmSync(root, { recursive: true, force: true });
}
