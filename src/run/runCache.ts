import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Db } from '../db/duckdb.js';
import { PACKAGE_ROOT } from '../paths.js';
import { keyOf, restoreFiles, storeFiles } from '../cache/store.js';
import type { ValidationSummary } from '../core/validationReport.js';
import { PERSON_LEVEL_OUTPUTS } from '../core/personLevel.js';

/**
 * The run-* entries of the run cache (src/cache/store.ts): a run is a pure function of its inputs,
 * its mapping and contract, its options and the engine's code, so a rerun with all of these
 * unchanged restores the outputs the first run made (each file checked against its sha256)
 * instead of computing them again. timings.json and locations.json are always written afresh.
 */
export interface RunKeyParts {
  /** Every source file as [file, sha256] (hashDataset). */
  inputs: [string, string][];
  mappingSha256: string | null;
  contractSha256: string;
  /** --as-of as given (null: the contract's, or the latest disposal date: both follow from the inputs). */
  asOf: string | null;
  allowRejects: boolean;
  png: boolean;
  focus: string | null;
}

/** The outputs a run writes that are not part of its result (the clock, absolute paths). */
const NOT_CACHED = new Set(['timings.json', 'locations.json']);

let codeSha: string | null = null;
/**
 * sha256 of everything that can change an output: the engine's code (src/ and dist/, whichever
 * exist), every SQL file and package.json (the pinned versions of vega, exceljs, ...). Read
 * directly, not through readSql, so the manifest's list of SQL files does not depend on the cache.
 */
function allCodeHash(): string {
  if (codeSha) return codeSha;
  const h = createHash('sha256');
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir).sort()) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|sql)$/.test(n)) h.update(`${path.relative(PACKAGE_ROOT, p)}\0`).update(readFileSync(p));
    }
  };
  for (const d of ['src', 'dist', 'queries']) walk(path.join(PACKAGE_ROOT, d));
  h.update(readFileSync(path.join(PACKAGE_ROOT, 'package.json')));
  codeSha = h.digest('hex');
  return codeSha;
}

export function runKey(parts: RunKeyParts): string {
  return keyOf('run', { ...parts, code: allCodeHash(), duckdb: Db.version, node: process.version });
}

/** What a cached run gives back besides its files. */
export interface RunMeta {
  asOf: string;
  validation: ValidationSummary;
}

/** The person-level outputs, owner-only in the run folder as in the cache: shared, not copied. */
const PERSON_LEVEL: ReadonlySet<string> = new Set(PERSON_LEVEL_OUTPUTS);

/**
 * The outputs of a cached run copied into `dir` (checked); null when there is no whole entry.
 * `replacing`: the run folder `dir` will replace, whose identical files are linked, not written.
 */
export function restoreRun(root: string, key: string, dir: string, replacing?: string): Promise<RunMeta | null> {
  return restoreFiles<RunMeta>(root, key, dir, PERSON_LEVEL, replacing);
}

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...listFiles(dir, r));
    else if (!NOT_CACHED.has(r)) out.push(r);
  }
  return out;
}

/** Store the outputs of a finished run (in `dir`, its manifest written); the manifest gives their sha256. */
export async function storeRun(root: string, key: string, dir: string, meta: RunMeta, loadKey: string | undefined): Promise<void> {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { outputs: Record<string, string> };
  const files = Object.fromEntries(listFiles(dir).map((f) => [f, path.join(dir, f)]));
  await storeFiles(root, key, {
    files,
    known: manifest.outputs,
    link: PERSON_LEVEL,
    meta,
    holds: `the outputs of a run with as_of ${meta.asOf}, person-level files included`,
    personLevel: true,
    ...(loadKey ? { loadKey } : {}),
  });
}
