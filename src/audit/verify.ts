import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import { Db } from '../db/duckdb.js';
import { ENGINE_VERSION } from '../version.js';
import { outputHashes, sha256Of } from '../core/manifest.js';
import { sha256File } from '../core/hash.js';
import { shown } from '../contract/load.js';
import type { PipelineOptions } from '../run/pipeline.js';
import { csvRowDifferences, type CsvDifferences } from './verifyRows.js';

export interface Manifest {
  engine: { name: string; version: string };
  duckdb: string;
  contract: { name: string; sha256: string; resolved: unknown };
  as_of: string;
  /** Every source file read (a path inside the data folder), with its sha256. */
  inputs: { file: string; sha256: string; bytes: number; rows_read: number; rows_used: number; rows_rejected: number }[];
  rejected_rows: number;
  /** Report outputs asked for (--png, --focus); absent for a default run. */
  report?: { png?: boolean; focus?: string | null };
  queries: Record<string, string>;
  outputs: Record<string, string>;
  /** The mapping file of a mapped run (docs/extracts.md): its sha256, or an object holding it. Absent in runs without one. */
  mapping?: unknown;
}

export function readManifest(run: string): Manifest {
  const p = path.join(run, 'manifest.json');
  if (!existsSync(p)) throw new InputError(`${run}: no manifest.json here; give the folder a 'pbr run' wrote`);
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new InputError(`${p}: not valid JSON (${shown((e as Error).message)}); the run folder is damaged`);
  }
  const o = m as Partial<Manifest> | null;
  if (!o || typeof o !== 'object' || !o.contract || !Array.isArray(o.inputs) || !o.outputs || typeof o.as_of !== 'string') {
    throw new InputError(`${p}: not a manifest written by 'pbr run' (contract, inputs, outputs or as_of missing); the run folder is damaged`);
  }
  return o as Manifest;
}

/** The mapping a run recorded in its manifest (file name when given, sha256), or null for a run without one. */
export function manifestMapping(m: Manifest): { file: string | null; sha256: string } | null {
  const v = m.mapping;
  if (typeof v === 'string' && v !== '') return { file: null, sha256: v };
  if (v && typeof v === 'object' && typeof (v as { sha256?: unknown }).sha256 === 'string') {
    const o = v as { sha256: string; file?: unknown; name?: unknown; path?: unknown };
    const file = [o.file, o.name, o.path].find((x): x is string => typeof x === 'string') ?? null;
    return { file, sha256: o.sha256 };
  }
  return null;
}

/** Where a run's inputs were (locations.json, written beside the manifest: absolute paths, not promised identical). */
export interface Locations {
  data: string;
  contract: string;
  /** The mapping file of a mapped run. */
  mapping?: string;
}

/**
 * The run's locations.json: null when the folder has none; an InputError (exit 2) when it is not
 * the JSON object `pbr run` writes, saying to give the locations on the command line.
 */
export function readLocations(run: string): Locations | null {
  const p = path.join(run, 'locations.json');
  if (!existsSync(p)) return null;
  const bad = (why: string) =>
    new InputError(`${p}: ${why}; say where the run's inputs are with --data DIR --contract FILE (and --mapping FILE for a mapped run)`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw bad(`not valid JSON (${shown((e as Error).message)})`);
  }
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw bad('not a JSON object');
  if (typeof o.data !== 'string' || o.data === '') throw bad("no 'data' folder in it");
  if (typeof o.contract !== 'string' || o.contract === '') throw bad("no 'contract' file in it");
  if (o.mapping !== undefined && o.mapping !== null && typeof o.mapping !== 'string') throw bad("'mapping' is not a file path");
  return { data: o.data, contract: o.contract, ...(typeof o.mapping === 'string' ? { mapping: o.mapping } : {}) };
}

/** readLocations for callers that can go on without it: the locations, or why they cannot be had. */
export function tryLocations(run: string): Locations | { problem: string } {
  try {
    return readLocations(run) ?? { problem: `${run} has no locations.json` };
  } catch (e) {
    if (e instanceof InputError) return { problem: `${path.join(run, 'locations.json')} is damaged` };
    throw e;
  }
}

export interface VerifyOptions {
  data?: string;
  contract?: string;
  mapping?: string;
  /** Let the recomputation read and write the run cache (default: never; a damaged cache must not make a run verify). */
  useCache?: boolean;
}

