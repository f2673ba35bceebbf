import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../core/context.js';
import { literal } from '../db/duckdb.js';
import { ENGINE_VERSION } from '../version.js';

/**
 * Outputs of the pay stage (formats.md section 4):
 *
 * - `payments.csv`: `area,period,component,basis,amount,rule`, sorted by area, component, period
 *   (then the line's order and basis), amounts with 2 decimals, deductions negative; written by
 *   DuckDB COPY from table `payments`.
 * - `statements/`: for every area (not ALL) and period that has a line or a results outcome:
 *     `<AREA>_<PERIOD>.html` (print-friendly A4, self-contained, no network) and `<AREA>_<PERIOD>.csv`
 *   where PERIOD is the period label with `/` written `_to_` (contract-year reconciliation
 *   `2015-02-01_to_2016-01-31`) and any character other than letters, digits, `-` and `_` as `_`;
 *   and per area the contract-year summary `<AREA>_contract_years.html` / `.csv` (fees, service
 *   credits, volume reconciliation, results payments, net). `statements/index.html` lists them.
 * Every statement names the contract, its sha256, the scheme, as_of, every input file's sha256, the
 * engine version and (when > 0) the rejected-row count. Totals are sums of the rounded lines,
 * computed in SQL.
 */
interface StatementRow {
  area: string;
  area_name: string;
  period: string;
  period_start: string | null;
  period_end: string | null;
  status: string;
  section: string;
  outcome: string | null;
  summary: string | null;
  final_on: string | null;
  total: string;
  lines: number;
}

interface LineRow {
  area: string;
  period: string;
  component: string;
  basis: string;
  amount: string;
  rule: string;
  status: string;
  detail: string | null;
}

interface SummaryRow {
  area: string;
  area_name: string;
  contract_year: string;
  fee_for_service: string;
  service_credit: string;
  volume_reconciliation: string;
  results: string;
  net: string;
}

