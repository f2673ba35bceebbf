import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { runPipeline, type PipelineOptions } from '../src/run/pipeline.js';
import { allBytes } from './helpers/outputs.js';
import { shared } from './helpers/shared.js';

// The run cache across whole runs: a rerun with nothing changed restores the outputs of the run
// that stored them (each file checked); a run of inputs an earlier run read, with another contract
// or as_of, keeps their validated tables for the runs after it; every run writes the very bytes
// of a run without the cache.
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-cache-run-${p}-`));

let data: string;
let cacheDir: string;
const kinds = () => readdirSync(cacheDir).filter((n) => /^[a-z]+-[0-9a-f]{32}$/.test(n)).map((n) => n.split('-')[0]).sort();
const timings = (out: string) => JSON.parse(readFileSync(path.join(out, 'timings.json'), 'utf8')) as Record<string, number>;

async function run(out: string, extra: Partial<PipelineOptions> = {}, cache = true): Promise<string> {
  const saved = process.env.PBR_CACHE;
  process.env.PBR_CACHE = cache ? 'on' : 'off';
  try {
    await runPipeline({ dataDir: data, contractPath: path.join(data, 'contract.json'), outDir: out, quiet: true, ...extra });
  } finally {
    process.env.PBR_CACHE = saved;
  }
  return out;
}

let uncached: string;
let first: string;
let second: string;
beforeAll(async () => {
  data = tmp('data');
  cpSync(path.join(FIXTURES_DIR, 'hand'), data, { recursive: true });
  cacheDir = tmp('cache');
  process.env.PBR_CACHE_DIR = cacheDir;
  // the run without the cache: `pbr run` on another copy of fixtures/hand, shared with other test files
  uncached = (await shared('hand')).run;
  first = await run(path.join(tmp('first'), 'run'));
  second = await run(path.join(tmp('second'), 'run'));
});
afterAll(() => {
  delete process.env.PBR_CACHE_DIR;
});

describe('whole runs in the run cache', () => {
  it('the first run of new inputs stores its outputs, and no copy of the inputs', () => {
    expect(timings(first).from_cache).toBeUndefined();
    expect(kinds()).toEqual(['run']);
  });

  it('a rerun with nothing changed restores the outputs instead of computing them', () => {
    expect(timings(second).from_cache).toBe(1);
    expect(timings(second).measure).toBeUndefined();
  });

  it('a restored run writes the same bytes as the run that stored it and as a run without the cache', () => {
    const a = allBytes(first);
    expect(allBytes(second)).toEqual(a);
    expect(allBytes(uncached)).toEqual(a);
  });

  it('another as_of on the same inputs is computed, and keeps the validated inputs for the runs after it', async () => {
    const out = await run(path.join(tmp('asof1'), 'run'), { asOf: '2025-06-30' });
    expect(timings(out).from_cache).toBeUndefined();
    expect(kinds()).toEqual(['load', 'run', 'run']);
    expect(allBytes(out)).toEqual(allBytes(await run(path.join(tmp('asof1-off'), 'run'), { asOf: '2025-06-30' }, false)));
  });

  it('a later run of those inputs reads their validated tables from the cache: the same bytes as without it', async () => {
    const out = await run(path.join(tmp('asof2'), 'run'), { asOf: '2025-05-31' });
    // no load_check step: the typed tables came from the load entry
    expect(timings(out)['load_validate.load_check']).toBeUndefined();
    expect(allBytes(out)).toEqual(allBytes(await run(path.join(tmp('asof2-off'), 'run'), { asOf: '2025-05-31' }, false)));
  });

  it('under --memory-limit (a new entry of the inputs written alone after measure) the bytes are the same', async () => {
    const before = process.env.PBR_CACHE_DIR;
    const dir = tmp('limit-cache');
    process.env.PBR_CACHE_DIR = dir;
    try {
      await run(path.join(tmp('limit-a'), 'run'), { memoryLimit: '1GB', asOf: '2025-04-30' });
      const b = await run(path.join(tmp('limit-b'), 'run'), { memoryLimit: '1GB', asOf: '2025-03-31' });
      expect(readdirSync(dir).filter((n) => n.startsWith('load-'))).toHaveLength(1);
      expect(allBytes(b)).toEqual(allBytes(await run(path.join(tmp('limit-c'), 'run'), { asOf: '2025-03-31' }, false)));
    } finally {
      process.env.PBR_CACHE_DIR = before;
    }
  });

  it('--no-cache neither restores nor stores', async () => {
    const before = readdirSync(cacheDir).sort();
    const out = await run(path.join(tmp('nocache'), 'run'), { cache: false });
    expect(timings(out).from_cache).toBeUndefined();
    expect(readdirSync(cacheDir).sort()).toEqual(before);
  });
});

// A rerun onto the folder it replaces (--force) links each file the old folder holds with the
// stored bytes and mode instead of writing a new one (src/cache/store.ts reuseSame).
describe('a rerun onto the folder it replaces', () => {
  it('a rerun that fails before its commit leaves the old folder as it was: its files, their only names', async () => {
    const before = allBytes(second);
    const file = path.join(second, 'measures.csv');
    const inode = statSync(file).ino;
    process.env.PBR_TEST_FAIL_AT = 'before-commit';
    try {
      await expect(run(second, { force: true })).rejects.toThrow(/injected failure at before-commit/);
    } finally {
      delete process.env.PBR_TEST_FAIL_AT;
    }
    expect(allBytes(second)).toEqual(before);
    expect(statSync(file).ino).toBe(inode);
    // the links made in the staging folder went with it
    expect(statSync(file).nlink).toBe(1);
  });

  it('an unchanged file is the old folder\'s own file: the same inode, the same bytes', async () => {
    const before = allBytes(second);
    const inode = statSync(path.join(second, 'measures.csv')).ino;
    await run(second, { force: true });
    expect(timings(second).from_cache).toBe(1);
    expect(statSync(path.join(second, 'measures.csv')).ino).toBe(inode);
    expect(allBytes(second)).toEqual(before);
  });

  it('a file edited in place in the old folder (same size) is written again from the cache', async () => {
    const file = path.join(second, 'measures.csv');
    const stored = readFileSync(file, 'utf8');
    const edited = stored.replace('0.750000', '0.750001');
    expect(edited).not.toBe(stored);
    writeFileSync(file, edited);
    await run(second, { force: true });
    expect(timings(second).from_cache).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(stored);
  });
});
