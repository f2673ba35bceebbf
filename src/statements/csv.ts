/**
 * The CSV twins of the statements: one file per statement and one per area's contract-year
 * summary. Every cell goes through csvLine (src/core/sheets.ts): text that a spreadsheet would read
 * as a formula gets a leading apostrophe, numbers are written as the exact decimals they are.
 */
import { csvLine, num, type Cell } from '../core/sheets.js';
import type { Meta } from './format.js';
import type { LineRow, StatementRow, SummaryRow, VolumeRow } from './data.js';

/** The first 17 columns are those of earlier versions, in the same order; the rest are appended. */
export const STATEMENT_CSV_HEADER = [
  'area', 'area_name', 'period', 'period_start', 'period_end', 'status', 'as_of', 'contract', 'scheme',
  'contract_sha256', 'inputs', 'rejected_rows', 'component', 'basis', 'amount', 'rule', 'detail',
  'clause', 'price', 'exact_amount', 'payable_from', 'indicative_amount',
  'n', 'r', 'k', 'binary_rate', 'expected_rate', 'baseline_expected_rate', 'adjustment', 'adjusted_rate',
  'baseline_rate', 'lower_threshold', 'upper_threshold', 'threshold_source', 'binary_outcome', 'reason',
  'frequency_rate', 'baseline_frequency_rate', 'frequency_outcome', 'termination_watch',
  'band', 'weight', 'starts', 'weighted_volume',
] as const;

type StatementColumn = (typeof STATEMENT_CSV_HEADER)[number];
type Record_ = Partial<Record<StatementColumn, Cell>>;

function record(r: Record_): string {
  return csvLine(STATEMENT_CSV_HEADER.map((c) => r[c]));
}

/** The figures behind a results period (pay_outcomes), as cells of the statement CSV. */
function figures(s: StatementRow): Record_ {
  return {
    payable_from: s.final_on,
    n: num(s.n), r: num(s.r), k: num(s.k),
    binary_rate: num(s.binary_rate), expected_rate: num(s.expected_rate), baseline_expected_rate: num(s.baseline_expected_rate),
    adjustment: s.adjustment_text, adjusted_rate: num(s.adjusted_rate), baseline_rate: num(s.baseline_rate),
    lower_threshold: num(s.lower_threshold), upper_threshold: num(s.upper_threshold), threshold_source: s.threshold_source,
    binary_outcome: s.outcome, reason: s.reason_text,
    frequency_rate: num(s.frequency_rate), baseline_frequency_rate: num(s.baseline_frequency_rate),
    frequency_outcome: s.frequency_outcome,
    termination_watch: s.termination_watch === null || s.termination_watch === undefined ? null : String(s.termination_watch),
  };
}

/**
 * A statement as CSV: an `outcome` row (results periods: the figures and, for an interim period,
 * the indicative amount, which is never in `amount`), one row per line (results lines repeat the
 * figures), `volume_band` rows under a volume reconciliation, and the `total` row.
 */
export function statementCsv(m: Meta, s: StatementRow, lines: LineRow[], bands: VolumeRow[]): string {
  const head: Record_ = {
    area: s.area, area_name: s.area_name, period: s.period, period_start: s.period_start, period_end: s.period_end,
    status: s.status, as_of: m.asOf, contract: m.contract, scheme: m.scheme, contract_sha256: m.contractSha,
    inputs: m.inputs, rejected_rows: m.rejected,
  };
  let out = csvLine(STATEMENT_CSV_HEADER);
  if (s.has_outcome) {
    const interim = s.status === 'interim' && s.indicative_amount !== null;
    const indicative = interim ? `; indicative amount ${s.indicative_amount}, not payable: interim until ${s.final_on ?? 'n/a'}` : '';
    out += record({
      ...head, ...figures(s), component: 'outcome', basis: `${s.outcome ?? 'none'}${s.summary ? `: ${s.summary}` : ''}${indicative}`,
      indicative_amount: interim ? num(s.indicative_amount) : null,
    });
  }
  for (const l of lines) {
    const results = l.section === 'results';
    out += record({
      ...head, ...(results && s.has_outcome ? figures(s) : {}), payable_from: results ? s.final_on : null,
      component: l.component, basis: l.basis, amount: num(l.amount), rule: l.rule, detail: l.detail,
      clause: l.clause, price: num(l.price), exact_amount: num(l.exact_amount),
    });
  }
  for (const b of bands) {
    out += record({
      ...head, component: 'volume_band', basis: `band ${b.band ?? 'none'}: ${b.description}`,
      band: b.band, weight: num(b.weight), starts: num(b.starts), weighted_volume: num(b.weighted_volume),
    });
  }
  out += record({ ...head, component: 'total', basis: 'sum of the rounded lines', amount: num(s.total) });
  return out;
}

export const SUMMARY_CSV_HEADER = [
  'area', 'area_name', 'contract_year', 'fee_for_service', 'service_credit', 'volume_reconciliation', 'results', 'net',
  'as_of', 'contract', 'contract_sha256',
  'row_kind', 'year_from', 'year_to', 'starts', 'weighted_volume', 'volume_low', 'volume_high', 'band', 'band_description', 'weight',
] as const;

/** An area's contract-year summary: a row per contract year followed by its band rows, then the total. */
export function summaryCsv(m: Meta, rows: SummaryRow[], volumes: VolumeRow[]): string {
  let out = csvLine(SUMMARY_CSV_HEADER);
  for (const r of rows) {
    out += csvLine([
      r.area, r.area_name, r.contract_year, num(r.fee_for_service), num(r.service_credit), num(r.volume_reconciliation),
      num(r.results), num(r.net), m.asOf, m.contract, m.contractSha,
      r.row_kind, r.year_from, r.year_to, num(r.starts), num(r.weighted_volume), num(r.volume_low), num(r.volume_high),
      null, null, null,
    ]);
    if (r.row_kind !== 'contract_year') continue;
    for (const b of volumes.filter((v) => v.contract_year === r.contract_year)) {
      out += csvLine([
        r.area, r.area_name, r.contract_year, null, null, null, null, null, m.asOf, m.contract, m.contractSha,
        'band', r.year_from, r.year_to, num(b.starts), num(b.weighted_volume), null, null,
        b.band, b.description, num(b.weight),
      ]);
    }
  }
  return out;
}
