import type { RunContext } from '../core/context.js';
import { areaAnchor, periodAnchor } from '../core/names.js';
import type {
  ConcentrationRow,
  CumulativeRow,
  FunnelRow,
  MeasureRow,
  OutcomeCountRow,
  PaymentTableRow,
  ReportData,
} from './data.js';
import { TOP_A, TOP_B } from './data.js';
import { amount, DASH, esc, int, money, points } from './format.js';
import type { StatementLinks } from './index.js';
import { SCOPE_LABELS } from './specs.js';
import type { Cells } from './suppress.js';

/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no network). The national
 * summary first, then every area compared (small multiples, the outcome grid linking every
 * statement), then one section per area (id areaAnchor(area)), then the method in force,
 * validation and input hashes. Every figure a chart shows is also in a table.
 */

/** The start of a self-contained page (report.html, the pack): doctype, head with its title and styles. */
export function pageHead(title: string, css: string): string {
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
`;
}

/** A chart as it goes into the page: its file stem, heading and rendered SVG. */
export interface RenderedChart {
  id: string;
  title: string;
  svg: string;
}

export interface ReportMeta {
  engineVersion: string;
  duckdbVersion: string;
  /** charts/*.png were written too (--png). */
  png?: boolean;
}

/** Which chart id shows what (null: not drawn in this run). */
export interface ChartIds {
  national: string | null;
  outcomes: string | null;
  funnel: string | null;
  funnelPeriod: string | null;
  areasBinary: string | null;
  areasFrequency: string | null;
  cumulative: string | null;
  concentration: string | null;
  payments: string | null;
}

/** Styles shared by report.html and the publication pack (print: A4, tables at 8 pt or more). */
export const BASE_CSS = `
:root { --ink: #1f2328; --muted: #57606a; --rule: #d0d7de; --pay: #1f6feb; --ded: #cf222e; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
html { font-family: 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 3rem; line-height: 1.45; font-size: 15px; }
header.top { border-bottom: 3px solid var(--ink); margin-bottom: 1rem; }
h1 { font-size: 1.7rem; margin: 0.4rem 0 0.2rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; }
h3 { font-size: 1.1rem; margin: 1.4rem 0 0.4rem; }
p.lede { font-size: 1.05rem; }
.muted { color: var(--muted); }
.keyfacts { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.6rem; margin: 0.8rem 0; padding: 0; list-style: none; }
.keyfacts li { background: var(--bg2); border: 1px solid var(--rule); padding: 0.5rem 0.7rem; }
.keyfacts .v { display: block; font-size: 1.35rem; font-weight: bold; }
figure { margin: 1rem 0; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; }
figure svg text { font-family: 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif; }
figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 0.3rem; }
figcaption strong { color: var(--ink); }
.tablewrap { overflow-x: auto; margin: 0.4rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.8rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.2rem 0.35rem; text-align: left; vertical-align: top; }
th { background: var(--bg2); }
thead th { vertical-align: bottom; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tr.total td, tr.total th { font-weight: bold; border-top: 2px solid var(--ink); }
.o-payment { color: var(--pay); font-weight: bold; }
.o-deduction { color: var(--ded); font-weight: bold; }
.interim { font-style: italic; }
.watch { color: var(--ded); font-weight: bold; }
.note { background: var(--bg2); border-left: 4px solid var(--rule); padding: 0.4rem 0.8rem; }
.links { font-size: 0.9rem; }
.links a { white-space: nowrap; }
code, .hash { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.8rem; word-break: break-all; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  figure, .keyfacts { break-inside: avoid; }
  tr, caption { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; }
  .tablewrap { overflow: visible; }
  table, thead th { font-size: 8pt; }
  th, td { padding: 1px 2px; }
  td.n { white-space: normal; }
  a { color: inherit; text-decoration: none; }
}
`;

const CSS = `${BASE_CSS}
nav ol { columns: 2; column-gap: 2rem; padding-left: 1.8rem; margin: 0.4rem 0; }
nav li { break-inside: avoid; }
nav a { color: inherit; }
dl.method { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.method dt { font-weight: bold; }
dl.method dd { margin: 0; }
table.grid td { text-align: center; }
table.grid th[scope="col"] { text-align: center; }
@media print {
  nav ol { columns: 1; }
  section.area, section#method { break-before: page; }
  dl.method { break-inside: avoid; }
  figure svg { width: 100%; }
}
`;

export interface Col {
  label: string;
  num?: boolean;
}

/** A table with a caption, a header row (repeated on every printed page) and a header cell per row. */
export function table(caption: string, cols: Col[], rows: string[][], opts: { totalLast?: boolean; cls?: string; rowIds?: (string | null)[]; headHtml?: string[] } = {}): string {
  const head = cols.map((c, i) => `<th scope="col"${c.num ? ' class="n"' : ''}>${opts.headHtml?.[i] ?? esc(c.label)}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const cls = opts.totalLast && i === rows.length - 1 ? ' class="total"' : '';
      const id = opts.rowIds?.[i] ? ` id="${esc(opts.rowIds[i])}"` : '';
      const cells = r.map((v, j) => (j === 0 ? `<th scope="row">${v}</th>` : `<td${cols[j]?.num ? ' class="n"' : ''}>${v}</td>`));
      return `<tr${id}${cls}>${cells.join('')}</tr>`;
    })
    .join('\n');
  const cls = opts.cls ? ` class="${esc(opts.cls)}"` : '';
  return `<div class="tablewrap"><table${cls}><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A significance band, compactly: '45.0–55.0%'. */
export function band(lo: number | null, hi: number | null): string {
  if (lo === null || hi === null) return DASH;
  return `${(lo * 100).toFixed(1)}${DASH}${(hi * 100).toFixed(1)}%`;
}

export function outcomeCell(o: string | null): string {
  const v = o ?? 'none';
  return `<span class="o-${esc(v)}">${esc(v)}</span>`;
}

export function statusCell(s: string): string {
  return s === 'interim' ? '<span class="interim">interim</span>' : esc(s);
}

/** A link to a statement file (inside statements/), or the text alone when there is none. */
export function statementLink(links: StatementLinks, area: string, period: string, text: string, prefix = 'statements/'): string {
  const f = links.byKey.get(`${area}\u0000${period}`);
  return f ? `<a href="${esc(prefix + f)}">${text}</a>` : text;
}

let figureNo = 0;

/** A figure: the inline SVG (role img, labelled by its caption) and a caption with the text alternative. */
function figure(chart: RenderedChart | undefined, alt: string, meta: ReportMeta): string {
  if (!chart) return '';
  figureNo += 1;
  const capId = `cap-${chart.id}`;
  const svg = chart.svg.replace(/^<svg /, `<svg role="img" aria-labelledby="${capId}" `);
  const files = meta.png ? `<code>charts/${esc(chart.id)}.svg</code> and <code>.png</code>` : `<code>charts/${esc(chart.id)}.svg</code>`;
  return `<figure id="fig-${esc(chart.id)}" class="chart" data-chart="${esc(chart.id)}">
${svg}
<figcaption id="${capId}"><strong>Figure ${figureNo}. ${esc(chart.title)}.</strong> ${esc(alt)} (Also ${files}.)</figcaption>
</figure>`;
}

/** The outcome sentence of an area's latest final period (small cells suppressed). */
function areaSummary(name: string, r: MeasureRow | undefined, cells: Cells): string {
  if (!r) return `<p>${esc(name)} has no final cohort period with a measurable cohort yet.</p>`;
  const nr = [r.measurable, r.reoffenders];
  const outcome =
    r.binary_outcome === 'payment'
      ? 'significantly below the baseline: a <span class="o-payment">payment</span>'
      : r.binary_outcome === 'deduction'
        ? 'significantly above the baseline: a <span class="o-deduction">deduction</span>'
        : 'not significantly different from the baseline: no payment and no deduction';
  return `<p class="lede">In the latest final cohort period, <strong>${esc(r.period)}</strong>, ${cells.count(r.measurable)} of ${cells.count(r.eligible)} eligible people were measurable and <strong>${cells.pct(r.binary_rate, nr)}</strong> of them had a proven reoffence. Adjusted for case mix the rate is <strong>${cells.pct(r.adjusted_binary_rate, nr)}</strong> against a baseline of ${cells.pct(r.baseline_binary_rate, [r.baseline_measurable])} (band ${cells.text(band(r.lower_threshold, r.upper_threshold), nr)}): ${outcome}. Reoffenders committed ${cells.dec(r.frequency_rate, [r.reoffenders])} reoffences each (baseline ${cells.dec(r.baseline_frequency_rate, [r.baseline_measurable])}).</p>`;
}

/**
 * The all-areas sentence: the all-areas rate against the all-areas baseline. `ALL` is never paid,
 * so the sentence names no payment: areas are paid on their own results.
 */
function nationalSummary(r: MeasureRow | undefined, counts: OutcomeCountRow | undefined, cells: Cells): string {
  if (!r) return '<p>No cohort period is final with a measurable cohort yet.</p>';
  const nr = [r.measurable, r.reoffenders];
  const side =
    r.binary_outcome === 'payment'
      ? 'significantly below the all-areas baseline'
      : r.binary_outcome === 'deduction'
        ? 'significantly above the all-areas baseline'
        : 'not significantly different from the all-areas baseline';
  const areas = counts ? ` In ${esc(counts.period)}, ${int(counts.payment)} of ${int(counts.areas)} areas earned a payment and ${int(counts.deduction)} had a deduction.` : '';
  return `<p class="lede">In the latest final cohort period, <strong>${esc(r.period)}</strong>, ${cells.count(r.measurable)} of ${cells.count(r.eligible)} eligible people in all areas were measurable and <strong>${cells.pct(r.binary_rate, nr)}</strong> of them had a proven reoffence. The all-areas rate adjusted for case mix is <strong>${cells.pct(r.adjusted_binary_rate, nr)}</strong> against the all-areas baseline of ${cells.pct(r.baseline_binary_rate, [r.baseline_measurable])} (band ${cells.text(band(r.lower_threshold, r.upper_threshold), nr)}): ${side}. This is a summary of all areas together, not a payment: each area is paid or charged a deduction on its own results, against its own baseline.${areas} Reoffenders committed ${cells.dec(r.frequency_rate, [r.reoffenders])} reoffences each (all-areas baseline ${cells.dec(r.baseline_frequency_rate, [r.baseline_measurable])}).</p>`;
}

function lastFinal(rows: MeasureRow[]): MeasureRow | undefined {
  const finals = rows.filter((r) => r.status === 'final' && r.measurable > 0 && !r.is_annual);
  return finals[finals.length - 1];
}

/** The binary measure of one area by period: every figure of the old per-period funnel tables too. */
function binaryTable(caption: string, rows: MeasureRow[], links: StatementLinks, cells: Cells, watch: boolean): string {
  const cols: Col[] = [
    { label: 'Period' }, { label: 'Status' }, { label: 'Eligible', num: true }, { label: 'Measurable', num: true },
    { label: 'Reoffenders', num: true }, { label: 'Binary rate', num: true }, { label: 'Expected (OGRS)', num: true },
    { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true }, { label: 'Difference', num: true },
    { label: 'Band', num: true }, { label: 'Outcome' }, ...(watch ? [{ label: 'Termination watch' }] : []),
  ];
  return table(caption, cols, rows.map((r) => {
    const nr = [r.measurable, r.reoffenders];
    return [
      statementLink(links, r.area, r.period, esc(r.period)), statusCell(r.status), cells.count(r.eligible), cells.count(r.measurable),
      cells.count(r.reoffenders), cells.pct(r.binary_rate, nr), cells.pct(r.expected_rate, [r.measurable]),
      cells.pct(r.adjusted_binary_rate, nr), cells.pct(r.baseline_binary_rate, [r.baseline_measurable]),
      cells.text(points(r.difference), [...nr, r.baseline_measurable]), cells.text(band(r.lower_threshold, r.upper_threshold), nr),
      outcomeCell(r.binary_outcome), ...(watch ? [watchCell(r.termination_watch)] : []),
    ];
  }));
}

function watchCell(w: boolean | null): string {
  return w === null ? DASH : w ? '<span class="watch">flagged</span>' : 'no';
}

/** The frequency measure of one area by period. */
function frequencyTable(caption: string, rows: MeasureRow[], links: StatementLinks, cells: Cells): string {
  return table(caption,
    [{ label: 'Period' }, { label: 'Status' }, { label: 'Reoffenders', num: true }, { label: 'Reoffences', num: true },
      { label: 'Reoffences per reoffender', num: true }, { label: 'Baseline', num: true }, { label: 'Frequency' }],
    rows.map((r) => [
      statementLink(links, r.area, r.period, esc(r.period)), statusCell(r.status), cells.count(r.reoffenders), int(r.reoffences),
      cells.dec(r.frequency_rate, [r.reoffenders]), cells.dec(r.baseline_frequency_rate, [r.baseline_measurable]),
      esc((r.frequency_outcome ?? DASH).replace(/_/g, ' ')),
    ]));
}

function funnelTable(period: string, rows: FunnelRow[], cells: Cells, areaIds: Map<string, string>): string {
  return table(
    `Adjusted binary rate by area, ${period} (in chart order)`,
    [{ label: 'Area' }, { label: 'Measurable', num: true }, { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true },
      { label: 'Difference', num: true }, { label: 'Band', num: true }, { label: 'Outcome' }],
    rows.map((r) => {
      const nr = [r.measurable, r.reoffenders];
      return [
        `<a href="#${esc(areaIds.get(r.area) ?? areaAnchor(r.area))}">${esc(r.name)}</a>`, cells.count(r.measurable), cells.pct(r.adjusted, nr), cells.pct(r.baseline, [r.baseline_measurable]),
        r.adjusted === null || r.baseline === null ? DASH : cells.text(points(r.adjusted - r.baseline), [...nr, r.baseline_measurable]),
        cells.text(band(r.lower, r.upper), nr), outcomeCell(r.outcome),
      ];
    }),
  );
}

function funnelAlt(period: string, status: string, rows: FunnelRow[]): string {
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const rated = rows.filter((r) => r.adjusted !== null && r.baseline !== null);
  let s = `${period}${status === 'interim' ? ' (interim, not paid)' : ''}: of ${rows.length} areas, ${count('payment')} had an adjusted rate significantly below baseline (payment), ${count('deduction')} significantly above (deduction) and ${count('none')} neither.`;
  const below = rated.filter((r) => r.adjusted! < r.baseline!);
  const above = rated.filter((r) => r.adjusted! > r.baseline!);
  if (below.length > 0) {
    const b = below[0]!;
    s += ` Furthest below its baseline: ${b.name} (${(b.adjusted! * 100).toFixed(1)}% against ${(b.baseline! * 100).toFixed(1)}%).`;
  }
  if (above.length > 0) {
    const w = above[above.length - 1]!;
    s += ` Furthest above: ${w.name} (${(w.adjusted! * 100).toFixed(1)}% against ${(w.baseline! * 100).toFixed(1)}%).`;
  }
  return s;
}

const GRID_TEXT: Record<string, string> = { payment: 'pay', deduction: 'ded.', none: DASH };

/**
 * The outcome of every area and cohort period as tables of at most `most` periods each, as even as
 * may be (so that a printed A4 page holds them): every cell links to its statement, every period
 * heading to the period's row of the national table, every area to its section.
 */
function outcomeGrid(data: ReportData, periods: { period: string; status: string }[], links: StatementLinks, areaIds: Map<string, string>, most = 10): string {
  const out: string[] = [];
  const chunk = Math.ceil(periods.length / Math.max(1, Math.ceil(periods.length / most)));
  const byKey = new Map(data.measures.map((m) => [`${m.area}\u0000${m.period}`, m] as [string, MeasureRow]));
  for (let i = 0; i < periods.length; i += chunk) {
    const ps = periods.slice(i, i + chunk);
    const cols: Col[] = [{ label: 'Area' }, ...ps.map((p) => ({ label: p.period }))];
    const head = ['Area', ...ps.map((p) => `<a href="#${esc(periodAnchor(p.period))}">${p.status === 'interim' ? `<span class="interim">${esc(p.period)}</span>` : esc(p.period)}</a>`)];
    const rows = data.areas.map((a) => [
      `<a href="#${esc(areaIds.get(a.cpa) ?? areaAnchor(a.cpa))}">${esc(a.name)}</a>`,
      ...ps.map((p) => {
        const m = byKey.get(`${a.cpa}\u0000${p.period}`);
        if (!m) return DASH;
        const o = m.binary_outcome ?? 'none';
        const t = `<span class="o-${esc(o)}${m.status === 'interim' ? ' interim' : ''}" title="${esc(o)}">${esc(GRID_TEXT[o] ?? o)}</span>`;
        return statementLink(links, a.cpa, p.period, t);
      }),
    ]);
    const range = ps.length > 1 ? `${ps[0]!.period} to ${ps[ps.length - 1]!.period}` : ps[0]!.period;
    out.push(table(`Binary outcome by area and cohort period, ${range} (each cell links to its statement)`, cols, rows, { cls: 'grid', headHtml: head }));
  }
  return out.join('\n');
}

function paymentYearsTable(caption: string, rows: PaymentTableRow[], total: PaymentTableRow | undefined, first: 'year' | 'area', names: Map<string, string>, areaIds: Map<string, string>): string {
  const all = total ? [...rows, total] : rows;
  const nonZero = (v: string) => !/^-?0*\.?0*$/.test(v);
  const showCaps = all.some((r) => nonZero(r.caps));
  const showOther = all.some((r) => nonZero(r.other));
  const cols: Col[] = [
    { label: first === 'year' ? 'Contract year' : 'Area' }, ...(first === 'year' ? [{ label: 'Dates' }] : []),
    { label: 'Fee for service', num: true }, { label: 'Service credits', num: true },
    { label: 'Volume reconciliation', num: true }, { label: 'Results payments', num: true },
    { label: 'Deductions', num: true },
    ...(showCaps ? [{ label: 'Caps', num: true }] : []),
    ...(showOther ? [{ label: 'Other', num: true }] : []),
    { label: 'Net', num: true },
  ];
  const line = (r: PaymentTableRow, label: string): string[] => [
    label,
    ...(first === 'year' ? [r.year_from && r.year_to && r.year_label?.startsWith('Y') ? `${esc(r.year_from)} to ${esc(r.year_to)}` : DASH] : []),
    money(r.fee), money(r.credits), money(r.reconciliation), money(r.results), amount(r.deductions, true),
    ...(showCaps ? [money(r.caps)] : []),
    ...(showOther ? [money(r.other)] : []),
    `<strong>${money(r.net)}</strong>`,
  ];
  const body = rows.map((r) => line(r, first === 'year'
    ? esc(r.year_label ?? '')
    : `<a href="#${esc(areaIds.get(r.area ?? '') ?? areaAnchor(r.area ?? ''))}">${esc(names.get(r.area ?? '') ?? r.area ?? '')}</a>`));
  if (total) body.push(line(total, 'Total'));
  return table(caption, cols, body, { totalLast: total !== undefined });
}

function cumulativeTable(rows: CumulativeRow[], months: number, cells: Cells): string {
  const series: string[] = [];
  for (const r of rows) if (!series.includes(r.series)) series.push(r.series);
  // At most 12 month columns (every k-th month and the last), so the table fits an A4 page.
  const every = Math.ceil(months / 12);
  const shown: number[] = [];
  for (let m = every; m < months; m += every) shown.push(m);
  shown.push(months);
  const cols: Col[] = [{ label: 'Cohort' }, { label: 'Status' }, { label: 'Measurable', num: true }];
  for (const m of shown) cols.push({ label: `${m} mo`, num: true });
  const body = series.map((s) => {
    const rs = rows.filter((r) => r.series === s);
    const cells0 = [esc(s), statusCell(rs[0]!.status), cells.count(rs[0]!.measurable)];
    for (const m of shown) {
      const r = rs.find((x) => x.month === m);
      cells0.push(r ? cells.pct(r.share, [r.measurable, r.reoffenders]) : DASH);
    }
    return cells0;
  });
  return table('Cumulative share with a counted offence, by months since the index date', cols, body);
}

function cumulativeAlt(rows: CumulativeRow[], months: number, cells: Cells): string {
  const at = (s: string, m: number) => {
    const r = rows.find((x) => x.series === s && x.month === m);
    return r ? cells.pct(r.share, [r.measurable, r.reoffenders]) : DASH;
  };
  const series = [...new Set(rows.filter((r) => r.status !== 'baseline').map((r) => r.series))];
  const parts: string[] = [];
  const half = Math.max(1, Math.floor(months / 2));
  const base = rows.some((r) => r.status === 'baseline');
  if (base) parts.push(`In the baseline, ${at('Baseline', half)} had reoffended after ${half} months and ${at('Baseline', months)} after ${months}.`);
  const finals = series.filter((s) => rows.find((r) => r.series === s)?.status === 'final');
  const interims = series.filter((s) => rows.find((r) => r.series === s)?.status === 'interim');
  const lastF = finals[finals.length - 1];
  if (lastF) parts.push(`The latest final cohort, ${lastF}, reached ${at(lastF, half)} after ${half} months and ${at(lastF, months)} after ${months}.`);
  if (interims.length > 0) parts.push(`Interim cohorts (${interims.join(', ')}) are still growing: offences are counted only once disposed, so their curves sit low and rise as results become final.`);
  return parts.join(' ');
}

function concentrationTable(rows: ConcentrationRow[], cells: Cells): string {
  return table(
    `Share of reoffences committed by the most prolific reoffenders`,
    [{ label: 'Area' }, { label: 'Scope' }, { label: 'Reoffenders', num: true }, { label: 'Reoffences', num: true },
      { label: `Top ${TOP_A}% (people)`, num: true }, { label: `Top ${TOP_A}% share`, num: true },
      { label: `Top ${TOP_B}% (people)`, num: true }, { label: `Top ${TOP_B}% share`, num: true }],
    rows.map((r) => [
      esc(r.name), esc(SCOPE_LABELS[r.scope] ?? r.scope), cells.count(r.reoffenders), int(r.reoffences),
      cells.count(r.top_a_count), cells.pct(r.top_a_share, [r.reoffenders, r.top_a_count]),
      cells.count(r.top_b_count), cells.pct(r.top_b_share, [r.reoffenders, r.top_b_count]),
    ]),
  );
}

function concentrationAlt(rows: ConcentrationRow[], cells: Cells): string {
  const nat = rows.filter((r) => r.area === 'ALL');
  const c = nat.find((r) => r.scope === 'cohort');
  const b = nat.find((r) => r.scope === 'baseline');
  const parts: string[] = [];
  if (c) parts.push(`Across all areas' final cohort periods, the ${TOP_A}% most prolific reoffenders (${cells.count(c.top_a_count).replace('&lt;', '<')} people) committed ${cells.pct(c.top_a_share, [c.reoffenders, c.top_a_count])} of the ${int(c.reoffences)} counted reoffences.`);
  if (b) parts.push(`In the baseline the share was ${cells.pct(b.top_a_share, [b.reoffenders, b.top_a_count])}.`);
  parts.push('A rising share means reoffending is concentrating in fewer people, which the binary measure alone would not show.');
  return parts.join(' ');
}

