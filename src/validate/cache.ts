import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, ident, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import { ENGINE_VERSION } from '../version.js';
import type { Contract } from '../contract/schema.js';

/**
 * A Parquet cache of the validated, typed tables, keyed by everything validation depends on: the
 * inputs' sha256, the contract's area list, the engine version and the loader's own code and SQL.
 * A second run on unchanged inputs reads the typed tables back instead of parsing and checking
 * every row again; any changed byte in an input gives a new key.
 */
export const CACHED_TABLES = ['cohort', 'starts', 'reconvictions', 'service_levels', 'baselines_input', 'areas', 'rejects'] as const;
const KEEP = 3;

export function cacheRoot(): string | null {
  if (process.env.PBR_CACHE === 'off') return null;
  if (process.env.PBR_CACHE_DIR) return process.env.PBR_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pbr-engine');
}

function loaderCodeHash(): string {
  const h = createHash('sha256');
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const f of ['load.js', 'load.ts', 'fast.js', 'fast.ts', 'files.js', 'files.ts', 'cache.js', 'cache.ts']) {
    const p = path.join(here, f);
    if (existsSync(p)) h.update(readFileSync(p));
  }
  for (const q of ['validate_macros', 'validate_person_reference', 'validate_reconviction_dates', 'validate_baselines']) h.update(readSql(q));
  return h.digest('hex');
}

export function cacheKey(inputs: { file: string; sha256: string }[], contract: Contract): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: ENGINE_VERSION, code: loaderCodeHash(), areas: contract.areas, inputs: inputs.map((i) => [i.file, i.sha256]) }));
  return h.digest('hex').slice(0, 32);
}

export async function restore<M>(db: Db, root: string, key: string): Promise<M | null> {
  const dir = path.join(root, key);
  const metaPath = path.join(dir, 'meta.json');
  if (!existsSync(metaPath)) return null;
  try {
    for (const t of CACHED_TABLES) {
      await db.run(`CREATE OR REPLACE TABLE ${ident(t)} AS SELECT * FROM read_parquet(${literal(path.join(dir, `${t}.parquet`))})`);
    }
    const now = new Date();
    utimesSync(dir, now, now);
    return JSON.parse(readFileSync(metaPath, 'utf8')) as M;
  } catch {
    return null; // a damaged entry is ignored and rebuilt
  }
}

export async function store(db: Db, root: string, key: string, meta: unknown): Promise<void> {
  try {
    mkdirSync(root, { recursive: true });
    const tmp = path.join(root, `.${key}.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    for (const t of CACHED_TABLES) {
      await db.run(`COPY (SELECT * FROM ${ident(t)}) TO ${literal(path.join(tmp, `${t}.parquet`))} (FORMAT parquet)`);
    }
    writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta));
    const dir = path.join(root, key);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    prune(root);
  } catch {
    // The cache is an optimisation: a read-only or full disk must not fail a run.
  }
}

function prune(root: string): void {
  const entries = readdirSync(root)
    .filter((n) => !n.startsWith('.'))
    .map((n) => ({ n, t: statSync(path.join(root, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const e of entries.slice(KEEP)) rmSync(path.join(root, e.n), { recursive: true, force: true });
}
