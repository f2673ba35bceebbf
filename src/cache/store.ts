import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { type Db, ident, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import { InputError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { ENGINE_VERSION } from '../version.js';
import { onInterrupt } from '../core/interrupt.js';
import { isAlive, lockWithin, unlock } from '../core/lockfile.js';
import { sha256File, sha256FileSync, sha256Hex } from '../core/hash.js';
import { OWNER_ONLY_DIR, OWNER_ONLY_FILE } from '../core/personLevel.js';

/**
 * The run cache: entries of Parquet tables (and a few finished files) under one folder, each
 * entry named KIND-KEY where KEY is a sha256 of everything the entry depends on. Two kinds:
 *   run-*      the outputs of a whole run (src/run/runCache.ts): the inputs' and the mapping's
 *              sha256, the contract's, the options, the engine's code;
 *   load-*     the validated, typed input tables (src/validate/cache.ts): the inputs' sha256, the
 *              contract's areas and periods, the loader's code; written only for inputs an
 *              earlier run read, so that runs of them with another contract or as_of load fast.
 * (A `png/` folder of chart images written by older versions is listed and removed by pruning.)
 *
 * Trust rules:
 * - Every entry lists the sha256 of each of its files in entry.json (written last, so an entry
 *   without it is unfinished or damaged). Each file is checked before use; an entry that fails is
 *   ignored, removed and rebuilt: a damaged cache never fails a run and never changes a figure.
 * - Entries hold person-level data: folders are 0700, files 0600 whatever the umask.
 * - A run marks the entries it reads (`.use-PID` inside the entry, under the cache lock) until it
 *   ends; pruning and clearing skip entries a live process uses, so runs sharing a cache never
 *   pull an entry from under each other.
 * - Limits: entries unused for PBR_CACHE_MAX_DAYS (default 30) days go, then the least recently
 *   used until the cache is within PBR_CACHE_MAX_GB (default 10) GB; pruning runs at the end of
 *   each run (`pbr cache clear` empties it).
 * The cache is an optimisation only: a read-only or full disk never fails a run, and
 * PBR_CACHE=off (or --no-cache) bypasses it.
 */
const ENTRY_FILE = 'entry.json';
const LOCK_FILE = '.lock';
/** How long an operation waits for another process's cache lock (held for milliseconds). */
const LOCK_WAIT_MS = 10_000;
/** Entry folders: a kind and a 32-hex-digit key. Nothing else in the folder is ever removed. */
const ENTRY_NAME = /^([a-z]+)-([0-9a-f]{32})$/;
/** Chart images cached by older versions (the report now draws PNGs only on demand): removed by pruning. */
const OLD_PNG_DIR = 'png';

const DEFAULT_MAX_DAYS = 30;
const DEFAULT_MAX_GB = 10;

/** The default cache folder: $XDG_CACHE_HOME/pbr-engine, else ~/.cache/pbr-engine. */
function defaultDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pbr-engine');
}

/** Where the cache is (PBR_CACHE_DIR, else the default), whether or not it is in use. */
export function cacheDir(): string {
  return path.resolve(process.env.PBR_CACHE_DIR || defaultDir());
}

/** The cache folder, or null when the cache is off (PBR_CACHE=off). */
export function cacheRoot(): string | null {
  if (process.env.PBR_CACHE === 'off') return null;
  return cacheDir();
}

export interface CacheLimits {
  maxDays: number;
  maxBytes: number;
}

/** The cache's limits from PBR_CACHE_MAX_DAYS and PBR_CACHE_MAX_GB (a bad value is a usage error). */
export function cacheLimits(): CacheLimits {
  const num = (name: string, dflt: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return dflt;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0) throw new InputError(`${name}=${raw.slice(0, 20)}: expected a number of at least 0 (default ${dflt})`);
    return v;
  };
  return { maxDays: num('PBR_CACHE_MAX_DAYS', DEFAULT_MAX_DAYS), maxBytes: Math.round(num('PBR_CACHE_MAX_GB', DEFAULT_MAX_GB) * 1e9) };
}

