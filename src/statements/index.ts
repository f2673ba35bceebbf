import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../core/context.js';
import { contractYearsBase, statementBase } from '../core/names.js';
import { literal, type Db } from '../db/duckdb.js';
import { statementCsv, summaryCsv } from './csv.js';
import { groupBy, key, loadStatementData, type StatementRow, type SummaryRow } from './data.js';
import { metaOf } from './format.js';
import { indexHtml, statementHtml, summaryHtml } from './html.js';
import { writeVolumesCsv } from './volumes.js';
import { writeAreaWorkbook, type MeasureRow } from './workbook.js';

export { writeVolumesCsv } from './volumes.js';

/**
 * The statements of a run (the outputs listed in the README), from the tables of the pay stage:
 *
 * - `payments.csv`: `area,period,component,basis,amount,rule`, sorted by area, component, period
 *   (then the line's order and basis), amounts with 2 decimals, deductions negative; written by
 *   DuckDB COPY from table `payments`, text columns through safe_cell (a basis may start with `-(`).
 * - `statements/`, for every area (not ALL) and period with a line or a results outcome:
 *   `<statementBase(area, period)>.html` and `.csv` (src/core/names.ts: injective names); per area
 *   the contract-year summary `<contractYearsBase(area)>.html` / `.csv` (per contract year and in
 *   total: fees, service credits, volume reconciliation, results payments, net, and the volume per
 *   band) and the workbook `<workbookBase(area)>.xlsx`; `statements/index.html` lists them all.
 * - with `volumes: true` (pbr run), `volumes.csv` beside statements/ (start-level, owner-only).
 *
 * Every statement names the contract, its sha256, the scheme, as_of, every input file's sha256, the
 * engine version and (when > 0) the rejected-row count. Totals are sums of the rounded lines,
 * computed in SQL; nothing here recomputes a figure.
 */
export interface StatementOptions {
  /** report.html is written beside statements/ (pbr run): pages link to its sections. */
  report?: boolean;
  /** Write volumes.csv (needs the starts and the fee tables: pbr run only). */
  volumes?: boolean;
}

async function relationExists(db: Db, name: string): Promise<boolean> {
  const n = await db.scalar<number | string>(
    `SELECT count(*) FROM (SELECT table_name AS n FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()) WHERE n = $name`,
    { name },
  );
  return Number(n) > 0;
}

/** The Measures sheet: the run's measures rows, or in pbr assess the figures behind the results. */
async function measureRows(db: Db, statements: StatementRow[]): Promise<MeasureRow[]> {
  if (await relationExists(db, 'measures')) {
    await db.execMacros('measure_macros');
    return db.allNamed<MeasureRow>('statements_measures');
  }
  return statements
    .filter((s) => s.has_outcome)
    .map((s) => ({
      area: s.area, period: s.period, period_start: s.period_start, period_end: s.period_end, status: s.status,
      eligible: null, measurable: s.n, reoffenders: s.r, reoffences: s.k, binary_rate: s.binary_rate,
      frequency_rate: s.frequency_rate, reoffences_per_100: null, reconviction_events_per_100: null,
      expected_rate: s.expected_rate, baseline_measurable: null, baseline_binary_rate: s.baseline_rate,
      baseline_expected_rate: s.baseline_expected_rate, baseline_frequency_rate: s.baseline_frequency_rate,
      adjusted_binary_rate: s.adjusted_rate, lower_threshold: s.lower_threshold, upper_threshold: s.upper_threshold,
      binary_outcome: s.outcome, frequency_outcome: s.frequency_outcome,
    }));
}

/** The date a workbook carries (its bytes must not depend on the clock): as_of, else the cohort's end. */
function workbookDate(ctx: RunContext): string {
  return ctx.asOf || ctx.contract.cohort.to || '2000-01-01';
}

/** payments.csv, statements/ and (pbr run) volumes.csv into ctx.outDir, after the pay stage. */
export async function writeStatements(ctx: RunContext, opts: StatementOptions = {}): Promise<void> {
  const db = ctx.db;
  mkdirSync(ctx.outDir, { recursive: true });
  await db.execMacros('output_macros');
  await db.run(
    `COPY (SELECT safe_cell(area) AS area, safe_cell(period) AS period, safe_cell(component) AS component,
                  safe_cell(basis) AS basis, amount, safe_cell(rule) AS rule FROM payments
           ORDER BY payments.area, payments.component, payments.period, line_order, payments.basis, amount)
     TO ${literal(path.join(ctx.outDir, 'payments.csv'))} (FORMAT csv, HEADER true)`,
  );
  if (opts.volumes) await writeVolumesCsv(ctx);
  const dir = path.join(ctx.outDir, 'statements');
  mkdirSync(dir, { recursive: true });
  const m = metaOf(ctx, opts.report ?? false);
  const data = await loadStatementData(db, ctx.contract);
  const volumesByArea = groupBy(data.volumes, (v) => v.area);
  const yearRow = new Map<string, SummaryRow>();
  for (const r of data.summary) if (r.row_kind === 'contract_year') yearRow.set(key(r.area, r.contract_year), r);
  for (const s of data.statements) {
    const lines = data.lines.get(key(s.area, s.period)) ?? [];
    // a volume reconciliation statement (period = a contract year) shows the volume per band
    const bands = lines.some((l) => l.component === 'volume_reconciliation')
      ? (volumesByArea.get(s.area) ?? []).filter((v) => v.contract_year === s.period)
      : [];
    const base = statementBase(s.area, s.period);
    writeFileSync(path.join(dir, `${base}.html`), statementHtml(m, s, lines, bands, yearRow.get(key(s.area, s.period))));
    writeFileSync(path.join(dir, `${base}.csv`), statementCsv(m, s, lines, bands));
  }
  const summaryByArea = groupBy(data.summary, (r) => r.area);
  const statementsByArea = groupBy(data.statements, (s) => s.area);
  const measures = groupBy(await measureRows(db, data.statements), (r) => r.area);
  const areas: { area: string; name: string; net: string }[] = [];
  for (const [area, rows] of summaryByArea) {
    const name = rows[0]!.area_name;
    const volumes = volumesByArea.get(area) ?? [];
    const statements = statementsByArea.get(area) ?? [];
    const base = contractYearsBase(area);
    writeFileSync(path.join(dir, `${base}.html`), summaryHtml(m, area, name, rows, volumes, statements));
    writeFileSync(path.join(dir, `${base}.csv`), summaryCsv(m, rows, volumes));
    await writeAreaWorkbook(dir, {
      area, summary: rows, statements, lines: data.lines, volumes, measures: measures.get(area) ?? [],
    }, workbookDate(ctx));
    areas.push({ area, name, net: rows.find((r) => r.row_kind === 'total')?.net ?? '0.00' });
  }
  writeFileSync(path.join(dir, 'index.html'), indexHtml(m, areas, data.statements));
}
