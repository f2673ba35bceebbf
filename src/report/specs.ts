import type { TopLevelSpec } from 'vega-lite';
import type { ConcentrationRow, CumulativeRow, FunnelRow, MeasureRow, PaymentGroupRow, PaymentTableRow } from './data.js';
import { TOP_A } from './data.js';
import type { Cells } from './suppress.js';

/**
 * Vega-Lite specifications of the report's charts, built from rows that SQL has already
 * aggregated. Pure functions of their input: no dates, no randomness, fixed sizes and font, so the
 * rendered SVG (and PNG, with --png) are the same bytes on every run. Where one chart per area
 * would repeat itself, a chart shows every area as a small multiple (one panel per area).
 * Figures suppressed as small cells (suppress.ts) are left out of the chart data.
 */

export const FONT = 'DejaVu Sans';
export const WIDTH = 560;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The binary outcomes and how they look (colour and shape, so colour is never the only cue). */
export const OUTCOMES = ['payment', 'deduction', 'none'] as const;
export const OUTCOME_COLOURS = ['#1f6feb', '#cf222e', '#8c959f'];
export const OUTCOME_SHAPES = ['circle', 'square', 'triangle-up'];

/** Payment component groups in stacking order, with their colours. */
export const PAYMENT_GROUPS = [
  'Fee for service',
  'Service credits',
  'Volume reconciliation',
  'Results payments',
  'Deductions',
  'Caps',
  'Other',
] as const;
const PAYMENT_COLOURS = ['#8da0cb', '#e78ac3', '#a6d854', '#1f6feb', '#cf222e', '#fc8d62', '#8c959f'];

const INTERIM_FILL = '#eaeef2';
const BAND_FILL = '#d0d7de';

export interface ChartDef {
  /** File name stem in charts/ and the element id in report.html. */
  id: string;
  /** Heading of the figure. */
  title: string;
  spec: TopLevelSpec;
}

/** Shared configuration: the shipped font everywhere, white background, fixed sizes. */
export function baseConfig(): Record<string, unknown> {
  return {
    font: FONT,
    background: 'white',
    padding: 8,
    title: { fontSize: 13, anchor: 'start', subtitleFontSize: 10, subtitleColor: '#57606a' },
    axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal' },
    legend: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', labelLimit: 320 },
    header: { labelFontSize: 10, labelLimit: 180, title: null },
    view: { stroke: '#d0d7de' },
  };
}

function top(title: string, subtitle: string | undefined, rest: Record<string, unknown>): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: subtitle ? { text: title, subtitle } : { text: title },
    config: baseConfig(),
    ...rest,
  } as unknown as TopLevelSpec;
}

/** Cohort periods in order with their status (the x domain of every period chart). */
export interface PeriodInfo {
  period: string;
  status: string;
}

/**
 * Labels for areas: the name, or `name (code)` where two areas share a name, so that every panel
 * and row of a chart is one area.
 */
export function areaLabels(areas: { cpa: string; name: string }[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const a of areas) count.set(a.name, (count.get(a.name) ?? 0) + 1);
  return new Map(areas.map((a) => [a.cpa, (count.get(a.name) ?? 0) > 1 ? `${a.name} (${a.cpa})` : a.name]));
}

/** Every k-th period (and the last) as axis labels, so that a narrow panel stays legible. */
function sparseTicks(domain: string[], most: number): string[] {
  if (domain.length <= most) return domain;
  const k = Math.ceil(domain.length / most);
  return domain.filter((_, i) => i % k === 0);
}

/** The rows of the period charts: one per area and period, suppressed figures set to null. */
export interface PeriodPoint {
  area: string;
  label: string;
  period: string;
  status: string;
  binary: number | null;
  adjusted: number | null;
  baseline: number | null;
  lower: number | null;
  upper: number | null;
  outcome: string;
  frequency: number | null;
  baseline_frequency: number | null;
  frequency_outcome: string | null;
}