/**
 * sha256 of the code an entry depends on: compiled modules (paths from the package root, e.g.
 * 'validate/load' for src/validate/load.ts or dist/validate/load.js, whichever exist) and the
 * SQL files (read through readSql, so they are listed in the manifest whether or not they run).
 */
export function codeHash(modules: readonly string[], queries: readonly string[]): string {
  const h = createHash('sha256');
  h.update(ENGINE_VERSION);
  for (const m of modules) {
    for (const p of [path.join(PACKAGE_ROOT, 'src', `${m}.ts`), path.join(PACKAGE_ROOT, 'dist', `${m}.js`)]) {
      if (existsSync(p)) h.update(readFileSync(p));
    }
  }
  for (const q of queries) h.update(readSql(q));
  return h.digest('hex');
}

export function keyOf(kind: string, parts: unknown): string {
  return `${kind}-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Notes for the run's progress (a damaged entry found and removed...), taken by the pipeline.

const notes: string[] = [];
/** The cache's notes since the last call (each one line), for the run's progress. */
export function takeCacheNotes(): string[] {
  return notes.splice(0, notes.length);
}

// ---------------------------------------------------------------------------------------------
// The folder, its lock and the in-use markers.

/** Create the cache folder owner-only; the default folder is also made owner-only if it exists. */
function ensureRoot(root: string): void {
  if (!existsSync(root)) {
    mkdirSync(root, { recursive: true, mode: OWNER_ONLY_DIR });
    chmodSync(root, OWNER_ONLY_DIR);
  } else if (root === path.resolve(defaultDir())) {
    // a folder named by PBR_CACHE_DIR may be shared (it is left as it is; the entries in it are
    // owner-only); the default folder is pbr's own
    chmodSync(root, OWNER_ONLY_DIR);
  }
}

function ownerOnlyDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  chmodSync(dir, OWNER_ONLY_DIR);
}

/** Run `fn` holding the cache lock; undefined when the lock could not be had in time. */
function locked<T>(root: string, fn: () => T): T | undefined {
  const lock = path.join(root, LOCK_FILE);
  if (!lockWithin(lock, LOCK_WAIT_MS)) return undefined;
  try {
    return fn();
  } finally {
    unlock(lock);
  }
}

const myUses = new Set<string>();
let usesCleanup: (() => void) | null = null;

/** Remove this process's in-use markers (the pipeline calls it when the run no longer reads the cache). */
export function releaseCacheUses(): void {
  for (const m of myUses) rmSync(m, { force: true });
  myUses.clear();
  usesCleanup?.();
  usesCleanup = null;
}

function markerOf(dir: string, pid = process.pid): string {
  return path.join(dir, `.use-${pid}`);
}

/** Processes other than this one that use the entry now (their markers, live pids only). */
function otherUsers(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith('.use-'))
    .map((n) => Number(n.slice(5)))
    .filter((pid) => pid !== process.pid && isAlive(pid));
}

/** Mark the entry as used by this process (under the lock); false when the entry is gone. */
function markInUse(dir: string): boolean {
  if (!existsSync(dir)) return false;
  const m = markerOf(dir);
  writeFileSync(m, `${process.pid}\n`, { mode: OWNER_ONLY_FILE });
  myUses.add(m);
  if (!usesCleanup) usesCleanup = onInterrupt(() => releaseCacheUses());
  return true;
}

function releaseUse(dir: string): void {
  const m = markerOf(dir);
  rmSync(m, { force: true });
  myUses.delete(m);
}

/**
 * Take an entry out of the cache if no other live process uses it (call under the lock):
 * renamed aside at once, removed by `sweep` after the lock is released.
 */
function retire(root: string, name: string): boolean {
  const dir = path.join(root, name);
  if (otherUsers(dir).length > 0) return false;
  try {
    renameSync(dir, path.join(root, `.trash-${name}-${process.pid}`));
    return true;
  } catch {
    return false;
  }
}

/** Remove retired entries and the unfinished writes of dead processes (outside the lock). */
function sweep(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^\.(?:trash-[a-z]+-[0-9a-f]{32}|[a-z]+-[0-9a-f]{32}\.tmp)-(\d+)$/.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid ? n.startsWith('.trash-') : !isAlive(pid)) rmSync(path.join(root, n), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Entries.

interface EntryRecord {
  format: 1;
  kind: string;
  key: string;
  created: string;
  holds: string;
  person_level: boolean;
  /** Every file of the entry (relative path) with its sha256 and size. */
  files: Record<string, { sha256: string; bytes: number }>;
  /**
   * Entries of files: the small files (`files/NAME` -> where it starts in PACK_FILE, its size and
   * sha256), kept one after another in that one file, which is listed in `files` like any other.
   */
  packed?: Record<string, PackedFile>;
  /** run entries: the load key of the inputs the run read (a later run on them keeps their tables). */
  load_key?: string;
}

interface PackedFile {
  offset: number;
  bytes: number;
  sha256: string;
}

/** The file of an entry of files that holds its small files one after another (storeFiles). */
const PACK_FILE = 'files.pack';
/**
 * Files up to this size are packed when stored, and checked then written from the pack's bytes
 * when restored; larger ones are copied by the kernel and the copy hashed (BENCHMARKS.md, "The
 * cached rerun").
 */
const SMALL_FILE = 1 << 20;

function readRecord(dir: string): EntryRecord | null {
  try {
    const r = JSON.parse(readFileSync(path.join(dir, ENTRY_FILE), 'utf8')) as EntryRecord;
    return r && r.format === 1 && r.files && typeof r.files === 'object' ? r : null;
  } catch {
    return null;
  }
}

/** Why an entry cannot be used (a file missing or not matching its sha256), or null when it is whole. */
async function checkEntry(dir: string, rec: EntryRecord | null, needs: readonly string[]): Promise<string | null> {
  if (!rec) return 'entry.json is missing or unreadable';
  for (const f of needs) if (!(f in rec.files)) return `${f} is not listed in entry.json`;
  const problems = await Promise.all(
    Object.entries(rec.files).map(async ([f, want]) => {
      const p = path.join(dir, f);
      try {
        if (statSync(p).size !== want.bytes) return `${f} has the wrong size`;
        return (await sha256File(p)) === want.sha256 ? null : `${f} does not match its sha256`;
      } catch {
        return `${f} is missing`;
      }
    }),
  );
  return problems.find((p) => p !== null) ?? null;
}

export interface RestoreSpec {
  /** Tables restored from TABLE.parquet. */
  tables: readonly string[];
  /** Files of the entry (name -> destination path) copied out. */
  files?: Record<string, string>;
  /** Tables made views over their Parquet files (read only if a query needs them). */
  lazy?: readonly string[];
}

/**
 * Restore an entry after checking every file against its sha256: each table from its Parquet
 * file, each file copied to its destination. The entry is marked in use by this run until
 * releaseCacheUses(). Returns the entry's meta, or null when there is no whole entry (a damaged
 * one is removed, so that the caller's new entry replaces it).
 */
export async function restoreEntry<M>(db: Db, root: string, key: string, spec: RestoreSpec): Promise<M | null> {
  const dir = path.join(root, key);
  if (!existsSync(dir)) return null;
  const files = spec.files ?? {};
  const lazy = spec.lazy ?? [];
  try {
    if (!locked(root, () => markInUse(dir))) return null;
  } catch {
    return null; // a read-only cache folder: computed afresh
  }
  const needs = ['meta.json', ...spec.tables.map((t) => `${t}.parquet`), ...Object.keys(files).map((f) => `files/${f}`)];
  const problem = await checkEntry(dir, readRecord(dir), needs);
  if (problem) {
    notes.push(`cache: entry ${key} is damaged (${problem}); it is removed and made again`);
    discard(root, key);
    return null;
  }
  try {
    const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as M;
    for (const t of spec.tables) {
      const kind = lazy.includes(t) ? 'VIEW' : 'TABLE';
      await db.dropRelation(t);
      await db.run(`CREATE OR REPLACE ${kind} ${ident(t)} AS SELECT * FROM read_parquet(${literal(path.join(dir, `${t}.parquet`))})`);
    }
    for (const [name, dest] of Object.entries(files)) copyFileSync(path.join(dir, 'files', name), dest);
    const now = new Date();
    utimesSync(dir, now, now);
    return meta;
  } catch {
    notes.push(`cache: entry ${key} could not be read; it is removed and made again`);
    for (const t of spec.tables) await db.dropRelation(t).catch(() => {});
    discard(root, key);
    return null;
  }
}

/** Stop using an entry and remove it unless another live run uses it. */
function discard(root: string, key: string): void {
  releaseUse(path.join(root, key));
  try {
    locked(root, () => retire(root, key));
    sweep(root);
  } catch {
    // a read-only cache: nothing to do
  }
}

/** Writing one new entry, handed to whoever decides when and on which connection it runs. */
export type CacheWrite = (db: Db) => Promise<void>;

export interface StoreSpec {
  tables: readonly string[];
  /** Kept in meta.json and given back by restoreEntry. */
  meta: unknown;
  /** Files (name -> source path) copied into the entry. */
  files?: Record<string, string>;
  /** What the entry holds, in words (pbr cache list). */
  holds: string;
  /** Does it hold data about people? (Every entry is owner-only either way.) */
  personLevel: boolean;
}

/**
 * Write an entry: `fill` puts its files into a folder aside and says which they are (relative path
 * -> sha256, null to have it hashed here); then entry.json lists every file with its sha256 and
 * size, and the folder is renamed into place. Failures never fail a run: the cache is an
 * optimisation (a read-only or full disk).
 */
async function writeEntry(
  root: string,
  key: string,
  about: { holds: string; personLevel: boolean; loadKey?: string },
  fill: (tmp: string) => Promise<{ files: Record<string, string | null>; packed?: Record<string, PackedFile> }>,
): Promise<void> {
  const tmp = path.join(root, `.${key}.tmp-${process.pid}`);
  const unregister = onInterrupt(() => rmSync(tmp, { recursive: true, force: true }));
  try {
    ensureRoot(root);
    rmSync(tmp, { recursive: true, force: true });
    ownerOnlyDir(tmp);
    ownerOnlyDir(path.join(tmp, 'files'));
    const rec: EntryRecord = {
      format: 1,
      kind: key.split('-')[0]!,
      key,
      created: new Date().toISOString(),
      holds: about.holds,
      person_level: about.personLevel,
      files: {},
      ...(about.loadKey ? { load_key: about.loadKey } : {}),
    };
    const filled = await fill(tmp);
    for (const [n, known] of Object.entries(filled.files)) {
      const p = path.join(tmp, n);
      chmodSync(p, OWNER_ONLY_FILE);
      rec.files[n] = { sha256: known ?? (await sha256File(p)), bytes: statSync(p).size };
    }
    if (filled.packed) rec.packed = filled.packed;
    writeFileSync(path.join(tmp, ENTRY_FILE), JSON.stringify(rec, null, 1), { mode: OWNER_ONLY_FILE });
    const dir = path.join(root, key);
    locked(root, () => {
      // an entry of the same key that a live run uses stays (it was checked when that run began)
      if (existsSync(dir) && !retire(root, key)) return;
      renameSync(tmp, dir);
    });
  } catch {
    // the cache is an optimisation
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    unregister();
    try {
      sweep(root);
    } catch {
      // nothing to sweep
    }
  }
}

/** Store an entry: each table as Parquet, each file copied, and meta.json. */
export async function storeEntry(db: Db, root: string, key: string, spec: StoreSpec): Promise<void> {
  await writeEntry(root, key, spec, async (tmp) => {
    const names: Record<string, null> = {};
    for (const t of spec.tables) {
      await db.run(`COPY (SELECT * FROM ${ident(t)}) TO ${literal(path.join(tmp, `${t}.parquet`))} (FORMAT parquet, COMPRESSION lz4_raw)`);
      names[`${t}.parquet`] = null;
    }
    for (const [name, src] of Object.entries(spec.files ?? {})) {
      copyFileSync(src, path.join(tmp, 'files', name));
      names[`files/${name}`] = null;
    }
    writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(spec.meta));
    names['meta.json'] = null;
    return { files: names };
  });
}

// ---------------------------------------------------------------------------------------------
// Entries of files only: a whole run's outputs.

export interface FilesSpec {
  /** Files (relative path in the entry -> source path) copied into the entry. */
  files: Record<string, string>;
  /** The sha256 of files already known (the manifest's outputs); the others are hashed here. */
  known?: Record<string, string>;
  /**
   * Files that are owner-only where they are (person-level outputs) and may share their data with
   * the entry: hard-linked, not copied, when the file system allows (see linkOrCopy).
   */
  link?: ReadonlySet<string>;
  /** Kept in meta.json and given back by restoreFiles. */
  meta: unknown;
  holds: string;
  personLevel: boolean;
  /** Recorded in entry.json: see seenInputs. */
  loadKey?: string;
}

/**
 * Store an entry of files and meta.json (no tables). Files up to SMALL_FILE (a run's thousands of
 * statements) go one after another into one file of the entry, PACK_FILE, each hashed as it is
 * read: one new file instead of thousands (BENCHMARKS.md, "The cached rerun"). The others are
 * copied, or linked (`link`).
 */
export async function storeFiles(root: string, key: string, spec: FilesSpec): Promise<void> {
  await writeEntry(root, key, spec, async (tmp) => {
    const names: Record<string, string | null> = { 'meta.json': null };
    const packed: Record<string, PackedFile> = {};
    writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(spec.meta));
    const pack = openSync(path.join(tmp, PACK_FILE), 'w', OWNER_ONLY_FILE);
    try {
      let offset = 0;
      for (const [name, src] of Object.entries(spec.files)) {
        const linked = spec.link?.has(name) ?? false;
        if (!linked && statSync(src).size <= SMALL_FILE) {
          // read once, hashed, then written: the bytes recorded are the bytes stored
          const buf = readFileSync(src);
          writeSync(pack, buf, 0, buf.length, offset);
          packed[`files/${name}`] = { offset, bytes: buf.length, sha256: sha256Hex(buf) };
          offset += buf.length;
          continue;
        }
        const dest = path.join(tmp, 'files', name);
        ownerOnlyDir(path.dirname(dest));
        if (linked) linkOrCopy(src, dest);
        else copyFileSync(src, dest);
        names[`files/${name}`] = spec.known?.[name] ?? null;
      }
    } finally {
      closeSync(pack);
    }
    names[PACK_FILE] = null;
    return { files: names, packed };
  });
}

/**
 * A hard link from `src` to `dest`, or a copy where the file system refuses one (another file
 * system, a link limit). Only for owner-only files (person-level outputs, the entries' own mode),
 * as an inode has one mode; they are the largest outputs of a run, so storing and restoring them
 * copies nothing (BENCHMARKS.md, "The cached rerun"). A shared file changed in place afterwards
 * changes the entry too: every restore checks each file's sha256 and a damaged entry is removed
 * and made again.
 */
function linkOrCopy(src: string, dest: string): void {
  try {
    linkSync(src, dest);
  } catch {
    copyFileSync(src, dest);
  }
}

/** The mode a new file gets in `dir` (the umask applies): copies take their source's mode otherwise. */
function usualFileMode(dir: string): number {
  const probe = path.join(dir, `.mode-${process.pid}`);
  writeFileSync(probe, '');
  try {
    return statSync(probe).mode & 0o777;
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * The file `old` (of the folder a restore replaces) hard-linked as `dest` when it already holds
 * exactly the bytes wanted, with the mode wanted, and has no other name (so that once the old
 * folder is removed, `dest` is its only name): checked after linking, so the bytes checked are the
 * bytes that landed. False (and nothing left at `dest`) otherwise. The old file is never changed:
 * a run stopped before its commit leaves the folder it would have replaced as it was.
 */
function reuseSame(old: string, dest: string, want: { sha256: string; bytes: number }, mode: number): boolean {
  try {
    const st = lstatSync(old);
    if (!st.isFile() || st.nlink !== 1 || st.size !== want.bytes || (st.mode & 0o777) !== mode) return false;
    linkSync(old, dest);
  } catch {
    return false;
  }
  try {
    if (sha256FileSync(dest) === want.sha256) return true;
  } catch {
    // unreadable: written afresh below
  }
  rmSync(dest, { force: true });
  return false;
}

/**
 * Copy every file of an entry of files into `destDir` (relative paths kept, the usual
 * permissions), each copy checked against the sha256 the entry recorded: the small ones written
 * from the entry's pack, the large ones copied by the kernel. The files named in `link` (owner-only
 * ones) are hard-linked instead, stay owner-only and are checked the same way (linkOrCopy). A
 * small file that the folder `replacing` (the run folder this restore will replace, if any)
 * already holds with the same bytes and mode, under no other name, is hard-linked from there
 * instead of written anew (reuseSame): a new file costs far more on some disks than a link
 * (BENCHMARKS.md, "The cached rerun"), and once the old folder is gone the link is the only name
 * of its file. Returns the entry's meta, or null when there is no whole entry: a damaged one is
 * removed (so that the caller's new entry replaces it) and whatever was copied is taken away again.
 */
export async function restoreFiles<M>(
  root: string,
  key: string,
  destDir: string,
  link: ReadonlySet<string> = new Set(),
  replacing?: string,
): Promise<M | null> {
  const dir = path.join(root, key);
  if (!existsSync(dir)) return null;
  try {
    if (!locked(root, () => markInUse(dir))) return null;
  } catch {
    return null;
  }
  const rec = readRecord(dir);
  const copied: string[] = [];
  const made = new Set<string>();
  let fileMode: number | undefined;
  let problem: string | null = rec ? null : 'entry.json is missing or unreadable';
  if (rec) {
    const meta = rec.files['meta.json'];
    if (!meta || (await sha256File(path.join(dir, 'meta.json')).catch(() => '')) !== meta.sha256) problem = 'meta.json does not match its sha256';
  }
  // the small files, one after another in one file of the entry (storeFiles)
  let pack: Buffer | null = null;
  if (!problem && rec?.packed) {
    try {
      pack = readFileSync(path.join(dir, PACK_FILE));
    } catch {
      problem = `${PACK_FILE} is missing`;
    }
  }
  const all = [
    ...Object.entries(rec?.files ?? {}).map(([f, want]) => ({ f, want, at: null as PackedFile | null })),
    ...Object.entries(rec?.packed ?? {}).map(([f, at]) => ({ f, want: at, at })),
  ];
  for (const { f, want, at } of all) {
    if (problem) break;
    if (!f.startsWith('files/')) continue;
    const dest = path.join(destDir, f.slice('files/'.length));
    try {
      const parent = path.dirname(dest);
      if (!made.has(parent)) {
        mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      copied.push(dest);
      fileMode ??= usualFileMode(parent);
      const shared = link.has(f.slice('files/'.length));
      if (at && pack) {
        if (replacing && reuseSame(path.join(replacing, f.slice('files/'.length)), dest, want, fileMode)) continue;
        // checked, then written: the bytes written are the bytes checked
        const buf = pack.subarray(at.offset, at.offset + at.bytes);
        if (buf.length !== at.bytes || sha256Hex(buf) !== want.sha256) problem = `${f} does not match its sha256`;
        else writeFileSync(dest, buf, { mode: fileMode });
      } else {
        // linked (owner-only here as in the entry) or copied by the kernel; what landed in destDir
        // is then hashed
        if (shared) linkOrCopy(path.join(dir, f), dest);
        else copyFileSync(path.join(dir, f), dest);
        chmodSync(dest, shared ? OWNER_ONLY_FILE : fileMode);
        if (sha256FileSync(dest) !== want.sha256) problem = `${f} does not match its sha256`;
      }
    } catch {
      problem = `${f} is missing`;
    }
  }
  if (problem) {
    for (const c of copied) rmSync(c, { force: true });
    notes.push(`cache: entry ${key} is damaged (${problem}); it is removed and made again`);
    discard(root, key);
    return null;
  }
  try {
    const now = new Date();
    utimesSync(dir, now, now);
    return JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as M;
  } catch {
    return null;
  }
}

/** Whether a run entry of the cache read the inputs of this load key (they are being run again). */
export function seenInputs(root: string, loadKey: string): boolean {
  try {
    return readdirSync(root).some((n) => n.startsWith('run-') && readRecord(path.join(root, n))?.load_key === loadKey);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Listing, pruning, clearing.

export interface CacheItem {
  /** The entry's folder name, or KIND/NAME for a blob. */
  name: string;
  kind: string;
  bytes: number;
  lastUsed: Date;
  holds: string;
  personLevel: boolean;
  /** Live processes using it now. */
  users: number[];
  /** No valid entry.json (unfinished, damaged, or written by an older version). */
  damaged: boolean;
}

function sizeOf(p: string): number {
  const st = lstatSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const c of readdirSync(p)) n += sizeOf(path.join(p, c));
  return n;
}

/** Every entry of the cache, most recently used first. */
export function listCache(root: string): CacheItem[] {
  if (!existsSync(root)) return [];
  const items: CacheItem[] = [];
  for (const n of readdirSync(root)) {
    const m = ENTRY_NAME.exec(n);
    const p = path.join(root, n);
    try {
      if (m) {
        const rec = readRecord(p);
        items.push({
          name: n,
          kind: m[1]!,
          bytes: sizeOf(p),
          lastUsed: statSync(p).mtime,
          holds: rec?.holds ?? 'an unfinished or damaged entry (removed at the next pruning)',
          personLevel: rec?.person_level ?? true,
          users: otherUsers(p),
          damaged: rec === null,
        });
      } else if (n === OLD_PNG_DIR && statSync(p).isDirectory()) {
        items.push({
          name: n,
          kind: n,
          bytes: sizeOf(p),
          lastUsed: statSync(p).mtime,
          holds: 'chart images of an older version (no person data; removed at the next pruning)',
          personLevel: false,
          users: [],
          damaged: true,
        });
      }
    } catch {
      // removed by another process meanwhile
    }
  }
  return items.sort((a, b) => b.lastUsed.getTime() - a.lastUsed.getTime() || (a.name < b.name ? -1 : 1));
}

/** Remove the given items unless in use (under the lock); the removed ones are returned. */
function removeItems(root: string, items: CacheItem[]): CacheItem[] {
  if (items.length === 0) return [];
  const removed =
    locked(root, () =>
      items.filter((it) => {
        if (it.name === OLD_PNG_DIR) {
          rmSync(path.join(root, it.name), { recursive: true, force: true });
          return true;
        }
        return retire(root, it.name);
      }),
    ) ?? [];
  sweep(root);
  return removed;
}

/**
 * Apply the limits (end of every run): unfinished, damaged and old-format entries, then entries
 * unused for more than maxDays, then the least recently used beyond maxBytes. Entries in use by
 * a live run are skipped. Never fails: the cache is an optimisation.
 */
export function pruneCache(root: string, limits: CacheLimits, now = Date.now()): CacheItem[] {
  try {
    const items = listCache(root).filter((it) => it.users.length === 0);
    const cutoff = now - limits.maxDays * 86_400_000;
    const drop = new Set(items.filter((it) => it.damaged || it.lastUsed.getTime() < cutoff));
    let total = items.filter((it) => !drop.has(it)).reduce((s, it) => s + it.bytes, 0);
    for (const it of [...items].reverse()) {
      if (total <= limits.maxBytes) break;
      if (drop.has(it)) continue;
      drop.add(it);
      total -= it.bytes;
    }
    return drop.size > 0 ? removeItems(root, [...drop]) : [];
  } catch {
    return [];
  }
}

/**
 * `pbr cache clear`: remove every entry (or those unused for more than `olderThanDays`
 * days); entries a live run uses are kept (and returned as kept).
 */
export function clearCache(root: string, olderThanDays?: number, now = Date.now()): { removed: CacheItem[]; kept: CacheItem[] } {
  const all = listCache(root);
  const chosen = olderThanDays === undefined ? all : all.filter((it) => it.lastUsed.getTime() < now - olderThanDays * 86_400_000);
  const removed = removeItems(root, chosen.filter((it) => it.users.length === 0));
  return { removed, kept: chosen.filter((it) => !removed.includes(it)) };
}