function nationalTable(rows: OutcomeCountRow[], national: MeasureRow[], cells: Cells): string {
  const byPeriod = new Map(national.map((m) => [m.period, m] as [string, MeasureRow]));
  return table(
    'All areas together and the area outcomes, by cohort period',
    [{ label: 'Period' }, { label: 'Status' }, { label: 'Measurable', num: true }, { label: 'Binary rate', num: true },
      { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true }, { label: 'Reoffences per reoffender', num: true },
      { label: 'Baseline frequency', num: true },
      { label: 'Areas: payment / deduction / neither', num: true }, { label: 'Areas with frequency reduced', num: true }],
    rows.map((r) => {
      const n = byPeriod.get(r.period);
      const nr = [n?.measurable, n?.reoffenders];
      return [
        esc(r.period), statusCell(r.status), cells.count(n?.measurable), cells.pct(n?.binary_rate, nr), cells.pct(n?.adjusted_binary_rate, nr),
        cells.pct(n?.baseline_binary_rate, [n?.baseline_measurable]), cells.dec(n?.frequency_rate, [n?.reoffenders]),
        cells.dec(n?.baseline_frequency_rate, [n?.baseline_measurable]),
        `${int(r.payment)} / ${int(r.deduction)} / ${int(r.none)}`,
        `${int(r.frequency_reduced)} of ${int(r.areas)}`,
      ];
    }),
    { rowIds: rows.map((r) => periodAnchor(r.period)) },
  );
}

