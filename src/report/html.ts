import type { RunContext } from '../core/context.js';
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
import { DASH, dec, esc, int, money, pct, points } from './format.js';
import { SCOPE_LABELS } from './specs.js';

/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no network). National
 * summary first, then one section per area, then the method in force, validation and input hashes.
 */

/** A chart as it goes into the page: its file stem, heading, text alternative and rendered SVG. */
export interface RenderedChart {
  id: string;
  title: string;
  svg: string;
}

export interface ReportMeta {
  engineVersion: string;
  duckdbVersion: string;
}

const CSS = `
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
nav ol { columns: 2; padding-left: 1.4rem; margin: 0.4rem 0; }
nav a { color: inherit; }
.keyfacts { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.6rem; margin: 0.8rem 0; padding: 0; list-style: none; }
.keyfacts li { background: var(--bg2); border: 1px solid var(--rule); padding: 0.5rem 0.7rem; }
.keyfacts .v { display: block; font-size: 1.35rem; font-weight: bold; }
figure { margin: 1rem 0; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; }
figure svg text { font-family: 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif; }
figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 0.3rem; }
figcaption strong { color: var(--ink); }
.tablewrap { overflow-x: auto; margin: 0.4rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.78rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.2rem 0.35rem; text-align: left; vertical-align: top; }
th { background: var(--bg2); }
thead th { font-size: 0.72rem; vertical-align: bottom; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 2px solid var(--ink); }
.o-payment { color: var(--pay); font-weight: bold; }
.o-deduction { color: var(--ded); font-weight: bold; }
.interim { font-style: italic; }
dl.method { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.method dt { font-weight: bold; }
dl.method dd { margin: 0; }
code, .hash { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.78rem; word-break: break-all; }
.note { background: var(--bg2); border-left: 4px solid var(--rule); padding: 0.4rem 0.8rem; }
footer { margin-top: 3rem; border-top: 1px solid var(--rule); font-size: 0.85rem; color: var(--muted); }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav ol { columns: 3; }
  section.area, section#method { break-before: page; }
  figure, .keyfacts, dl.method { break-inside: avoid; }
  tr, caption { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; }
  .tablewrap { overflow: visible; }
  table { font-size: 6.8pt; }
  thead th { font-size: 6.3pt; }
  th, td { padding: 1px 2px; }
  figure svg { width: 100%; }
  a { color: inherit; text-decoration: none; }
}
`;

interface Col {
  label: string;
  num?: boolean;
}

