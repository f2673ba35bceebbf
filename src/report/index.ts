import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../core/context.js';
import { contractYearsBase, statementBase } from '../core/names.js';
import { Db } from '../db/duckdb.js';
import { ENGINE_VERSION } from '../version.js';
import { loadReportData, type ReportData } from './data.js';
import { buildHtml, type ChartIds, type RenderedChart } from './html.js';
import { writePack } from './pack.js';
import { renderSvg, svgToPng } from './render.js';
import { Cells, visibleFunnel } from './suppress.js';
import {
  areaLabels,
  areasBinarySpec,
  areasFrequencySpec,
  concentrationSpec,
  cumulativeSpec,
  funnelSpec,
  nationalSpec,
  outcomeGridSpec,
  paymentsSpec,
  periodPoints,
  type ChartDef,
  type PeriodInfo,
} from './specs.js';

export { loadReportData } from './data.js';
export type { ReportData } from './data.js';

/** What `pbr run` asks of the report besides report.html and charts/*.svg. */
export interface ReportOptions {
  /** --png: also write charts/*.png (nothing is rasterised without it). */
  png?: boolean;
  /** --focus PERIOD: also write the publication pack for this cohort period (pack/index.html). */
  focus?: string | null;
}

/** The cohort periods the charts show, in order (annual top-up periods are left to the tables). */
export function cohortPeriods(data: ReportData): PeriodInfo[] {
  const annual = new Set(data.measures.filter((m) => m.is_annual).map((m) => m.period));
  return data.outcomeCounts.filter((p) => !annual.has(p.period)).map((p) => ({ period: p.period, status: p.status }));
}

/** The latest final cohort period (the latest period when none is final yet), or null. */
export function latestPeriod(periods: PeriodInfo[]): PeriodInfo | null {
  const finals = periods.filter((p) => p.status === 'final');
  return finals[finals.length - 1] ?? periods[periods.length - 1] ?? null;
}

/**
 * The report's charts, in page order, and the ids that tie them to the page: eight at most
 * whatever the number of areas and periods (every area in one chart as small multiples). Pure:
 * the same data gives the same list.
 */
export function planCharts(data: ReportData, followUpMonths: number, cells: Cells = new Cells(null)): { charts: ChartDef[]; ids: ChartIds } {
  const charts: ChartDef[] = [];
  const ids: ChartIds = { national: null, outcomes: null, funnel: null, funnelPeriod: null, areasBinary: null, areasFrequency: null, cumulative: null, concentration: null, payments: null };
  const periods = cohortPeriods(data);
  const inChart = new Set(periods.map((p) => p.period));
  const labels = areaLabels(data.areas);
  const order = data.areas.map((a) => labels.get(a.cpa)!);
  const chartRows = data.measures.filter((m) => inChart.has(m.period));
  const national = periodPoints(chartRows.filter((m) => m.area === 'ALL'), labels, cells);
  const areaPoints = periodPoints(chartRows.filter((m) => m.area !== 'ALL' && labels.has(m.area)), labels, cells);

  if (national.length > 0) {
    ids.national = 'national';
    charts.push({ id: 'national', title: 'All areas: proven reoffending by cohort period', spec: nationalSpec(periods, national) });
  }
  if (areaPoints.length > 0) {
    ids.outcomes = 'outcomes';
    charts.push({ id: 'outcomes', title: 'Binary outcome of every area and cohort period', spec: outcomeGridSpec(periods, areaPoints, order) });
  }
  const latest = latestPeriod(periods);
  const funnelRows = latest ? data.funnel.filter((f) => f.period === latest.period) : [];
  if (latest && funnelRows.length > 0) {
    ids.funnel = 'funnel_latest';
    ids.funnelPeriod = latest.period;
    charts.push({ id: 'funnel_latest', title: `Adjusted binary rate against baseline, ${latest.period}${latest.status === 'interim' ? ' (interim)' : ''}`, spec: funnelSpec(latest.period, latest.status, visibleFunnel(funnelRows, cells)) });
  }
  if (areaPoints.length > 0) {
    ids.areasBinary = 'areas_binary';
    ids.areasFrequency = 'areas_frequency';
    charts.push(
      { id: 'areas_binary', title: 'Every area: adjusted binary rate against its baseline', spec: areasBinarySpec(periods, areaPoints, order) },
      { id: 'areas_frequency', title: 'Every area: reoffences per reoffender against its baseline', spec: areasFrequencySpec(periods, areaPoints, order) },
    );
  }
  const cumulative = (data.cumulative ?? []).filter((r) => !cells.hides(r.measurable, r.reoffenders));
  if (cumulative.length > 0) {
    ids.cumulative = 'reoffending_by_month';
    charts.push({ id: 'reoffending_by_month', title: 'Reoffending over time since the index date', spec: cumulativeSpec(cumulative, followUpMonths) });
  }
  const concentration = (data.concentration ?? []).filter((r) => !cells.hides(r.reoffenders, r.top_a_count));
  if (concentration.length > 0) {
    ids.concentration = 'concentration';
    charts.push({ id: 'concentration', title: 'Share of reoffences committed by the most prolific reoffenders', spec: concentrationSpec(concentration) });
  }
  if (data.paymentGroups && data.paymentGroups.length > 0 && data.paymentTable) {
    ids.payments = 'payments';
    const totals = data.paymentTable.filter((r) => r.level === 'area');
    charts.push({ id: 'payments', title: 'Payments by area, all contract years', spec: paymentsSpec(data.paymentGroups, totals, labels, order) });
  }
  return { charts, ids };
}