function methodSection(ctx: RunContext): string {
  const c = ctx.contract;
  const price = (v: number | null) => (v === null ? 'not set (not computed)' : money(v.toFixed(2)));
  const rows: [string, string][] = [
    ['Contract', `${esc(c.contract)}${c.description ? ` ${DASH} ${esc(c.description)}` : ''}`],
    ['Scheme', esc(c.scheme)],
    ['Results as of', `<strong>${esc(ctx.asOf)}</strong> (a period is final once as_of is at least ${c.follow_up.months + c.follow_up.waiting_months} months after its end)`],
    ['Population', `allocation ${esc(c.population.allocation)}; start types ${esc(c.population.start_types.join(', '))}; ${c.population.exclude_em_only ? 'EM-only orders excluded' : 'EM-only orders included'}; aged ${c.population.min_age}+; custodial sentences of at least ${c.population.min_custody_days} days`],
    ['Cohort periods', `${esc(c.cohort.period)} from ${esc(c.cohort.from)}${c.cohort.to ? ` to ${esc(c.cohort.to)}` : ' to the latest start'}`],
    ['Baseline', ctx.hasBaselinesFile ? 'from the baselines file given with the data' : `pooled periods from ${esc(c.baseline.from)} to ${esc(c.baseline.to)}, computed from the same extracts`],
    ['Follow-up', `offences within ${c.follow_up.months} months of the index date, disposed within a further ${c.follow_up.waiting_months} months and by as_of`],
    ['Proven offences', `disposals ${esc(c.proven.disposals.join(', '))}; ${c.proven.exclude_breaches ? 'breaches excluded' : 'breaches included'}`],
    ['Case-mix adjustment', `<strong>${esc(c.adjustment.method)}</strong>${c.adjustment.method === 'additive' ? ' (adjusted = rate − (expected − baseline expected))' : c.adjustment.method === 'ratio' ? ' (adjusted = rate × baseline expected / expected)' : ' (no adjustment)'}`],
    ['Significance', `<strong>${esc(c.significance.method)}</strong>, ${esc(String(c.significance.confidence))} confidence, ${esc(c.significance.sided)}-sided`],
    ['Termination watch', c.termination ? `flagged when the adjusted rate is at least ${esc(String(c.termination.increase_points))} points above the baseline in ${esc(String(c.termination.consecutive_periods))} consecutive final periods (moves no money)` : 'not configured'],
    ['Binary price', price(c.payments.binary_price)],
    ['Deduction price', price(c.payments.deduction_price)],
    ['Frequency price', `${price(c.payments.frequency_price)}; hurdle ${esc(c.payments.frequency_hurdle)}`],
    ['Caps per period', `payments ${price(c.payments.cap_per_period)}; deductions ${price(c.payments.deduction_cap_per_period)}`],
    ['Fee for service', `${c.fee_for_service.bands.length} volume band(s); learning-curve discount ${c.fee_for_service.learning_curve_discount === null ? 'none' : esc(String(c.fee_for_service.learning_curve_discount))}; service credit ${esc(String(c.fee_for_service.service_credit_rate))} of the month's payment${c.fee_for_service.service_credit_cap === null ? '' : `, capped at ${esc(String(c.fee_for_service.service_credit_cap))}`}; contract years for ${Object.keys(c.fee_for_service.areas).length} area(s)`],
    ['Small cells', c.publication.suppress_below === null ? 'not suppressed (publication.suppress_below not set)' : `counts of fewer than ${c.publication.suppress_below} people shown as &lt;${c.publication.suppress_below}, rates from them as *`],
    ['Contract years in this report', 'monthly fee and service-credit lines go to the contract year their month falls in; volume reconciliation to its own year; results payments and deductions of a cohort period to the contract year containing the period’s last day. Lines outside every contract year of their area are grouped by financial year (April to March), labelled “FY”.'],
  ];
  return `<section id="method" aria-labelledby="h-method"><h2 id="h-method">Method choices in force</h2>
<p>The Ministry never published every detail of the payment mechanism; these are the choices this run used.</p>
<dl class="method">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('\n')}</dl></section>`;
}

