import path from 'node:path';
import { type Db, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import type { RunContext } from '../core/context.js';
import { significanceZ } from './normal.js';

/**
 * The measurement engine: method.md sections 1-7, in SQL (queries/measure_*.sql).
 *
 * `measure(ctx)` needs the typed tables of docs/internals.md (cohort, starts, reconvictions,
 * baselines_input, areas) and creates, in order:
 *   m_periods        cohort and baseline periods                       (measure_periods)
 *   m_index          one index start per person and period            (measure_index)
 *   m_offences       every offence near the window, counted or why not (measure_offences)
 *   offender_outcomes one row per person and period (flat columns)     (measure_outcomes)
 *   m_offence_lists  per person and period, the offences near the window (measure_offence_lists)
 *   m_area_period    counts per area / ALL and period                  (measure_aggregate)
 *   m_baselines      pooled or given baselines                         (measure_baselines)
 *   measures         the measures.csv columns, unrounded, + extras     (measure_measures)
 *   breakdowns       by start type, sex, age band, OGRS band; concentration (measure_breakdowns)
 */
/** Listed offences per batch of periods when building the offence lists (memory, not results). */
const OUTCOME_BATCH_ROWS = 750_000;

export interface MeasureOptions {
  /** At most this many listed offences per batch of offence lists (tests set it small). */
  batchRows?: number;
  /** Build m_offence_lists too (default true); the pipeline builds them apart, with the file. */
  lists?: boolean;
}

export async function measure(ctx: RunContext, opts: MeasureOptions = {}): Promise<void> {
  const c = ctx.contract;
  const db = ctx.db;
  const population = c.population.allocation;
  await db.exec('measure_macros');
  await db.exec('measure_periods', {
    period_type: c.cohort.period,
    cohort_from: c.cohort.from,
    cohort_to: c.cohort.to,
    baseline_from: c.baseline.from,
    baseline_to: c.baseline.to,
  });
  await db.exec('measure_index', {
    period_type: c.cohort.period,
    allocation: population,
    start_types: c.population.start_types,
    exclude_em_only: c.population.exclude_em_only,
    min_age: c.population.min_age,
    min_custody_days: c.population.min_custody_days,
    months: c.follow_up.months,
    waiting_months: c.follow_up.waiting_months,
  });
  await db.exec('measure_offences', {
    disposals: c.proven.disposals,
    exclude_breaches: c.proven.exclude_breaches,
    as_of: ctx.asOf,
  });
  await db.exec('measure_outcomes', { population });
  if (opts.lists ?? true) await measureOffenceLists(db, opts);
  await db.exec('measure_aggregate');
  await db.exec('measure_baselines', { has_baselines_file: ctx.hasBaselinesFile, population });
  await db.exec('measure_measures', {
    population,
    as_of: ctx.asOf,
    months: c.follow_up.months,
    waiting_months: c.follow_up.waiting_months,
    adjustment: c.adjustment.method,
    significance: c.significance.method,
    z: significanceZ(c.significance.confidence, c.significance.sided),
  });
  await db.exec('measure_breakdowns', { population });
}

/**
 * m_offence_lists: the per-person offence lists of offender_outcomes.parquet (needs m_periods and
 * m_offences), a batch of periods at a time (a loop over a few batches, never over people): one
 * batch's lists fit in memory where all may not. Nothing but that file reads them.
 */
export async function measureOffenceLists(db: Db, opts: Pick<MeasureOptions, 'batchRows'> = {}): Promise<void> {
  await db.exec('measure_offence_lists');
  await db.run(`CREATE OR REPLACE TABLE m_offence_lists AS FROM m_offence_lists_for([], '2000-01-01', '2000-01-01', 1, 0) LIMIT 0`);
  const batches = await db.allNamed<{ periods: string[]; from_start: string; to_start: string; parts: number }>('measure_offence_batches', {
    batch_rows: opts.batchRows ?? OUTCOME_BATCH_ROWS,
  });
  for (const b of batches) {
    for (let part = 0; part < b.parts; part++) {
      await db.run(`INSERT INTO m_offence_lists FROM m_offence_lists_for($periods, $from_start, $to_start, $parts, $part)`, { ...b, part });
    }
  }
}

/** The SELECT of a query file, for use inside COPY (...) TO. */
function selectOf(name: string): string {
  return readSql(name).trim().replace(/;\s*$/, '');
}

/** Writes ctx.outDir/measures.csv (formats.md section 4) and breakdowns.csv from the tables made by `measure`. */
export async function writeMeasureCsvs(ctx: RunContext): Promise<void> {
  const db = ctx.db;
  await db.exec('measure_macros');
  const csv = (file: string) => `${literal(path.join(ctx.outDir, file))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`;
  await db.run(`COPY (${selectOf('measure_measures_csv')}) TO ${csv('measures.csv')}`);
  await db.run(`COPY (${selectOf('measure_breakdowns_csv')}) TO ${csv('breakdowns.csv')}`);
}

/** Writes outDir/offender_outcomes.parquet from offender_outcomes and m_offence_lists. */
export async function writeOutcomesParquet(db: Db, outDir: string): Promise<void> {
  await db.run(
    `COPY (${selectOf('measure_outcomes_parquet')}) TO ${literal(path.join(outDir, 'offender_outcomes.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
  );
}

/**
 * Writes ctx.outDir/measures.csv, offender_outcomes.parquet and breakdowns.csv from the tables
 * made by `measure`.
 */
export async function writeMeasureOutputs(ctx: RunContext): Promise<void> {
  await writeMeasureCsvs(ctx);
  await writeOutcomesParquet(ctx.db, ctx.outDir);
}