export function periodPoints(rows: MeasureRow[], labels: Map<string, string>, cells: Cells): PeriodPoint[] {
  return rows.map((r) => {
    const nr = [r.measurable, r.reoffenders];
    return {
      area: r.area,
      label: labels.get(r.area) ?? r.name,
      period: r.period,
      status: r.status,
      binary: cells.value(r.binary_rate, nr),
      adjusted: cells.value(r.adjusted_binary_rate, nr),
      baseline: cells.value(r.baseline_binary_rate, [r.baseline_measurable]),
      lower: cells.value(r.lower_threshold, nr),
      upper: cells.value(r.upper_threshold, nr),
      outcome: r.binary_outcome ?? 'none',
      frequency: cells.value(r.frequency_rate, [r.reoffenders]),
      baseline_frequency: cells.value(r.baseline_frequency_rate, [r.baseline_measurable]),
      frequency_outcome: r.frequency_outcome,
    };
  });
}

/** The interim periods as shaded columns behind a period chart (a layer of its own). */
function interimLayer(periods: PeriodInfo[], x: Record<string, unknown>, facetField?: string, facetValues?: string[]): Record<string, unknown>[] {
  const interim = periods.filter((p) => p.status === 'interim').map((p) => p.period);
  if (interim.length === 0) return [];
  // In a faceted chart the shading rows must exist in every panel.
  const values = facetField && facetValues ? facetValues.flatMap((f) => interim.map((period) => ({ [facetField]: f, period, shade: true }))) : interim.map((period) => ({ period, shade: true }));
  return [{ data: { values }, mark: { type: 'rect', color: INTERIM_FILL }, encoding: { x } }];
}

export const TREND_SERIES = ['Binary rate', 'Adjusted binary rate', 'Baseline binary rate'] as const;
export const FREQUENCY_SERIES = ['Frequency rate', 'Baseline frequency rate'] as const;

/** A line per series (folded from the wide rows) across cohort periods, interim periods shaded. */
function foldedLines(
  periods: PeriodInfo[],
  values: Record<string, unknown>[],
  fields: readonly string[],
  series: readonly string[],
  o: { title: string; yTitle: string; yFormat: string; colours: string[]; dashes: number[][]; height: number },
): Record<string, unknown> {
  const domain = periods.map((p) => p.period);
  const x = { field: 'period', type: 'ordinal', scale: { domain }, axis: { title: 'Cohort period (shaded: interim)', labelAngle: -45, values: sparseTicks(domain, 24) } };
  const calc = fields.map((f, i) => `datum.key === '${f}' ? '${series[i]}'`).join(' : ') + " : ''";
  const colour = {
    field: 'series',
    type: 'nominal',
    scale: { domain: [...series], range: o.colours },
    legend: { title: null, orient: 'bottom', symbolType: 'stroke', symbolStrokeWidth: 2 },
  };
  const dash = { field: 'series', type: 'nominal', scale: { domain: [...series], range: o.dashes }, legend: { title: null, orient: 'bottom', symbolType: 'stroke', symbolStrokeWidth: 2 } };
  const y = { field: 'value', type: 'quantitative', axis: { format: o.yFormat, title: o.yTitle }, scale: { zero: false, padding: 8 } };
  const folded = [{ fold: [...fields], as: ['key', 'value'] }, { filter: 'isValid(datum.value)' }, { calculate: calc, as: 'series' }];
  return {
    title: { text: o.title, fontSize: 11 },
    width: WIDTH,
    height: o.height,
    layer: [
      ...interimLayer(periods, x),
      { data: { values }, transform: folded, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color: colour, strokeDash: dash } },
      { data: { values }, transform: folded, mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color: colour } },
    ],
  };
}

