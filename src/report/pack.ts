import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shown } from '../contract/load.js';
import type { RunContext } from '../core/context.js';
import { areaAnchor } from '../core/names.js';
import { InputError } from '../errors.js';
import type { MeasureRow, ReportData } from './data.js';
import { amount, DASH, esc, money, points } from './format.js';
import { band, BASE_CSS, outcomeCell, pageHead, statusCell, table, type Col } from './html.js';
import type { StatementLinks } from './index.js';
import { renderSvg } from './render.js';
import { funnelSpec } from './specs.js';
import { visibleFunnel, type Cells } from './suppress.js';

/**
 * The publication pack of one cohort period (`pbr run ... --focus PERIOD`): pack/index.html, one
 * self-contained page (inline CSS and SVG, no script, no network; links only to the run's own
 * statements and report) that prints on A4: what became final with this period, what is payable
 * now per area, the interim outlook, then one printed page per area. Small cells are suppressed as
 * in the report.
 */

interface PeriodRow {
  period: string;
  status: string;
  period_start: string;
  period_end: string;
  final_on: string;
}

interface PayableRow {
  area: string;
  payments: string;
  deductions: string;
  caps: string;
  net: string;
  lines: number;
  to_date: string;
}

interface LineRow {
  area: string;
  component: string;
  basis: string;
  amount: string;
  rule: string;
}

interface IndicativeRow {
  area: string;
  period: string;
  indicative_amount: string;
}

export interface PackData {
  focus: PeriodRow;
  previous: PeriodRow | null;
  /** Cohort periods after the focus period that are interim at as_of. */
  outlook: PeriodRow[];
  payable: PayableRow[] | null;
  lines: LineRow[];
  indicative: Map<string, string>;
}

const CSS = `${BASE_CSS}
body { max-width: 52rem; }
section.page { margin-top: 2rem; }
table.kv th { width: 45%; font-weight: normal; }
@media print {
  section.page { break-before: page; margin-top: 0; }
  section.page h2 { margin-top: 0; }
  figure svg { width: 100%; }
}
`;

const RESULTS = new Set(['binary_payment', 'frequency_payment', 'binary_deduction', 'cap', 'binary_top_up', 'frequency_top_up']);

/** Read what the pack shows beyond the report's data; an unknown --focus is a usage error. */
export async function loadPackData(ctx: RunContext, data: ReportData, focus: string): Promise<PackData> {
  const db = ctx.db;
  const final = ctx.contract.follow_up.months + ctx.contract.follow_up.waiting_months;
  const all = await db.allNamed<PeriodRow>('report_pack_periods', { final_months: final });
  const annual = new Set(data.measures.filter((m) => m.is_annual).map((m) => m.period));
  const periods = all.filter((p) => !annual.has(p.period));
  const i = periods.findIndex((p) => p.period === focus);
  if (i < 0) {
    const range = periods.length > 0 ? `this run's cohort periods run from ${periods[0]!.period} to ${periods[periods.length - 1]!.period}` : 'this run has no cohort period';
    throw new InputError(`--focus '${shown(focus)}': not a cohort period of this run (${range}); give one of them, e.g. --focus ${periods.filter((p) => p.status === 'final').pop()?.period ?? periods[0]?.period ?? '2019Q3'}`);
  }
  const payable = data.tables.has('payments') ? await db.allNamed<PayableRow>('report_pack_payable', { focus, focus_start: periods[i]!.period_start }) : null;
  const lines = data.tables.has('payments') ? await db.allNamed<LineRow>('report_pack_lines', { focus }) : [];
  const indicative = new Map<string, string>();
  if (data.tables.has('pay_outcomes')) {
    for (const r of await db.allNamed<IndicativeRow>('report_pack_outcomes')) indicative.set(`${r.area}\u0000${r.period}`, r.indicative_amount);
  }
  return {
    focus: periods[i]!,
    previous: i > 0 ? periods[i - 1]! : null,
    outlook: periods.slice(i + 1).filter((p) => p.status === 'interim'),
    payable,
    lines,
    indicative,
  };
}

function areaLink(area: string, name: string): string {
  return `<a href="../report.html#${esc(areaAnchor(area))}">${esc(name)}</a>`;
}

function link(links: StatementLinks, area: string, period: string, text: string): string {
  const f = links.byKey.get(`${area}\u0000${period}`);
  return f ? `<a href="../statements/${esc(f)}">${text}</a>` : text;
}

