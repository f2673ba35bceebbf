import { Db, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import { readCheckedCsv } from './csvInput.js';
import { InputError } from '../errors.js';
import { loadRunCsvs, MEASURE_COLUMNS, runManifest } from './diffRunFiles.js';
import { textTable } from './diff.js';

/**
 * `pbr check --run RUN --published FILE [--soft X --hard Y]`: a published table (area, period,
 * measure, value) against the run's figures, with a verdict per row.
 */

export const PUBLISHED_COLUMNS = ['area', 'period', 'measure', 'value'] as const;

/** Absolute tolerances (rates as decimals): soft absorbs a publication's rounding to 3 places, hard to 2. */
export const DEFAULT_SOFT = '0.0005';
export const DEFAULT_HARD = '0.005';

export const PAYMENT_COMPONENTS = [
  'fee_for_service',
  'volume_reconciliation',
  'service_credit',
  'binary_payment',
  'binary_deduction',
  'frequency_payment',
  'cap',
] as const;

const KEY_OR_DATE = new Set(['population', 'area', 'period', 'period_start', 'period_end']);
const TEXT_MEASURES = new Set(['status', 'binary_outcome', 'frequency_outcome']);
/** Measures pbr check knows: measures.csv's figures, payment_total and each payment component. */
export const CHECK_MEASURES: readonly string[] = [
  ...MEASURE_COLUMNS.map((c) => c[0]).filter((c) => !KEY_OR_DATE.has(c)),
  'payment_total',
  ...PAYMENT_COMPONENTS,
];
export const NUMERIC_MEASURES: readonly string[] = CHECK_MEASURES.filter((m) => !TEXT_MEASURES.has(m));

export type Verdict = 'match' | 'rounding' | 'MISMATCH' | 'missing';

export interface CheckRow {
  line: number;
  area: string;
  period: string;
  measure: string;
  /** null: empty field. */
  published: string | null;
  /** null: the run has no such figure; '' = empty field. */
  run: string | null;
  /** run - published (numeric measures with both values). */
  difference: string | null;
  verdict: Verdict;
}

export interface CheckResult {
  run: string;
  published: string;
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
  out?: string;
}

async function loadPublished(db: Db, file: string): Promise<void> {
  await readCheckedCsv(db, file, {
    table: 'chk_raw',
    columns: PUBLISHED_COLUMNS,
    what: 'the published table',
    validate: 'audit_check_validate',
    params: { measures: CHECK_MEASURES, numeric: NUMERIC_MEASURES },
  });
}

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

export async function checkRun(opts: CheckOptions): Promise<CheckResult> {
  const soft = opts.soft ?? DEFAULT_SOFT;
  const hard = opts.hard ?? DEFAULT_HARD;
  if (!DECIMAL.test(soft)) throw new InputError(`--soft ${soft}: expected a decimal >= 0 (an absolute tolerance, rates as decimals), e.g. 0.0005`);
  if (!DECIMAL.test(hard)) throw new InputError(`--hard ${hard}: expected a decimal >= 0 (an absolute tolerance, rates as decimals), e.g. 0.005`);
  if (Number(hard) < Number(soft)) throw new InputError(`--hard ${hard} is below --soft ${soft}; the hard tolerance must be at least the soft one`);
  runManifest(opts.run);
  const db = await Db.open();
  try {
    await loadPublished(db, opts.published);
    await loadRunCsvs(db, opts.run, 'c_');
    await db.exec('audit_check_figures', { components: PAYMENT_COMPONENTS });
    const params = { numeric: NUMERIC_MEASURES, soft, hard };
    await db.run(`CREATE OR REPLACE TEMP TABLE chk_result AS ${readSql('audit_check_compare')}`, params);
    const rows = await db.all<CheckRow>('SELECT * FROM chk_result ORDER BY line');
    if (opts.out) await db.run(`COPY (SELECT * FROM chk_result ORDER BY line) TO ${literal(opts.out)} (HEADER, DELIMITER ',')`);
    const counts: Record<Verdict, number> = { match: 0, rounding: 0, MISMATCH: 0, missing: 0 };
    for (const r of rows) counts[r.verdict] += 1;
    return {
      run: opts.run,
      published: opts.published,
      soft,
      hard,
      ok: counts.MISMATCH === 0 && counts.missing === 0,
      counts,
      rows: rows.map((r) => ({ ...r, line: Number(r.line) })),
    };
  } finally {
    db.close();
  }
}

function sayVerdict(r: CheckRow, soft: string, hard: string): string {
  switch (r.verdict) {
    case 'match':
      return r.difference === null || Number(r.difference) === 0 ? 'match' : `match (within soft ${soft})`;
    case 'rounding':
      return `rounding (within hard ${hard}: a rounded publication)`;
    case 'missing':
      return `missing (the run has no ${r.measure} for ${r.area} ${r.period})`;
    default:
      if (r.difference !== null) return `MISMATCH (run - published = ${r.difference}, beyond hard ${hard})`;
      return `MISMATCH (${r.published === null ? 'published empty' : 'run empty'})`;
  }
}

export function formatCheck(r: CheckResult): string {
  const rows: string[][] = [['line', 'area', 'period', 'measure', 'published', 'run', 'verdict']];
  for (const x of r.rows) {
    rows.push([String(x.line), x.area, x.period, x.measure, x.published ?? '(empty)', x.run === null ? '-' : x.run === '' ? '(empty)' : x.run, sayVerdict(x, r.soft, r.hard)]);
  }
  const c = r.counts;
  return [
    ...textTable(rows, [0]),
    '',
    `${r.rows.length} row(s): ${c.match} match, ${c.rounding} rounding, ${c.MISMATCH} MISMATCH, ${c.missing} missing (soft ${r.soft}, hard ${r.hard})`,
    r.ok ? `the run agrees with ${r.published}` : `the run does not agree with ${r.published}`,
    '',
  ].join('\n');
}
