import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { type Db, ident, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import { PACKAGE_ROOT } from '../paths.js';
import { ENGINE_VERSION } from '../version.js';

/**
 * The run cache: entries of Parquet tables (and a few finished files) under one folder, each
 * entry named KIND-KEY where KEY is a sha256 of everything the entry depends on. Two kinds:
 *   load-*     the validated, typed input tables (src/validate/cache.ts): inputs' sha256, the
 *              contract's areas, the loader's code;
 *   measure-*  the measure stage's tables and files (src/measure/cache.ts): the load key, the
 *              contract's sha256, as_of, the measure code.
 * An entry is written to a temporary folder and renamed into place, so a reader sees a whole
 * entry or none; a damaged entry is ignored and rebuilt. The cache is an optimisation only: a
 * read-only or full disk never fails a run, and PBR_CACHE=off (or --no-cache) bypasses it.
 */
const KEEP_PER_KIND = 3;

export function cacheRoot(): string | null {
  if (process.env.PBR_CACHE === 'off') return null;
  if (process.env.PBR_CACHE_DIR) return process.env.PBR_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pbr-engine');
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

/**
 * Restore an entry: each table from its Parquet file, each file copied to its destination. The
 * tables named in `lazy` become views over their Parquet files instead: nothing is read until a
 * query needs them (a rerun whose measure results are cached never reads the offences).
 * Returns the entry's meta, or null when there is no whole entry (nothing is then changed).
 */
export async function restoreEntry<M>(
  db: Db,
  root: string,
  key: string,
  tables: readonly string[],
  files: Record<string, string> = {},
  lazy: readonly string[] = [],
): Promise<M | null> {
  const dir = path.join(root, key);
  const metaPath = path.join(dir, 'meta.json');
  if (!existsSync(metaPath)) return null;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as M;
    for (const name of Object.keys(files)) if (!existsSync(path.join(dir, 'files', name))) return null;
    for (const t of tables) {
      const kind = lazy.includes(t) ? 'VIEW' : 'TABLE';
      await db.dropRelation(t);
      await db.run(`CREATE OR REPLACE ${kind} ${ident(t)} AS SELECT * FROM read_parquet(${literal(path.join(dir, `${t}.parquet`))})`);
    }
    for (const [name, dest] of Object.entries(files)) copyFileSync(path.join(dir, 'files', name), dest);
    const now = new Date();
    utimesSync(dir, now, now);
    return meta;
  } catch {
    return null; // a damaged entry is ignored and rebuilt
  }
}

/** Writing one new entry, handed to whoever decides when and on which connection it runs. */
export type CacheWrite = (db: Db) => Promise<void>;

/** Store an entry: each table as Parquet, each file (name -> source path) copied. */
export async function storeEntry(
  db: Db,
  root: string,
  key: string,
  tables: readonly string[],
  meta: unknown,
  files: Record<string, string> = {},
): Promise<void> {
  const tmp = path.join(root, `.${key}.tmp-${process.pid}`);
  try {
    mkdirSync(root, { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(path.join(tmp, 'files'), { recursive: true });
    for (const t of tables) {
      await db.run(`COPY (SELECT * FROM ${ident(t)}) TO ${literal(path.join(tmp, `${t}.parquet`))} (FORMAT parquet, COMPRESSION lz4_raw)`);
    }
    for (const [name, src] of Object.entries(files)) copyFileSync(src, path.join(tmp, 'files', name));
    writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta));
    const dir = path.join(root, key);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    prune(root, key.split('-')[0]!);
  } catch {
    // The cache is an optimisation: a read-only or full disk must not fail a run.
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Keep the most recently used entries of a kind. */
function prune(root: string, kind: string): void {
  const entries = readdirSync(root)
    .filter((n) => !n.startsWith('.') && n.startsWith(`${kind}-`))
    .map((n) => ({ n, t: statSync(path.join(root, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const e of entries.slice(KEEP_PER_KIND)) rmSync(path.join(root, e.n), { recursive: true, force: true });
}
