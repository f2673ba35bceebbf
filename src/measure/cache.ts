import path from 'node:path';
import { Db } from '../db/duckdb.js';
import type { RunContext } from '../core/context.js';
import { cacheRoot, codeHash, keyOf, restoreEntry, storeEntry, type CacheWrite } from '../cache/store.js';
import { measure, writeMeasureCsvs, writeOutcomesParquet } from './index.js';

/**
 * The measure-* entries of the run cache (src/cache/store.ts). Measurement is a pure function of
 * the validated inputs (the load key), the contract, as_of and the measure code, so a rerun with
 * all of these unchanged restores the tables later stages read (measures, offender_outcomes,
 * breakdowns) and the three files measure writes, instead of computing them again. Payments,
 * statements, charts and the report are always made afresh from those tables.
 */
export const MEASURE_QUERIES = [
  'pay_macros', 'measure_macros', 'measure_periods', 'measure_index', 'measure_offences', 'measure_outcomes',
  'measure_aggregate', 'measure_baselines', 'measure_decide_input', 'measure_measures', 'measure_breakdowns',
  'measure_measures_csv', 'measure_breakdowns_csv', 'measure_outcomes_parquet', 'measure_offences_parquet',
] as const;
export const MEASURE_TABLES = ['measures', 'offender_outcomes', 'breakdowns'] as const;
export const MEASURE_FILES = ['measures.csv', 'breakdowns.csv', 'offender_outcomes.parquet', 'offender_offences.parquet'] as const;

/** The key of a measure entry; reads every measure query, so the manifest lists the same SQL on a hit. */
export function measureKey(ctx: RunContext, loadKey: string): string {
  return keyOf('measure', {
    load: loadKey,
    contract: ctx.contractSha256,
    as_of: ctx.asOf,
    duckdb: Db.version,
    code: codeHash(['measure/index', 'measure/normal', 'measure/rules', 'measure/cache', 'cache/store'], MEASURE_QUERIES),
  });
}

/** The two per-person Parquet files, then the tables nothing later reads (m_index, m_offences) dropped. */
async function outcomesFiles(ctx: RunContext): Promise<void> {
  await writeOutcomesParquet(ctx.db, ctx.outDir, ctx.contract.population.allocation);
  for (const t of ['m_offences', 'm_index']) await ctx.db.run(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * measure and its three files, or their results from the cache; true when they came from the
 * cache. `loadKey` is the load stage's cache key (undefined when it did not compute one);
 * `cache: false` bypasses the cache; `deferStore` receives the writing of a new entry (the
 * pipeline decides when and on which connection it runs).
 */
export async function measureWithCache(
  ctx: RunContext,
  loadKey: string | undefined,
  cache: boolean,
  deferStore: (write: CacheWrite) => void,
): Promise<boolean> {
  const root = cache && loadKey ? cacheRoot() : null;
  const key = loadKey ? measureKey(ctx, loadKey) : '';
  const files = (dir: string) => Object.fromEntries(MEASURE_FILES.map((f) => [f, path.join(dir, f)]));
  if (root && (await restoreEntry(ctx.db, root, key, { tables: MEASURE_TABLES, files: files(ctx.outDir) }))) {
    ctx.progress('measure: restored from the cache (inputs, contract, as_of and code unchanged)');
    return true;
  }
  await measure(ctx);
  await writeMeasureCsvs(ctx);
  await outcomesFiles(ctx);
  if (root) {
    const holds = `measure results for as_of ${ctx.asOf}: ${MEASURE_TABLES.join(', ')} and ${MEASURE_FILES.join(', ')} (person-level)`;
    deferStore((db) => storeEntry(db, root, key, { tables: MEASURE_TABLES, meta: { as_of: ctx.asOf }, files: files(ctx.outDir), holds, personLevel: true }));
  }
  return false;
}