function validationSection(ctx: RunContext, data: ReportData): string {
  const inputs = table(
    'Rows read, used and rejected per input file',
    [{ label: 'File' }, { label: 'Rows read', num: true }, { label: 'Used', num: true }, { label: 'Rejected', num: true }],
    ctx.inputs.map((i) => [esc(i.file), int(i.rows_read), int(i.rows_used), int(i.rows_rejected)]),
  );
  let rejects = '';
  if (ctx.rejectedRows > 0) {
    rejects += `<p class="note"><strong>${int(ctx.rejectedRows)} input row(s) were rejected and left out</strong> (--allow-rejects): every figure in this report is computed without them. validation.json lists each one.</p>`;
  } else {
    rejects += '<p>No input row was rejected.</p>';
  }
  if (data.rejects && data.rejects.length > 0) {
    rejects += table('Rejected rows by file and reason', [{ label: 'File' }, { label: 'Reason' }, { label: 'Rows', num: true }],
      data.rejects.map((r) => [esc(r.file), esc(r.reason), int(r.rows)]));
  }
  return `<section id="validation" aria-labelledby="h-validation"><h2 id="h-validation">Validation summary</h2>${inputs}${rejects}</section>`;
}

function hashesSection(ctx: RunContext, meta: ReportMeta): string {
  const rows = ctx.inputs.map((i) => [esc(i.file), `<span class="hash">${esc(i.sha256)}</span>`, int(i.bytes)]);
  rows.push(['contract', `<span class="hash">${esc(ctx.contractSha256)}</span>`, DASH]);
  return `<section id="hashes" aria-labelledby="h-hashes"><h2 id="h-hashes">Inputs and their hashes</h2>
<p>Anyone holding the same files (same SHA-256) and the same engine version gets the same figures, byte for byte. Engine ${esc(meta.engineVersion)}, DuckDB ${esc(meta.duckdbVersion)}.</p>
${table('SHA-256 of every input', [{ label: 'File' }, { label: 'SHA-256' }, { label: 'Bytes', num: true }], rows)}</section>`;
}

