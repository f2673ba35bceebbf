import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../core/context.js';
import { Db } from '../db/duckdb.js';
import { ENGINE_VERSION } from '../version.js';
import { loadReportData, type ReportData } from './data.js';
import { slug } from './format.js';
import { buildHtml, type ChartIds, type RenderedChart } from './html.js';
import { renderSvg } from './render.js';
import { pngPool } from './pngPool.js';
import { cachedPngs } from './pngCache.js';
import { cacheRoot } from '../cache/store.js';
import {
  concentrationSpec,
  cumulativeSpec,
  frequencySpec,
  funnelSpec,
  paymentsSpec,
  trendSpec,
  type ChartDef,
  type PeriodInfo,
} from './specs.js';

export { loadReportData } from './data.js';
export type { ReportData } from './data.js';

/**
 * The report's charts, in page order, with the ids that tie them to areas and periods. Pure:
 * the same data gives the same list.
 */
export function planCharts(data: ReportData, followUpMonths: number): { charts: ChartDef[]; ids: ChartIds } {
  const charts: ChartDef[] = [];
  const used = new Set<string>();
  const uniqueId = (base: string): string => {
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    return id;
  };
  const ids: ChartIds = {
    areaSlug: new Map(),
    trend: new Map(),
    frequency: new Map(),
    payments: new Map(),
    funnel: new Map(),
    cumulative: null,
    concentration: null,
  };
  const slugs = new Set<string>();
  for (const a of data.areas) {
    let s = slug(a.cpa);
    for (let i = 2; slugs.has(s) || s === 'ALL'; i++) s = `${slug(a.cpa)}-${i}`;
    slugs.add(s);
    ids.areaSlug.set(a.cpa, s);
  }

  const periodsOf = (area: string): PeriodInfo[] =>
    data.measures.filter((m) => m.area === area).map((m) => ({ period: m.period, status: m.status }));
  const lineCharts = (area: string, name: string, s: string) => {
    const periods = periodsOf(area);
    const t = { id: uniqueId(`trend_${s}`), title: `Proven reoffending rate by cohort period: ${name}`, spec: trendSpec(name, periods, data.trend.filter((r) => r.area === area)) };
    const f = { id: uniqueId(`frequency_${s}`), title: `Reoffences per reoffender by cohort period: ${name}`, spec: frequencySpec(name, periods, data.frequency.filter((r) => r.area === area)) };
    ids.trend.set(area, t.id);
    ids.frequency.set(area, f.id);
    charts.push(t, f);
  };

  // National summary.
  if (data.measures.some((m) => m.area === 'ALL')) lineCharts('ALL', 'All areas', 'ALL');
  for (const p of data.outcomeCounts) {
    const rows = data.funnel.filter((f) => f.period === p.period);
    if (rows.length === 0) continue;
    const c = { id: uniqueId(`funnel_${slug(p.period)}`), title: `Adjusted binary rate against baseline, ${p.period}${p.status === 'interim' ? ' (interim)' : ''}`, spec: funnelSpec(p.period, p.status, rows) };
    ids.funnel.set(p.period, c.id);
    charts.push(c);
  }
  if (data.cumulative && data.cumulative.length > 0) {
    const c = { id: uniqueId('reoffending_by_month'), title: 'Reoffending over time since the index date', spec: cumulativeSpec(data.cumulative, followUpMonths) };
    ids.cumulative = c.id;
    charts.push(c);
  }
  if (data.concentration && data.concentration.length > 0) {
    const c = { id: uniqueId('concentration'), title: 'Share of reoffences committed by the most prolific reoffenders', spec: concentrationSpec(data.concentration) };
    ids.concentration = c.id;
    charts.push(c);
  }

  // Per area.
  for (const a of data.areas) {
    const s = ids.areaSlug.get(a.cpa)!;
    lineCharts(a.cpa, a.name, s);
    const groups = data.paymentGroups?.filter((g) => g.area === a.cpa) ?? [];
    const years = data.paymentTable?.filter((r) => r.level === 'year' && r.area === a.cpa) ?? [];
    if (groups.length > 0) {
      const c = { id: uniqueId(`payments_${s}`), title: `Payments by contract year: ${a.name}`, spec: paymentsSpec(a.name, groups, years) };
      ids.payments.set(a.cpa, c.id);
      charts.push(c);
    }
  }
  return { charts, ids };
}

/**
 * Charts (charts/*.svg, charts/*.png) and report.html, from the tables of the measure and pay
 * stages. Called by the run pipeline after payments.
 */
export async function renderReport(ctx: RunContext): Promise<void> {
  ctx.progress('report: reading measures, payments and outcomes');
  const data = await loadReportData(ctx);
  const { charts, ids } = planCharts(data, ctx.contract.follow_up.months);
  const dir = path.join(ctx.outDir, 'charts');
  mkdirSync(dir, { recursive: true });
  const rendered = new Map<string, RenderedChart>();
  const step = ctx.progress.step ?? ((label: string, done: number, total: number) => ctx.progress(`${label} ${done}/${total}`));
  // Vega lays out each chart on this thread; worker threads draw the PNGs meanwhile.
  const pool = cachedPngs(pngPool(), ctx.cache === false ? null : cacheRoot());
  try {
    const pngs: Promise<void>[] = [];
    let drawn = 0;
    step('report: rendering charts', 0, charts.length);
    for (let i = 0; i < charts.length; i++) {
      const c = charts[i]!;
      const svg = await renderSvg(c.spec);
      writeFileSync(path.join(dir, `${c.id}.svg`), svg);
      pngs.push(
        pool.png(svg).then((png) => {
          writeFileSync(path.join(dir, `${c.id}.png`), png);
          step('report: rendering charts', ++drawn, charts.length);
        }),
      );
      rendered.set(c.id, { id: c.id, title: c.title, svg });
    }
    await Promise.all(pngs);
  } finally {
    await pool.close();
  }
  const html = buildHtml(ctx, data, rendered, ids, { engineVersion: ENGINE_VERSION, duckdbVersion: Db.version });
  writeFileSync(path.join(ctx.outDir, 'report.html'), html);
  ctx.progress(`report: wrote report.html and ${charts.length} charts`);
}

