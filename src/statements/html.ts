/**
 * The HTML statements (print-friendly A4, self-contained, no script, no network): one per area and
 * period, one contract-year summary per area, and statements/index.html listing everything. Each
 * page links back to the index, its area's contract-year summary and its area's section of
 * report.html (`../report.html#<areaAnchor(area)>`, when the run wrote a report).
 */
import { areaAnchor, contractYearsBase, periodAnchor, periodFileName, statementBase, workbookBase } from '../core/names.js';
import {
  amountHtml, amountText, countText, decimalText, esc, feeRoundingText, metaTable, moneyText, navLinks, page, rateText, type Meta,
} from './format.js';
import type { LineRow, StatementRow, SummaryRow, VolumeRow } from './data.js';

const NOTE =
  'Each line is computed exactly from the counts, rates and contract prices shown and rounded half away from zero to pence, once; ' +
  'the total is the sum of the rounded lines. Rates in a basis are shown rounded (percentages to 0.1%); the calculation uses them unrounded: ' +
  'the exact amount before rounding is shown beside each line. A negative amount is money taken back (a deduction). ' +
  'The contract key column names the contract key that priced the line, with its clause when the contract gives one.';

/** The anchor of a contract year's section in its area's summary page. */
export function yearAnchor(label: string): string {
  return `year-${periodFileName(label)}`;
}

function areaLinks(m: Meta, area: string, extra: [string, string][] = []): string {
  const links: [string, string][] = [
    ['All statements (index)', 'index.html'],
    [`Contract-year summary: ${area}`, `${contractYearsBase(area)}.html`],
  ];
  if (m.hasReport) links.push([`Report: ${area}`, `../report.html#${areaAnchor(area)}`]);
  return navLinks([...links, ...extra]);
}

function statusText(s: StatementRow): string {
  if (s.status === 'interim') return `interim (final on ${s.final_on ?? 'n/a'}): shown, not paid`;
  if (s.status === 'provisional') return 'provisional: the contract year had not ended at as_of';
  if (s.has_outcome) return `final: payable from ${s.final_on ?? 'n/a'}`;
  return 'final';
}

/**
 * The figures behind a results period. tr-crc shows every row ('n/a' where a figure is missing);
 * the comparison-group schemes show the rows their mechanism fills.
 */
