import type { RunContext } from '../core/context.js';

/** Rows the report reads from DuckDB (queries/report_*.sql). Every aggregation happens in SQL. */

export interface MeasureRow {
  area: string;
  name: string;
  period: string;
  period_start: string;
  period_end: string;
  status: string;
  eligible: number;
  measurable: number;
  reoffenders: number;
  reoffences: number;
  binary_rate: number | null;
  frequency_rate: number | null;
  reoffences_per_100: number | null;
  reconviction_events_per_100: number | null;
  expected_rate: number | null;
  baseline_measurable: number | null;
  baseline_binary_rate: number | null;
  baseline_expected_rate: number | null;
  baseline_frequency_rate: number | null;
  adjusted_binary_rate: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  /** a - B from the rounded rates (as printed). */
  difference: number | null;
  binary_outcome: string | null;
  frequency_outcome: string | null;
  /** method.md section 14; null when not configured (or the measures table has no such column). */
  termination_watch: boolean | null;
  /** An annual top-up period (method.md section 12), kept out of the period charts. */
  is_annual: boolean;
}

export interface FunnelRow {
  period: string;
  period_start: string;
  status: string;
  area: string;
  name: string;
  measurable: number;
  reoffenders: number;
  baseline_measurable: number | null;
  adjusted: number | null;
  baseline: number | null;
  lower: number | null;
  upper: number | null;
  outcome: string;
  rank: number;
}

/** A statement that may exist for an area and period (report_statement_keys). */
export interface StatementKey {
  area: string;
  period: string;
  kind: 'results' | 'fee' | 'other';
  year_label: string | null;
  year_sort: string | null;
  d: string | null;
}

export interface OutcomeCountRow {
  period: string;
  period_start: string;
  status: string;
  areas: number;
  payment: number;
  deduction: number;
  none: number;
  frequency_reduced: number;
}

export interface PaymentGroupRow {
  area: string;
  year_label: string;
  year_sort: string;
  group_name: string;
  group_order: number;
  amount_text: string;
  amount: number;
}

export interface PaymentTableRow {
  level: 'year' | 'area' | 'total';
  area: string | null;
  year_label: string | null;
  year_sort: string | null;
  year_from: string | null;
  year_to: string | null;
  fee: string;
  credits: string;
  reconciliation: string;
  results: string;
  deductions: string;
  caps: string;
  /** Components the report does not know (none today). */
  other: string;
  net: string;
  net_value: number;
}

export interface CumulativeRow {
  series: string;
  status: string;
  period_start: string | null;
  month: number;
  measurable: number;
  reoffenders: number;
  share: number;
}

export interface ConcentrationRow {
  area: string;
  name: string;
  area_order: number;
  scope: 'cohort' | 'baseline';
  reoffenders: number;
  reoffences: number;
  top_a_count: number;
  top_a_share: number;
  top_b_count: number;
  top_b_share: number;
}

export interface RejectRow {
  file: string;
  reason: string;
  rows: number;
}

export interface AreaRow {
  cpa: string;
  name: string;
}

/** The shares of reoffenders the concentration view looks at (percent). */
export const TOP_A = 10;
export const TOP_B = 20;
export interface BreakdownRow {
  period: string;
  status: string;
  dimension: string;
  band: string;
  eligible: number;
  measurable: number;
  reoffenders: number;
  binary_rate: number | null;
  frequency_rate: number | null;
  expected_rate: number | null;
}

/** The columns of `breakdowns` the report reads (measure_breakdowns.sql has more). */
export const BREAKDOWN_COLUMNS = [
  'area', 'period', 'period_start', 'status', 'dimension', 'band', 'band_order', 'eligible',
  'measurable', 'reoffenders', 'binary_rate', 'frequency_rate', 'expected_rate',
] as const;

export interface ReportData {
  tables: Set<string>;
  areas: AreaRow[];
  measures: MeasureRow[];
  funnel: FunnelRow[];
  outcomeCounts: OutcomeCountRow[];
  paymentGroups: PaymentGroupRow[] | null;
  paymentTable: PaymentTableRow[] | null;
  cumulative: CumulativeRow[] | null;
  concentration: ConcentrationRow[] | null;
  rejects: RejectRow[] | null;
  /** null: no breakdowns table; 'shape': it lacks a column the report reads. */
  breakdowns: BreakdownRow[] | null | 'shape';
  statementKeys: StatementKey[];
}

/** The contract years of every area as three parallel lists (for report_payment_years). */
export function contractYearParams(ctx: RunContext): { cy_area: string[]; cy_from: string[]; cy_to: string[] } {
  const cy_area: string[] = [];
  const cy_from: string[] = [];
  const cy_to: string[] = [];
  const areas = ctx.contract.fee_for_service.areas;
  for (const cpa of Object.keys(areas).sort()) {
    for (const y of areas[cpa] ?? []) {
      cy_area.push(cpa);
      cy_from.push(y.from);
      cy_to.push(y.to);
    }
  }
  return { cy_area, cy_from, cy_to };
}

/** Read everything the report shows. Tables a run did not produce are skipped (null). */
export async function loadReportData(ctx: RunContext): Promise<ReportData> {
  const db = ctx.db;
  const tables = new Set((await db.allNamed<{ table_name: string }>('report_tables')).map((r) => r.table_name));
  if (!tables.has('measures')) throw new Error('report: the measures table is missing (measurement did not run)');
  if (!tables.has('areas')) throw new Error('report: the areas table is missing (loading did not run)');
  const areas = await db.allNamed<AreaRow>('report_areas');
  const measures = await db.allNamed<MeasureRow>('report_measures', { cohort_period: ctx.contract.cohort.period });
  const funnel = await db.allNamed<FunnelRow>('report_funnel');
  const outcomeCounts = await db.allNamed<OutcomeCountRow>('report_outcome_counts');

  let paymentGroups: PaymentGroupRow[] | null = null;
  let paymentTable: PaymentTableRow[] | null = null;
  if (tables.has('payments')) {
    const cy = contractYearParams(ctx);
    await db.exec('report_payment_years', cy);
    paymentGroups = await db.allNamed<PaymentGroupRow>('report_payment_groups');
    paymentTable = await db.allNamed<PaymentTableRow>('report_payment_table');
  } else {
    await db.exec('report_payment_lines_empty');
  }
  const statementKeys = await db.allNamed<StatementKey>('report_statement_keys');
  let cumulative: CumulativeRow[] | null = null;
  let concentration: ConcentrationRow[] | null = null;
  if (tables.has('offender_outcomes')) {
    cumulative = await db.allNamed<CumulativeRow>('report_cumulative', { months: ctx.contract.follow_up.months });
    concentration = await db.allNamed<ConcentrationRow>('report_concentration', { top_a: TOP_A, top_b: TOP_B });
  }
  const rejects = tables.has('rejects') ? await db.allNamed<RejectRow>('report_rejects') : null;
  let breakdowns: ReportData['breakdowns'] = null;
  if (tables.has('breakdowns')) {
    const cols = new Set((await db.allNamed<{ column_name: string }>('report_breakdown_columns')).map((r) => r.column_name));
    breakdowns = BREAKDOWN_COLUMNS.every((c) => cols.has(c)) ? await db.allNamed<BreakdownRow>('report_breakdowns') : 'shape';
  }
  return {
    tables, areas, measures, funnel, outcomeCounts,
    paymentGroups, paymentTable, cumulative, concentration, rejects, breakdowns, statementKeys,
  };
}
