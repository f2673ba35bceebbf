import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { runPipeline } from '../src/run/pipeline.js';

// A run restored from the run cache is copied out of owner-only cache files by the kernel (which
// gives a copy its source's mode): the restored files must still get the modes of a run computed
// afresh, person-level files owner-only (600) and the others the usual mode of a new file.
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-cache-modes-${p}-`));

function modes(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => {
      const r = path.join(rel, e.name);
      return e.isDirectory() ? [`${r}/ ${(statSync(path.join(dir, r)).mode & 0o777).toString(8)}`, ...modes(dir, r)] : [`${r} ${(statSync(path.join(dir, r)).mode & 0o777).toString(8)}`];
    })
    .sort();
}

let data: string;
let fresh: string;
let restored: string;
const saved = { on: process.env.PBR_CACHE, dir: process.env.PBR_CACHE_DIR };
beforeAll(async () => {
  data = tmp('data');
  cpSync(path.join(FIXTURES_DIR, 'hand'), data, { recursive: true });
  process.env.PBR_CACHE = 'on';
  process.env.PBR_CACHE_DIR = tmp('cache');
  const run = (out: string) => runPipeline({ dataDir: data, contractPath: path.join(data, 'contract.json'), outDir: out, quiet: true });
  fresh = path.join(tmp('fresh'), 'run');
  await run(fresh);
  restored = path.join(tmp('restored'), 'run');
  await run(restored);
});
afterAll(() => {
  for (const [k, v] of [['PBR_CACHE', saved.on], ['PBR_CACHE_DIR', saved.dir]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('modes of a restored run', () => {
  it('the second run was restored from the cache', () => {
    expect(JSON.parse(readFileSync(path.join(restored, 'timings.json'), 'utf8')).from_cache).toBe(1);
  });

  it('every file and folder has the mode it has in the run that computed it', () => {
    const a = modes(fresh).filter((m) => !m.startsWith('timings.json ') && !m.startsWith('locations.json '));
    const b = modes(restored).filter((m) => !m.startsWith('timings.json ') && !m.startsWith('locations.json '));
    expect(b).toEqual(a);
    // volumes.csv is person-level (owner-only); measures.csv is not (it gets the usual mode, under
    // the umask of the test process: not owner-only unless the umask says so)
    expect(b).toContain('volumes.csv 600');
    expect(b).toContain(`measures.csv ${(0o666 & ~process.umask()).toString(8)}`);
  });
});