/** 1. All areas together: binary, adjusted and baseline rate, and reoffences per reoffender, by period. */
export function nationalSpec(periods: PeriodInfo[], points: PeriodPoint[]): TopLevelSpec {
  const values = points.map((p) => ({ period: p.period, binary: p.binary, adjusted: p.adjusted, baseline: p.baseline, frequency: p.frequency, baseline_frequency: p.baseline_frequency }));
  return top('All areas: proven reoffending by cohort period', 'The all-areas rate against the all-areas baseline (areas are paid on their own results); shaded periods are interim', {
    vconcat: [
      foldedLines(periods, values, ['binary', 'adjusted', 'baseline'], TREND_SERIES, {
        title: 'Share of the measurable cohort with a counted offence', yTitle: 'Rate', yFormat: '.1%',
        colours: ['#8c959f', '#1f6feb', '#24292f'], dashes: [[1, 0], [1, 0], [6, 3]], height: 200,
      }),
      foldedLines(periods, values, ['frequency', 'baseline_frequency'], FREQUENCY_SERIES, {
        title: 'Reoffences per reoffender (not adjusted)', yTitle: 'Reoffences per reoffender', yFormat: '.2f',
        colours: ['#8250df', '#24292f'], dashes: [[1, 0], [6, 3]], height: 160,
      }),
    ],
    resolve: { scale: { color: 'independent', strokeDash: 'independent' }, legend: { color: 'independent', strokeDash: 'independent' } },
  });
}

const PANEL_WIDTH = 170;
const PANEL_HEIGHT = 80;

function facetOf(labels: string[]): Record<string, unknown> {
  return { field: 'label', type: 'nominal', sort: labels, title: null };
}

/** The x axis of a small-multiples panel (every period, labels thinned) and the shading of interim periods. */
function periodPanels(periods: PeriodInfo[]) {
  const domain = periods.map((p) => p.period);
  const x = { field: 'period', type: 'ordinal', scale: { domain }, axis: { title: null, labelAngle: -45, values: sparseTicks(domain, 5) } };
  const shade = periods.some((p) => p.status === 'interim')
    ? [{ transform: [{ filter: "datum.status === 'interim'" }], mark: { type: 'rect', color: INTERIM_FILL }, encoding: { x } }]
    : [];
  return { x, shade };
}

/**
 * 2. Small multiples, one panel per area: the significance band (grey), the baseline (dashed) and
 * the adjusted binary rate, each period's marker shaped and coloured by its outcome.
 */