/** The figures of one area and period as the pack shows them (small cells suppressed). */
function figures(m: MeasureRow | undefined, cells: Cells): [string, string][] {
  if (!m) return [['Measures', DASH]];
  const nr = [m.measurable, m.reoffenders];
  return [
    ['Eligible people', cells.count(m.eligible)],
    ['Measurable people (n)', cells.count(m.measurable)],
    ['Reoffenders (r)', cells.count(m.reoffenders)],
    ['Binary rate (r / n)', cells.pct(m.binary_rate, nr)],
    ['Expected rate, OGRS (e)', cells.pct(m.expected_rate, [m.measurable])],
    ['Baseline expected rate (B_e)', cells.pct(m.baseline_expected_rate, [m.baseline_measurable])],
    ['Adjusted rate (a)', cells.pct(m.adjusted_binary_rate, nr)],
    ['Baseline rate (B)', cells.pct(m.baseline_binary_rate, [m.baseline_measurable])],
    ['Difference (a − B)', cells.text(points(m.difference), [...nr, m.baseline_measurable])],
    ['Significance band', cells.text(band(m.lower_threshold, m.upper_threshold), nr)],
    ['Binary outcome', outcomeCell(m.binary_outcome)],
    ['Reoffences per reoffender', cells.dec(m.frequency_rate, [m.reoffenders])],
    ['Baseline reoffences per reoffender', cells.dec(m.baseline_frequency_rate, [m.baseline_measurable])],
    ['Frequency outcome', esc((m.frequency_outcome ?? DASH).replace(/_/g, ' '))],
    ...(m.termination_watch === null ? [] : [['Termination watch', m.termination_watch ? '<span class="watch">flagged</span>' : 'no'] as [string, string]]),
  ];
}

function kvTable(caption: string, rows: [string, string][]): string {
  return table(caption, [{ label: 'Figure' }, { label: 'Value', num: true }], rows.map(([k, v]) => [esc(k), v]), { cls: 'kv' });
}