function table(caption: string, cols: Col[], rows: string[][], opts: { totalLast?: boolean; id?: string } = {}): string {
  const head = cols.map((c) => `<th scope="col"${c.num ? ' class="n"' : ''}>${esc(c.label)}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const cls = opts.totalLast && i === rows.length - 1 ? ' class="total"' : '';
      const cells = r.map((v, j) => (j === 0 ? `<th scope="row">${v}</th>` : `<td${cols[j]?.num ? ' class="n"' : ''}>${v}</td>`));
      return `<tr${cls}>${cells.join('')}</tr>`;
    })
    .join('\n');
  const id = opts.id ? ` id="${esc(opts.id)}"` : '';
  return `<div class="tablewrap"><table${id}><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A significance band, compactly: '45.0–55.0%'. */
function band(lo: number | null, hi: number | null): string {
  if (lo === null || hi === null) return DASH;
  return `${pct(lo).replace('%', '')}${DASH}${pct(hi)}`;
}

function outcomeCell(o: string | null): string {
  const v = o ?? 'none';
  return `<span class="o-${esc(v)}">${esc(v)}</span>`;
}

function statusCell(s: string): string {
  return s === 'interim' ? '<span class="interim">interim</span>' : esc(s);
}

let figureNo = 0;

/** A figure: the inline SVG (role img, labelled by its caption) and a caption with the text alternative. */
function figure(chart: RenderedChart | undefined, alt: string): string {
  if (!chart) return '';
  figureNo += 1;
  const capId = `cap-${chart.id}`;
  const svg = chart.svg.replace(/^<svg /, `<svg role="img" aria-labelledby="${capId}" `);
  return `<figure id="fig-${esc(chart.id)}" class="chart" data-chart="${esc(chart.id)}">
${svg}
<figcaption id="${capId}"><strong>Figure ${figureNo}. ${esc(chart.title)}.</strong> ${esc(alt)} (Also <code>charts/${esc(chart.id)}.svg</code> and <code>.png</code>; the table below has the values.)</figcaption>
</figure>`;
}

function measuresTable(caption: string, rows: MeasureRow[]): string {
  const cols: Col[] = [
    { label: 'Period' }, { label: 'Status' }, { label: 'Eligible', num: true }, { label: 'Measurable', num: true },
    { label: 'Reoffenders', num: true }, { label: 'Binary rate', num: true }, { label: 'Expected (OGRS)', num: true },
    { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true }, { label: 'Band', num: true },
    { label: 'Outcome' }, { label: 'Reoffences per reoffender', num: true }, { label: 'Baseline frequency', num: true },
    { label: 'Frequency' },
  ];
  return table(
    caption,
    cols,
    rows.map((r) => [
      esc(r.period), statusCell(r.status), int(r.eligible), int(r.measurable), int(r.reoffenders),
      pct(r.binary_rate), pct(r.expected_rate), pct(r.adjusted_binary_rate), pct(r.baseline_binary_rate),
      band(r.lower_threshold, r.upper_threshold),
      outcomeCell(r.binary_outcome), dec(r.frequency_rate), dec(r.baseline_frequency_rate),
      esc((r.frequency_outcome ?? DASH).replace(/_/g, ' ')),
    ]),
  );
}

function funnelTable(period: string, rows: FunnelRow[]): string {
  return table(
    `Adjusted binary rate by area, ${period} (in chart order)`,
    [{ label: 'Area' }, { label: 'Measurable', num: true }, { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true },
      { label: 'Difference', num: true }, { label: 'Band', num: true }, { label: 'Outcome' }],
    rows.map((r) => [
      esc(r.name), int(r.measurable), pct(r.adjusted), pct(r.baseline),
      r.adjusted === null || r.baseline === null ? DASH : points(r.adjusted - r.baseline),
      band(r.lower, r.upper), outcomeCell(r.outcome),
    ]),
  );
}

function funnelAlt(period: string, status: string, rows: FunnelRow[]): string {
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const rated = rows.filter((r) => r.adjusted !== null);
  let s = `${period}${status === 'interim' ? ' (interim, not paid)' : ''}: of ${rows.length} areas, ${count('payment')} had an adjusted rate significantly below baseline (payment), ${count('deduction')} significantly above (deduction) and ${count('none')} neither.`;
  const below = rated.filter((r) => r.adjusted! < r.baseline!);
  const above = rated.filter((r) => r.adjusted! > r.baseline!);
  if (below.length > 0) {
    const b = below[0]!;
    s += ` Furthest below its baseline: ${b.name} (${pct(b.adjusted)} against ${pct(b.baseline)}).`;
  }
  if (above.length > 0) {
    const w = above[above.length - 1]!;
    s += ` Furthest above: ${w.name} (${pct(w.adjusted)} against ${pct(w.baseline)}).`;
  }
  return s;
}

function lastFinal(rows: MeasureRow[]): MeasureRow | undefined {
  const finals = rows.filter((r) => r.status === 'final' && r.measurable > 0);
  return finals[finals.length - 1];
}

function trendAlt(rows: MeasureRow[]): string {
  const rated = rows.filter((r) => r.binary_rate !== null);
  if (rated.length === 0) return 'No period has a measurable cohort.';
  const first = rated[0]!;
  const last = rated[rated.length - 1]!;
  return `The binary rate moved from ${pct(first.binary_rate)} in ${first.period} to ${pct(last.binary_rate)} in ${last.period}${last.status === 'interim' ? ' (interim)' : ''}; adjusted ${pct(first.adjusted_binary_rate)} to ${pct(last.adjusted_binary_rate)}; baseline ${pct(last.baseline_binary_rate)}.`;
}

function frequencyAlt(rows: MeasureRow[]): string {
  const rated = rows.filter((r) => r.frequency_rate !== null);
  if (rated.length === 0) return 'No period has a reoffender.';
  const first = rated[0]!;
  const last = rated[rated.length - 1]!;
  const reduced = rows.filter((r) => r.frequency_outcome === 'reduced').length;
  return `Reoffences per reoffender moved from ${dec(first.frequency_rate)} in ${first.period} to ${dec(last.frequency_rate)} in ${last.period}${last.status === 'interim' ? ' (interim)' : ''}, against a baseline of ${dec(last.baseline_frequency_rate)}; reduced in ${reduced} of ${rows.length} periods.`;
}

function areaSummary(name: string, r: MeasureRow | undefined): string {
  if (!r) return `<p>${esc(name)} has no final cohort period with a measurable cohort yet.</p>`;
  const outcome =
    r.binary_outcome === 'payment'
      ? 'significantly below the baseline: a <span class="o-payment">payment</span>'
      : r.binary_outcome === 'deduction'
        ? 'significantly above the baseline: a <span class="o-deduction">deduction</span>'
        : 'not significantly different from the baseline: no payment and no deduction';
  return `<p class="lede">In the latest final cohort period, <strong>${esc(r.period)}</strong>, ${int(r.measurable)} of ${int(r.eligible)} eligible people were measurable and <strong>${pct(r.binary_rate)}</strong> of them had a proven reoffence. Adjusted for case mix the rate is <strong>${pct(r.adjusted_binary_rate)}</strong> against a baseline of ${pct(r.baseline_binary_rate)} (band ${band(r.lower_threshold, r.upper_threshold)}): ${outcome}. Reoffenders committed ${dec(r.frequency_rate)} reoffences each (baseline ${dec(r.baseline_frequency_rate)}).</p>`;
}

function paymentYearsTable(caption: string, rows: PaymentTableRow[], total: PaymentTableRow | undefined, first: 'year' | 'area', names: Map<string, string>): string {
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
    esc(label),
    ...(first === 'year' ? [r.year_from && r.year_to && r.year_label?.startsWith('Y') ? `${esc(r.year_from)} to ${esc(r.year_to)}` : DASH] : []),
    money(r.fee), money(r.credits), money(r.reconciliation), money(r.results), money(r.deductions),
    ...(showCaps ? [money(r.caps)] : []),
    ...(showOther ? [money(r.other)] : []),
    `<strong>${money(r.net)}</strong>`,
  ];
  const body = rows.map((r) => line(r, first === 'year' ? (r.year_label ?? '') : (names.get(r.area ?? '') ?? r.area ?? '')));
  if (total) body.push(line(total, 'Total'));
  return table(caption, cols, body, { totalLast: total !== undefined });
}

function cumulativeTable(rows: CumulativeRow[], months: number): string {
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
    const cells = [esc(s), statusCell(rs[0]!.status), int(rs[0]!.measurable)];
    for (const m of shown) cells.push(pct(rs.find((r) => r.month === m)?.share ?? null));
    return cells;
  });
  return table('Cumulative share with a counted offence, by months since the index date', cols, body);
}

