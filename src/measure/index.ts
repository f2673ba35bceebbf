import path from 'node:path';
import { type Db, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import type { RunContext } from '../core/context.js';
import { InputError } from '../errors.js';
import { checkMechanism, decideParams } from './rules.js';

/**
 * The measurement engine: method.md sections 1-7, in SQL (queries/measure_*.sql).
 *
 * `measure(ctx)` needs the typed tables of docs/internals.md (cohort, starts, reconvictions,
 * baselines_input, areas) and creates, in order:
 *   m_periods        cohort and baseline periods                       (measure_periods)
 *   m_index          one index start per person and period            (measure_index)
 *   m_offences       every offence near the window, counted or why not (measure_offences)
 *   offender_outcomes one row per person and period                    (measure_outcomes)
 *   m_area_period    counts per area / ALL and period                  (measure_aggregate)
 *   m_baselines      pooled or given baselines, with their exact parts (measure_baselines)
 *   m_thresholds     the thresholds file's rows (empty without one)
 *   m_decide_in      the exact figures of each area-period            (measure_decide_input)
 *   measures         the measures.csv columns, unrounded, + extras     (measure_measures)
 * and `writeMeasureCsvs` then makes, for breakdowns.csv and the report,
 *   breakdowns       by start type, sex, age band, OGRS band; concentration (measure_breakdowns)
 */
export async function measure(ctx: RunContext): Promise<void> {
  const c = ctx.contract;
  const db = ctx.db;
  const population = c.population.allocation;
  checkMechanism(c);
  await thresholdsTable(ctx);
  await db.execMacros('pay_macros');
  await db.execMacros('measure_macros');
  await db.exec('measure_periods', {
    period_type: c.cohort.period,
    cohort_from: c.cohort.from,
    cohort_to: c.cohort.to,
    baseline_from: c.baseline.from,
    baseline_to: c.baseline.to,
    top_up: c.cohort.top_up,
  });
  await db.exec('measure_index', {
    period_type: c.cohort.period,
    top_up: c.cohort.top_up,
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
  await db.exec('measure_aggregate');
  await db.exec('measure_baselines', { has_baselines_file: ctx.hasBaselinesFile, population });
  await db.exec('measure_decide_input', {
    as_of: ctx.asOf,
    months: c.follow_up.months,
    waiting_months: c.follow_up.waiting_months,
    significance: c.significance.method,
  });
  await db.exec('measure_measures', decideParams(c));
}

/**
 * m_thresholds: the rows of the typed table `thresholds` (method.md section 13), or none when the
 * loader made no such table. With significance.method fixed and no thresholds file the contract
 * cannot be decided: exit 2 naming the key.
 */
async function thresholdsTable(ctx: RunContext): Promise<void> {
  const db = ctx.db;
  const exists = Number(
    await db.scalar(
      `SELECT count(*) FROM (SELECT table_name AS n FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()) WHERE n = 'thresholds'`,
    ),
  );
  await db.run(
    exists
      ? `CREATE OR REPLACE TEMP TABLE m_thresholds AS SELECT cpa, period, lower, upper, _line FROM thresholds`
      : `CREATE OR REPLACE TEMP TABLE m_thresholds (cpa VARCHAR, period VARCHAR, lower DECIMAL(18,12), upper DECIMAL(18,12), _line BIGINT)`,
  );
  if (ctx.contract.significance.method !== 'fixed') return;
  const given = ctx.inputs.some((i) => i.name === 'thresholds') || Number(await db.scalar('SELECT count(*) FROM m_thresholds')) > 0;
  if (!given) {
    throw new InputError(
      'significance.method: fixed takes its thresholds from a thresholds file (cpa, period, lower, upper) in the dataset folder, and there is none; ' +
        'add thresholds.csv or choose baseline-band or two-proportion',
    );
  }
}

/** Area-periods (not ALL) that have no threshold row under significance.method fixed, in measures.csv order. */
export async function missingThresholds(db: Db): Promise<{ area: string; period: string }[]> {
  return db.all<{ area: string; period: string }>(
    `SELECT area, period FROM measures WHERE threshold_missing ORDER BY encode(area), period_start, period_end`,
  );
}

/** The SELECT of a query file, for use inside COPY (...) TO. */
function selectOf(name: string): string {
  return readSql(name).trim().replace(/;\s*$/, '');
}

/**
 * Writes ctx.outDir/measures.csv (the outputs listed in the README) from the tables made by
 * `measure`, and makes the table `breakdowns` (what breakdowns.csv and the report show) and
 * writes breakdowns.csv.
 */
export async function writeMeasureCsvs(ctx: RunContext): Promise<void> {
  const db = ctx.db;
  await db.execMacros('measure_macros');
  await db.exec('measure_breakdowns', { population: ctx.contract.population.allocation });
  const csv = (file: string) => `${literal(path.join(ctx.outDir, file))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`;
  await db.run(`COPY (${selectOf('measure_measures_csv')}) TO ${csv('measures.csv')}`);
  await db.run(`COPY (${selectOf('measure_breakdowns_csv')}) TO ${csv('breakdowns.csv')}`);
}

/**
 * Writes outDir/offender_outcomes.parquet (one row per person and period) and
 * offender_offences.parquet (one row per person, period and listed offence), both flat tables.
 */
export async function writeOutcomesParquet(db: Db, outDir: string, population: string): Promise<void> {
  const to = (file: string) => `${literal(path.join(outDir, file))} (FORMAT parquet, COMPRESSION zstd)`;
  await db.run(`COPY (${selectOf('measure_outcomes_parquet')}) TO ${to('offender_outcomes.parquet')}`);
  await db.run(`COPY (${selectOf('measure_offences_parquet')}) TO ${to('offender_offences.parquet')}`, { population });
}

/** Drop the measure tables nothing after the measure stage reads (m_index, m_offences: the largest). */
export async function releaseMeasureTables(db: Db): Promise<void> {
  for (const t of ['m_offences', 'm_index']) await db.run(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * Writes ctx.outDir/measures.csv, breakdowns.csv and the two per-person Parquet files from the tables
 * made by `measure`.
 */
export async function writeMeasureOutputs(ctx: RunContext): Promise<void> {
  await writeMeasureCsvs(ctx);
  await writeOutcomesParquet(ctx.db, ctx.outDir, ctx.contract.population.allocation);
}