const DIMENSIONS: Record<string, string> = {
  start_type: 'Start type',
  sex: 'Sex',
  age_band: 'Age at the index date',
  ogrs_band: 'OGRS (predicted risk)',
};

function breakdownsSection(data: ReportData, cells: Cells): string {
  const head = '<section id="breakdowns" aria-labelledby="h-breakdowns"><h2 id="h-breakdowns">Breakdowns</h2>';
  const b = data.breakdowns;
  if (b === null) return `${head}<p class="note">This run produced no breakdowns table, so this section is empty.</p></section>`;
  if (b === 'shape') return `${head}<p class="note">The breakdowns table of this run lacks a column this report reads; see breakdowns.csv.</p></section>`;
  if (b.length === 0) return `${head}<p>No national breakdown rows.</p></section>`;
  const p = b[0]!;
  const intro = `<p>Who is in the national cohort of ${esc(p.period)}${p.status === 'interim' ? ' (interim: no period is final yet)' : ', the latest final period,'} and how often each group reoffended (not adjusted for case mix). breakdowns.csv has every area and period${cells.below === null ? '' : ', with exact counts'}.</p>`;
  const rows = b.map((r, i) => [
    i > 0 && b[i - 1]!.dimension === r.dimension ? '' : esc(DIMENSIONS[r.dimension] ?? r.dimension),
    esc(r.band), cells.count(r.eligible), cells.count(r.measurable), cells.count(r.reoffenders),
    cells.pct(r.binary_rate, [r.measurable, r.reoffenders]), cells.pct(r.expected_rate, [r.measurable]), cells.dec(r.frequency_rate, [r.reoffenders]),
  ]);
  return `${head}${intro}${table(`National cohort by group, ${p.period}`,
    [{ label: 'Dimension' }, { label: 'Group' }, { label: 'Eligible', num: true }, { label: 'Measurable', num: true },
      { label: 'Reoffenders', num: true }, { label: 'Binary rate', num: true }, { label: 'Expected (OGRS)', num: true },
      { label: 'Reoffences per reoffender', num: true }], rows)}</section>`;
}