export function areasBinarySpec(periods: PeriodInfo[], points: PeriodPoint[], labels: string[]): TopLevelSpec {
  const { x, shade } = periodPanels(periods);
  const y = { type: 'quantitative', axis: { format: '.0%', title: null, tickCount: 4 }, scale: { zero: false } };
  const values = points.map((p) => ({ label: p.label, period: p.period, status: p.status, adjusted: p.adjusted, baseline: p.baseline, lower: p.lower, upper: p.upper, outcome: p.outcome }));
  return top('Every area: adjusted binary rate against its baseline, by cohort period', 'Grey: significance band; dashed: baseline; marker: adjusted rate, by outcome; shaded periods are interim', {
    data: { values },
    columns: 3,
    facet: facetOf(labels),
    spec: {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      layer: [
        ...shade,
        { transform: [{ filter: 'isValid(datum.lower) && isValid(datum.upper)' }], mark: { type: 'area', color: BAND_FILL, opacity: 0.8 }, encoding: { x, y: { field: 'lower', ...y }, y2: { field: 'upper' } } },
        { transform: [{ filter: 'isValid(datum.baseline)' }], mark: { type: 'line', color: '#24292f', strokeDash: [4, 2], strokeWidth: 1 }, encoding: { x, y: { field: 'baseline', ...y } } },
        { transform: [{ filter: 'isValid(datum.adjusted)' }], mark: { type: 'line', color: '#1f6feb', strokeWidth: 1 }, encoding: { x, y: { field: 'adjusted', ...y } } },
        {
          transform: [{ filter: 'isValid(datum.adjusted)' }],
          mark: { type: 'point', filled: true, size: 22, opacity: 1 },
          encoding: {
            x,
            y: { field: 'adjusted', ...y },
            color: { field: 'outcome', type: 'nominal', scale: { domain: [...OUTCOMES], range: OUTCOME_COLOURS }, legend: { title: 'Outcome', orient: 'top' } },
            shape: { field: 'outcome', type: 'nominal', scale: { domain: [...OUTCOMES], range: OUTCOME_SHAPES } },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  });
}

/** 3. Small multiples, one panel per area: reoffences per reoffender against the baseline. */
export function areasFrequencySpec(periods: PeriodInfo[], points: PeriodPoint[], labels: string[]): TopLevelSpec {
  const { x, shade } = periodPanels(periods);
  const y = { type: 'quantitative', axis: { format: '.1f', title: null, tickCount: 4 }, scale: { zero: false } };
  const values = points.map((p) => ({ label: p.label, period: p.period, status: p.status, frequency: p.frequency, baseline: p.baseline_frequency, reduced: p.frequency_outcome === 'reduced' ? 'reduced' : 'not reduced' }));
  return top('Every area: reoffences per reoffender against its baseline, by cohort period', 'Dashed: baseline; filled marker: reduced below the baseline; shaded periods are interim', {
    data: { values },
    columns: 3,
    facet: facetOf(labels),
    spec: {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      layer: [
        ...shade,
        { transform: [{ filter: 'isValid(datum.baseline)' }], mark: { type: 'line', color: '#24292f', strokeDash: [4, 2], strokeWidth: 1 }, encoding: { x, y: { field: 'baseline', ...y } } },
        { transform: [{ filter: 'isValid(datum.frequency)' }], mark: { type: 'line', color: '#8250df', strokeWidth: 1 }, encoding: { x, y: { field: 'frequency', ...y } } },
        {
          transform: [{ filter: 'isValid(datum.frequency)' }],
          mark: { type: 'point', size: 22, opacity: 1, color: '#8250df' },
          encoding: {
            x,
            y: { field: 'frequency', ...y },
            fill: { field: 'reduced', type: 'nominal', scale: { domain: ['reduced', 'not reduced'], range: ['#8250df', 'white'] }, legend: { title: 'Frequency', orient: 'top' } },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  });
}

/** 4. A dot per area and period: the binary outcome (colour and shape); interim periods faded. */
export function outcomeGridSpec(periods: PeriodInfo[], points: PeriodPoint[], labels: string[]): TopLevelSpec {
  const domain = periods.map((p) => p.period);
  const values = points.map((p) => ({ label: p.label, period: p.period, status: p.status, outcome: p.outcome }));
  return top('Binary outcome of every area and cohort period', 'Payment: significantly below the baseline; deduction: significantly above; faded: interim (not paid)', {
    width: Math.max(200, 22 * domain.length),
    height: Math.max(60, 16 * labels.length),
    data: { values },
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      x: { field: 'period', type: 'ordinal', scale: { domain }, axis: { title: 'Cohort period', labelAngle: -45, orient: 'top' } },
      y: { field: 'label', type: 'nominal', sort: labels, title: null, axis: { labelLimit: 260 } },
      color: { field: 'outcome', type: 'nominal', scale: { domain: [...OUTCOMES], range: OUTCOME_COLOURS }, legend: { title: 'Outcome', orient: 'bottom' } },
      shape: { field: 'outcome', type: 'nominal', scale: { domain: [...OUTCOMES], range: OUTCOME_SHAPES } },
      opacity: { field: 'status', type: 'ordinal', sort: ['final', 'interim'], scale: { domain: ['final', 'interim'], range: [1, 0.35] }, legend: { title: 'Result', orient: 'bottom' } },
    },
  });
}

/** 5. Caterpillar chart of one cohort period: adjusted rate, baseline and significance band per area. */
export function funnelSpec(period: string, status: string, rows: FunnelRow[]): TopLevelSpec {
  const values = rows.map((r) => ({
    area: r.area,
    name: r.name,
    rank: r.rank,
    measurable: r.measurable,
    adjusted: r.adjusted,
    baseline: r.baseline,
    lower: r.lower,
    upper: r.upper,
    outcome: r.outcome,
  }));
  const title = `Adjusted binary rate against baseline, ${period}${status === 'interim' ? ' (interim: not paid)' : ''}`;
  const x = { type: 'quantitative', axis: { format: '.1%', title: 'Proven reoffending rate' }, scale: { zero: false, padding: 12 } };
  return top(title, 'Grey bar: significance band around the area baseline; black tick: baseline; marker: adjusted rate', {
    width: WIDTH,
    height: Math.max(60, 18 * values.length),
    data: { values },
    encoding: {
      y: { field: 'name', type: 'nominal', sort: { field: 'rank', op: 'min', order: 'ascending' }, title: null, axis: { labelLimit: 260 } },
    },
    layer: [
      {
        mark: { type: 'bar', height: 10, color: BAND_FILL },
        encoding: { x: { field: 'lower', ...x }, x2: { field: 'upper' } },
      },
      {
        mark: { type: 'tick', color: '#24292f', thickness: 2, size: 14 },
        encoding: { x: { field: 'baseline', ...x } },
      },
      {
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: {
          x: { field: 'adjusted', ...x },
          color: {
            field: 'outcome',
            type: 'nominal',
            scale: { domain: [...OUTCOMES], range: OUTCOME_COLOURS },
            legend: { title: 'Outcome', orient: 'bottom' },
          },
          shape: { field: 'outcome', type: 'nominal', scale: { domain: [...OUTCOMES], range: OUTCOME_SHAPES } },
        },
      },
    ],
  });
}

/** Compact money for chart labels: 1234567.5 -> '£1.23M'; deterministic (no Intl). */
export function compactMoney(x: number): string {
  const a = Math.abs(x);
  const sign = x < 0 ? '\u2212' : '';
  if (a >= 1e9) return `${sign}£${(a / 1e9).toFixed(2)}bn`;
  if (a >= 1e6) return `${sign}£${(a / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${sign}£${(a / 1e3).toFixed(1)}k`;
  return `${sign}£${a.toFixed(0)}`;
}

/**
 * 6. Payments of every area over all its contract years: the components stacked (deductions and
 * credits below zero) and the net as a diamond.
 */
export function paymentsSpec(groups: PaymentGroupRow[], areaTotals: PaymentTableRow[], labels: Map<string, string>, order: string[]): TopLevelSpec {
  const present = new Set(groups.map((g) => g.group_name));
  const groupDomain: string[] = PAYMENT_GROUPS.filter((g) => present.has(g));
  const groupRange = groupDomain.map((g) => PAYMENT_COLOURS[(PAYMENT_GROUPS as readonly string[]).indexOf(g)]!);
  const values = groups.map((g) => ({ label: labels.get(g.area) ?? g.area, group: g.group_name, order: g.group_order, amount: g.amount }));
  const nets = areaTotals.map((t) => ({ label: labels.get(t.area ?? '') ?? t.area, net: t.net_value }));
  const shown = order.filter((l) => values.some((v) => v.label === l));
  const y = { field: 'label', type: 'nominal', sort: shown, title: null, axis: { labelLimit: 260 } };
  const xAxis = { title: 'Pounds, all contract years', labelExpr: "(datum.value < 0 ? '-£' : '£') + format(abs(datum.value), '~s')" };
  return top('Payments by area, all contract years', 'Stacked components (deductions and credits below zero); diamond: net', {
    width: WIDTH,
    height: Math.max(60, 18 * shown.length),
    layer: [
      {
        data: { values },
        mark: { type: 'bar', height: 12 },
        encoding: {
          y,
          x: { field: 'amount', type: 'quantitative', aggregate: 'sum', stack: 'zero', axis: xAxis },
          color: { field: 'group', type: 'nominal', scale: { domain: groupDomain, range: groupRange }, legend: { title: null, orient: 'bottom', columns: 4 } },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values: nets },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: '#24292f' },
        encoding: { y, x: { field: 'net', type: 'quantitative' } },
      },
    ],
  });
}

/** 7. Cumulative share of each cohort with a counted offence, by month since the index date. */
export function cumulativeSpec(rows: CumulativeRow[], months: number): TopLevelSpec {
  const cohort = rows.filter((r) => r.status !== 'baseline');
  const baseline = rows.filter((r) => r.status === 'baseline');
  const periodDomain: string[] = [];
  for (const r of cohort) if (!periodDomain.includes(r.series)) periodDomain.push(r.series);
  const toValue = (r: CumulativeRow) => ({ series: r.series, status: r.status, month: r.month, share: r.share });
  const ticks: number[] = [];
  for (let m = 0; m <= months; m += months > 12 ? 6 : 3) ticks.push(m);
  const x = {
    field: 'month',
    type: 'quantitative',
    scale: { domain: [0, months], nice: false },
    axis: { title: 'Months since the index date', values: ticks, format: 'd' },
  };
  const y = { field: 'share', type: 'quantitative', axis: { format: '.0%', title: 'Share with a counted offence' } };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: cohort.map(toValue) },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x,
        y,
        detail: { field: 'series', type: 'nominal' },
        color: {
          field: 'series',
          type: 'ordinal',
          scale: { domain: periodDomain, scheme: 'viridis' },
          legend: { title: 'Cohort period', columns: periodDomain.length > 12 ? 2 : 1 },
        },
        strokeDash: {
          field: 'status',
          type: 'nominal',
          scale: { domain: ['final', 'interim'], range: [[1, 0], [4, 3]] },
          legend: { title: 'Result' },
        },
      },
    },
  ];
  if (baseline.length > 0) {
    const last = baseline[baseline.length - 1]!;
    layers.push(
      {
        data: { values: baseline.map(toValue) },
        mark: { type: 'line', strokeWidth: 3, color: '#24292f' },
        encoding: { x, y },
      },
      {
        data: { values: [{ month: last.month, share: last.share, label: 'baseline' }] },
        mark: { type: 'text', align: 'right', dy: -8, fontSize: 10, color: '#24292f' },
        encoding: { x, y: { field: 'share', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  return top(
    'Reoffending over time since the index date',
    'Cumulative share of the measurable cohort whose first counted offence has happened; dashed: interim',
    { width: WIDTH, height: 300, layer: layers },
  );
}

export const SCOPE_LABELS: Record<string, string> = { cohort: 'Final cohort periods', baseline: 'Baseline' };

/** 8. Share of reoffences committed by the most prolific reoffenders, per area. */
export function concentrationSpec(rows: ConcentrationRow[]): TopLevelSpec {
  const values = rows.map((r) => ({
    name: r.name,
    order: r.area_order,
    scope: SCOPE_LABELS[r.scope] ?? r.scope,
    share: r.top_a_share,
    reoffenders: r.reoffenders,
  }));
  const names = new Set(values.map((v) => v.name));
  const scopes = ['Final cohort periods', 'Baseline'];
  return top(
    `Concentration: share of reoffences by the ${TOP_A}% most prolific reoffenders`,
    'Higher means more of the reoffending comes from a few people (the view against parking them)',
    {
      width: WIDTH,
      height: Math.max(60, 18 * names.size),
      data: { values },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        y: { field: 'name', type: 'nominal', sort: { field: 'order', op: 'min', order: 'ascending' }, title: null, axis: { labelLimit: 260 } },
        x: { field: 'share', type: 'quantitative', axis: { format: '.0%', title: 'Share of reoffences' }, scale: { zero: false, padding: 12 } },
        color: { field: 'scope', type: 'nominal', scale: { domain: scopes, range: ['#1f6feb', '#24292f'] }, legend: { title: null, orient: 'bottom' } },
        shape: { field: 'scope', type: 'nominal', scale: { domain: scopes, range: ['circle', 'diamond'] } },
      },
    },
  );
}