/** The whole pack page. */
export function buildPack(ctx: RunContext, data: ReportData, p: PackData, links: StatementLinks, cells: Cells, funnelSvg: string | null): string {
  const c = ctx.contract;
  const f = p.focus;
  const isFinal = f.status === 'final';
  const byKey = new Map(data.measures.map((m) => [`${m.area}\u0000${m.period}`, m] as [string, MeasureRow]));
  const national = byKey.get(`ALL\u0000${f.period}`);
  const payable = new Map((p.payable ?? []).map((r) => [r.area, r] as [string, PayableRow]));
  const out: string[] = [];
  out.push(`${pageHead(`Publication pack ${f.period}: ${c.contract}`, CSS)}<body>
<header class="top" role="banner">
<p class="muted">Publication pack ${DASH} ${esc(c.contract)}, scheme ${esc(c.scheme)}, results as of ${esc(ctx.asOf)}</p>
<h1>Cohort period ${esc(f.period)}</h1>
</header>
<main>`);

  // What became final.
  out.push('<section id="final" aria-labelledby="h-final"><h2 id="h-final">What became final</h2>');
  const prev = p.previous ? ` The previous period, ${esc(p.previous.period)}, became final on ${esc(p.previous.final_on)}.` : '';
  if (isFinal) {
    out.push(`<p class="lede">The results of cohort period <strong>${esc(f.period)}</strong> (${esc(f.period_start)} to ${esc(f.period_end)}) became final on <strong>${esc(f.final_on)}</strong>: the follow-up and waiting period had passed, so its results lines are payable.${prev}</p>`);
  } else {
    out.push(`<p class="lede">Cohort period <strong>${esc(f.period)}</strong> (${esc(f.period_start)} to ${esc(f.period_end)}) is <span class="interim">interim</span> at as_of ${esc(ctx.asOf)}: it becomes final on <strong>${esc(f.final_on)}</strong>. Nothing in this pack is payable for it yet; its figures will still change.${prev}</p>`);
  }
  if (national) {
    const nr = [national.measurable, national.reoffenders];
    out.push(`<p>All areas together: ${cells.count(national.measurable)} measurable people, binary rate ${cells.pct(national.binary_rate, nr)}, adjusted ${cells.pct(national.adjusted_binary_rate, nr)} against the all-areas baseline of ${cells.pct(national.baseline_binary_rate, [national.baseline_measurable])}. This summary is not paid: each area is paid on its own results.</p>`);
  }
  if (cells.below !== null) out.push(`<p class="note">${cells.note()}</p>`);
  const cols: Col[] = [{ label: 'Area' }, { label: 'Measurable', num: true }, { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true },
    { label: 'Difference', num: true }, { label: 'Outcome' }, { label: p.previous ? `Outcome ${p.previous.period}` : 'Previous outcome' }];
  out.push(table(`Results of ${f.period} by area`, cols, data.areas.map((a) => {
    const m = byKey.get(`${a.cpa}\u0000${f.period}`);
    const before = p.previous ? byKey.get(`${a.cpa}\u0000${p.previous.period}`) : undefined;
    const nr = [m?.measurable, m?.reoffenders];
    return [
      `<a href="#page-${esc(areaAnchor(a.cpa))}">${esc(a.name)}</a>`, cells.count(m?.measurable), cells.pct(m?.adjusted_binary_rate, nr),
      cells.pct(m?.baseline_binary_rate, [m?.baseline_measurable]), cells.text(points(m?.difference), [...nr, m?.baseline_measurable]),
      m ? outcomeCell(m.binary_outcome) : DASH, before ? outcomeCell(before.binary_outcome) : DASH,
    ];
  })));
  if (funnelSvg) {
    out.push(`<figure class="chart" id="fig-pack-funnel"><svg role="img" aria-labelledby="cap-pack-funnel" ${funnelSvg.replace(/^<svg /, '')}<figcaption id="cap-pack-funnel"><strong>Adjusted binary rate against baseline, ${esc(f.period)}.</strong> Each row is an area: grey bar the significance band, black tick the baseline, marker the adjusted rate. The table above has the values.</figcaption></figure>`);
  }
  out.push('</section>');

  // What is payable now.
  out.push('<section id="payable" aria-labelledby="h-payable"><h2 id="h-payable">What is payable now, by area</h2>');
  if (p.payable === null) {
    out.push('<p class="note">This run computed no payments.</p>');
  } else {
    out.push(`<p>${isFinal ? `The results lines of ${esc(f.period)}` : `Nothing for ${esc(f.period)} (interim)`}; and the net of every results line of the final periods up to and including ${esc(f.period)}. Each line is on the area’s statement.</p>`);
    const rows = data.areas.map((a) => {
      const r = payable.get(a.cpa);
      return [
        `<a href="#page-${esc(areaAnchor(a.cpa))}">${esc(a.name)}</a>`,
        r ? money(r.payments) : DASH, r ? amount(r.deductions, true) : DASH, r ? money(r.caps) : DASH,
        r ? `<strong>${link(links, a.cpa, f.period, money(r.net))}</strong>` : DASH, r ? money(r.to_date) : DASH,
      ];
    });
    const sum = (k: 'payments' | 'deductions' | 'caps' | 'net' | 'to_date') => decimalSum((p.payable ?? []).map((r) => r[k]));
    rows.push(['Total', money(sum('payments')), amount(sum('deductions'), true), money(sum('caps')), `<strong>${money(sum('net'))}</strong>`, money(sum('to_date'))]);
    out.push(table(`Results payable for ${f.period}, and to date, by area (pounds)`,
      [{ label: 'Area' }, { label: 'Payments', num: true }, { label: 'Deductions', num: true }, { label: 'Caps', num: true },
        { label: `Net, ${f.period}`, num: true }, { label: 'Net of final periods to date', num: true }], rows, { totalLast: true }));
  }
  out.push('</section>');

  // Interim outlook.
  out.push('<section id="outlook" aria-labelledby="h-outlook"><h2 id="h-outlook">Interim outlook</h2>');
  if (p.outlook.length === 0) {
    out.push(`<p>No cohort period after ${esc(f.period)} is interim at as_of ${esc(ctx.asOf)}: every later period is already final and appears in the report. To see the outlook as it stood when ${esc(f.period)} became final, run again with <code>--as-of ${esc(f.final_on)}</code>.</p>`);
  } else {
    out.push('<p>Periods not yet final: their figures still grow as offences are disposed. The indicative amount is what the period’s lines would sum to were it final now; <strong>it is not payable</strong>.</p>');
    for (const q of p.outlook) {
      out.push(table(`Interim ${q.period} (final on ${q.final_on}), by area`,
        [{ label: 'Area' }, { label: 'Measurable', num: true }, { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true },
          { label: 'Outcome so far' }, { label: 'Indicative amount, not payable', num: true }],
        data.areas.map((a) => {
          const m = byKey.get(`${a.cpa}\u0000${q.period}`);
          const nr = [m?.measurable, m?.reoffenders];
          const ind = p.indicative.get(`${a.cpa}\u0000${q.period}`);
          return [
            `<a href="#page-${esc(areaAnchor(a.cpa))}">${esc(a.name)}</a>`, cells.count(m?.measurable), cells.pct(m?.adjusted_binary_rate, nr),
            cells.pct(m?.baseline_binary_rate, [m?.baseline_measurable]), m ? outcomeCell(m.binary_outcome) : DASH,
            ind === undefined ? DASH : link(links, a.cpa, q.period, amount(ind, /^-/.test(ind))),
          ];
        })));
    }
  }
  out.push('</section>');

  // One page per area.
  for (const a of data.areas) {
    const id = `page-${areaAnchor(a.cpa)}`;
    const m = byKey.get(`${a.cpa}\u0000${f.period}`);
    out.push(`<section class="page area" id="${esc(id)}" aria-labelledby="h-${esc(id)}"><h2 id="h-${esc(id)}">${esc(a.name)} <span class="muted">(${esc(a.cpa)}), ${esc(f.period)}</span></h2>`);
    const parts = [link(links, a.cpa, f.period, `Statement ${esc(f.period)}`)];
    if (links.years.has(a.cpa)) parts.push(`<a href="../statements/${esc(links.years.get(a.cpa)!)}">Contract-year summary</a>`);
    parts.push(areaLink(a.cpa, 'Section of the report'));
    const when = isFinal ? `Final since ${esc(f.final_on)}: payable` : `<span class="interim">Interim</span>: final on ${esc(f.final_on)}, not yet payable`;
    out.push(`<p class="links">${when} · ${parts.join(' · ')}</p>`);
    out.push(kvTable(`Result of ${f.period}, ${a.name}`, figures(m, cells)));
    const ls = p.lines.filter((l) => l.area === a.cpa && RESULTS.has(l.component));
    if (p.payable !== null) {
      if (ls.length === 0) {
        out.push(`<p>No results line for ${esc(f.period)}${isFinal ? ' (no payment and no deduction)' : ' (interim: never paid)'}.</p>`);
      } else {
        const r = payable.get(a.cpa);
        const rows = ls.map((l) => [esc(l.component.replace(/_/g, ' ')), esc(l.basis), esc(l.rule), amount(l.amount, l.component.endsWith('deduction'))]);
        if (r) rows.push(['Total', 'sum of the rounded lines', '', `<strong>${money(r.net)}</strong>`]);
        out.push(table(`Results lines of ${f.period}, ${a.name} (pounds)`, [{ label: 'Component' }, { label: 'Basis' }, { label: 'Contract key' }, { label: 'Amount', num: true }], rows, { totalLast: r !== undefined }));
      }
    }
    const recent = recentRows(data.measures.filter((x) => x.area === a.cpa && !x.is_annual), f.period, p.outlook.map((q) => q.period));
    out.push(table(`Recent cohort periods, ${a.name}`,
      [{ label: 'Period' }, { label: 'Status' }, { label: 'Measurable', num: true }, { label: 'Adjusted rate', num: true }, { label: 'Baseline', num: true }, { label: 'Outcome' }, { label: 'Indicative, not payable', num: true }],
      recent.map((x) => {
        const nr = [x.measurable, x.reoffenders];
        const ind = p.indicative.get(`${a.cpa}\u0000${x.period}`);
        return [
          link(links, a.cpa, x.period, esc(x.period)), statusCell(x.status), cells.count(x.measurable), cells.pct(x.adjusted_binary_rate, nr),
          cells.pct(x.baseline_binary_rate, [x.baseline_measurable]), outcomeCell(x.binary_outcome),
          x.status === 'interim' && ind !== undefined ? amount(ind, /^-/.test(ind)) : DASH,
        ];
      })));
    out.push('</section>');
  }
  out.push(`</main>
<footer role="contentinfo"><p>Made by pbr-engine from the run whose report is <a href="../report.html">report.html</a>; the statements (<a href="../statements/index.html">all statements</a>) and measures.csv keep the exact figures.</p></footer>
</body>
</html>
`);
  return out.join('\n');
}