/** The statements of one area: its index, its contract-year summary, and the fee statements by contract year. */
function areaStatements(area: string, data: ReportData, links: StatementLinks): string {
  const parts: string[] = [];
  if (links.index) parts.push('<a href="statements/index.html">All statements</a>');
  const years = links.years.get(area);
  if (years) parts.push(`<a href="statements/${esc(years)}">Contract-year summary</a>`);
  const fee = data.statementKeys.filter((k) => k.area === area && k.kind === 'fee' && links.byKey.has(`${k.area}\u0000${k.period}`));
  const groups: string[] = [];
  const labels = [...new Set(fee.map((k) => k.year_label ?? 'Unassigned'))];
  for (const l of labels) {
    const ks = fee.filter((k) => (k.year_label ?? 'Unassigned') === l);
    groups.push(`${esc(l)}: ${ks.map((k) => statementLink(links, area, k.period, esc(k.period.includes('/') ? 'volume reconciliation' : k.period))).join(' ')}`);
  }
  const other = data.statementKeys.filter((k) => k.area === area && k.kind === 'other' && links.byKey.has(`${k.area}\u0000${k.period}`));
  if (other.length > 0) parts.push(`Other statements: ${other.map((k) => statementLink(links, area, k.period, esc(k.period))).join(' ')}`);
  const results = 'Results statements: follow the period in the tables below.';
  if (parts.length === 0 && groups.length === 0) return '<p class="links muted">No statement files in this run folder for this area.</p>';
  return `<p class="links">${parts.join(' · ')}${parts.length > 0 ? '. ' : ''}${results}</p>${groups.length > 0 ? `<p class="links">Fee statements by contract year: ${groups.join('; ')}.</p>` : ''}`;
}

