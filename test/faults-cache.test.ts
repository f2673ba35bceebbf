import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { doneWith, testDb } from './helpers/db.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { runPipeline } from '../src/run/pipeline.js';
import { clearCache, listCache, pruneCache, releaseCacheUses, restoreEntry, storeEntry, takeCacheNotes } from '../src/cache/store.js';
import { pbrIn } from './helpers/cli.js';
import { allBytes } from './helpers/outputs.js';
import { editStored } from './helpers/cacheEntry.js';
import { startPbr, untilStopped } from './helpers/process.js';

/**
 * Promises of issue 13, the run cache: it can be damaged, pruned or raced without changing a
 * figure. Every file of an entry is checked against the sha256 recorded when it was written; a
 * damaged entry is ignored, removed and made again (never a failed run); pruning and clearing
 * skip entries that a live run is reading.
 */
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-faults-cache-${p}-`));
const KEY = `measure-${'a'.repeat(32)}`;

let root: string;
beforeEach(() => {
  root = tmp('root');
  takeCacheNotes();
});
afterEach(() => releaseCacheUses());

/** An entry of one table t (x = 0..999) and one file f.csv. */
async function makeEntry(key = KEY): Promise<string> {
  const db = await testDb();
  try {
    await db.run('CREATE TABLE t AS SELECT range AS x FROM range(1000)');
    const src = path.join(tmp('src'), 'f.csv');
    writeFileSync(src, 'x\n0.750000\n');
    await storeEntry(db, root, key, { tables: ['t'], meta: { n: 1 }, files: { 'f.csv': src }, holds: 'test rows', personLevel: true });
  } finally {
    doneWith(db);
  }
  return path.join(root, key);
}

/** Restore it into a fresh database: the meta, sum(x) and the copied file, or nulls. */
async function restore(key = KEY) {
  const db = await testDb();
  const dest = path.join(tmp('dest'), 'f.csv');
  try {
    const meta = await restoreEntry<{ n: number }>(db, root, key, { tables: ['t'], files: { 'f.csv': dest } });
    const sum = meta ? await db.scalar<string>('SELECT sum(x)::VARCHAR FROM t') : null;
    return { meta, sum, file: existsSync(dest) ? readFileSync(dest, 'utf8') : null };
  } finally {
    doneWith(db);
    releaseCacheUses();
  }
}

describe('damaged entries are never used', () => {
  it('a whole entry is restored as written', async () => {
    await makeEntry();
    // 0 + 1 + ... + 999 = 999 x 1000 / 2 = 499500
    expect(await restore()).toEqual({ meta: { n: 1 }, sum: '499500', file: 'x\n0.750000\n' });
  });

  it('a digit edited in a cached CSV: the entry is ignored and removed, and the run is told', async () => {
    const dir = await makeEntry();
    const f = path.join(dir, 'files', 'f.csv');
    writeFileSync(f, readFileSync(f, 'utf8').replace('0.750000', '0.750001'));
    expect(await restore()).toEqual({ meta: null, sum: null, file: null });
    expect(existsSync(dir)).toBe(false);
    expect(takeCacheNotes()).toEqual([`cache: entry ${KEY} is damaged (files/f.csv does not match its sha256); it is removed and made again`]);
  });

  it('a truncated Parquet file: ignored and removed', async () => {
    const dir = await makeEntry();
    truncateSync(path.join(dir, 't.parquet'), 100);
    expect((await restore()).meta).toBeNull();
    expect(existsSync(dir)).toBe(false);
    expect(takeCacheNotes()[0]).toMatch(/t\.parquet has the wrong size/);
  });

  it('one flipped byte in a Parquet file (same size): ignored and removed', async () => {
    const dir = await makeEntry();
    const p = path.join(dir, 't.parquet');
    const bytes = readFileSync(p);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(p, bytes);
    expect((await restore()).meta).toBeNull();
    expect(takeCacheNotes()[0]).toMatch(/t\.parquet does not match its sha256/);
  });

  it('an entry without its list of checksums (unfinished, or from an older version) is not used', async () => {
    const dir = await makeEntry();
    const rec = path.join(dir, 'entry.json');
    writeFileSync(rec, '');
    expect((await restore()).meta).toBeNull();
    expect(existsSync(dir)).toBe(false);
  });

  it('self-repair: the entry made again after a damaged one is whole and used', async () => {
    const dir = await makeEntry();
    truncateSync(path.join(dir, 't.parquet'), 10);
    expect((await restore()).meta).toBeNull();
    await makeEntry();
    expect((await restore()).sum).toBe('499500');
  });
});

describe('limits and pruning', () => {
  const day = 86_400_000;
  const age = (dir: string, days: number) => {
    const t = new Date(Date.now() - days * day);
    utimesSync(dir, t, t);
  };
  const keys = ['1', '2', '3'].map((d) => `load-${d.repeat(32)}`);

  it('entries unused for longer than the age limit are removed; recent ones stay', async () => {
    const [oldKey, newKey] = keys as [string, string];
    age(await makeEntry(oldKey), 31);
    age(await makeEntry(newKey), 29);
    pruneCache(root, { maxDays: 30, maxBytes: 1e12 });
    expect(readdirSync(root).filter((n) => n.startsWith('load-'))).toEqual([newKey]);
  });

  it('beyond the size limit the least recently used entries go first', async () => {
    const dirs = [];
    for (const k of keys) dirs.push(await makeEntry(k));
    // used 3, 2 and 1 days ago: the first is the least recently used
    dirs.forEach((d, i) => age(d, 3 - i));
    const each = listCache(root).find((it) => it.name === keys[0])!.bytes;
    pruneCache(root, { maxDays: 30, maxBytes: 2 * each });
    expect(readdirSync(root).filter((n) => n.startsWith('load-')).sort()).toEqual([keys[1], keys[2]]);
  });

  it('an entry that a live run is reading is never pruned or cleared; once that run has ended, it is', async () => {
    const dir = await makeEntry();
    // the vitest parent process stands in for another live run reading the entry
    writeFileSync(path.join(dir, `.use-${process.ppid}`), `${process.ppid}\n`);
    pruneCache(root, { maxDays: 0, maxBytes: 0 });
    expect(clearCache(root).kept.map((it) => it.name)).toEqual([KEY]);
    expect(existsSync(dir)).toBe(true);
    // the marker of a process that has ended (killed before it could remove it) protects nothing
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    renameSync(path.join(dir, `.use-${process.ppid}`), path.join(dir, `.use-${ended}`));
    expect(clearCache(root).removed.map((it) => it.name)).toEqual([KEY]);
    expect(existsSync(dir)).toBe(false);
  });

  it('a cache write never replaces an entry that another run is reading, and leaves nothing half-written', async () => {
    const dir = await makeEntry();
    writeFileSync(path.join(dir, `.use-${process.ppid}`), `${process.ppid}\n`);
    const before = readFileSync(path.join(dir, 'entry.json'), 'utf8');
    await makeEntry();
    expect(readFileSync(path.join(dir, 'entry.json'), 'utf8')).toBe(before);
    expect(readdirSync(root).sort()).toEqual([KEY]);
  });

  it('a cache folder named by PBR_CACHE_DIR that already exists keeps its own mode; the entries in it are owner-only', async () => {
    chmodSync(root, 0o755);
    const dir = await makeEntry();
    expect((statSync(root).mode & 0o777).toString(8)).toBe('755');
    expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
  });

  it('clearing removes only what the cache wrote: other files in its folder stay', async () => {
    await makeEntry();
    writeFileSync(path.join(root, 'notes.txt'), 'mine');
    mkdirSync(path.join(root, 'load-mine'));
    clearCache(root);
    expect(readdirSync(root).sort()).toEqual(['load-mine', 'notes.txt']);
  });
});

describe('whole runs sharing a damaged, pruned and raced cache', () => {
  let data: string;
  let cache: string;
  let reference: string;
  const env = () => ({ PBR_CACHE: 'on', PBR_CACHE_DIR: cache });
  const args = (out: string, asOf = '2025-10-31') => ['run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, '--as-of', asOf];
  const entry = (kind: string) => path.join(cache, readdirSync(cache).find((n) => n.startsWith(`${kind}-`))!);
  /** The run `pbr run` makes (in-process: the same runPipeline) with the cache on, in `cache`. */
  async function cachedRun(out: string, asOf: string): Promise<void> {
    const saved = { on: process.env.PBR_CACHE, dir: process.env.PBR_CACHE_DIR };
    Object.assign(process.env, env());
    try {
      await runPipeline({ dataDir: data, contractPath: path.join(data, 'contract.json'), outDir: out, asOf, quiet: true });
    } finally {
      for (const [k, v] of [['PBR_CACHE', saved.on], ['PBR_CACHE_DIR', saved.dir]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
  beforeAll(async () => {
    data = tmp('data');
    cpSync(path.join(FIXTURES_DIR, 'hand'), data, { recursive: true });
    cache = tmp('cache');
    // the reference run stores its outputs (a cached run writes the bytes of an uncached one:
    // test/cache-run.test.ts); a second run of the same inputs with another as_of stores their
    // validated tables too
    reference = path.join(tmp('reference'), 'run');
    await cachedRun(reference, '2025-10-31');
    await cachedRun(path.join(tmp('other'), 'run'), '2025-09-30');
  });

  it('a run reading the cache is not disturbed when another process clears or prunes it', async () => {
    const out = path.join(tmp('raced'), 'run');
    const reader = startPbr(['--quiet', ...args(out, '2025-08-31')], { ...env(), PBR_TEST_STOP_AT: 'after-load_validate' });
    expect(await untilStopped(reader)).toBe(true);
    const load = path.basename(entry('load'));
    // the reader has restored the validated inputs as views over the cached Parquet files
    expect(readdirSync(path.join(cache, load))).toContain(`.use-${reader.pid}`);
    const cleared = await pbrIn(['cache', 'clear'], { env: env() });
    expect(cleared.status).toBe(0);
    expect(cleared.stdout).toContain(`kept 1 in use by a running pbr: ${load}`);
    pruneCache(cache, { maxDays: 0, maxBytes: 0 });
    expect(readdirSync(cache).filter((n) => /^(load|run)-/.test(n))).toEqual([load]);
    process.kill(reader.pid, 'SIGCONT');
    expect((await reader.exited).status).toBe(0);
    // the same run without the cache (in-process: what `pbr run` calls)
    const plain = path.join(tmp('plain'), 'run');
    await runPipeline({ dataDir: data, contractPath: path.join(data, 'contract.json'), outDir: plain, asOf: '2025-08-31', quiet: true, cache: false });
    expect(allBytes(out)).toEqual(allBytes(plain));
    expect(readdirSync(path.join(cache, load)).filter((n) => n.startsWith('.use-'))).toEqual([]);
  });

  it('a damaged cache (an edited digit, a truncated Parquet) changes no figure and is made again', async () => {
    // the cache now holds the raced run's outputs and the inputs' tables: run them again with
    // the reference's as_of, after damaging both
    await cachedRun(path.join(tmp('refill'), 'run'), '2025-10-31');
    for (const run of readdirSync(cache).filter((n) => n.startsWith('run-'))) {
      editStored(path.join(cache, run), 'measures.csv', (b) => Buffer.from(b.toString('utf8').replace('0.750000', '0.750001')));
    }
    truncateSync(path.join(entry('load'), 'cohort.parquet'), statSync(path.join(entry('load'), 'cohort.parquet')).size - 1);

    const out = path.join(tmp('damaged'), 'run');
    const r = await pbrIn(args(out), { env: env() });
    expect(r.status).toBe(0);
    expect(allBytes(out)).toEqual(allBytes(reference));
    expect(r.stderr).toMatch(/cache: entry run-\w+ is damaged \(files\/measures\.csv does not match its sha256\); it is removed and made again/);
    expect(r.stderr).toMatch(/cache: entry load-\w+ is damaged \(cohort\.parquet has the wrong size\); it is removed and made again/);
    // made again: whole entries of both kinds, nothing damaged left
    const items = listCache(cache);
    expect(items.filter((it) => it.damaged)).toEqual([]);
    expect([...new Set(items.map((it) => it.kind))].sort()).toEqual(['load', 'run']);
  });
});
