import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { runPipeline } from '../src/run/pipeline.js';
import { editStored } from './helpers/cacheEntry.js';

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

// Restored files up to 1 MiB are read, checked and written; larger ones are copied by the kernel
// and the copy hashed (src/cache/store.ts restoreFiles). Both ways give the stored bytes, and both
// refuse a damaged entry.
describe('restoring small and large files', () => {
  const big = Buffer.alloc(3 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
  const small = Buffer.from('area,period\nA1,2024Q1\n');

  async function stored(link: ReadonlySet<string> = new Set()): Promise<{ root: string; key: string; entry: string; src: string }> {
    const { storeFiles } = await import('../src/cache/store.js');
    const src = tmp('src');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(src, 'big.bin'), big, { mode: 0o600 });
    writeFileSync(path.join(src, 'small.csv'), small);
    const root = tmp('root');
    const key = 'run-test';
    await storeFiles(root, key, { files: { 'big.bin': path.join(src, 'big.bin'), 'sub/small.csv': path.join(src, 'small.csv') }, link, meta: { ok: 1 }, holds: 'test', personLevel: false });
    return { root, key, entry: path.join(root, key), src };
  }

  it('stored: the small file in the entry\'s one pack of small files, the large one a file of its own', async () => {
    const { existsSync } = await import('node:fs');
    const s = await stored();
    expect(readdirSync(path.join(s.entry, 'files'))).toEqual(['big.bin']);
    expect(existsSync(path.join(s.entry, 'files.pack'))).toBe(true);
    const rec = JSON.parse(readFileSync(path.join(s.entry, 'entry.json'), 'utf8')) as { packed: Record<string, { offset: number; bytes: number }> };
    expect(rec.packed).toEqual({ 'files/sub/small.csv': expect.objectContaining({ offset: 0, bytes: small.length }) });
  });

  it('a whole entry gives back both files byte for byte', async () => {
    const { restoreFiles } = await import('../src/cache/store.js');
    const s = await stored();
    const out = tmp('out');
    expect(await restoreFiles(s.root, s.key, out)).toEqual({ ok: 1 });
    expect(readFileSync(path.join(out, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(path.join(out, 'sub', 'small.csv')).equals(small)).toBe(true);
  });

  for (const [name, file] of [['a large', 'big.bin'], ['a small', 'sub/small.csv']] as const) {
    it(`${name} file changed in the entry: nothing restored, the entry removed`, async () => {
      const { restoreFiles, takeCacheNotes } = await import('../src/cache/store.js');
      const { existsSync } = await import('node:fs');
      const s = await stored();
      editStored(s.entry, file, (b) => {
        b[Math.floor(b.length / 2)]! ^= 1;
        return b;
      });
      const out = tmp('out');
      takeCacheNotes();
      expect(await restoreFiles(s.root, s.key, out)).toBeNull();
      expect(takeCacheNotes().join('\n')).toContain(`files/${file} does not match its sha256`);
      expect(existsSync(s.entry)).toBe(false);
      expect(existsSync(path.join(out, file))).toBe(false);
    });
  }
});

describe('a damaged pack of small files', () => {
  it('cut short: nothing restored, the entry removed', async () => {
    const { storeFiles, restoreFiles, takeCacheNotes } = await import('../src/cache/store.js');
    const { writeFileSync, truncateSync, statSync: stat, existsSync } = await import('node:fs');
    const src = tmp('src');
    writeFileSync(path.join(src, 'a.csv'), 'area\nA1\n');
    writeFileSync(path.join(src, 'b.csv'), 'area\nB2\n');
    const root = tmp('root');
    await storeFiles(root, 'run-cut', { files: { 'a.csv': path.join(src, 'a.csv'), 'b.csv': path.join(src, 'b.csv') }, meta: {}, holds: 'test', personLevel: false });
    const pack = path.join(root, 'run-cut', 'files.pack');
    truncateSync(pack, stat(pack).size - 1);
    const out = tmp('out');
    takeCacheNotes();
    expect(await restoreFiles(root, 'run-cut', out)).toBeNull();
    expect(takeCacheNotes().join('\n')).toContain('files/b.csv does not match its sha256');
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync(path.join(root, 'run-cut'))).toBe(false);
  });
});

// A restore that will replace an earlier run folder links the small files that folder already holds
// with the same bytes and mode, and never changes that folder (restoreFiles, `replacing`).
describe('files of the folder a restore replaces', () => {
  const bytes = Buffer.from('area,period\nA1,2024Q1\n');
  const usual = 0o666 & ~process.umask();
  const inode = (p: string) => statSync(p).ino;

  async function restoredOver(old: Buffer, mode: number, otherName = false): Promise<{ kept: string; out: string }> {
    const { storeFiles, restoreFiles } = await import('../src/cache/store.js');
    const { writeFileSync, chmodSync, mkdirSync, linkSync } = await import('node:fs');
    const src = tmp('src');
    writeFileSync(path.join(src, 'small.csv'), bytes);
    const root = tmp('root');
    await storeFiles(root, 'run-over', { files: { 'sub/small.csv': path.join(src, 'small.csv') }, meta: {}, holds: 'test', personLevel: false });
    const replaced = tmp('old');
    mkdirSync(path.join(replaced, 'sub'));
    const kept = path.join(replaced, 'sub', 'small.csv');
    writeFileSync(kept, old);
    chmodSync(kept, mode);
    if (otherName) linkSync(kept, path.join(tmp('archive'), 'small.csv'));
    const out = tmp('out');
    expect(await restoreFiles(root, 'run-over', out, new Set(), replaced)).toEqual({});
    return { kept, out: path.join(out, 'sub', 'small.csv') };
  }

  it('the same bytes and mode: the old file is linked, not written again', async () => {
    const r = await restoredOver(bytes, usual);
    expect(inode(r.out)).toBe(inode(r.kept));
    expect(readFileSync(r.out).equals(bytes)).toBe(true);
  });

  it('other bytes of the same size: the stored bytes are written, the old file is left as it was', async () => {
    const other = Buffer.from(bytes);
    other[3] = 0x21;
    const r = await restoredOver(other, usual);
    expect(inode(r.out)).not.toBe(inode(r.kept));
    expect(readFileSync(r.out).equals(bytes)).toBe(true);
    expect(readFileSync(r.kept).equals(other)).toBe(true);
  });

  it('the same bytes under a second name elsewhere (a hard-linked copy of the folder): written again', async () => {
    const r = await restoredOver(bytes, usual, true);
    expect(inode(r.out)).not.toBe(inode(r.kept));
    expect(readFileSync(r.out).equals(bytes)).toBe(true);
  });

  it('the same bytes with another mode: written again, the old file keeps its mode', async () => {
    const r = await restoredOver(bytes, 0o600);
    expect(inode(r.out)).not.toBe(inode(r.kept));
    expect(statSync(r.out).mode & 0o777).toBe(usual);
    expect(statSync(r.kept).mode & 0o777).toBe(0o600);
  });
});

// Owner-only files (the person-level outputs: 300 MB at scale 1) are hard-linked into the entry
// and back out of it, not copied; they stay owner-only and are checked like any other.
describe('owner-only files shared with the entry', () => {
  const big = Buffer.alloc(2 << 20, 7);
  const inode = (p: string) => statSync(p).ino;

  async function storedLinked(): Promise<{ root: string; key: string; entry: string; src: string }> {
    const { storeFiles } = await import('../src/cache/store.js');
    const { writeFileSync } = await import('node:fs');
    const src = tmp('src');
    writeFileSync(path.join(src, 'volumes.csv'), big, { mode: 0o600 });
    const root = tmp('root');
    await storeFiles(root, 'run-linked', { files: { 'volumes.csv': path.join(src, 'volumes.csv') }, link: new Set(['volumes.csv']), meta: {}, holds: 'test', personLevel: true });
    return { root, key: 'run-linked', entry: path.join(root, 'run-linked'), src };
  }

  it('stored: the entry holds the run\'s own file, not a copy', async () => {
    const s = await storedLinked();
    expect(inode(path.join(s.entry, 'files', 'volumes.csv'))).toBe(inode(path.join(s.src, 'volumes.csv')));
    expect(statSync(path.join(s.entry, 'files', 'volumes.csv')).mode & 0o777).toBe(0o600);
  });

  it('restored: the same file again, owner-only, its bytes checked', async () => {
    const { restoreFiles } = await import('../src/cache/store.js');
    const s = await storedLinked();
    const out = tmp('out');
    expect(await restoreFiles(s.root, s.key, out, new Set(['volumes.csv']))).toEqual({});
    expect(inode(path.join(out, 'volumes.csv'))).toBe(inode(path.join(s.entry, 'files', 'volumes.csv')));
    expect(statSync(path.join(out, 'volumes.csv')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(out, 'volumes.csv')).equals(big)).toBe(true);
  });

  it('changed in place after the run: the entry is found damaged and removed', async () => {
    const { restoreFiles, takeCacheNotes } = await import('../src/cache/store.js');
    const { existsSync, openSync, writeSync, closeSync } = await import('node:fs');
    const s = await storedLinked();
    const fd = openSync(path.join(s.src, 'volumes.csv'), 'r+');
    writeSync(fd, Buffer.from([8]), 0, 1, 1000);
    closeSync(fd);
    takeCacheNotes();
    const out = tmp('out');
    expect(await restoreFiles(s.root, s.key, out, new Set(['volumes.csv']))).toBeNull();
    expect(takeCacheNotes().join('\n')).toContain('files/volumes.csv does not match its sha256');
    expect(existsSync(s.entry)).toBe(false);
    expect(existsSync(path.join(out, 'volumes.csv'))).toBe(false);
  });
});