function watchSentence(rows: MeasureRow[]): string {
  if (rows.every((r) => r.termination_watch === null)) return '';
  const flagged = rows.filter((r) => r.termination_watch === true).map((r) => r.period);
  return flagged.length === 0
    ? '<p>Termination watch: not flagged in any final period.</p>'
    : `<p class="note"><span class="watch">Termination watch flagged</span> in ${esc(flagged.join(', '))}: the adjusted rate stayed above the baseline by the contract's margin for the required run of final periods. The watch moves no money.</p>`;
}

/** The whole page. `charts` maps chart id to its rendered SVG. */
export function buildHtml(ctx: RunContext, data: ReportData, charts: Map<string, RenderedChart>, ids: ChartIds, meta: ReportMeta, links: StatementLinks, cells: Cells): string {
  figureNo = 0;
  const c = ctx.contract;
  const national = data.measures.filter((m) => m.area === 'ALL');
  const names = new Map(data.areas.map((a) => [a.cpa, a.name] as [string, string]));
  const areaIds = new Map(data.areas.map((a) => [a.cpa, areaAnchor(a.cpa)] as [string, string]));
  const periods = data.outcomeCounts;
  const annual = new Set(data.measures.filter((m) => m.is_annual).map((m) => m.period));
  const cohort = periods.filter((p) => !annual.has(p.period));
  const lastF = lastFinal(national);
  const lastCounts = lastF ? periods.find((p) => p.period === lastF.period) : undefined;
  const total = data.paymentTable?.find((r) => r.level === 'total');
  const interimPeriods = cohort.filter((p) => p.status === 'interim').map((p) => p.period);
  const fig = (id: string | null, alt: string) => figure(id ? charts.get(id) : undefined, alt, meta);

  const facts: [string, string][] = [];
  if (lastF) {
    const nr = [lastF.measurable, lastF.reoffenders];
    facts.push([`All-areas binary rate, ${lastF.period}`, cells.pct(lastF.binary_rate, nr)]);
    facts.push([`All-areas adjusted rate, against the all-areas baseline ${cells.pct(lastF.baseline_binary_rate, [lastF.baseline_measurable])}`, cells.pct(lastF.adjusted_binary_rate, nr)]);
    facts.push(['Reoffences per reoffender, all areas', cells.dec(lastF.frequency_rate, [lastF.reoffenders])]);
  }
  if (lastCounts) facts.push([`Areas paid / with deductions, ${lastCounts.period}`, `${lastCounts.payment} / ${lastCounts.deduction}`]);
  if (total) facts.push(['Net payments, all areas and years', money(total.net)]);

  const out: string[] = [];
  out.push(`${pageHead(`Payment by results: ${c.contract}, results as of ${ctx.asOf}`, CSS)}<body>
<header class="top" role="banner">
<p class="muted">Proven reoffending and payment-by-results report ${DASH} scheme ${esc(c.scheme)}, population ${esc(c.population.allocation)}</p>
<h1>${esc(c.contract)}: results as of ${esc(ctx.asOf)}</h1>
</header>
<nav aria-label="Contents"><h2 id="h-contents">Contents</h2><ol>
<li><a href="#${areaAnchor(null)}">National summary</a></li>
<li><a href="#areas">Every area compared</a></li>
<li><a href="#over-time">Reoffending over time</a></li>
<li><a href="#concentration">Concentration of reoffending</a></li>
<li><a href="#payments">Payments by area</a></li>
${data.areas.map((a) => `<li><a href="#${esc(areaIds.get(a.cpa)!)}">${esc(a.name)}</a></li>`).join('\n')}
<li><a href="#method">Method choices in force</a></li>
<li><a href="#validation">Validation summary</a></li>
<li><a href="#hashes">Inputs and their hashes</a></li>
<li><a href="#breakdowns">Breakdowns</a></li>
${links.index ? '<li><a href="statements/index.html">Payment statements (all)</a></li>' : ''}
</ol></nav>
<main>`);

  // National summary.
  out.push(`<section id="${areaAnchor(null)}" aria-labelledby="h-national"><h2 id="h-national">National summary</h2>`);
  out.push(nationalSummary(lastF, lastCounts, cells));
  if (facts.length > 0) {
    out.push(`<ul class="keyfacts">${facts.map(([k, v]) => `<li><span class="v">${v}</span>${k}</li>`).join('')}</ul>`);
  }
  if (cells.below !== null) out.push(`<p class="note">${cells.note()}</p>`);
  if (interimPeriods.length > 0) {
    out.push(`<p>Interim periods (reported, never paid, still growing as offences are disposed): ${esc(interimPeriods.join(', '))}.</p>`);
  }
  out.push(nationalTable(periods, national, cells));
  out.push(fig(ids.national, nationalAlt(national.filter((m) => !m.is_annual), cells)));
  out.push('</section>');

  // Every area compared.
  out.push('<section id="areas" aria-labelledby="h-areas"><h2 id="h-areas">Every area compared</h2>');
  out.push(fig(ids.outcomes, `Each row is an area, each column a cohort period; the marker is the binary outcome (${cohort.length} periods, ${data.areas.length} areas). The tables below give the same outcomes and link each to its statement.`));
  out.push(`<p>Outcome codes: <span class="o-payment">pay</span> payment, <span class="o-deduction">ded.</span> deduction, ${DASH} neither; <span class="interim">italic</span>: interim (not paid).</p>`);
  out.push(outcomeGrid(data, cohort, links, areaIds));
  if (ids.funnel && ids.funnelPeriod) {
    const p = cohort.find((x) => x.period === ids.funnelPeriod)!;
    const rows = data.funnel.filter((f) => f.period === p.period);
    out.push(`<h3 id="h-funnel">Areas against their baselines, ${esc(p.period)}</h3>`);
    out.push('<p>Each row is an area. The grey bar is the band within which a difference from the baseline is not significant; an adjusted rate left of the bar earns a payment, right of it a deduction. Every other period’s figures are in the areas’ own tables.</p>');
    out.push(fig(ids.funnel, funnelAlt(p.period, p.status, rows)));
    out.push(funnelTable(p.period, rows, cells, areaIds));
  }
  out.push(fig(ids.areasBinary, `One panel per area, in area order: the adjusted binary rate by cohort period against the area's baseline and significance band. Each area's section has the values, period by period.`));
  out.push(fig(ids.areasFrequency, `One panel per area: reoffences per reoffender by cohort period against the area's baseline. Each area's section has the values.`));
  out.push('</section>');

  out.push('<section id="over-time" aria-labelledby="h-cumulative"><h2 id="h-cumulative">How reoffending accumulates after the index date</h2>');
  if (data.cumulative && data.cumulative.length > 0) {
    out.push(fig(ids.cumulative, cumulativeAlt(data.cumulative, c.follow_up.months, cells)));
    out.push(cumulativeTable(data.cumulative, c.follow_up.months, cells));
  } else {
    out.push('<p class="note">No per-person outcomes (offender_outcomes) in this run, so this view is not available.</p>');
  }
  out.push('</section>');

  out.push('<section id="concentration" aria-labelledby="h-concentration"><h2 id="h-concentration">Concentration of reoffending</h2>');
  if (data.concentration && data.concentration.length > 0) {
    out.push(fig(ids.concentration, concentrationAlt(data.concentration, cells)));
    out.push(concentrationTable(data.concentration, cells));
  } else {
    out.push('<p class="note">No reoffences in the final cohort periods or the baseline, so there is nothing to show.</p>');
  }
  out.push('</section>');

  out.push('<section id="payments" aria-labelledby="h-payments"><h2 id="h-payments">Payments by area</h2>');
  if (data.paymentTable === null) {
    out.push('<p class="note">This run computed no payments.</p>');
  } else if (data.paymentTable.length === 0) {
    out.push('<p>No payment line was computed (no prices or contract years set).</p>');
  } else {
    const areaRows = data.paymentTable.filter((r) => r.level === 'area');
    out.push(fig(ids.payments, `Net payments over all areas and contract years: ${total ? money(total.net) : DASH}. ${areaRows.map((r) => `${names.get(r.area ?? '') ?? r.area}: ${money(r.net)}`).join('; ')}.`));
    out.push(paymentYearsTable('Payments by area, all contract years (pounds)', areaRows, total, 'area', names, areaIds));
    if (links.index) out.push('<p class="links">Every line is on a statement: <a href="statements/index.html">all statements</a>.</p>');
  }
  out.push('</section>');

  // Per-area sections.
  for (const a of data.areas) {
    const id = areaIds.get(a.cpa)!;
    const rows = data.measures.filter((m) => m.area === a.cpa);
    const watch = rows.some((r) => r.termination_watch !== null);
    out.push(`<section class="area" id="${esc(id)}" aria-labelledby="h-${esc(id)}"><h2 id="h-${esc(id)}">${esc(a.name)} <span class="muted">(${esc(a.cpa)})</span></h2>`);
    out.push(areaSummary(a.name, lastFinal(rows), cells));
    out.push(watchSentence(rows));
    out.push(areaStatements(a.cpa, data, links));
    out.push(binaryTable(`Binary measure by cohort period, ${a.name}`, rows, links, cells, watch));
    out.push(frequencyTable(`Reoffences per reoffender by cohort period, ${a.name}`, rows, links, cells));
    const years = data.paymentTable?.filter((r) => r.level === 'year' && r.area === a.cpa) ?? [];
    const areaTotal = data.paymentTable?.find((r) => r.level === 'area' && r.area === a.cpa);
    if (years.length > 0) {
      out.push(paymentYearsTable(`Payments by contract year, ${a.name} (pounds)`, years, areaTotal, 'year', names, areaIds));
    } else if (data.paymentTable !== null) {
      out.push('<p>No payment lines for this area.</p>');
    }
    out.push('</section>');
  }

  out.push(methodSection(ctx));
  out.push(validationSection(ctx, data));
  out.push(hashesSection(ctx, meta));
  out.push(breakdownsSection(data, cells));
  out.push(`</main>
<footer role="contentinfo"><p>Generated by pbr-engine ${esc(meta.engineVersion)} from the inputs listed above. Charts are drawn with the DejaVu Sans font shipped with the engine; charts/ holds each one as an SVG file${meta.png ? ' and a PNG file' : ' (PNG files with pbr run --png)'}.</p></footer>
</body>
</html>
`);
  return out.filter((s) => s.length > 0).join('\n');
}

