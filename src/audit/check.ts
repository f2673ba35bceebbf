import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Db, ident, literal, type Params } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import { InputError } from '../errors.js';
import { shown, loadContract } from '../contract/load.js';
import { loadRunPayments, runManifest } from './diffRunFiles.js';
import { textTable } from './diff.js';

/**
 * `pbr check --run RUN --published FILE`: a published table against a run's figures (or a
 * `pbr assess` output folder's), with a verdict per published figure and the tolerance it was
 * judged by. The table is read as it is published: long (area, period, measure, value) or wide
 * (a row per area, or area and period, a column per measure named as measures.csv names it);
 * areas by code or by the contract's name; rates as decimals or percentages; pounds with a pound
 * sign and thousands commas.
 */

/** Absolute tolerances for rates (as decimals): soft absorbs a publication's rounding to 3 places, hard to 2. */
export const DEFAULT_SOFT = '0.0005';
export const DEFAULT_HARD = '0.005';
/** Counts are exact unless told otherwise. */
export const DEFAULT_COUNT_TOLERANCE = '0';
/** Pounds: within half a penny, so that a penny differs. */
export const DEFAULT_MONEY_TOLERANCE = '0.005';

export const PAYMENT_COMPONENTS = [
  'fee_for_service',
  'volume_reconciliation',
  'service_credit',
  'binary_payment',
  'binary_deduction',
  'frequency_payment',
  'cap',
  'binary_top_up',
  'frequency_top_up',
] as const;

/**
 * What each figure is, which decides how it is read and compared: count (whole numbers, exact by
 * default), proportion (a rate of 0-1 that may be published as a percentage), rate (any other
 * decimal figure: reoffences per reoffender, per 100, sums of OGRS), money (pounds) and text.
 * The columns of measures.csv (v1 and v2), of `pbr assess`'s outcomes.csv for every scheme, and
 * the payment figures.
 */
export const MEASURE_KINDS: Readonly<Record<string, Kind>> = {
  population: 'text',
  period_start: 'text',
  period_end: 'text',
  status: 'text',
  eligible: 'count',
  measurable: 'count',
  reoffenders: 'count',
  reoffences: 'count',
  binary_rate: 'proportion',
  frequency_rate: 'rate',
  reoffences_per_100: 'rate',
  reconviction_events_per_100: 'rate',
  expected_rate: 'proportion',
  baseline_measurable: 'count',
  baseline_binary_rate: 'proportion',
  baseline_expected_rate: 'proportion',
  baseline_frequency_rate: 'rate',
  adjusted_binary_rate: 'proportion',
  lower_threshold: 'proportion',
  upper_threshold: 'proportion',
  binary_outcome: 'text',
  frequency_outcome: 'text',
  ogrs_sum: 'rate',
  baseline_reoffenders: 'count',
  baseline_reoffences: 'count',
  baseline_ogrs_sum: 'rate',
  termination_watch: 'text',
  // pbr assess, peterborough and doncaster outcomes.csv
  treatment_measurable: 'count',
  treatment_events: 'count',
  treatment_events_per_100: 'rate',
  comparison_measurable: 'count',
  comparison_events: 'count',
  comparison_events_per_100: 'rate',
  reduction: 'proportion',
  threshold: 'proportion',
  change_points: 'rate',
  target_points: 'rate',
  outcome: 'text',
  payment_total: 'money',
  ...Object.fromEntries(PAYMENT_COMPONENTS.map((c) => [c, 'money'])),
};

export type Kind = 'count' | 'proportion' | 'rate' | 'money' | 'text';
/** The kind a row reports: a proportion is a rate. */
export type ReportedKind = 'count' | 'rate' | 'money' | 'text';

export type Verdict = 'match' | 'rounding' | 'MISMATCH' | 'missing';