export function safeName(s: string): string {
  return s.replace(/\//g, '_to_').replace(/[^A-Za-z0-9_-]/g, '_');
}

export function statementBase(area: string, period: string): string {
  return `${safeName(area)}_${safeName(period)}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvField).join(',') + '\n';
}

/** 1234567.8 as text '1,234,567.80' from the exact decimal text DuckDB gave (no float). */
export function moneyText(dec: string): string {
  const neg = dec.startsWith('-');
  const [i = '0', f = ''] = (neg ? dec.slice(1) : dec).split('.');
  const grouped = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}.${(f + '00').slice(0, 2)}`;
}

const CSS = `@page { size: A4; margin: 15mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 9.5pt; color: #000; margin: 0 auto; max-width: 180mm; }
h1 { font-size: 14pt; margin: 0 0 4pt; } h2 { font-size: 11pt; margin: 12pt 0 4pt; }
table { border-collapse: collapse; width: 100%; } th, td { border: 0.5pt solid #888; padding: 2pt 4pt; vertical-align: top; text-align: left; }
th { background: #eee; } td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; } tr.total td { font-weight: bold; border-top: 1.5pt solid #000; }
table.meta th { width: 32%; font-weight: normal; background: #f6f6f6; } .hash { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }
p.note { font-size: 8pt; color: #333; } .warn { font-weight: bold; }`;

interface Meta {
  contract: string;
  scheme: string;
  contractSha: string;
  asOf: string;
  inputs: string;
  rejected: number;
}

function metaOf(ctx: RunContext): Meta {
  return {
    contract: ctx.contract.contract,
    scheme: ctx.contract.scheme,
    contractSha: ctx.contractSha256,
    asOf: ctx.asOf || 'not given (published counts)',
    inputs: ctx.inputs.map((i) => `${i.file} sha256:${i.sha256}`).join('; '),
    rejected: ctx.rejectedRows,
  };
}

function metaTable(m: Meta, extra: [string, string][]): string {
  const rows: [string, string, boolean?][] = [
    ['Contract', m.contract],
    ['Scheme', m.scheme],
    ...extra,
    ['Data as of', m.asOf],
    ['Contract file sha256', m.contractSha, true],
    ['Input files', m.inputs || 'none', true],
    ['Engine', `pbr-engine ${ENGINE_VERSION}`],
  ];
  if (m.rejected > 0) rows.push(['Rejected input rows', `${m.rejected} rows were rejected by validation and left out (--allow-rejects); see validation.json`]);
  return `<table class="meta">${rows
    .map(([k, v, hash]) => `<tr><th>${esc(k)}</th><td${hash ? ' class="hash"' : ''}>${esc(v)}</td></tr>`)
    .join('')}</table>`;
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${esc(title)}</title>\n<style>\n${CSS}\n</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
}

const NOTE =
  'Each line is computed exactly from the counts, rates and contract prices shown and rounded half away from zero to pence, once; ' +
  'the total is the sum of the rounded lines. Rates in a basis are shown rounded (percentages to 0.1%); the calculation uses them unrounded, as shown under each basis with the exact amount before rounding. ' +
  'The rule column names the contract key that priced the line.';

function statusText(s: StatementRow): string {
  if (s.status === 'interim') return `interim${s.final_on ? ` (final on ${s.final_on})` : ''}: shown, not paid`;
  if (s.status === 'provisional') return 'provisional: the contract year had not ended at as_of';
  return 'final';
}

function statementHtml(m: Meta, s: StatementRow, lines: LineRow[]): string {
  const dates = s.period_start && s.period_end ? `${s.period_start} to ${s.period_end}` : 'n/a';
  const body: string[] = [];
  body.push(`<h1>Payment statement: ${esc(s.area_name)} (${esc(s.area)}), ${esc(s.period)}</h1>`);
  body.push(metaTable(m, [
    ['Area', `${s.area_name} (${s.area})`],
    ['Period', `${s.period} (${dates})`],
    ['Status', statusText(s)],
  ]));
  if (s.summary) body.push(`<h2>Result</h2>\n<p>${esc(s.summary)}</p>`);
  body.push('<h2>Lines</h2>');
  if (lines.length === 0) {
    body.push('<p>No payment or deduction for this period.</p>');
  } else {
    body.push('<table><thead><tr><th>Component</th><th>Basis</th><th>Contract key</th><th class="num">Amount (GBP)</th></tr></thead><tbody>');
    for (const l of lines) {
      body.push(`<tr><td>${esc(l.component)}</td><td>${esc(l.basis)}${l.detail ? `<br><small>${esc(l.detail)}</small>` : ''}</td><td>${esc(l.rule)}</td><td class="num">${esc(moneyText(l.amount))}</td></tr>`);
    }
    body.push(`<tr class="total"><td colspan="3">Total (sum of the rounded lines)</td><td class="num">${esc(moneyText(s.total))}</td></tr>`);
    body.push('</tbody></table>');
  }
  body.push(`<p class="note">${esc(NOTE)}</p>`);
  return page(`Statement ${s.area} ${s.period} - ${m.contract}`, body.join('\n'));
}

const STATEMENT_CSV_HEADER = [
  'area', 'area_name', 'period', 'period_start', 'period_end', 'status', 'as_of', 'contract', 'scheme',
  'contract_sha256', 'inputs', 'rejected_rows', 'component', 'basis', 'amount', 'rule', 'detail',
] as const;

function statementCsv(m: Meta, s: StatementRow, lines: LineRow[]): string {
  const head = [s.area, s.area_name, s.period, s.period_start, s.period_end, s.status, m.asOf, m.contract, m.scheme, m.contractSha, m.inputs, m.rejected];
  let out = csvLine(STATEMENT_CSV_HEADER);
  if (s.summary) out += csvLine([...head, 'outcome', `${s.outcome ?? 'none'}: ${s.summary}`, '', '', '']);
  for (const l of lines) out += csvLine([...head, l.component, l.basis, l.amount, l.rule, l.detail]);
  out += csvLine([...head, 'total', 'sum of the rounded lines', s.total, '', '']);
  return out;
}

function summaryHtml(m: Meta, area: string, areaName: string, rows: SummaryRow[]): string {
  const body: string[] = [];
  body.push(`<h1>Contract-year summary: ${esc(areaName)} (${esc(area)})</h1>`);
  body.push(metaTable(m, [['Area', `${areaName} (${area})`]]));
  body.push('<h2>By contract year</h2>');
  body.push('<table><thead><tr><th>Contract year</th><th class="num">Fee for service</th><th class="num">Service credits</th><th class="num">Volume reconciliation</th><th class="num">Results payments</th><th class="num">Net</th></tr></thead><tbody>');
  for (const r of rows) {
    body.push(`<tr><td>${esc(r.contract_year)}</td>${[r.fee_for_service, r.service_credit, r.volume_reconciliation, r.results, r.net]
      .map((v) => `<td class="num">${esc(moneyText(v))}</td>`).join('')}</tr>`);
  }
  body.push('</tbody></table>');
  body.push(`<p class="note">${esc('Figures are sums of the rounded statement lines (GBP). Results payments (payment by results, including caps) belong to the contract year containing the end of their cohort period.')}</p>`);
  return page(`Contract-year summary ${area} - ${m.contract}`, body.join('\n'));
}

function summaryCsv(m: Meta, rows: SummaryRow[]): string {
  let out = csvLine(['area', 'area_name', 'contract_year', 'fee_for_service', 'service_credit', 'volume_reconciliation', 'results', 'net', 'as_of', 'contract', 'contract_sha256']);
  for (const r of rows) {
    out += csvLine([r.area, r.area_name, r.contract_year, r.fee_for_service, r.service_credit, r.volume_reconciliation, r.results, r.net, m.asOf, m.contract, m.contractSha]);
  }
  return out;
}

/** payments.csv and statements/ into ctx.outDir (after pay() or the assess computation). */
export async function writePaymentOutputs(ctx: RunContext): Promise<void> {
  const db = ctx.db;
  mkdirSync(ctx.outDir, { recursive: true });
  const csvPath = path.join(ctx.outDir, 'payments.csv');
  await db.run(
    `COPY (SELECT area, period, component, basis, amount, rule FROM payments
           ORDER BY area, component, period, line_order, basis, amount)
     TO ${literal(csvPath)} (FORMAT csv, HEADER true)`,
  );
  const dir = path.join(ctx.outDir, 'statements');
  mkdirSync(dir, { recursive: true });
  const m = metaOf(ctx);
  const statements = await db.allNamed<StatementRow>('pay_statements');
  const lines = await db.allNamed<LineRow>('pay_lines');
  const byKey = new Map<string, LineRow[]>();
  for (const l of lines) {
    const k = `${l.area}\u0000${l.period}`;
    const list = byKey.get(k) ?? [];
    list.push(l);
    byKey.set(k, list);
  }
  const index: string[] = [];
  for (const s of statements) {
    const ls = byKey.get(`${s.area}\u0000${s.period}`) ?? [];
    const base = statementBase(s.area, s.period);
    writeFileSync(path.join(dir, `${base}.html`), statementHtml(m, s, ls));
    writeFileSync(path.join(dir, `${base}.csv`), statementCsv(m, s, ls));
    index.push(`<tr><td>${esc(s.area)}</td><td>${esc(s.period)}</td><td>${esc(s.status)}</td><td class="num">${esc(moneyText(s.total))}</td><td><a href="${esc(base)}.html">HTML</a> <a href="${esc(base)}.csv">CSV</a></td></tr>`);
  }
  const summary = await db.allNamed<SummaryRow>('pay_summary');
  const areas = [...new Set(summary.map((r) => r.area))];
  const sumIndex: string[] = [];
  for (const a of areas) {
    const rows = summary.filter((r) => r.area === a);
    const base = `${safeName(a)}_contract_years`;
    writeFileSync(path.join(dir, `${base}.html`), summaryHtml(m, a, rows[0]!.area_name, rows));
    writeFileSync(path.join(dir, `${base}.csv`), summaryCsv(m, rows));
    sumIndex.push(`<li><a href="${esc(base)}.html">${esc(a)} contract years</a></li>`);
  }
  const indexBody = [
    `<h1>Payment statements: ${esc(m.contract)}</h1>`,
    metaTable(m, []),
    sumIndex.length ? `<h2>Contract-year summaries</h2><ul>${sumIndex.join('')}</ul>` : '',
    '<h2>Statements</h2><table><thead><tr><th>Area</th><th>Period</th><th>Status</th><th class="num">Total (GBP)</th><th>Files</th></tr></thead><tbody>',
    index.join('\n'),
    '</tbody></table>',
  ].join('\n');
  writeFileSync(path.join(dir, 'index.html'), page(`Payment statements - ${m.contract}`, indexBody));
}