function figuresHtml(m: Meta, s: StatementRow): string {
  const trcrc = m.scheme === 'tr-crc';
  const pb = m.scheme === 'peterborough';
  const comparison = s.adjustment_text ? `${s.adjustment_text}${s.adjusted_rate !== null ? ` (a = ${s.adjusted_rate})` : ''}` : rateText(s.adjusted_rate);
  const rows: [string, string][] = [
    [pb ? 'Treatment offenders (n)' : 'Measurable offenders (n)', countText(s.n)],
    ['Reoffenders (r)', countText(s.r)],
    [pb ? 'Treatment reconviction events (k)' : 'Reoffences counted (k)', countText(s.k)],
    ['Observed binary rate (b = r / n)', rateText(s.binary_rate)],
    ['Expected rate of this cohort (e, mean OGRS)', rateText(s.expected_rate)],
    ['Expected rate of the baseline (B_e)', rateText(s.baseline_expected_rate)],
    [trcrc ? 'Adjusted binary rate (a)' : 'The comparison', comparison],
    ['Baseline binary rate (B)', rateText(s.baseline_rate)],
    [
      `Thresholds${s.threshold_source ? ` (${s.threshold_source})` : ''}`,
      s.lower_threshold === null && s.upper_threshold === null
        ? 'n/a'
        : `lower ${rateText(s.lower_threshold)}, upper ${rateText(s.upper_threshold)}`,
    ],
    [trcrc ? 'Binary outcome and why' : 'Outcome and why', `${s.outcome ?? 'none'}${s.reason_text ? `: ${s.reason_text}` : ''}`],
    ['Reoffences per reoffender (f = k / r)', s.frequency_rate ?? 'n/a'],
    ['Baseline reoffences per reoffender (B_f)', s.baseline_frequency_rate ?? 'n/a'],
    ['Frequency outcome', s.frequency_outcome ?? 'n/a'],
  ];
  if (s.termination_watch !== null && s.termination_watch !== undefined) {
    rows.push(['Termination watch', s.termination_watch ? 'flagged (moves no money)' : 'not flagged']);
  }
  rows.push([s.status === 'final' ? 'Payable from' : 'Becomes final (payable from)', s.final_on ?? 'n/a']);
  const shown = trcrc ? rows : rows.filter(([k, v]) => v !== 'n/a' || k === 'Outcome and why');
  return `<table class="figures">${shown.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function indicativeHtml(s: StatementRow): string {
  if (s.status !== 'interim') return '';
  const amount = s.indicative_amount === null ? 'n/a' : `GBP ${moneyText(s.indicative_amount)}`;
  return `<p class="indicative"><strong>Indicative amount, not payable: ${esc(amount)}.</strong> ` +
    `${esc(`This period is interim (its follow-up is not complete) and becomes final on ${s.final_on ?? 'n/a'}. ` +
      'The figure is what its lines would sum to were the period final with the reoffending seen so far; it is never paid and will change.')}</p>`;
}

function volumesTable(bands: VolumeRow[], total?: { starts: string | null; weighted: string | null; low: string | null; high: string | null }): string {
  const rows = bands.map(
    (b) => `<tr><td>${esc(b.band === null ? 'none' : String(b.band))}</td><td>${esc(b.description)}</td><td class="num">${esc(b.weight)}</td>` +
      `<td class="num">${esc(countText(b.starts))}</td><td class="num">${esc(b.weighted_volume)}</td></tr>`,
  );
  if (total) {
    const range = total.low !== null && total.high !== null ? `; expected range ${total.low} to ${total.high}` : '';
    rows.push(`<tr class="total"><td colspan="3">${esc(`Contract year${range}`)}</td><td class="num">${esc(countText(total.starts))}</td>` +
      `<td class="num">${esc(total.weighted ?? '0')}</td></tr>`);
  }
  return '<table><thead><tr><th>Band</th><th>Start type and length</th><th class="num">Weight</th><th class="num">Starts</th>' +
    `<th class="num">Weighted volume</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function keyCell(l: LineRow): string {
  return `${esc(l.rule)}${l.clause ? `<br>${esc(l.clause)}` : ''}`;
}

export function statementHtml(m: Meta, s: StatementRow, lines: LineRow[], bands: VolumeRow[], yearTotal?: SummaryRow): string {
  const dates = s.period_start && s.period_end ? `${s.period_start} to ${s.period_end}` : 'n/a';
  const extra: [string, string][] = [];
  // the report has a section or row per cohort (and annual) period; a whole pilot is in the area's section
  if (m.hasReport && s.has_outcome && s.period_kind !== 'pilot') extra.push([`Report: ${s.period}`, `../report.html#${periodAnchor(s.period)}`]);
  const body: string[] = [areaLinks(m, s.area, extra)];
  body.push(`<h1>Payment statement: ${esc(s.area_name)} (${esc(s.area)}), ${esc(s.period)}</h1>`);
  const meta: [string, string][] = [
    ['Area', `${s.area_name} (${s.area})`],
    ['Period', `${s.period} (${dates})`],
    ['Status', statusText(s)],
  ];
  if (s.section === 'fee') meta.push(['Fee rounding (fee_for_service.rounding)', feeRoundingText(m.feeRounding)]);
  body.push(metaTable(m, meta));
  if (s.has_outcome) {
    body.push('<h2>How the result was decided</h2>');
    body.push(figuresHtml(m, s));
    if (s.summary) body.push(`<p>${esc(s.summary)}</p>`);
    body.push(indicativeHtml(s));
  }
  body.push('<h2>Lines</h2>');
  if (lines.length === 0) {
    body.push(`<p>${s.status === 'interim' ? 'No line: an interim period is never paid.' : 'No payment or deduction for this period.'}</p>`);
  } else {
    body.push('<table><thead><tr><th>Component and contract key</th><th>Basis</th><th class="num">Amount (GBP)</th></tr></thead><tbody>');
    for (const l of lines) {
      const facts = [
        `price ${l.price === null ? 'n/a' : `GBP ${decimalText(l.price)}`}`,
        `exact amount ${l.exact_amount === null ? 'n/a' : decimalText(l.exact_amount, 6)}`,
      ];
      if (l.section === 'results') facts.push(`payable from ${s.final_on ?? 'n/a'}`);
      body.push(`<tr><td>${esc(l.component.replace(/_/g, ' '))}<br><small>${keyCell(l)}</small></td>` +
        `<td>${esc(l.basis)}<br><small>${esc(facts.join('; '))}</small>${l.detail ? `<br><small>${esc(l.detail)}</small>` : ''}</td>` +
        `<td class="num">${amountHtml(l.amount)}</td></tr>`);
    }
    body.push(`<tr class="total"><td colspan="2">Total (sum of the rounded lines)</td><td class="num">${amountHtml(s.total)}</td></tr>`);
    body.push('</tbody></table>');
  }
  if (bands.length > 0) {
    body.push('<h2>Volume behind the reconciliation</h2>');
    body.push(volumesTable(bands, yearTotal && {
      starts: yearTotal.starts, weighted: yearTotal.weighted_volume, low: yearTotal.volume_low, high: yearTotal.volume_high,
    }));
    body.push('<p class="note">Weighted volume = weight x starts, per band; the contract year\'s weighted volume is their sum. ' +
      'Every start behind these counts, and every start that did not count with the reason, is listed in volumes.csv in the run folder (start-level data, kept apart from the statements).</p>');
  }
  body.push(`<p class="note">${esc(NOTE)}</p>`);
  return page(`Statement ${s.area} ${s.period} - ${m.contract}`, body.join('\n'));
}

function fileLinks(base: string): string {
  return `<a href="${esc(base)}.html">HTML</a> <a href="${esc(base)}.csv">CSV</a>`;
}

function statementList(list: StatementRow[]): string {
  return `<ul class="files">${list
    .map((s) => `<li><a href="${esc(statementBase(s.area, s.period))}.html">${esc(s.period)}</a>${s.status === 'final' ? '' : ` (${esc(s.status)})`}</li>`)
    .join('')}</ul>`;
}

/** A year's statements grouped: monthly fee statements, the volume reconciliation, results periods. */
function statementGroups(list: StatementRow[]): string {
  const monthly = list.filter((s) => s.section === 'fee' && !s.period.includes('/'));
  const yearly = list.filter((s) => s.section === 'fee' && s.period.includes('/'));
  const results = list.filter((s) => s.section === 'results');
  const out: string[] = [];
  if (monthly.length > 0) out.push(`<h3>Monthly statements</h3>${statementList(monthly)}`);
  if (yearly.length > 0) out.push(`<h3>Volume reconciliation statement</h3>${statementList(yearly)}`);
  if (results.length > 0) out.push(`<h3>Results statements</h3>${statementList(results)}`);
  return out.join('\n');
}

const SUMMARY_COLUMNS: [keyof SummaryRow, string][] = [
  ['fee_for_service', 'Fee for service'],
  ['service_credit', 'Service credits'],
  ['volume_reconciliation', 'Volume reconciliation'],
  ['results', 'Results payments'],
  ['net', 'Net'],
];

/** An area's contract-year summary: totals per year and overall, volumes per band, and its statements. */
export function summaryHtml(
  m: Meta, area: string, areaName: string, rows: SummaryRow[], volumes: VolumeRow[], statements: StatementRow[],
): string {
  const links: [string, string][] = [['All statements (index)', 'index.html'], [`Workbook: ${area}.xlsx`, `${workbookBase(area)}.xlsx`]];
  if (m.hasReport) links.push([`Report: ${area}`, `../report.html#${areaAnchor(area)}`]);
  const body: string[] = [navLinks(links)];
  body.push(`<h1>Contract-year summary: ${esc(areaName)} (${esc(area)})</h1>`);
  body.push(metaTable(m, [['Area', `${areaName} (${area})`], ['Fee rounding (fee_for_service.rounding)', feeRoundingText(m.feeRounding)]]));
  body.push('<h2>By contract year</h2>');
  body.push(`<table><thead><tr><th>Contract year</th>${SUMMARY_COLUMNS.map(([, h]) => `<th class="num">${esc(h)}</th>`).join('')}` +
    '</tr></thead><tbody>');
  for (const r of rows) {
    const label = r.row_kind === 'contract_year'
      ? `<a href="#${esc(yearAnchor(r.contract_year))}" class="nowrap">${esc(r.year_from ?? '')}<br>to ${esc(r.year_to ?? '')}</a>`
      : r.row_kind === 'total' ? 'Total, all contract years' : esc(r.contract_year);
    body.push(`<tr${r.row_kind === 'total' ? ' class="total"' : ''}><td>${label}</td>` +
      `${SUMMARY_COLUMNS.map(([k]) => `<td class="num">${amountHtml(r[k] as string)}</td>`).join('')}</tr>`);
  }
  body.push('</tbody></table>');
  body.push(`<p class="note">${esc('Figures are sums of the rounded statement lines (GBP); the total row is the sum of every line of the area. Results payments (payment by results, including caps) belong to the contract year containing the end of their cohort period.')}</p>`);
  for (const r of rows.filter((x) => x.row_kind === 'contract_year')) {
    body.push(`<h2 id="${esc(yearAnchor(r.contract_year))}">${esc(`Contract year ${r.year_from} to ${r.year_to}`)}</h2>`);
    body.push(`<p>${esc(`Net ${amountText(r.net)}: fees ${amountText(r.fee_for_service)}, service credits ${amountText(r.service_credit)}, ` +
      `volume reconciliation ${amountText(r.volume_reconciliation)}, results ${amountText(r.results)}.`)}</p>`);
    const bands = volumes.filter((v) => v.contract_year === r.contract_year);
    body.push('<h3>Volume by band</h3>');
    body.push(bands.length > 0
      ? volumesTable(bands, { starts: r.starts, weighted: r.weighted_volume, low: r.volume_low, high: r.volume_high })
      : `<p>No counted start in this contract year (expected range ${esc(r.volume_low ?? 'n/a')} to ${esc(r.volume_high ?? 'n/a')}).</p>`);
    body.push(statementGroups(statements.filter((s) => s.contract_years.includes(r.contract_year))));
  }
  // statements in no contract year (results periods ending outside every year, for instance)
  const outside = statements.filter((s) => s.contract_years.length === 0);
  if (outside.length > 0) {
    body.push('<h2 id="outside">Outside contract years</h2>');
    body.push(statementGroups(outside));
  }
  if (!rows.some((r) => r.row_kind === 'contract_year')) body.push('<p>The contract lists no contract year for this area (no fee for service).</p>');
  return page(`Contract-year summary ${area} - ${m.contract}`, body.join('\n'));
}

/** statements/index.html: every area's summary and workbook, and every statement. */
export function indexHtml(m: Meta, areas: { area: string; name: string; net: string }[], statements: StatementRow[]): string {
  const body: string[] = [];
  if (m.hasReport) body.push(navLinks([['Report', '../report.html']]));
  body.push(`<h1>Payment statements: ${esc(m.contract)}</h1>`);
  body.push(metaTable(m, [['Fee rounding (fee_for_service.rounding)', feeRoundingText(m.feeRounding)]]));
  body.push('<h2>Areas</h2><table><thead><tr><th>Area</th><th class="num">Net, all statements (GBP)</th><th>Contract-year summary</th><th>Workbook</th>' +
    `${m.hasReport ? '<th>Report</th>' : ''}</tr></thead><tbody>`);
  for (const a of areas) {
    body.push(`<tr><td>${esc(a.name)} (${esc(a.area)})</td><td class="num">${amountHtml(a.net)}</td><td>${fileLinks(contractYearsBase(a.area))}</td>` +
      `<td><a href="${esc(workbookBase(a.area))}.xlsx">xlsx</a></td>` +
      `${m.hasReport ? `<td><a href="../report.html#${esc(areaAnchor(a.area))}">section</a></td>` : ''}</tr>`);
  }
  body.push('</tbody></table>');
  body.push('<h2>Statements</h2><table><thead><tr><th>Area</th><th>Period</th><th>Status</th><th>Payable from</th>' +
    '<th class="num">Total (GBP)</th><th>Files</th></tr></thead><tbody>');
  for (const s of statements) {
    const payable = s.has_outcome ? s.final_on ?? 'n/a' : '';
    body.push(`<tr><td>${esc(s.area)}</td><td>${esc(s.period)}</td><td>${esc(s.status)}</td><td>${esc(payable)}</td>` +
      `<td class="num">${amountHtml(s.total)}</td><td>${fileLinks(statementBase(s.area, s.period))}</td></tr>`);
  }
  body.push('</tbody></table>');
  body.push(`<p class="note">${esc('A statement of an interim period shows its result and an indicative amount; it is never paid. Totals are sums of the rounded lines. Rates are shown as decimals with 6 places (as in measures.csv) and as percentages to 0.1%.')}</p>`);
  return page(`Payment statements - ${m.contract}`, body.join('\n'));
}