export interface CheckRow {
  line: number;
  /** The area's code (a published name is resolved to its code). */
  area: string;
  period: string;
  measure: string;
  /** The published cell as written (null: empty field). */
  published: string | null;
  /** null: the run has no such figure; '' = empty field. */
  run: string | null;
  /** run - published, numbers only (a percentage taken as its decimal). */
  difference: string | null;
  verdict: Verdict;
  kind: ReportedKind;
  /** The tolerance the verdict used: `0` (exact), `0.005`, or `0.0005/0.005` (rates: soft/hard); '' for text. */
  tolerance: string;
  /** The published figure as the decimal compared (a percentage divided by 100; commas and pound signs gone). */
  published_value: string | null;
  /** The area as published, when it was a name (else null). */
  area_given: string | null;
}

export interface Tolerances {
  /** Rates: match within soft, rounding within hard. */
  soft: string;
  hard: string;
  /** Counts and pounds: match when equal, rounding within it. */
  count: string;
  money: string;
}

export interface CheckResult {
  run: string;
  /** `run` (a folder 'pbr run' wrote) or `assess` (a folder 'pbr assess' wrote). */
  source: 'run' | 'assess';
  published: string;
  /** `long` (area, period, measure, value) or `wide` (a column per measure). */
  layout: 'long' | 'wide';
  percent: boolean;
  tolerances: Tolerances;
  /** Kept for readers of the first version: the rate tolerances. */
  soft: string;
  hard: string;
  ok: boolean;
  counts: Record<Verdict, number>;
  rows: CheckRow[];
}

export interface CheckOptions {
  run: string;
  published: string;
  soft?: string;
  hard?: string;
  /** The rates' hard tolerance (as --hard); the soft one is then at most it. */
  rateTolerance?: string;
  countTolerance?: string;
  moneyTolerance?: string;
  /** Every rate of 0-1 in the table is given in percent (41.7 for 0.417). */
  percent?: boolean;
  /** The period of every row, for a table without a period column. */
  period?: string;
  /** A contract file, for area names when the folder is a pbr assess output (a run has its own). */
  contract?: string;
  out?: string;
}

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

function tolerance(flag: string, v: string, what: string): string {
  if (!DECIMAL.test(v)) throw new InputError(`${flag} ${shown(v)}: expected a decimal >= 0 (${what}), e.g. ${flag === '--count-tolerance' ? '0' : '0.005'}`);
  return v;
}

/** The tolerances from the options, each checked (a usage error names the flag). */
export function resolveTolerances(o: CheckOptions): Tolerances {
  if (o.rateTolerance !== undefined && o.hard !== undefined) {
    throw new InputError('--rate-tolerance and --hard both set the rates\' tolerance; give one of them');
  }
  const hard = tolerance(o.rateTolerance !== undefined ? '--rate-tolerance' : '--hard', o.rateTolerance ?? o.hard ?? DEFAULT_HARD, 'an absolute tolerance for rates, as decimals');
  let soft = tolerance('--soft', o.soft ?? DEFAULT_SOFT, 'an absolute tolerance for rates, as decimals');
  // With only --rate-tolerance (or --hard) given, the default soft tolerance is at most it.
  if (o.soft === undefined && Number(soft) > Number(hard)) soft = hard;
  if (Number(hard) < Number(soft)) throw new InputError(`--hard ${hard} is below --soft ${soft}; the hard tolerance must be at least the soft one`);
  return {
    soft,
    hard,
    count: tolerance('--count-tolerance', o.countTolerance ?? DEFAULT_COUNT_TOLERANCE, 'how far a count may be off, 0 for exact'),
    money: tolerance('--money-tolerance', o.moneyTolerance ?? DEFAULT_MONEY_TOLERANCE, 'how far an amount in pounds may be off'),
  };
}

/** A header as pbr check reads it: trimmed, lower case, spaces and hyphens as `_` (`Binary rate` is binary_rate). */
export function normalHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

