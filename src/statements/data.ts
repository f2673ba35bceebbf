import type { Db } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import { decText } from '../pay/params.js';

/** One statement (area and period): queries/pay_statements.sql. Numbers are exact decimal text. */
export interface StatementRow {
  area: string;
  area_name: string;
  period: string;
  period_start: string | null;
  period_end: string | null;
  status: string;
  section: string;
  has_outcome: boolean;
  outcome: string | null;
  summary: string | null;
  final_on: string | null;
  total: string;
  lines: number;
  period_kind: string | null;
  n: string | null;
  r: string | null;
  k: string | null;
  binary_rate: string | null;
  expected_rate: string | null;
  baseline_expected_rate: string | null;
  adjusted_rate: string | null;
  baseline_rate: string | null;
  lower_threshold: string | null;
  upper_threshold: string | null;
  frequency_rate: string | null;
  baseline_frequency_rate: string | null;
  frequency_outcome: string | null;
  threshold_source: string | null;
  adjustment_text: string | null;
  reason_text: string | null;
  indicative_amount: string | null;
  termination_watch: boolean | null;
  contract_years: string[];
}

/** One statement line: queries/pay_lines.sql. */
export interface LineRow {
  area: string;
  period: string;
  component: string;
  basis: string;
  amount: string;
  rule: string;
  status: string;
  section: string;
  detail: string | null;
  price: string | null;
  exact_amount: string | null;
  year_label: string | null;
  clause: string | null;
}

/** One row of an area's contract-year summary: queries/pay_summary.sql. */
export interface SummaryRow {
  area: string;
  area_name: string;
  row_kind: 'contract_year' | 'outside' | 'total';
  contract_year: string;
  year_from: string | null;
  year_to: string | null;
  fee_for_service: string;
  service_credit: string;
  volume_reconciliation: string;
  results: string;
  net: string;
  starts: string | null;
  weighted_volume: string | null;
  volume_low: string | null;
  volume_high: string | null;
}

/** Counted starts of one area, contract year and band: queries/statements_volumes.sql. */
export interface VolumeRow {
  area: string;
  contract_year: string;
  year_from: string;
  year_to: string;
  band: number | null;
  description: string;
  weight: string;
  starts: string;
  weighted_volume: string;
}

/** Everything the statement writers show, read once from the pay tables. */
export interface StatementData {
  statements: StatementRow[];
  /** Lines by statement key (area NUL period), in statement order. */
  lines: Map<string, LineRow[]>;
  summary: SummaryRow[];
  volumes: VolumeRow[];
}

/** The key of a statement (area and period) in the maps below. */
export function key(area: string, period: string): string {
  return `${area}\u0000${period}`;
}

/** Rows grouped by a key, each group in the rows' order. */
export function groupBy<T>(rows: T[], k: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const kk = k(r);
    const list = out.get(kk);
    if (list) list.push(r);
    else out.set(kk, [r]);
  }
  return out;
}

/** The contract's bands and clauses as the statement queries bind them (JSON lists). */
export function statementParams(c: Contract): { bands: string; clauses: string } {
  const bands = c.fee_for_service.bands.map((b, i) => ({
    band_idx: i,
    start_type: b.start_type,
    max_len: b.max_length_days,
    weight_txt: decText(b.weight)!,
  }));
  const clauses = Object.entries(c.clauses ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, label]) => ({ key: k, label }));
  return { bands: JSON.stringify(bands), clauses: JSON.stringify(clauses) };
}

/** Every row the statement writers show, in display order (a few thousand rows: no person-level data). */
export async function loadStatementData(db: Db, c: Contract): Promise<StatementData> {
  const p = statementParams(c);
  await db.exec('statements_prepare', { bands: p.bands });
  const statements = await db.allNamed<StatementRow>('pay_statements');
  const lines = await db.allNamed<LineRow>('pay_lines', { clauses: p.clauses });
  const summary = await db.allNamed<SummaryRow>('pay_summary');
  const volumes = await db.allNamed<VolumeRow>('statements_volumes');
  return { statements, lines: groupBy(lines, (l) => key(l.area, l.period)), summary, volumes };
}