function cumulativeAlt(rows: CumulativeRow[], months: number): string {
  const at = (s: string, m: number) => rows.find((r) => r.series === s && r.month === m)?.share ?? null;
  const series = [...new Set(rows.filter((r) => r.status !== 'baseline').map((r) => r.series))];
  const parts: string[] = [];
  const half = Math.max(1, Math.floor(months / 2));
  const base = rows.some((r) => r.status === 'baseline');
  if (base) parts.push(`In the baseline, ${pct(at('Baseline', half))} had reoffended after ${half} months and ${pct(at('Baseline', months))} after ${months}.`);
  const finals = series.filter((s) => rows.find((r) => r.series === s)?.status === 'final');
  const interims = series.filter((s) => rows.find((r) => r.series === s)?.status === 'interim');
  const lastF = finals[finals.length - 1];
  if (lastF) parts.push(`The latest final cohort, ${lastF}, reached ${pct(at(lastF, half))} after ${half} months and ${pct(at(lastF, months))} after ${months}.`);
  if (interims.length > 0) parts.push(`Interim cohorts (${interims.join(', ')}) are still growing: offences are counted only once disposed, so their curves sit low and rise as results become final.`);
  return parts.join(' ');
}

function concentrationTable(rows: ConcentrationRow[]): string {
  return table(
    `Share of reoffences committed by the most prolific reoffenders`,
    [{ label: 'Area' }, { label: 'Scope' }, { label: 'Reoffenders', num: true }, { label: 'Reoffences', num: true },
      { label: `Top ${TOP_A}% (people)`, num: true }, { label: `Top ${TOP_A}% share`, num: true },
      { label: `Top ${TOP_B}% (people)`, num: true }, { label: `Top ${TOP_B}% share`, num: true }],
    rows.map((r) => [
      esc(r.name), esc(SCOPE_LABELS[r.scope] ?? r.scope), int(r.reoffenders), int(r.reoffences),
      int(r.top_a_count), pct(r.top_a_share), int(r.top_b_count), pct(r.top_b_share),
    ]),
  );
}

