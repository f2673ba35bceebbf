import type { Db } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import { codeHash, keyOf, restoreEntry, storeEntry } from '../cache/store.js';
import { periodKinds } from './periods.js';

export { cacheRoot } from '../cache/store.js';

/**
 * The load-* entries of the run cache (src/cache/store.ts): the validated, typed tables, keyed by
 * everything validation depends on: the inputs' sha256, the contract's area list, the engine
 * version and the loader's own code and SQL. A second run on unchanged inputs reads the typed
 * tables back instead of parsing and checking every row again; any changed byte in an input
 * gives a new key.
 */
export const CACHED_TABLES = ['cohort', 'starts', 'reconvictions', 'service_levels', 'baselines_input', 'thresholds', 'areas', 'rejects'] as const;

/** Every SQL file the loader may run (read for the key whichever path runs, so the manifest lists the same files). */
export const LOAD_QUERIES = ['validate_macros', 'validate_person_reference', 'validate_reconviction_dates', 'validate_baselines', 'validate_thresholds'] as const;

export function loaderCodeHash(): string {
  return codeHash(['validate/load', 'validate/fast', 'validate/files', 'validate/xlsx', 'validate/cache', 'validate/periods', 'cache/store', 'schema/inputs', 'mapping/schema'], LOAD_QUERIES);
}

/**
 * The key of a load entry: the sources' names and sha256, the mapping (its sha256 and resolved
 * rules), and what the checks read from the contract (its areas, its period kinds).
 */
export function cacheKey(inputs: { file: string; sha256: string }[], contract: Contract, mapping: { sha256: string; resolved: unknown } | null = null): string {
  return keyOf('load', {
    code: loaderCodeHash(),
    areas: contract.areas,
    periods: periodKinds(contract),
    mapping,
    inputs: inputs.map((i) => [i.file, i.sha256]),
  });
}

/** The large input tables are restored as views over their Parquet files (read only if a query needs them). */
const LAZY: readonly string[] = ['cohort', 'starts', 'reconvictions'];

export function restore<M>(db: Db, root: string, key: string): Promise<M | null> {
  return restoreEntry<M>(db, root, key, { tables: CACHED_TABLES, lazy: LAZY });
}

export function store(db: Db, root: string, key: string, meta: { inputs?: { file: string }[] }): Promise<void> {
  const files = (meta.inputs ?? []).map((i) => i.file).join(', ');
  return storeEntry(db, root, key, {
    tables: CACHED_TABLES,
    meta,
    holds: `validated rows of ${files || 'the inputs'}, and the rejected rows (person-level)`,
    personLevel: true,
  });
}
