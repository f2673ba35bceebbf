import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Db, ident, literal, type Params } from '../db/duckdb.js';
import { InputError } from '../errors.js';
import { readManifest, type Manifest } from './verify.js';

/**
 * Reading a run folder's files into DuckDB for `pbr diff`, `pbr reconcile` and `pbr check`
 * (the outputs listed in the README). Every file is read with explicit column types: a file that does not
 * parse is a damaged run folder (exit 2 naming it).
 */

/** measures.csv, in file order, with the type each column is read as. */
export const MEASURE_COLUMNS: readonly (readonly [string, string])[] = [
  ['population', 'VARCHAR'],
  ['area', 'VARCHAR'],
  ['period', 'VARCHAR'],
  ['period_start', 'DATE'],
  ['period_end', 'DATE'],
  ['status', 'VARCHAR'],
  ['eligible', 'BIGINT'],
  ['measurable', 'BIGINT'],
  ['reoffenders', 'BIGINT'],
  ['reoffences', 'BIGINT'],
  ['binary_rate', 'DECIMAL(18,6)'],
  ['frequency_rate', 'DECIMAL(18,6)'],
  ['reoffences_per_100', 'DECIMAL(18,6)'],
  ['reconviction_events_per_100', 'DECIMAL(18,6)'],
  ['expected_rate', 'DECIMAL(18,6)'],
  ['baseline_measurable', 'BIGINT'],
  ['baseline_binary_rate', 'DECIMAL(18,6)'],
  ['baseline_expected_rate', 'DECIMAL(18,6)'],
  ['baseline_frequency_rate', 'DECIMAL(18,6)'],
  ['adjusted_binary_rate', 'DECIMAL(18,6)'],
  ['lower_threshold', 'DECIMAL(18,6)'],
  ['upper_threshold', 'DECIMAL(18,6)'],
  ['binary_outcome', 'VARCHAR'],
  ['frequency_outcome', 'VARCHAR'],
];

/**
 * measures.csv's v2 columns (appended, listed in the README): the exact numerators. Runs made
 * before v2 have not got them; like any column not in MEASURE_COLUMNS they are read as the text
 * the file holds (ogrs_sum exactly as written).
 */
export const MEASURE_V2_COLUMNS: readonly string[] = ['ogrs_sum', 'baseline_reoffenders', 'baseline_reoffences', 'baseline_ogrs_sum', 'termination_watch'];

/** The columns of measures.csv that describe a figure (everything but the row's key). */
export const MEASURE_FIGURES: readonly string[] = [...MEASURE_COLUMNS.map((c) => c[0]), ...MEASURE_V2_COLUMNS].filter(
  (c) => !['population', 'area', 'period', 'period_start'].includes(c),
);

export const PAYMENT_COLUMNS: readonly (readonly [string, string])[] = [
  ['area', 'VARCHAR'],
  ['period', 'VARCHAR'],
  ['component', 'VARCHAR'],
  ['basis', 'VARCHAR'],
  ['amount', 'DECIMAL(38,2)'],
  ['rule', 'VARCHAR'],
];

function columnsStruct(cols: readonly (readonly [string, string])[]): string {
  return `{${cols.map(([n, t]) => `${literal(n)}: ${literal(t)}`).join(', ')}}`;
}

function need(run: string, file: string): string {
  const p = path.join(run, file);
  if (!existsSync(p)) throw new InputError(`${p}: missing; give a folder written by 'pbr run' `);
  return p;
}

async function readCsvInto(db: Db, table: string, file: string, cols: readonly (readonly [string, string])[]): Promise<void> {
  try {
    await db.run(
      // Named types for the columns of the outputs listed in the README; any other column (v2's appended ones,
      // or one added later, as the formats allow) is read as the text the file holds. A missing
      // column or a value of the wrong type is an error.
      `CREATE OR REPLACE TABLE ${ident(table)} AS
       SELECT ${cols.map(([n]) => ident(n)).join(', ')}, COLUMNS(* EXCLUDE (${cols.map(([n]) => ident(n)).join(', ')}))
       FROM read_csv(${literal(file)}, header = true, delim = ',', quote = '"', escape = '"', nullstr = '',
                     types = ${columnsStruct(cols)}, auto_type_candidates = ['VARCHAR'])`,
    );
  } catch (e) {
    throw new InputError(`${file}: cannot be read as the engine writes it (${(e as Error).message.split('\n')[0]}); the run folder is damaged`);
  }
}