interface Folder {
  source: 'run' | 'assess';
  /** The file of figures: measures.csv of a run, outcomes.csv of an assess folder. */
  figures: string;
  /** Area code -> name. */
  areas: Record<string, string>;
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

function areasOf(resolved: unknown): Record<string, string> {
  const a = (resolved as { areas?: unknown } | null)?.areas;
  if (!a || typeof a !== 'object' || Array.isArray(a)) return {};
  return Object.fromEntries(Object.entries(a as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A run (manifest.json, measures.csv) or a pbr assess output (outcomes.csv, payments.csv, no manifest). */
function folderOf(run: string, contract: string | undefined): Folder {
  if (!existsSync(run) || !statSync(run).isDirectory()) throw new InputError(`${run}: no such folder; give a folder written by 'pbr run' or 'pbr assess'`);
  const contractAreas = contract ? areasOf(loadContract(contract).contract) : null;
  if (isFile(path.join(run, 'manifest.json'))) {
    const m = runManifest(run);
    if (!isFile(path.join(run, 'measures.csv'))) throw new InputError(`${path.join(run, 'measures.csv')}: missing; the run folder is damaged`);
    return { source: 'run', figures: path.join(run, 'measures.csv'), areas: contractAreas ?? areasOf(m.contract.resolved) };
  }
  if (isFile(path.join(run, 'outcomes.csv')) && isFile(path.join(run, 'payments.csv'))) {
    return { source: 'assess', figures: path.join(run, 'outcomes.csv'), areas: contractAreas ?? {} };
  }
  throw new InputError(
    `${run}: neither a run (no manifest.json) nor a 'pbr assess' output (outcomes.csv and payments.csv); give a folder written by 'pbr run' or 'pbr assess'`,
  );
}

/** The run's figures file as text (table chk_run_raw) and payments.csv (table c_payments); the kinds of its columns. */
async function loadRunFigures(db: Db, run: string, folder: Folder): Promise<Map<string, Kind>> {
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE chk_run_raw AS
       SELECT row_number() OVER () + 1 AS _line, *
       FROM read_csv(${literal(folder.figures)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', nullstr = '')`,
    );
  } catch (e) {
    throw new InputError(`${folder.figures}: cannot be read as the engine writes it (${shown((e as Error).message.split('\n')[0]!)}); the folder is damaged`);
  }
  const cols = (await db.all<{ column_name: string }>('SELECT column_name FROM (DESCRIBE chk_run_raw)')).map((c) => c.column_name).filter((c) => c !== '_line');
  for (const need of ['area', 'period']) {
    if (!cols.includes(need)) throw new InputError(`${folder.figures}: no '${need}' column; the folder is damaged`);
  }
  await loadRunPayments(db, run, 'c_payments');
  const kinds = new Map<string, Kind>(Object.entries(MEASURE_KINDS));
  for (const c of cols) {
    if (c === 'area' || c === 'period' || kinds.has(c)) continue;
    // A column this version does not know (a later engine's): a decimal figure when every value is a number, else text.
    const numeric = await db.scalar<boolean>(`SELECT bool_and(${ident(c)} IS NULL OR TRY_CAST(${ident(c)} AS DECIMAL(38,12)) IS NOT NULL) FROM chk_run_raw`);
    kinds.set(c, numeric === false ? 'text' : 'rate');
  }
  const figureCols = cols.filter((c) => c !== 'area' && c !== 'period');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE c_figs AS
     SELECT _line, area, period, ${figureCols.map((c) => `coalesce(${ident(c)}, '') AS ${ident(c)}`).join(', ')} FROM chk_run_raw`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE chk_kinds AS
     SELECT unnest($names::VARCHAR[]) AS measure, unnest($kinds::VARCHAR[]) AS kind`,
    { names: [...kinds.keys()], kinds: [...kinds.values()] },
  );
  const bad = await db.all<{ line: string; measure: string; value: string }>(readSql('audit_check_run_numbers'));
  if (bad.length > 0) {
    const b = bad[0]!;
    throw new InputError(`${folder.figures}: line ${b.line}, column ${b.measure}: '${shown(b.value)}' is not a number; the folder is damaged`);
  }
  return kinds;
}

/** The published table as one row per figure (table chk_cells: _line, column, area_given, period, measure_given, value). */
async function loadPublished(db: Db, file: string, kinds: Map<string, Kind>, period: string | undefined): Promise<'long' | 'wide'> {
  if (!isFile(file)) throw new InputError(`${file}: no such file; give the published table as CSV (long: area, period, measure, value; or wide: area, period and a column per measure)`);
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE chk_file AS
       SELECT row_number() OVER () + 1 AS _line, *
       FROM read_csv(${literal(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', nullstr = '')`,
    );
  } catch (e) {
    throw new InputError(`${file}: cannot be read as CSV (${shown((e as Error).message.split('\n')[0]!)}); give a comma-separated file with a header row`);
  }
  const headers = (await db.all<{ column_name: string }>('SELECT column_name FROM (DESCRIBE chk_file)')).map((c) => c.column_name).filter((c) => c !== '_line');
  const byName = new Map<string, string>();
  for (const h of headers) {
    const n = normalHeader(h);
    if (byName.has(n)) throw new InputError(`${file}: line 1: columns '${shown(byName.get(n)!)}' and '${shown(h)}' are both ${n}; keep one`);
    byName.set(n, h);
  }
  const col = (n: string) => (byName.has(n) ? ident(byName.get(n)!) : null);
  const long = byName.has('measure') && byName.has('value');
  if (!byName.has('area')) {
    throw new InputError(`${file}: line 1: no 'area' column; the table needs area (code or name) and, long, period, measure, value or, wide, period and a column per measure`);
  }
  if (byName.has('period') && period !== undefined) throw new InputError(`${file}: has a period column; --period is for a table without one`);
  if (!byName.has('period') && period === undefined) {
    throw new InputError(`${file}: line 1: no 'period' column; add one, or pass --period LABEL (the period every row is for, as measures.csv labels it)`);
  }
  const periodExpr = col('period') ?? '$period';
  const params: Params = period === undefined ? {} : { period };
  if (long) {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE chk_cells AS
       SELECT _line, 0 AS col_order, 'value' AS "column", ${col('area')} AS area_given, ${periodExpr} AS period, ${col('measure')} AS measure_given, ${col('value')} AS value
       FROM chk_file`,
      params,
    );
    return 'long';
  }
  const measures = [...byName.keys()].filter((n) => n !== 'area' && n !== 'period');
  for (const n of measures) {
    if (!kinds.has(n)) {
      const original = byName.get(n)!;
      throw new InputError(
        `${file}: line 1, column '${shown(original)}': not a figure pbr check knows; name the column as measures.csv (or payments: payment_total, a component) names it, or remove it`,
      );
    }
  }
  if (measures.length === 0) throw new InputError(`${file}: line 1: no figure columns; a wide table has area, period and a column per measure`);
  // One row per cell; the column is the measure (named as measures.csv names it), col_order its place in the header.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE chk_cells AS
     SELECT _line, list_position($measures::VARCHAR[], measure) AS col_order, measure AS "column", area_given, period, measure AS measure_given, value
     FROM (
       SELECT _line, ${col('area')} AS area_given, ${periodExpr} AS period, ${measures.map((n) => `${col(n)} AS ${ident(n)}`).join(', ')} FROM chk_file
     ) UNPIVOT INCLUDE NULLS (value FOR measure IN (${measures.map(ident).join(', ')}))
    `,
    { ...params, measures },
  );
  return 'wide';
}

export async function checkRun(opts: CheckOptions): Promise<CheckResult> {
  const tol = resolveTolerances(opts);
  if (opts.period !== undefined && opts.period.trim() === '') throw new InputError('--period: give the period label the rows are for, e.g. 2015Q4');
  const folder = folderOf(opts.run, opts.contract);
  const db = await Db.open({ threads: 1 });
  try {
    const kinds = await loadRunFigures(db, opts.run, folder);
    const layout = await loadPublished(db, opts.published, kinds, opts.period);
    const codes = Object.keys(folder.areas);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE chk_areas AS SELECT unnest($codes::VARCHAR[]) AS cpa, unnest($names::VARCHAR[]) AS name`,
      { codes, names: codes.map((c) => folder.areas[c]!) },
    );
    await db.exec('audit_check_prepare', { percent: opts.percent === true });
    const problems = await db.allNamed<{ line: number; column: string; value: string | null; reason: string }>('audit_check_validate', {
      measures: [...kinds.keys()].filter((k) => k !== 'population'),
    });
    if (problems.length > 0) {
      const p = problems[0]!;
      const lines = new Set(problems.map((x) => x.line)).size;
      throw new InputError(
        `${opts.published}: line ${p.line}, column ${shown(p.column)}: ${p.reason} (value ${p.value === null ? 'empty' : `'${shown(p.value)}'`})` +
          `${lines > 1 ? `; ${lines} line(s) have problems in all` : ''}; fix the file and run again`,
      );
    }
    await db.execMacros('output_macros');
    await db.exec('audit_check_figures', { components: [...PAYMENT_COMPONENTS] });
    const params = { soft: tol.soft, hard: tol.hard, count_tol: tol.count, money_tol: tol.money };
    await db.run(`CREATE OR REPLACE TEMP TABLE chk_result AS ${readSql('audit_check_compare')}`, params);
    const rows = await db.all<CheckRow>('SELECT * FROM chk_result ORDER BY line, col_order');
    if (opts.out) {
      await db.run(`COPY (${readSql('audit_check_csv')}) TO ${literal(opts.out)} (HEADER, DELIMITER ',')`);
    }
    const counts: Record<Verdict, number> = { match: 0, rounding: 0, MISMATCH: 0, missing: 0 };
    for (const r of rows) counts[r.verdict] += 1;
    return {
      run: opts.run,
      source: folder.source,
      published: opts.published,
      layout,
      percent: opts.percent === true,
      tolerances: tol,
      soft: tol.soft,
      hard: tol.hard,
      ok: counts.MISMATCH === 0 && counts.missing === 0,
      counts,
      rows: rows.map(({ col_order: _o, ...r }: CheckRow & { col_order?: unknown }) => ({ ...r, line: Number(r.line) })),
    };
  } finally {
    db.close();
  }
}

/** The verdict with the tolerance that decided it, in words. */
function sayVerdict(r: CheckRow, t: Tolerances): string {
  const what = r.kind === 'count' ? 'count' : r.kind === 'money' ? 'pounds' : 'rate';
  const tol = r.kind === 'rate' ? t.hard : r.tolerance;
  switch (r.verdict) {
    case 'match':
      if (r.kind === 'text') return 'match';
      if (r.difference === null || Number(r.difference) === 0) return 'match (exact)';
      return `match (rate: within soft ${t.soft})`;
    case 'rounding':
      return `rounding (${what}: within ${tol}, a rounded publication)`;
    case 'missing':
      return `missing (the run has no ${r.measure} for ${shown(r.area)} ${shown(r.period)})`;
    default: {
      if (r.difference === null) return `MISMATCH (${r.published === null || r.published.trim() === '' ? 'published empty' : r.run === '' ? 'run empty' : 'text differs'})`;
      const limit = r.kind !== 'rate' && Number(tol) === 0 ? 'exact' : `beyond ${tol}`;
      return `MISMATCH (run - published = ${r.difference}; ${what}: ${limit})`;
    }
  }
}

export function formatCheck(r: CheckResult): string {
  const rows: string[][] = [['line', 'area', 'period', 'measure', 'published', 'run', 'verdict']];
  for (const x of r.rows) {
    const area = x.area_given !== null ? `${x.area} (${x.area_given})` : x.area;
    rows.push([String(x.line), shown(area), shown(x.period), x.measure, x.published === null ? '(empty)' : shown(x.published), x.run === null ? '-' : x.run === '' ? '(empty)' : shown(x.run), sayVerdict(x, r.tolerances)]);
  }
  const c = r.counts;
  const t = r.tolerances;
  const count = Number(t.count) === 0 ? 'counts exact' : `counts within ${t.count}`;
  return [
    ...textTable(rows, [0]),
    '',
    `${r.rows.length} row(s): ${c.match} match, ${c.rounding} rounding, ${c.MISMATCH} MISMATCH, ${c.missing} missing ` +
      `(${count}; rates soft ${t.soft}, hard ${t.hard}; pounds within ${t.money})`,
    r.ok ? `the ${r.source === 'assess' ? 'assess output' : 'run'} agrees with ${r.published}` : `the ${r.source === 'assess' ? 'assess output' : 'run'} does not agree with ${r.published}`,
    '',
  ].join('\n');
}
