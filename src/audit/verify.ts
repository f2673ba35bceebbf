import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import { Db } from '../db/duckdb.js';
import { ENGINE_VERSION } from '../version.js';
import { outputHashes, sha256Of } from '../core/manifest.js';
import { sha256File } from '../validate/files.js';

export interface Manifest {
  engine: { name: string; version: string };
  duckdb: string;
  contract: { name: string; sha256: string; resolved: unknown };
  as_of: string;
  inputs: { file: string; sha256: string; bytes: number; rows_read: number; rows_used: number; rows_rejected: number }[];
  rejected_rows: number;
  /** Report outputs asked for (--png, --focus); absent for a default run. */
  report?: { png?: boolean; focus?: string | null };
  queries: Record<string, string>;
  outputs: Record<string, string>;
}

export function readManifest(run: string): Manifest {
  const p = path.join(run, 'manifest.json');
  if (!existsSync(p)) throw new InputError(`${run}: no manifest.json here; give the folder a 'pbr run' wrote`);
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch (e) {
    throw new InputError(`${p}: not valid JSON (${(e as Error).message}); the run folder is damaged`);
  }
}

export function readLocations(run: string): { data: string; contract: string } | null {
  const p = path.join(run, 'locations.json');
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as { data: string; contract: string };
}

export interface VerifyResult {
  ok: boolean;
  data: string;
  contract: string;
  notes: string[];
  changedInputs: { file: string; why: string }[];
  differingOutputs: { file: string; why: string }[];
}

/**
 * Recompute a run from the inputs and contract it records, and compare every output hash: those
 * in the manifest, those of the files now in the run folder, and those of the recomputation.
 */
export async function verifyRun(run: string, override: { data?: string; contract?: string } = {}): Promise<VerifyResult> {
  const manifest = readManifest(run);
  const loc = readLocations(run);
  const data = override.data ?? loc?.data;
  const contract = override.contract ?? loc?.contract;
  if (!data || !contract) {
    throw new InputError(`${run}: locations.json is missing; say where the inputs are with --data DIR --contract FILE`);
  }
  const notes: string[] = [];
  if (manifest.engine.version !== ENGINE_VERSION) notes.push(`the run was made by pbr-engine ${manifest.engine.version}; this is ${ENGINE_VERSION}`);
  if (manifest.duckdb !== Db.version) notes.push(`the run used DuckDB ${manifest.duckdb}; this is ${Db.version}`);

  const changedInputs: VerifyResult['changedInputs'] = [];
  if (!existsSync(contract)) changedInputs.push({ file: contract, why: 'missing' });
  else if (sha256Of(contract) !== manifest.contract.sha256) changedInputs.push({ file: path.basename(contract), why: 'contract changed since the run (sha256 differs)' });
  for (const i of manifest.inputs) {
    const p = path.join(data, i.file);
    if (!existsSync(p)) changedInputs.push({ file: i.file, why: 'missing' });
    else if ((await sha256File(p)) !== i.sha256) changedInputs.push({ file: i.file, why: 'changed since the run (sha256 differs)' });
  }

  const differingOutputs: VerifyResult['differingOutputs'] = [];
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
      await runPipeline({
        dataDir: data, contractPath: contract, outDir: out, asOf: manifest.as_of, allowRejects: manifest.rejected_rows > 0, quiet: true,
        png: manifest.report?.png === true, focus: typeof manifest.report?.focus === 'string' ? manifest.report.focus : undefined,
      });
      const again = outputHashes(out);
      for (const [f, h] of Object.entries(manifest.outputs)) {
        if (!(f in again)) differingOutputs.push({ file: f, why: 'not produced by the recomputation' });
        else if (again[f] !== h) differingOutputs.push({ file: f, why: 'the recomputation gives different bytes' });
      }
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
  return { ok: changedInputs.length === 0 && differingOutputs.length === 0, data, contract, notes, changedInputs, differingOutputs };
}
