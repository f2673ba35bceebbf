import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of the runs and datasets that several test files read (test/helpers/shared.ts). */
    sharedRoot: string;
  }
}

/** The room a memory file system needs to spare to hold the test run's folder (BENCHMARKS.md, "The test suite"). */
const MEMORY_FS_ROOM = 2 * 1024 ** 3;

/**
 * Where the test run's folder goes: PBR_TEST_TMP if set; else /dev/shm, a file system in memory,
 * when it is writable and has room to spare (a container's is often 64 MB: too small); else the
 * system's temporary folder. The suite creates thousands of files (mostly its runs' statements),
 * and on a virtual disk a new file can cost many times what it costs in memory (BENCHMARKS.md,
 * "The test suite"). The tests behave the same on either: links, modes, renames and locks work
 * alike.
 */
function parentOfRoot(): string {
  if (process.env.PBR_TEST_TMP) return process.env.PBR_TEST_TMP;
  const shm = '/dev/shm';
  try {
    accessSync(shm, constants.W_OK);
    const fs = statfsSync(shm);
    if (fs.bavail * fs.bsize >= MEMORY_FS_ROOM) return shm;
  } catch {
    // no such file system here
  }
  return os.tmpdir();
}

/**
 * One folder for the whole test run (in parentOfRoot()), removed at the end:
 * - `shared/`, where the first test file that needs a shared run or dataset makes it and the
 *   others read it (test/helpers/shared.ts);
 * - `tmp/`, the temporary folder (TMPDIR) of the test workers and of every `pbr` they start, so
 *   that what a test leaves behind (a failed test's folders, a killed run's) goes with the run
 *   instead of piling up in the system's temporary folder.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(path.join(parentOfRoot(), 'pbr-test-'));
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