function nationalAlt(rows: MeasureRow[], cells: Cells): string {
  const rated = rows.filter((r) => r.binary_rate !== null && !cells.hides(r.measurable, r.reoffenders));
  if (rated.length === 0) return 'No period has a measurable cohort that may be shown.';
  const first = rated[0]!;
  const last = rated[rated.length - 1]!;
  const reduced = rows.filter((r) => r.frequency_outcome === 'reduced').length;
  return `The all-areas binary rate moved from ${cells.pct(first.binary_rate, [first.measurable, first.reoffenders])} in ${first.period} to ${cells.pct(last.binary_rate, [last.measurable, last.reoffenders])} in ${last.period}${last.status === 'interim' ? ' (interim)' : ''}; adjusted ${cells.pct(first.adjusted_binary_rate, [first.measurable, first.reoffenders])} to ${cells.pct(last.adjusted_binary_rate, [last.measurable, last.reoffenders])}; all-areas baseline ${cells.pct(last.baseline_binary_rate, [last.baseline_measurable])}. Reoffences per reoffender moved from ${cells.dec(first.frequency_rate, [first.reoffenders])} to ${cells.dec(last.frequency_rate, [last.reoffenders])} (baseline ${cells.dec(last.baseline_frequency_rate, [last.baseline_measurable])}); below the baseline in ${reduced} of ${rows.length} periods. The table above has every value.`;
}
