import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbr } from './helpers/cli.js';
import { allBytes } from './helpers/outputs.js';

// The run cache across whole runs (issue 8): a rerun on unchanged inputs and contract restores the
// validated inputs and the measure results, and writes the very same bytes as a run without it.
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-cache-run-${p}-`));
const RESTORED = 'measure: restored from the cache';

let data: string;
let cacheDir: string;
function run(out: string, extra: string[] = [], cache = true) {
  const r = pbr(['run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, ...extra], {
    env: cache ? { PBR_CACHE: 'on', PBR_CACHE_DIR: cacheDir } : { PBR_CACHE: 'off' },
  });
  expect(r.status, r.stderr).toBe(0);
  return r;
}

let uncached: string;
let first: string;
let second: string;
let firstStderr: string;
let secondStderr: string;
beforeAll(() => {
  data = tmp('data');
  cpSync(path.join(FIXTURES_DIR, 'hand'), data, { recursive: true });
  cacheDir = tmp('cache');
  uncached = path.join(tmp('off'), 'run');
  first = path.join(tmp('first'), 'run');
  second = path.join(tmp('second'), 'run');
  run(uncached, [], false);
  firstStderr = run(first).stderr;
  secondStderr = run(second).stderr;
});

describe('measure results in the run cache', () => {
  it('the first run computes and stores one load and one measure entry', () => {
    expect(firstStderr).not.toContain(RESTORED);
    expect(readdirSync(cacheDir).sort().map((n) => n.split('-')[0])).toEqual(['load', 'measure']);
  });

  it('the second run on unchanged inputs restores the measure results', () => {
    expect(secondStderr).toContain(RESTORED);
  });

  it('a restored run writes the same bytes as the run that stored it and as a run without the cache', () => {
    const a = allBytes(first);
    expect(allBytes(second)).toEqual(a);
    expect(allBytes(uncached)).toEqual(a);
  });

  it('another as_of is another entry: measured afresh from the cached inputs, the same bytes as without the cache', () => {
    const cached = path.join(tmp('asof'), 'run');
    const r = run(cached, ['--as-of', '2025-06-30']);
    expect(r.stderr).not.toContain(RESTORED);
    expect(readdirSync(cacheDir).filter((n) => n.startsWith('measure-'))).toHaveLength(2);
    const plain = path.join(tmp('asof-off'), 'run');
    run(plain, ['--as-of', '2025-06-30'], false);
    expect(allBytes(cached)).toEqual(allBytes(plain));
  });

  it('under --memory-limit (entries written alone after measure) a rerun writes the same bytes', () => {
    const dir = tmp('limit-cache');
    const env = { PBR_CACHE: 'on', PBR_CACHE_DIR: dir };
    const args = (out: string) => ['--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, '--memory-limit', '1GB', '--as-of', '2025-05-31'];
    const a = path.join(tmp('limit-a'), 'run');
    const b = path.join(tmp('limit-b'), 'run');
    expect(pbr(args(a), { env }).status).toBe(0);
    // b measures afresh (another as_of) from the inputs a stored; c does the same without the cache
    expect(pbr([...args(b).slice(0, -2), '--as-of', '2025-04-30'], { env }).status).toBe(0);
    const c = path.join(tmp('limit-c'), 'run');
    expect(pbr([...args(c).slice(0, -2), '--as-of', '2025-04-30'], { env: { PBR_CACHE: 'off' } }).status).toBe(0);
    expect(allBytes(b)).toEqual(allBytes(c));
  });

  it('--no-cache neither restores nor stores', () => {
    const before = readdirSync(cacheDir).sort();
    const r = run(path.join(tmp('nocache'), 'run'), ['--no-cache']);
    expect(r.stderr).not.toContain(RESTORED);
    expect(readdirSync(cacheDir).sort()).toEqual(before);
  });
});
