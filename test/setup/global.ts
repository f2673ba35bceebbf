import { mkdtempSync, rmSync } from 'node:fs';
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
 * One folder for the whole test run, where the first test file that needs a shared run or
 * dataset makes it and the others read it (test/helpers/shared.ts); removed at the end.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-test-shared-'));
  project.provide('sharedRoot', root);
  return () => rmSync(root, { recursive: true, force: true });
}