/** The focus period, the three final periods before it and the interim periods after it. */
function recentRows(rows: MeasureRow[], focus: string, outlook: string[]): MeasureRow[] {
  const i = rows.findIndex((r) => r.period === focus);
  if (i < 0) return [];
  return [...rows.slice(Math.max(0, i - 3), i + 1), ...rows.filter((r) => outlook.includes(r.period))];
}

/** Sum of exact decimal strings with 2 places (pence as BigInt; no floating point). */
export function decimalSum(values: string[]): string {
  let pence = 0n;
  for (const v of values) {
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(v.trim());
    if (!m) throw new Error(`pack: not a money amount: '${v}'`);
    const p = BigInt(m[2]!) * 100n + BigInt(((m[3] ?? '') + '00').slice(0, 2));
    pence += m[1] ? -p : p;
  }
  const neg = pence < 0n;
  const a = neg ? -pence : pence;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** pack/index.html into the run folder, for the cohort period `focus`. */
export async function writePack(ctx: RunContext, data: ReportData, focus: string, links: StatementLinks, cells: Cells): Promise<void> {
  const p = await loadPackData(ctx, data, focus);
  const rows = visibleFunnel(data.funnel.filter((r) => r.period === focus), cells);
  const svg = rows.length > 0 ? await renderSvg(funnelSpec(focus, p.focus.status, rows)) : null;
  const dir = path.join(ctx.outDir, 'pack');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), buildPack(ctx, data, p, links, cells, svg));
}