function concentrationAlt(rows: ConcentrationRow[]): string {
  const nat = rows.filter((r) => r.area === 'ALL');
  const c = nat.find((r) => r.scope === 'cohort');
  const b = nat.find((r) => r.scope === 'baseline');
  const parts: string[] = [];
  if (c) parts.push(`Across all areas' final cohort periods, the ${TOP_A}% most prolific reoffenders (${int(c.top_a_count)} people) committed ${pct(c.top_a_share)} of the ${int(c.reoffences)} counted reoffences.`);
  if (b) parts.push(`In the baseline the share was ${pct(b.top_a_share)}.`);
  parts.push('A rising share means reoffending is concentrating in fewer people, which the binary measure alone would not show.');
  return parts.join(' ');
}

function outcomeCountsTable(rows: OutcomeCountRow[], national: MeasureRow[]): string {
  return table(
    'National results and area outcomes by cohort period',
    [{ label: 'Period' }, { label: 'Status' }, { label: 'Measurable', num: true }, { label: 'Binary rate', num: true },
      { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true }, { label: 'Reoffences per reoffender', num: true },
      { label: 'Areas: payment / deduction / neither', num: true }, { label: 'Areas with frequency reduced', num: true }],
    rows.map((r) => {
      const n = national.find((m) => m.period === r.period);
      return [
        esc(r.period), statusCell(r.status), int(n?.measurable), pct(n?.binary_rate), pct(n?.adjusted_binary_rate),
        pct(n?.baseline_binary_rate), dec(n?.frequency_rate), `${int(r.payment)} / ${int(r.deduction)} / ${int(r.none)}`,
        `${int(r.frequency_reduced)} of ${int(r.areas)}`,
      ];
    }),
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
    ['Binary price', price(c.payments.binary_price)],
    ['Deduction price', price(c.payments.deduction_price)],
    ['Frequency price', `${price(c.payments.frequency_price)}; hurdle ${esc(c.payments.frequency_hurdle)}`],
    ['Caps per period', `payments ${price(c.payments.cap_per_period)}; deductions ${price(c.payments.deduction_cap_per_period)}`],
    ['Fee for service', `${c.fee_for_service.bands.length} volume band(s); learning-curve discount ${c.fee_for_service.learning_curve_discount === null ? 'none' : esc(String(c.fee_for_service.learning_curve_discount))}; service credit ${esc(String(c.fee_for_service.service_credit_rate))} of the month's payment${c.fee_for_service.service_credit_cap === null ? '' : `, capped at ${esc(String(c.fee_for_service.service_credit_cap))}`}; contract years for ${Object.keys(c.fee_for_service.areas).length} area(s)`],
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

function breakdownsSection(data: ReportData): string {
  const head = '<section id="breakdowns" aria-labelledby="h-breakdowns"><h2 id="h-breakdowns">Breakdowns</h2>';
  const b = data.breakdowns;
  if (b === null) return `${head}<p class="note">This run produced no breakdowns table, so this section is empty.</p></section>`;
  if (b === 'shape') return `${head}<p class="note">The breakdowns table of this run lacks a column this report reads; see breakdowns.csv.</p></section>`;
  if (b.length === 0) return `${head}<p>No national breakdown rows.</p></section>`;
  const p = b[0]!;
  const intro = `<p>Who is in the national cohort of ${esc(p.period)}${p.status === 'interim' ? ' (interim: no period is final yet)' : ', the latest final period,'} and how often each group reoffended (not adjusted for case mix). breakdowns.csv has every area and period.</p>`;
  const rows = b.map((r, i) => [
    i > 0 && b[i - 1]!.dimension === r.dimension ? '' : esc(DIMENSIONS[r.dimension] ?? r.dimension),
    esc(r.band), int(r.eligible), int(r.measurable), int(r.reoffenders), pct(r.binary_rate), pct(r.expected_rate), dec(r.frequency_rate),
  ]);
  return `${head}${intro}${table(`National cohort by group, ${p.period}`,
    [{ label: 'Dimension' }, { label: 'Group' }, { label: 'Eligible', num: true }, { label: 'Measurable', num: true },
      { label: 'Reoffenders', num: true }, { label: 'Binary rate', num: true }, { label: 'Expected (OGRS)', num: true },
      { label: 'Reoffences per reoffender', num: true }], rows)}</section>`;
}

/** The whole page. `charts` maps chart id to its rendered SVG. */
export function buildHtml(ctx: RunContext, data: ReportData, charts: Map<string, RenderedChart>, ids: ChartIds, meta: ReportMeta): string {
  figureNo = 0;
  const c = ctx.contract;
  const national = data.measures.filter((m) => m.area === 'ALL');
  const names = new Map(data.areas.map((a) => [a.cpa, a.name] as [string, string]));
  const periods = data.outcomeCounts;
  const lastF = lastFinal(national);
  const lastCounts = lastF ? periods.find((p) => p.period === lastF.period) : undefined;
  const total = data.paymentTable?.find((r) => r.level === 'total');
  const interimPeriods = periods.filter((p) => p.status === 'interim').map((p) => p.period);

  const facts: [string, string][] = [];
  if (lastF) {
    facts.push([`National binary rate, ${lastF.period}`, pct(lastF.binary_rate)]);
    facts.push([`Adjusted, against baseline ${pct(lastF.baseline_binary_rate)}`, pct(lastF.adjusted_binary_rate)]);
    facts.push(['Reoffences per reoffender', dec(lastF.frequency_rate)]);
  }
  if (lastCounts) facts.push([`Areas paid / with deductions, ${lastCounts.period}`, `${lastCounts.payment} / ${lastCounts.deduction}`]);
  if (total) facts.push(['Net payments, all areas and years', money(total.net)]);

  const out: string[] = [];
  out.push(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Payment by results: ${esc(c.contract)}, results as of ${esc(ctx.asOf)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top" role="banner">
<p class="muted">Proven reoffending and payment-by-results report ${DASH} scheme ${esc(c.scheme)}, population ${esc(c.population.allocation)}</p>
<h1>${esc(c.contract)}: results as of ${esc(ctx.asOf)}</h1>
</header>
<nav aria-label="Contents"><h2 id="h-contents">Contents</h2><ol>
<li><a href="#national">National summary</a></li>
${data.areas.map((a) => `<li><a href="#area-${esc(ids.areaSlug.get(a.cpa) ?? a.cpa)}">${esc(a.name)}</a></li>`).join('\n')}
<li><a href="#method">Method choices in force</a></li>
<li><a href="#validation">Validation summary</a></li>
<li><a href="#hashes">Inputs and their hashes</a></li>
<li><a href="#breakdowns">Breakdowns</a></li>
</ol></nav>
<main>`);

  // National summary.
  out.push(`<section id="national" aria-labelledby="h-national"><h2 id="h-national">National summary</h2>`);
  out.push(areaSummary('All areas', lastF));
  if (facts.length > 0) {
    out.push(`<ul class="keyfacts">${facts.map(([k, v]) => `<li><span class="v">${esc(v)}</span>${esc(k)}</li>`).join('')}</ul>`);
  }
  if (interimPeriods.length > 0) {
    out.push(`<p>Interim periods (reported, never paid, still growing as offences are disposed): ${esc(interimPeriods.join(', '))}.</p>`);
  }
  out.push(outcomeCountsTable(periods, national));
  out.push(figure(charts.get(ids.trend.get('ALL') ?? ''), trendAlt(national)));
  out.push(figure(charts.get(ids.frequency.get('ALL') ?? ''), frequencyAlt(national)));

  out.push('<h3 id="h-funnels">Areas against their baselines, by cohort period</h3>');
  out.push('<p>Each row is an area. The grey bar is the band within which a difference from the baseline is not significant; an adjusted rate left of the bar earns a payment, right of it a deduction.</p>');
  for (const p of periods) {
    const rows = data.funnel.filter((f) => f.period === p.period);
    out.push(figure(charts.get(ids.funnel.get(p.period) ?? ''), funnelAlt(p.period, p.status, rows)));
    out.push(funnelTable(p.period, rows));
  }

  out.push('<h3 id="h-cumulative">How reoffending accumulates after the index date</h3>');
  if (data.cumulative && data.cumulative.length > 0) {
    out.push(figure(charts.get(ids.cumulative ?? ''), cumulativeAlt(data.cumulative, c.follow_up.months)));
    out.push(cumulativeTable(data.cumulative, c.follow_up.months));
  } else {
    out.push('<p class="note">No per-person outcomes (offender_outcomes) in this run, so this view is not available.</p>');
  }

  out.push('<h3 id="h-concentration">Concentration of reoffending</h3>');
  if (data.concentration && data.concentration.length > 0) {
    out.push(figure(charts.get(ids.concentration ?? ''), concentrationAlt(data.concentration)));
    out.push(concentrationTable(data.concentration));
  } else {
    out.push('<p class="note">No reoffences in the final cohort periods or the baseline, so there is nothing to show.</p>');
  }

  out.push('<h3 id="h-payments">Payments by area</h3>');
  if (data.paymentTable === null) {
    out.push('<p class="note">This run computed no payments.</p>');
  } else if (data.paymentTable.length === 0) {
    out.push('<p>No payment line was computed (no prices or contract years set).</p>');
  } else {
    out.push(paymentYearsTable('Payments by area, all contract years (pounds)', data.paymentTable.filter((r) => r.level === 'area'), total, 'area', names));
  }
  out.push('</section>');

  // Per-area sections.
  for (const a of data.areas) {
    const slugA = ids.areaSlug.get(a.cpa) ?? a.cpa;
    const rows = data.measures.filter((m) => m.area === a.cpa);
    out.push(`<section class="area" id="area-${esc(slugA)}" aria-labelledby="h-area-${esc(slugA)}"><h2 id="h-area-${esc(slugA)}">${esc(a.name)} <span class="muted">(${esc(a.cpa)})</span></h2>`);
    out.push(areaSummary(a.name, lastFinal(rows)));
    out.push(figure(charts.get(ids.trend.get(a.cpa) ?? ''), trendAlt(rows)));
    out.push(figure(charts.get(ids.frequency.get(a.cpa) ?? ''), frequencyAlt(rows)));
    out.push(measuresTable(`Measures by cohort period, ${a.name}`, rows));
    const years = data.paymentTable?.filter((r) => r.level === 'year' && r.area === a.cpa) ?? [];
    const areaTotal = data.paymentTable?.find((r) => r.level === 'area' && r.area === a.cpa);
    if (years.length > 0) {
      const net = areaTotal ? money(areaTotal.net) : DASH;
      out.push(figure(charts.get(ids.payments.get(a.cpa) ?? ''), `Net payments over ${years.length} contract year(s): ${net}. ${years.map((y) => `${y.year_label}: ${money(y.net)}`).join('; ')}.`));
      out.push(paymentYearsTable(`Payments by contract year, ${a.name} (pounds)`, years, areaTotal, 'year', names));
    } else if (data.paymentTable !== null) {
      out.push('<p>No payment lines for this area.</p>');
    }
    out.push('</section>');
  }

  out.push(methodSection(ctx));
  out.push(validationSection(ctx, data));
  out.push(hashesSection(ctx, meta));
  out.push(breakdownsSection(data));
  out.push(`</main>
<footer role="contentinfo"><p>Generated by pbr-engine ${esc(meta.engineVersion)} from the inputs listed above. Charts are drawn with the DejaVu Sans font shipped with the engine; the PNG and SVG files in charts/ are the same pictures.</p></footer>
</body>
</html>
`);
  return out.filter((s) => s.length > 0).join('\n');
}

/** Which chart id belongs to which area or period. */
export interface ChartIds {
  areaSlug: Map<string, string>;
  trend: Map<string, string>;
  frequency: Map<string, string>;
  payments: Map<string, string>;
  funnel: Map<string, string>;
  cumulative: string | null;
  concentration: string | null;
}