export interface DifferingOutput {
  file: string;
  why: string;
  /** For a CSV output that the recomputation gives differently: the rows that differ (at most ROW_LIMIT). */
  rows?: CsvDifferences;
}

export interface VerifyResult {
  ok: boolean;
  data: string;
  contract: string;
  mapping: string | null;
  cache: 'not used' | 'allowed';
  notes: string[];
  changedInputs: { file: string; why: string }[];
  differingOutputs: DifferingOutput[];
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** How many differing CSV outputs have their rows named. */
export const FILE_LIMIT = 10;
const TABLE_ORDER = ['measures.csv', 'payments.csv', 'breakdowns.csv'];
/** measures.csv, payments.csv and breakdowns.csv before any other CSV. */
const csvRank = (f: string) => (TABLE_ORDER.includes(f) ? TABLE_ORDER.indexOf(f) : TABLE_ORDER.length);

/**
 * Recompute a run from the inputs, contract and mapping it records (without the run cache unless
 * `useCache`), and compare every output hash: those in the manifest, those of the files now in the
 * run folder, and those of the recomputation. A CSV output the recomputation gives differently has
 * its differing rows named.
 */
export async function verifyRun(run: string, override: VerifyOptions = {}): Promise<VerifyResult> {
  const manifest = readManifest(run);
  const recordedMapping = manifestMapping(manifest);
  // locations.json is read only when the command line leaves something to find.
  const needLocations = !override.data || !override.contract || (recordedMapping !== null && !override.mapping);
  const loc = needLocations ? readLocations(run) : null;
  const data = override.data ?? loc?.data;
  const contract = override.contract ?? loc?.contract;
  if (!data || !contract) {
    throw new InputError(`${run}: locations.json is missing; say where the run's inputs are with --data DIR --contract FILE`);
  }
  const mapping = override.mapping ?? loc?.mapping ?? null;
  if (recordedMapping && !mapping) {
    throw new InputError(`${run}: the run read its data through a mapping file and locations.json does not say where it is; pass --mapping FILE`);
  }
  const notes: string[] = [];
  if (manifest.engine.version !== ENGINE_VERSION) notes.push(`the run was made by pbr-engine ${manifest.engine.version}; this is ${ENGINE_VERSION}`);
  if (manifest.duckdb !== Db.version) notes.push(`the run used DuckDB ${manifest.duckdb}; this is ${Db.version}`);

  const changedInputs: VerifyResult['changedInputs'] = [];
  if (!isFile(contract)) changedInputs.push({ file: contract, why: 'missing' });
  else if (sha256Of(contract) !== manifest.contract.sha256) changedInputs.push({ file: path.basename(contract), why: 'contract changed since the run (sha256 differs)' });
  if (mapping !== null) {
    if (!isFile(mapping)) changedInputs.push({ file: mapping, why: 'missing' });
    else if (!recordedMapping) changedInputs.push({ file: path.basename(mapping), why: 'mapping given, but the run used none' });
    else if (sha256Of(mapping) !== recordedMapping.sha256) changedInputs.push({ file: path.basename(mapping), why: 'mapping changed since the run (sha256 differs)' });
  }
  for (const s of manifest.inputs) {
    const p = path.join(data, s.file);
    if (!isFile(p)) changedInputs.push({ file: s.file, why: 'missing' });
    else if ((await sha256File(p)) !== s.sha256) changedInputs.push({ file: s.file, why: 'changed since the run (sha256 differs)' });
  }

  const differingOutputs: DifferingOutput[] = [];
  const now = outputHashes(run);
  for (const [f, h] of Object.entries(manifest.outputs)) {
    if (!(f in now)) differingOutputs.push({ file: f, why: 'missing from the run folder' });
    else if (now[f] !== h) differingOutputs.push({ file: f, why: 'changed since the run (differs from the manifest)' });
  }
  for (const f of Object.keys(now)) if (!(f in manifest.outputs)) differingOutputs.push({ file: f, why: 'not written by the run' });

  if (changedInputs.every((c) => c.why !== 'missing')) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'pbr-verify-'));
    try {
      const { runPipeline } = await import('../run/pipeline.js');
      const out = path.join(tmp, 'run');
      // The mapping goes through as the pipeline's `mappingPath` option (docs/extracts.md); the
      // report outputs the run asked for (--png, --focus) are asked for again.
      const options: PipelineOptions = {
        dataDir: data,
        contractPath: contract,
        outDir: out,
        asOf: manifest.as_of,
        allowRejects: manifest.rejected_rows > 0,
        quiet: true,
        cache: override.useCache === true,
        ...(mapping !== null ? { mappingPath: mapping } : {}),
        ...(manifest.report?.png === true ? { png: true } : {}),
        ...(typeof manifest.report?.focus === 'string' ? { focus: manifest.report.focus } : {}),
      };
      await runPipeline(options);
      const again = outputHashes(out);
      const csvs: DifferingOutput[] = [];
      for (const [f, h] of Object.entries(manifest.outputs)) {
        if (!(f in again)) differingOutputs.push({ file: f, why: 'not produced by the recomputation' });
        else if (again[f] !== h) {
          const d: DifferingOutput = { file: f, why: 'the recomputation gives different bytes' };
          differingOutputs.push(d);
          // A CSV output still in the run folder gets its differing rows (else its hash says enough).
          if (f.endsWith('.csv') && f in now) csvs.push(d);
        }
      }
      // The rows of the first FILE_LIMIT of them: the tables first, then the statements.
      csvs.sort((a, b) => csvRank(a.file) - csvRank(b.file) || (a.file < b.file ? -1 : 1));
      for (const d of csvs.slice(0, FILE_LIMIT)) d.rows = await csvRowDifferences(path.join(run, d.file), path.join(out, d.file), d.file);
      if (csvs.length > FILE_LIMIT) notes.push(`${csvs.length} CSV outputs differ; the rows of the first ${FILE_LIMIT} are listed`);
      for (const f of Object.keys(again)) if (!(f in manifest.outputs)) differingOutputs.push({ file: f, why: 'produced by the recomputation but not by the run' });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      differingOutputs.push({ file: '(all)', why: `the recomputation stopped: ${e.message}` });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    notes.push('not recomputed: an input is missing');
  }
  differingOutputs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.why < b.why ? -1 : 1));
  return {
    ok: changedInputs.length === 0 && differingOutputs.length === 0,
    data,
    contract,
    mapping,
    cache: override.useCache ? 'allowed' : 'not used',
    notes,
    changedInputs,
    differingOutputs,
  };
}

