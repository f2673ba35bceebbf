import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Db } from '../db/duckdb.js';
import { sha256FileSync } from './hash.js';
import { usedSqlHashes } from '../db/sql.js';
import { ENGINE_VERSION } from '../version.js';
import type { RunContext } from './context.js';
import { PERSON_LEVEL_OUTPUTS } from './personLevel.js';
import { MANIFEST_VERSION, type ManifestFile } from './artifactSchemas.js';

/** Files that describe a run but are not outputs whose bytes are promised identical. */
export const UNHASHED = new Set(['manifest.json', 'timings.json', 'locations.json']);

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out;
}

export function sha256Of(p: string): string {
  return sha256FileSync(p);
}

/** sha256 of every output file of a run folder (sorted by path), manifest and timings excluded. */
export function outputHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) if (!UNHASHED.has(f)) out[f] = sha256Of(path.join(dir, f));
  return out;
}

/**
 * manifest.json: everything needed to reproduce and check a run, and nothing that changes from
 * one run to the next (no clock, no absolute paths: those go to locations.json / timings.json).
 * Its published shape is ManifestSchema (src/core/artifactSchemas.ts, schema/manifest.schema.json).
 */
export function writeManifest(ctx: RunContext): void {
  const outputs = outputHashes(ctx.outDir);
  const manifest = {
    manifest_version: MANIFEST_VERSION,
    engine: { name: 'pbr-engine', version: ENGINE_VERSION },
    duckdb: Db.version,
    contract: { name: ctx.contract.contract, sha256: ctx.contractSha256, resolved: ctx.contract },
    as_of: ctx.asOf,
    // the mapping file the inputs were read through (docs/extracts.md): a changed mapping is a changed input
    mapping: ctx.mapping ?? null,
    // every source file: its path inside the data folder (and sheet), the input it feeds, its sha256
    inputs: ctx.inputs.map((i) => ({
      file: i.file,
      ...(i.sheet !== undefined ? { sheet: i.sheet } : {}),
      input: i.name,
      sha256: i.sha256,
      bytes: i.bytes,
      rows_read: i.rows_read,
      rows_used: i.rows_used,
      rows_rejected: i.rows_rejected,
    })),
    rejected_rows: ctx.rejectedRows,
    // only when asked for, so that a default run's manifest keeps its shape
    ...(ctx.report ? { report: ctx.report } : {}),
    queries: usedSqlHashes(),
    outputs,
    // the outputs that hold data about people: owner-only, never to be published
    person_level: PERSON_LEVEL_OUTPUTS.filter((f) => f in outputs),
  } satisfies ManifestFile;
  writeFileSync(path.join(ctx.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