/**
 * volumes.csv of a run into table `table`, every column as the text the file holds (so that it can
 * be written again byte for byte), in the file's order (its rowid: DuckDB keeps the order rows
 * were read in, preserve_insertion_order). False, and no table, for a run written before
 * volumes.csv existed (or by pbr assess, which writes none).
 */
export async function loadRunVolumes(db: Db, run: string, table: string): Promise<boolean> {
  const file = path.join(run, 'volumes.csv');
  if (!existsSync(file)) return false;
  await readCsvInto(db, table, file, VOLUME_COLUMNS);
  return true;
}

/** The columns of volumes.csv (docs/statements.md), in the file's order, read as text. */
const VOLUME_COLUMNS: readonly (readonly [string, string])[] = [
  'start_id', 'area', 'start_date', 'month', 'start_type', 'sentence_length_days', 'counted', 'band', 'weight', 'contract_year', 'reason',
].map((c) => [c, 'VARCHAR'] as const);

/** payments.csv of a run (or of a pbr assess output) into table `table`. */
export async function loadRunPayments(db: Db, run: string, table: string): Promise<void> {
  await readCsvInto(db, table, need(run, 'payments.csv'), PAYMENT_COLUMNS);
}

/** measures.csv and payments.csv of a run into tables `<prefix>measures` and `<prefix>payments`. */
export async function loadRunCsvs(db: Db, run: string, prefix: string): Promise<void> {
  await readCsvInto(db, `${prefix}measures`, need(run, 'measures.csv'), MEASURE_COLUMNS);
  await readCsvInto(db, `${prefix}payments`, need(run, 'payments.csv'), PAYMENT_COLUMNS);
}

/**
 * The per-person files of a run as tables `<prefix>outcomes` (one row per person and period) and
 * `<prefix>offences` (one row per person, period and listed offence: period, person_id,
 * offence_id, offence_date, counted, reason, ...). Runs written before offender_offences.parquet
 * existed hold the offences as a nested list column of offender_outcomes.parquet: it is unnested.
 * With `area`, only that area's rows are read (pbr extract: at national scale an area is a
 * twentieth of the 5.7 M listed offences).
 */
export async function loadRunOutcomes(db: Db, run: string, prefix: string, area?: string): Promise<void> {
  const p = need(run, 'offender_outcomes.parquet');
  const flat = path.join(run, 'offender_offences.parquet');
  const outcomes = ident(`${prefix}outcomes`);
  const offences = ident(`${prefix}offences`);
  const where = area === undefined ? '' : 'WHERE area = $area';
  const params: Params = area === undefined ? {} : { area };
  const damaged = (f: string, e: unknown) => new InputError(`${f}: cannot be read (${(e as Error).message.split('\n')[0]}); the run folder is damaged`);
  try {
    await db.run(`CREATE OR REPLACE TABLE ${outcomes} AS SELECT * FROM read_parquet(${literal(p)}) ${where}`, params);
  } catch (e) {
    throw damaged(p, e);
  }
  if (existsSync(flat)) {
    try {
      await db.run(`CREATE OR REPLACE TABLE ${offences} AS SELECT * FROM read_parquet(${literal(flat)}) ${where}`, params);
    } catch (e) {
      throw damaged(flat, e);
    }
    return;
  }
  const nested = await db.scalar<number>(
    `SELECT count(*) FROM (DESCRIBE ${outcomes}) WHERE column_name = 'offences'`,
  );
  if (Number(nested) > 0) {
    await db.run(
      `CREATE OR REPLACE TABLE ${offences} AS
       SELECT period, person_id, o.* FROM (SELECT period, person_id, unnest(offences) AS o FROM ${outcomes})`,
    );
    await db.run(`ALTER TABLE ${outcomes} DROP COLUMN offences`);
  } else {
    throw new InputError(`${flat}: missing; the run folder is damaged (give a folder written by 'pbr run')`);
  }
}

/** The run's manifest.json (exit 2 when the folder has none). */
export function runManifest(run: string): Manifest {
  if (!existsSync(run)) throw new InputError(`${run}: no such folder; give a folder written by 'pbr run'`);
  return readManifest(run);
}

/** A contract value from manifest.contract.resolved by dotted path, or null. */
export function resolvedKey(m: Manifest, dotted: string): unknown {
  let v: unknown = m.contract.resolved;
  for (const k of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[k];
  }
  return v ?? null;
}
