/**
 * One workbook per area, `statements/<workbookBase(area)>.xlsx` (writeWorkbook, src/core/sheets.ts):
 * sheets Summary, Results, Fees, Service credits, Volumes, Measures. Amounts, counts and rates are
 * number cells, dates are date cells, period labels and every other text are text cells (made safe
 * against formulas). No start or person id is in any sheet. The file's bytes depend only on the
 * figures and as_of.
 */
import path from 'node:path';
import { writeWorkbook, num, type Sheet, type SheetColumn } from '../core/sheets.js';
import { workbookBase } from '../core/names.js';
import { key, type LineRow, type StatementRow, type SummaryRow, type VolumeRow } from './data.js';

/** A row of the Measures sheet: queries/statements_measures.sql (or the results figures in pbr assess). */
export interface MeasureRow {
  area: string;
  period: string;
  period_start: string | null;
  period_end: string | null;
  status: string;
  eligible: string | null;
  measurable: string | null;
  reoffenders: string | null;
  reoffences: string | null;
  binary_rate: string | null;
  frequency_rate: string | null;
  reoffences_per_100: string | null;
  reconviction_events_per_100: string | null;
  expected_rate: string | null;
  baseline_measurable: string | null;
  baseline_binary_rate: string | null;
  baseline_expected_rate: string | null;
  baseline_frequency_rate: string | null;
  adjusted_binary_rate: string | null;
  lower_threshold: string | null;
  upper_threshold: string | null;
  binary_outcome: string | null;
  frequency_outcome: string | null;
}

const col = (header: string, k: string, kind: SheetColumn['kind'], width?: number): SheetColumn => ({ header, key: k, kind, width });

const SUMMARY: SheetColumn[] = [
  col('Contract year', 'contract_year', 'text', 24), col('From', 'year_from', 'date', 12), col('To', 'year_to', 'date', 12),
  col('Fee for service', 'fee_for_service', 'money', 16), col('Service credits', 'service_credit', 'money', 16),
  col('Volume reconciliation', 'volume_reconciliation', 'money', 16), col('Results', 'results', 'money', 16),
  col('Net', 'net', 'money', 16), col('Starts', 'starts', 'integer'), col('Weighted volume', 'weighted_volume', 'decimal', 16),
  col('Volume low', 'volume_low', 'decimal'), col('Volume high', 'volume_high', 'decimal'),
];

const RESULTS: SheetColumn[] = [
  col('Period', 'period', 'text'), col('Period start', 'period_start', 'date', 12), col('Period end', 'period_end', 'date', 12),
  col('Status', 'status', 'text'), col('Payable from', 'final_on', 'date', 12), col('Outcome', 'outcome', 'text'),
  col('Component', 'component', 'text', 18), col('Amount', 'amount', 'money', 14), col('Exact amount', 'exact_amount', 'decimal', 16),
  col('Price', 'price', 'decimal', 12), col('Indicative amount (not payable)', 'indicative_amount', 'money', 16),
  col('Contract key', 'rule', 'text', 28), col('Clause', 'clause', 'text', 20),
  col('n', 'n', 'integer', 8), col('r', 'r', 'integer', 8), col('k', 'k', 'integer', 8),
  col('Binary rate b', 'binary_rate', 'decimal'), col('Expected rate e', 'expected_rate', 'decimal'),
  col('Baseline expected rate B_e', 'baseline_expected_rate', 'decimal'), col('Adjusted rate a', 'adjusted_rate', 'decimal'),
  col('Baseline rate B', 'baseline_rate', 'decimal'), col('Lower threshold', 'lower_threshold', 'decimal'),
  col('Upper threshold', 'upper_threshold', 'decimal'), col('Threshold source', 'threshold_source', 'text'),
  col('Frequency rate f', 'frequency_rate', 'decimal'), col('Baseline frequency rate B_f', 'baseline_frequency_rate', 'decimal'),
  col('Frequency outcome', 'frequency_outcome', 'text'), col('Adjustment', 'adjustment_text', 'text', 40),
  col('Why the outcome follows', 'reason_text', 'text', 40), col('Basis', 'basis', 'text', 60),
];

const FEES: SheetColumn[] = [
  col('Period', 'period', 'text', 24), col('Contract year', 'year_label', 'text', 24), col('Start', 'period_start', 'date', 12),
  col('End', 'period_end', 'date', 12), col('Status', 'status', 'text'), col('Component', 'component', 'text', 22),
  col('Amount', 'amount', 'money', 14), col('Exact amount', 'exact_amount', 'decimal', 16), col('Price', 'price', 'decimal', 16),
  col('Contract key', 'rule', 'text', 36), col('Clause', 'clause', 'text', 20), col('Basis', 'basis', 'text', 60),
];

const CREDITS: SheetColumn[] = [
  col('Month', 'period', 'text'), col('Contract year', 'year_label', 'text', 24), col('Start', 'period_start', 'date', 12),
  col('End', 'period_end', 'date', 12), col('Amount', 'amount', 'money', 14), col('Exact amount', 'exact_amount', 'decimal', 16),
  col('Contract key', 'rule', 'text', 36), col('Clause', 'clause', 'text', 20), col('Basis', 'basis', 'text', 60),
];

const VOLUMES: SheetColumn[] = [
  col('Contract year', 'contract_year', 'text', 24), col('From', 'year_from', 'date', 12), col('To', 'year_to', 'date', 12),
  col('Band', 'band', 'integer', 8), col('Start type and length', 'description', 'text', 28), col('Weight', 'weight', 'decimal'),
  col('Starts', 'starts', 'integer'), col('Weighted volume', 'weighted_volume', 'decimal', 16),
  col('Volume low', 'volume_low', 'decimal'), col('Volume high', 'volume_high', 'decimal'),
];

