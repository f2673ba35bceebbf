import type { TopLevelSpec } from 'vega-lite';
import type {
  ConcentrationRow,
  CumulativeRow,
  FunnelRow,
  PaymentGroupRow,
  PaymentTableRow,
  SeriesRow,
} from './data.js';
import { TOP_A } from './data.js';

/**
 * Vega-Lite specifications of the report's charts, built from rows that SQL has already
 * aggregated. Pure functions of their input: no dates, no randomness, fixed sizes and font, so the
 * rendered SVG and PNG are the same bytes on every run.
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
    view: { stroke: '#d0d7de' },
  };
}

function top(title: string, subtitle: string | undefined, height: number, rest: Record<string, unknown>): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: subtitle ? { text: title, subtitle } : { text: title },
    width: WIDTH,
    height,
    config: baseConfig(),
    ...rest,
  } as unknown as TopLevelSpec;
}

/** 1. Caterpillar chart of one cohort period: adjusted rate, baseline and significance band per area. */
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
  return top(title, 'Grey bar: significance band around the area baseline; black tick: baseline; marker: adjusted rate', Math.max(60, 18 * values.length), {
    data: { values },
    encoding: {
      y: { field: 'name', type: 'nominal', sort: { field: 'rank', op: 'min', order: 'ascending' }, title: null, axis: { labelLimit: 260 } },
    },
    layer: [
      {
        mark: { type: 'bar', height: 10, color: '#d0d7de' },
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

export interface PeriodInfo {
  period: string;
  status: string;
}

interface PeriodLineOptions {
  title: string;
  subtitle: string;
  yTitle: string;
  yFormat: string;
  series: readonly string[];
  colours: readonly string[];
  dashes: readonly number[][];
  height: number;
}

/** A line per series across cohort periods, interim periods shaded and labelled. */
function periodLineSpec(periods: PeriodInfo[], rows: SeriesRow[], o: PeriodLineOptions): TopLevelSpec {
  const domain = periods.map((p) => p.period);
  const interim = periods.filter((p) => p.status === 'interim').map((p) => ({ period: p.period }));
  const values = rows.map((r) => ({ period: r.period, status: r.status, series: r.series, value: r.value }));
  // Interim periods: shaded, and their axis label says so.
  const interimList = JSON.stringify(interim.map((p) => p.period)).replace(/"/g, "'");
  const x = {
    field: 'period',
    type: 'ordinal',
    scale: { domain },
    axis: {
      title: 'Cohort period',
      labelAngle: -45,
      labelExpr: interim.length > 0 ? `indexof(${interimList}, datum.value) >= 0 ? datum.value + ' interim' : datum.value` : 'datum.value',
    },
  };
  const layers: Record<string, unknown>[] = [];
  if (interim.length > 0) {
    layers.push({ data: { values: interim }, mark: { type: 'rect', color: INTERIM_FILL }, encoding: { x } });
  }
  const colour = {
    field: 'series',
    type: 'nominal',
    scale: { domain: [...o.series], range: [...o.colours] },
    legend: { title: null, orient: 'bottom', symbolType: 'stroke', symbolStrokeWidth: 2 },
  };
  layers.push(
    {
      data: { values },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative', axis: { format: o.yFormat, title: o.yTitle }, scale: { zero: false, padding: 8 } },
        color: colour,
        strokeDash: {
          field: 'series',
          type: 'nominal',
          scale: { domain: [...o.series], range: o.dashes.map((d) => [...d]) },
          legend: { title: null, orient: 'bottom', symbolType: 'stroke', symbolStrokeWidth: 2 },
        },
      },
    },
    {
      data: { values },
      mark: { type: 'point', filled: true, size: 30 },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative' },
        color: colour,
      },
    },
  );
  return top(o.title, o.subtitle, o.height, { layer: layers });
}

export const TREND_SERIES = ['Binary rate', 'Adjusted binary rate', 'Baseline binary rate'] as const;
export const FREQUENCY_SERIES = ['Frequency rate', 'Baseline frequency rate'] as const;

/** 2. Binary, adjusted and baseline rate of one area across cohort periods. */
export function trendSpec(areaName: string, periods: PeriodInfo[], rows: SeriesRow[]): TopLevelSpec {
  return periodLineSpec(periods, rows, {
    title: `Proven reoffending rate by cohort period: ${areaName}`,
    subtitle: 'Share of the measurable cohort with a counted offence; shaded periods are interim',
    yTitle: 'Rate',
    yFormat: '.1%',
    series: TREND_SERIES,
    colours: ['#8c959f', '#1f6feb', '#24292f'],
    dashes: [[1, 0], [1, 0], [6, 3]],
    height: 220,
  });
}

/** 3. Reoffences per reoffender of one area against its baseline. */
export function frequencySpec(areaName: string, periods: PeriodInfo[], rows: SeriesRow[]): TopLevelSpec {
  return periodLineSpec(periods, rows, {
    title: `Reoffences per reoffender by cohort period: ${areaName}`,
    subtitle: 'Frequency rate (not adjusted) against the baseline; shaded periods are interim',
    yTitle: 'Reoffences per reoffender',
    yFormat: '.2f',
    series: FREQUENCY_SERIES,
    colours: ['#8250df', '#24292f'],
    dashes: [[1, 0], [6, 3]],
    height: 200,
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

/** 4. Payments of one area per contract year: stacked components and the net. */
export function paymentsSpec(areaName: string, groups: PaymentGroupRow[], years: PaymentTableRow[]): TopLevelSpec {
  const yearDomain = years.map((y) => y.year_label!);
  const present = new Set(groups.map((g) => g.group_name));
  const groupDomain: string[] = PAYMENT_GROUPS.filter((g) => present.has(g));
  const groupRange = groupDomain.map((g) => PAYMENT_COLOURS[(PAYMENT_GROUPS as readonly string[]).indexOf(g)]!);
  const values = groups.map((g) => ({ year: g.year_label, group: g.group_name, order: g.group_order, amount: g.amount }));
  const nets = years.map((y) => ({ year: y.year_label, net: y.net_value, label: `net ${compactMoney(y.net_value)}` }));
  const x = { field: 'year', type: 'ordinal', scale: { domain: yearDomain }, axis: { title: 'Contract year', labelAngle: 0 } };
  const yAxis = {
    title: 'Pounds',
    labelExpr: "(datum.value < 0 ? '\u2212£' : '£') + format(abs(datum.value), '~s')",
  };
  const title = `Payments by contract year: ${areaName}`;
  const subtitle = 'Stacked components (deductions and credits below zero); diamond and figure above the bar: net';
  return top(title, subtitle, 260, {
    title: { text: title, subtitle, offset: 18 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar' },
        encoding: {
          x,
          y: { field: 'amount', type: 'quantitative', aggregate: 'sum', stack: 'zero', axis: yAxis },
          color: {
            field: 'group',
            type: 'nominal',
            scale: { domain: groupDomain, range: groupRange },
            legend: { title: null, orient: 'bottom', columns: 3 },
          },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values: nets },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 90, color: '#24292f' },
        encoding: { x, y: { field: 'net', type: 'quantitative' } },
      },
      {
        // The net of each year written in a row just above the plot, clear of the bars.
        data: { values: nets },
        mark: { type: 'text', baseline: 'bottom', fontSize: 10, color: '#24292f', y: -4 },
        encoding: { x, text: { field: 'label' } },
      },
    ],
  });
}

/** 5. Cumulative share of each cohort with a counted offence, by month since the index date. */
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
    300,
    { layer: layers },
  );
}

export const SCOPE_LABELS: Record<string, string> = { cohort: 'Final cohort periods', baseline: 'Baseline' };

/** 6. Share of reoffences committed by the most prolific reoffenders, per area. */
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
    Math.max(60, 18 * names.size),
    {
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
