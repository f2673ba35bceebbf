import { readFileSync, mkdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Db, literal } from '../db/duckdb.js';
import { InputError } from '../errors.js';
import { loadContract } from '../contract/load.js';
import type { Contract } from '../contract/schema.js';
import type { RunContext } from '../core/context.js';
import { checkMechanism, decideParams } from '../measure/rules.js';
import { readSql } from '../db/sql.js';
import { feeYearParams, finalMonths } from '../pay/params.js';
import { payScheme, payTrcrc } from '../pay/index.js';
import { writeStatements } from '../statements/index.js';

/**
 * `pbr assess`: outcomes and payments from published counts (an aggregates CSV) when no
 * person-level data exists. Columns (the baselines file's columns included):
 *   area, period, group, measurable, reoffenders, reoffences, reconviction_events, expected_rate,
 *   baseline_measurable, baseline_binary_rate, baseline_expected_rate, baseline_frequency_rate
 * plus an optional `status` (final|interim), and optionally measures.csv's exact numerators
 * (`ogrs_sum, baseline_reoffenders, baseline_reoffences, baseline_ogrs_sum`: used instead of the
 * rounded rates when present, so a run's measures.csv fed back reproduces its results lines to the
 * penny), `eligible`, and for significance.method fixed the bounds `lower_threshold,
 * upper_threshold`. A column a scheme does not need may be absent (requiredColumns); other columns
 * are ignored. Writes into `out`: outcomes.csv (tr-crc: the columns of measures.csv, computed from
 * the counts; peterborough and doncaster: their own, see pay_peterborough.sql and
 * pay_doncaster.sql), payments.csv and statements/ exactly as `pbr run` does.
 */
export const AGGREGATE_COLUMNS = [
  'area', 'period', 'group', 'measurable', 'reoffenders', 'reoffences', 'reconviction_events', 'expected_rate',
  'baseline_measurable', 'baseline_binary_rate', 'baseline_expected_rate', 'baseline_frequency_rate', 'status',
  'eligible', 'ogrs_sum', 'baseline_reoffenders', 'baseline_reoffences', 'baseline_ogrs_sum', 'lower_threshold', 'upper_threshold',
] as const;

/** Columns that must be in the file for the contract's scheme, and which of them may not be empty. */
export function requiredColumns(c: Contract): { columns: string[]; values: string[] } {
  if (c.scheme === 'peterborough') {
    const cols = ['area', 'period', 'group', 'measurable', 'reconviction_events'];
    return { columns: cols, values: cols };
  }
  if (c.scheme === 'doncaster') {
    const cols = ['area', 'period', 'measurable', 'reoffenders'];
    return { columns: cols, values: cols };
  }
  const values = ['area', 'period', 'measurable', 'reoffenders'];
  const columns = [...values, 'baseline_binary_rate'];
  if (c.adjustment.method !== 'none') {
    columns.push('expected_rate', 'baseline_expected_rate');
    values.push('expected_rate');
  }
  if (c.significance.method === 'two-proportion') columns.push('baseline_measurable');
  if (c.significance.method === 'fixed') columns.push('lower_threshold', 'upper_threshold');
  return { columns, values };
}

export interface AssessOptions {
  aggregates: string;
  contract: string;
  out: string;
  progress?: (msg: string) => void;
}

export interface AssessRow {
  area: string;
  period: string;
  status: string;
  outcome: string;
  amount: string;
}

export interface AssessResult {
  contract: string;
  scheme: string;
  out: string;
  outcomes: AssessRow[];
  total: string;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}