/** The plain-text report of pbr verify (stdout). */
export function formatVerify(run: string, r: VerifyResult): string {
  const out: string[] = [];
  for (const n of r.notes) out.push(`note: ${n}`);
  for (const c of r.changedInputs) out.push(`input ${c.file}: ${c.why}`);
  for (const d of r.differingOutputs) {
    out.push(`output ${d.file}: ${d.why}`);
    if (!d.rows) continue;
    const x = d.rows;
    if (x.header) {
      out.push(`  header: ${x.header}`);
      continue;
    }
    if (x.total === 0) out.push('  no field differs (the files differ in quoting or line endings only)');
    for (const row of x.rows) {
      const key = row.key.length > 0 ? row.key.map((k) => `${k.column} ${shown(k.value)}`).join(', ') : `line ${row.line_run ?? row.line_recomputed}`;
      const where = `${key}${row.line_run !== null ? ` (line ${row.line_run})` : ''}`;
      if (row.line_recomputed === null) out.push(`  ${where}: only in the run, not in the recomputation`);
      else if (row.line_run === null) out.push(`  ${key} (line ${row.line_recomputed} of the recomputation): only in the recomputation, missing from the run`);
      else {
        const vals = row.values.map((v) => `${v.column} ${v.run === '' ? '(empty)' : shown(v.run)} in the run, ${v.recomputed === '' ? '(empty)' : shown(v.recomputed)} recomputed`);
        out.push(`  ${where}: ${vals.join('; ')}${row.more_values > 0 ? `; and ${row.more_values} more value(s)` : ''}`);
      }
    }
    if (x.total > x.rows.length) out.push(`  and ${x.total - x.rows.length} more row(s) differ (${x.total} in all)`);
  }
  if (r.ok) out.push(`verified: every output of ${run} is reproduced byte for byte from ${r.data}${r.cache === 'allowed' ? ' (run cache allowed)' : ' (recomputed without the run cache)'}`);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