/** Which statements exist, so that the report links only to files that are there. */
export interface StatementLinks {
  /** statements/index.html exists. */
  index: boolean;
  /** `area\0period` -> file name inside statements/ (results and fee statements). */
  byKey: Map<string, string>;
  /** area -> its contract-year summary file name. */
  years: Map<string, string>;
}

export function statementLinks(outDir: string, data: ReportData): StatementLinks {
  const dir = path.join(outDir, 'statements');
  const byKey = new Map<string, string>();
  const years = new Map<string, string>();
  for (const k of data.statementKeys) {
    const f = `${statementBase(k.area, k.period)}.html`;
    if (existsSync(path.join(dir, f))) byKey.set(`${k.area}\u0000${k.period}`, f);
  }
  for (const a of data.areas) {
    const f = `${contractYearsBase(a.cpa)}.html`;
    if (existsSync(path.join(dir, f))) years.set(a.cpa, f);
  }
  return { index: existsSync(path.join(dir, 'index.html')), byKey, years };
}

/**
 * Charts (charts/*.svg; charts/*.png with --png), report.html and, with --focus, the publication
 * pack, from the tables of the measure and pay stages and the statements already written. Called
 * by the run pipeline after payments.
 */
export async function renderReport(ctx: RunContext, opts: ReportOptions = {}): Promise<void> {
  ctx.progress('report: reading measures, payments and outcomes');
  const data = await loadReportData(ctx);
  const cells = new Cells(ctx.contract.publication.suppress_below);
  const { charts, ids } = planCharts(data, ctx.contract.follow_up.months, cells);
  const dir = path.join(ctx.outDir, 'charts');
  mkdirSync(dir, { recursive: true });
  const rendered = new Map<string, RenderedChart>();
  const step = ctx.progress.step ?? ((label: string, done: number, total: number) => ctx.progress(`${label} ${done}/${total}`));
  step('report: rendering charts', 0, charts.length);
  for (let i = 0; i < charts.length; i++) {
    const c = charts[i]!;
    const svg = await renderSvg(c.spec);
    writeFileSync(path.join(dir, `${c.id}.svg`), svg);
    if (opts.png) writeFileSync(path.join(dir, `${c.id}.png`), svgToPng(svg));
    rendered.set(c.id, { id: c.id, title: c.title, svg });
    step('report: rendering charts', i + 1, charts.length);
  }
  const links = statementLinks(ctx.outDir, data);
  const meta = { engineVersion: ENGINE_VERSION, duckdbVersion: Db.version, png: opts.png ?? false };
  writeFileSync(path.join(ctx.outDir, 'report.html'), buildHtml(ctx, data, rendered, ids, meta, links, cells));
  ctx.progress(`report: wrote report.html and ${charts.length} charts${opts.png ? ' (SVG and PNG)' : ''}`);
  if (opts.focus) {
    await writePack(ctx, data, opts.focus, links, cells);
    ctx.progress(`report: wrote the publication pack for ${opts.focus} (pack/index.html)`);
  }
}