const MEASURES: SheetColumn[] = [
  col('Period', 'period', 'text'), col('Period start', 'period_start', 'date', 12), col('Period end', 'period_end', 'date', 12),
  col('Status', 'status', 'text'), col('Eligible', 'eligible', 'integer'), col('Measurable', 'measurable', 'integer'),
  col('Reoffenders', 'reoffenders', 'integer'), col('Reoffences', 'reoffences', 'integer'),
  col('Binary rate', 'binary_rate', 'decimal'), col('Frequency rate', 'frequency_rate', 'decimal'),
  col('Reoffences per 100', 'reoffences_per_100', 'decimal'), col('Reconviction events per 100', 'reconviction_events_per_100', 'decimal'),
  col('Expected rate', 'expected_rate', 'decimal'), col('Baseline measurable', 'baseline_measurable', 'integer'),
  col('Baseline binary rate', 'baseline_binary_rate', 'decimal'), col('Baseline expected rate', 'baseline_expected_rate', 'decimal'),
  col('Baseline frequency rate', 'baseline_frequency_rate', 'decimal'), col('Adjusted binary rate', 'adjusted_binary_rate', 'decimal'),
  col('Lower threshold', 'lower_threshold', 'decimal'), col('Upper threshold', 'upper_threshold', 'decimal'),
  col('Binary outcome', 'binary_outcome', 'text'), col('Frequency outcome', 'frequency_outcome', 'text'),
];

export interface AreaWorkbookData {
  area: string;
  summary: SummaryRow[];
  statements: StatementRow[];
  lines: Map<string, LineRow[]>;
  volumes: VolumeRow[];
  measures: MeasureRow[];
}

function resultsRows(d: AreaWorkbookData): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const s of d.statements.filter((x) => x.section === 'results')) {
    const figures = {
      period: s.period, period_start: s.period_start, period_end: s.period_end, status: s.status,
      final_on: s.final_on, outcome: s.outcome, n: s.n, r: s.r, k: s.k, binary_rate: s.binary_rate,
      expected_rate: s.expected_rate, baseline_expected_rate: s.baseline_expected_rate, adjusted_rate: s.adjusted_rate,
      baseline_rate: s.baseline_rate, lower_threshold: s.lower_threshold, upper_threshold: s.upper_threshold,
      threshold_source: s.threshold_source, frequency_rate: s.frequency_rate, baseline_frequency_rate: s.baseline_frequency_rate,
      frequency_outcome: s.frequency_outcome, adjustment_text: s.adjustment_text, reason_text: s.reason_text,
      indicative_amount: s.status === 'interim' ? s.indicative_amount : null,
    };
    const lines = (d.lines.get(key(s.area, s.period)) ?? []).filter((l) => l.section === 'results');
    if (lines.length === 0) out.push({ ...figures, component: s.status === 'interim' ? 'none (interim, not paid)' : 'none' });
    for (const l of lines) {
      out.push({
        ...figures, component: l.component, amount: num(l.amount), exact_amount: num(l.exact_amount), price: num(l.price),
        rule: l.rule, clause: l.clause, basis: l.basis,
      });
    }
  }
  return out;
}

function lineRows(d: AreaWorkbookData, keep: (l: LineRow) => boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const s of d.statements.filter((x) => x.section === 'fee')) {
    for (const l of (d.lines.get(key(s.area, s.period)) ?? []).filter(keep)) {
      out.push({
        period: l.period, year_label: l.year_label, period_start: s.period_start, period_end: s.period_end,
        status: l.status, component: l.component, amount: num(l.amount), exact_amount: num(l.exact_amount),
        price: num(l.price), rule: l.rule, clause: l.clause, basis: l.basis,
      });
    }
  }
  return out;
}

function volumeRows(d: AreaWorkbookData): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const y of d.summary.filter((r) => r.row_kind === 'contract_year')) {
    for (const v of d.volumes.filter((x) => x.contract_year === y.contract_year)) out.push({ ...v });
    out.push({
      contract_year: y.contract_year, year_from: y.year_from, year_to: y.year_to, description: 'contract year total',
      starts: y.starts, weighted_volume: y.weighted_volume, volume_low: y.volume_low, volume_high: y.volume_high,
    });
  }
  return out;
}

export async function writeAreaWorkbook(dir: string, d: AreaWorkbookData, asOf: string): Promise<string> {
  const file = path.join(dir, `${workbookBase(d.area)}.xlsx`);
  const sheets: Sheet[] = [
    { name: 'Summary', columns: SUMMARY, rows: d.summary.map((r) => ({ ...r, contract_year: r.row_kind === 'total' ? 'total, all contract years' : r.contract_year })) },
    { name: 'Results', columns: RESULTS, rows: resultsRows(d) },
    { name: 'Fees', columns: FEES, rows: lineRows(d, (l) => l.component === 'fee_for_service' || l.component === 'volume_reconciliation') },
    { name: 'Service credits', columns: CREDITS, rows: lineRows(d, (l) => l.component === 'service_credit') },
    { name: 'Volumes', columns: VOLUMES, rows: volumeRows(d) },
    { name: 'Measures', columns: MEASURES, rows: d.measures.map((m) => ({ ...m })) },
  ];
  await writeWorkbook(file, sheets, asOf);
  return file;
}