async function readAggregates(db: Db, file: string, c: Contract): Promise<void> {
  try {
    await db.run(
      `CREATE OR REPLACE TABLE agg_raw AS SELECT row_number() OVER () + 1 AS _line, *
       FROM read_csv(${literal(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`,
    );
  } catch (e) {
    throw new InputError(`${file}: cannot read the aggregates file as CSV (${firstLine(e)}); check it is UTF-8 CSV with a header row`);
  }
  const described = await db.all<{ column_name: string }>('DESCRIBE agg_raw');
  const header = described.map((d) => d.column_name).filter((n) => n !== '_line');
  const { columns, values } = requiredColumns(c);
  const missing = columns.filter((col) => !header.includes(col));
  if (missing.length > 0) {
    throw new InputError(
      `${file}: line 1 (header): missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} ` +
        `(scheme ${c.scheme}); the header has ${header.map((h) => `'${h}'`).join(', ')}; add the column and run again`,
    );
  }
  for (const col of AGGREGATE_COLUMNS) {
    if (!header.includes(col)) await db.run(`ALTER TABLE agg_raw ADD COLUMN "${col}" VARCHAR`);
  }
  const problems = await db.allNamed<{ line: number | string; column: string; value: string | null; reason: string }>(
    'pay_assess_check',
    { required: values, columns: header, areas: Object.keys(c.areas ?? {}), fixed: c.significance.method === 'fixed' },
  );
  if (problems.length > 0) {
    const p = problems[0]!;
    const pos = header.indexOf(p.column) + 1;
    const more = problems.length > 1 ? ` (and ${problems.length >= 100 ? '99+' : problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new InputError(
      `${file}: line ${p.line}, column ${pos} (${p.column}): ${p.value === null ? 'empty' : `'${p.value}'`}: ${p.reason}${more}; fix the file and run again`,
    );
  }
}

/**
 * The assess computation on `db` (tables payments, pay_outcomes, and for tr-crc `measures`; for
 * peterborough and doncaster `assess_outcomes`), from an aggregates CSV, without writing any file;
 * returns the number of aggregate rows. `runAssess` writes the outputs; tests call this alone.
 */
export async function assessInto(db: Db, aggregates: string, c: Contract): Promise<number> {
  checkMechanism(c);
  await readAggregates(db, aggregates, c);
  const rows = Number(await db.scalar('SELECT count(*) FROM agg_raw'));
  await db.execMacros('pay_macros');
  await db.exec('pay_create');
  await db.exec('pay_assess_load', {
    as_of: c.follow_up.as_of,
    final_months: finalMonths(c),
    scheme: c.scheme,
    baseline_from: c.baseline.from,
    baseline_to: c.baseline.to,
    contract_areas: JSON.stringify(Object.entries(c.areas ?? {}).map(([cpa, name], ord) => ({ cpa, name, ord }))),
    top_up: c.cohort.top_up,
  });
  if (c.scheme === 'tr-crc') {
    // the measure stage's own decision and pricing queries, on the published counts
    await db.exec('pay_assess_trcrc', { significance: c.significance.method });
    await db.exec('measure_measures', decideParams(c));
    await db.exec('pay_trcrc_input_run', { adjustment: c.adjustment.method });
    await payTrcrc(db, c);
  } else {
    await payScheme(db, c);
  }
  await db.exec('pay_fee_years', feeYearParams(c));
  await db.exec('pay_finish');
  return rows;
}

/** Run the whole assess computation and write its outputs; the caller prints the result. */
export async function runAssess(opts: AssessOptions): Promise<AssessResult> {
  const progress = opts.progress ?? (() => {});
  const loaded = loadContract(opts.contract);
  const c = loaded.contract;
  checkMechanism(c);
  let bytes: Buffer;
  try {
    if (!statSync(opts.aggregates).isFile()) throw new Error('not a file');
    bytes = readFileSync(opts.aggregates);
  } catch {
    throw new InputError(`${opts.aggregates}: cannot read the aggregates file; check the path given to --aggregates`);
  }
  const db = await Db.open({ threads: 1 });
  try {
    progress(`reading ${opts.aggregates}; outcomes and payments`);
    const rows = await assessInto(db, opts.aggregates, c);
    mkdirSync(opts.out, { recursive: true });
    const outcomesCsv = literal(path.join(opts.out, 'outcomes.csv'));
    if (c.scheme === 'tr-crc') {
      await db.execMacros('measure_macros');
      await db.run(`COPY (${readSql('measure_measures_csv').trim().replace(/;\s*$/, '')}) TO ${outcomesCsv} (FORMAT csv, HEADER true)`);
    } else {
      await db.run(
        `COPY (SELECT o.* EXCLUDE (_order) FROM assess_outcomes o LEFT JOIN areas a ON a.cpa = o.area
               ORDER BY coalesce(a.area_order, 2147483647), o.area, o._order, o.period)
         TO ${outcomesCsv} (FORMAT csv, HEADER true)`,
      );
    }
    const ctx: RunContext = {
      db,
      contract: c,
      contractSha256: loaded.sha256,
      asOf: c.follow_up.as_of ?? '',
      hasBaselinesFile: false,
      outDir: opts.out,
      inputs: [
        {
          name: 'aggregates',
          file: path.basename(opts.aggregates),
          path: opts.aggregates,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          bytes: bytes.length,
          rows_read: rows,
          rows_used: rows,
          rows_rejected: 0,
        },
      ],
      rejectedRows: 0,
      progress,
    };
    await writeStatements(ctx);
    const outcomes = await db.allNamed<AssessRow>('pay_assess_summary');
    const total = String(await db.scalar(`SELECT CAST(coalesce(sum(amount), 0) AS DECIMAL(38,2))::VARCHAR FROM payments WHERE area <> 'ALL'`));
    return { contract: c.contract, scheme: c.scheme, out: opts.out, outcomes, total };
  } finally {
    db.close();
  }
}
