import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { doneWith } from './helpers/db.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contractWith, fixtureContext, pageWithoutCharts, writeStatementFiles } from './report-fixture.js';
import { loadReportData, planCharts, renderReport, type ReportData } from '../src/report/index.js';
import { renderSvg, svgToPng } from '../src/report/render.js';
import { amount, money, pct, points, int, dec } from '../src/report/format.js';
import { areaAnchor, periodAnchor } from '../src/core/names.js';
import type { RunContext } from '../src/core/context.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type J = any;
const asJson = (x: unknown): J => JSON.parse(JSON.stringify(x));

let ctx: RunContext;
let data: ReportData;
let charts: Map<string, J>;

beforeAll(async () => {
  ctx = await fixtureContext();
  data = await loadReportData(ctx);
  charts = new Map(planCharts(data, 12).charts.map((c) => [c.id, asJson(c.spec)]));
});
afterAll(() => doneWith(ctx.db));

describe('chart plan', () => {
  test('eight charts in page order: all areas, the outcome grid, the latest final funnel, two small multiples, time, concentration, payments', () => {
    expect([...charts.keys()]).toEqual([
      'national', 'outcomes', 'funnel_latest', 'areas_binary', 'areas_frequency',
      'reoffending_by_month', 'concentration', 'payments',
    ]);
  });

  test('more areas add panels, not charts', () => {
    // 20 more areas with the rows of West: still eight charts; the small multiples get 23 panels.
    const more = structuredClone(data);
    for (let i = 1; i <= 20; i++) {
      more.areas.push({ cpa: `X${i}`, name: `Extra ${i}` });
      more.measures.push(...data.measures.filter((m) => m.area === 'CPA03').map((m) => ({ ...m, area: `X${i}`, name: `Extra ${i}` })));
    }
    const plan = planCharts(more, 12);
    expect(plan.charts).toHaveLength(8);
    expect(asJson(plan.charts.find((c) => c.id === 'areas_binary')!.spec).facet.sort).toHaveLength(23);
  });
});

describe('outcome grid chart', () => {
  test('a point per area and cohort period, coloured and shaped by outcome, interim faded', () => {
    const s = charts.get('outcomes');
    expect(s.encoding.x.scale.domain).toEqual(['2015Q4', '2016Q1', '2016Q2']);
    expect(s.encoding.y.sort).toEqual(['North', 'South', 'West']);
    expect(s.encoding.color.scale.domain).toEqual(['payment', 'deduction', 'none']);
    expect(s.encoding.shape.scale.domain).toEqual(['payment', 'deduction', 'none']);
    expect(s.encoding.opacity.scale).toEqual({ domain: ['final', 'interim'], range: [1, 0.35] });
    // South (measures fixture): 2015Q4 deduction, 2016Q1 payment, 2016Q2 none (interim).
    expect(s.data.values.filter((v: J) => v.label === 'South').map((v: J) => [v.period, v.outcome, v.status])).toEqual([
      ['2015Q4', 'deduction', 'final'], ['2016Q1', 'payment', 'final'], ['2016Q2', 'none', 'interim'],
    ]);
  });
});

describe('funnel (caterpillar) chart of the latest final period', () => {
  test('layers: band as a bar from lower to upper, baseline tick, adjusted point coloured and shaped by outcome', () => {
    const s = charts.get('funnel_latest');
    expect(s.layer.map((l: J) => l.mark.type)).toEqual(['bar', 'tick', 'point']);
    expect(s.layer[0].encoding.x.field).toBe('lower');
    expect(s.layer[0].encoding.x2.field).toBe('upper');
    expect(s.layer[1].encoding.x.field).toBe('baseline');
    expect(s.layer[2].encoding.x.field).toBe('adjusted');
    expect(s.layer[2].encoding.color.scale.domain).toEqual(['payment', 'deduction', 'none']);
    expect(s.encoding.y).toMatchObject({ field: 'name', sort: { field: 'rank', order: 'ascending' } });
    expect(s.config.font).toBe('DejaVu Sans');
    expect(s.width).toBe(560);
  });

  test('the latest final period is 2016Q1 (2016Q2 is interim), rows furthest below baseline first', () => {
    // a - B: South 0.30-0.40 = -0.10, North 0.48-0.50 = -0.02, West 0.45-0.45 = 0.
    const s = charts.get('funnel_latest');
    expect(s.title.text).toBe('Adjusted binary rate against baseline, 2016Q1');
    expect(s.data.values).toEqual([
      { area: 'CPA02', name: 'South', rank: 1, measurable: 40, adjusted: 0.3, baseline: 0.4, lower: 0.35, upper: 0.45, outcome: 'payment' },
      { area: 'CPA01', name: 'North', rank: 2, measurable: 90, adjusted: 0.48, baseline: 0.5, lower: 0.45, upper: 0.55, outcome: 'none' },
      { area: 'CPA03', name: 'West', rank: 3, measurable: 20, adjusted: 0.45, baseline: 0.45, lower: 0.4, upper: 0.5, outcome: 'none' },
    ]);
  });

  test('equal differences are ordered by area order', () => {
    // 2016Q2: North 0.30-0.50 = -0.20; South 0.40-0.40 = 0 and West 0.45-0.45 = 0 tie: South (order 2) first.
    expect(data.funnel.filter((f) => f.period === '2016Q2').map((f) => f.area)).toEqual(['CPA01', 'CPA02', 'CPA03']);
  });

  test('an area with no measurable cohort comes last, with no rate and outcome none', () => {
    const f = data.funnel.filter((r) => r.period === '2015Q4')[2]!;
    expect([f.area, f.rank, f.measurable, f.adjusted, f.lower, f.upper, f.outcome]).toEqual(['CPA03', 3, 0, null, null, null, 'none']);
  });
});

describe('small multiples: every area in one chart', () => {
  test('binary: one panel per area in area order, three columns, band, baseline, adjusted rate by outcome', () => {
    const s = charts.get('areas_binary');
    expect(s.facet).toMatchObject({ field: 'label', sort: ['North', 'South', 'West'] });
    expect(s.columns).toBe(3);
    expect(s.spec.layer.map((l: J) => l.mark.type)).toEqual(['rect', 'area', 'line', 'line', 'point']);
    expect(s.spec.layer[0].transform).toEqual([{ filter: "datum.status === 'interim'" }]);
    expect(s.spec.layer[1].encoding.y.field).toBe('lower');
    expect(s.spec.layer[1].encoding.y2.field).toBe('upper');
    expect(s.spec.layer[4].encoding.color.field).toBe('outcome');
  });

  test('binary values of North: adjusted rate, baseline and band per period', () => {
    // measures fixture, CPA01: (a, B, lower, upper) = 2015Q4 (0.4, 0.5, 0.45, 0.55), 2016Q1 (0.48, ...), 2016Q2 (0.3, ...).
    const v = charts.get('areas_binary').data.values.filter((r: J) => r.label === 'North');
    expect(v.map((r: J) => [r.period, r.adjusted, r.baseline, r.lower, r.upper, r.outcome])).toEqual([
      ['2015Q4', 0.4, 0.5, 0.45, 0.55, 'payment'],
      ['2016Q1', 0.48, 0.5, 0.45, 0.55, 'none'],
      ['2016Q2', 0.3, 0.5, 0.45, 0.55, 'payment'],
    ]);
  });

  test('a period with no measurable cohort has no adjusted rate (no marker), its baseline still drawn', () => {
    const w = charts.get('areas_binary').data.values.find((r: J) => r.label === 'West' && r.period === '2015Q4');
    expect([w.adjusted, w.baseline, w.lower]).toEqual([null, 0.45, null]);
  });

  test('frequency values of West: no rate without reoffenders, filled marker where reduced', () => {
    // West: 2015Q4 n = 0 (no rate), 2016Q1 and 2016Q2 f = 2.0 against 2.5, reduced.
    const v = charts.get('areas_frequency').data.values.filter((r: J) => r.label === 'West');
    expect(v.map((r: J) => [r.period, r.frequency, r.baseline, r.reduced])).toEqual([
      ['2015Q4', null, 2.5, 'not reduced'], ['2016Q1', 2, 2.5, 'reduced'], ['2016Q2', 2, 2.5, 'reduced'],
    ]);
  });
});

describe('all-areas chart', () => {
  test('binary, adjusted and baseline rate folded into series, and the frequency below', () => {
    const s = charts.get('national');
    expect(s.vconcat).toHaveLength(2);
    const top = s.vconcat[0].layer.find((l: J) => l.mark.type === 'line');
    expect(top.transform[0]).toEqual({ fold: ['binary', 'adjusted', 'baseline'], as: ['key', 'value'] });
    expect(top.encoding.color.scale.domain).toEqual(['Binary rate', 'Adjusted binary rate', 'Baseline binary rate']);
    // ALL 2016Q1: b = 66/150 = 0.44, a = 0.43, B = 0.46; interim 2016Q2 shaded.
    const r = top.data.values.find((v: J) => v.period === '2016Q1');
    expect([r.binary, r.adjusted, r.baseline]).toEqual([0.44, 0.43, 0.46]);
    expect(s.vconcat[0].layer[0].data.values).toEqual([{ period: '2016Q2', shade: true }]);
  });
});

describe('payments chart', () => {
  test('components of every area stacked, a bar per area', () => {
    // North Y1: fee 2015-12 + 2016-01 = 2000.00, credit -5.00, reconciliation 250.50, 2015Q4 results
    // 3200.00 + 450.25 = 3650.25; Y2: fee 980.00, 2016Q1 results 640.00, cap -40.00.
    // South (no contract years, FY 2015/16): 2016Q1 payment 1600.00, 2015Q4 deduction -1600.00.
    const s = charts.get('payments');
    expect(s.layer.map((l: J) => l.mark.type)).toEqual(['bar', 'point']);
    expect(s.layer[0].encoding.x).toMatchObject({ field: 'amount', aggregate: 'sum', stack: 'zero' });
    expect(s.layer[0].data.values.map((r: J) => [r.label, r.group, r.amount])).toEqual([
      ['North', 'Fee for service', 2000], ['North', 'Service credits', -5],
      ['North', 'Volume reconciliation', 250.5], ['North', 'Results payments', 3650.25],
      ['North', 'Fee for service', 980], ['North', 'Results payments', 640], ['North', 'Caps', -40],
      ['South', 'Results payments', 1600], ['South', 'Deductions', -1600],
    ]);
    expect(s.layer[0].encoding.y.sort).toEqual(['North', 'South']);
  });

  test('the net of an area is the sum of its lines', () => {
    // North: 2980.00 - 5.00 + 250.50 + 4290.25 - 40.00 = 7475.75; South: 1600.00 - 1600.00 = 0.
    expect(charts.get('payments').layer[1].data.values).toEqual([{ label: 'North', net: 7475.75 }, { label: 'South', net: 0 }]);
  });

  test('the month ending a contract year stays in it; the next month starts the next year', () => {
    // 2016-01 fee (1000.00) is in Y1 (to 2016-01-31), 2016-02 (980.00) in Y2 (from 2016-02-01).
    const fee = data.paymentGroups!.filter((g) => g.area === 'CPA01' && g.group_name === 'Fee for service');
    expect(fee.map((g) => [g.year_label, g.amount_text])).toEqual([['Y1 2015/16', '2000.00'], ['Y2 2016/17', '980.00']]);
  });

  test('an area without contract years groups its results lines by financial year of the period end', () => {
    // South: 2015Q4 ends 2015-12-31 and 2016Q1 ends 2016-03-31, both in FY 2015/16 (April 2015 - March 2016).
    expect(data.paymentGroups!.filter((g) => g.area === 'CPA02').map((g) => [g.year_label, g.group_name, g.amount_text])).toEqual([
      ['FY 2015/16', 'Results payments', '1600.00'], ['FY 2015/16', 'Deductions', '-1600.00'],
    ]);
  });

  test('a component the report does not know is stacked as Other, never dropped; top-ups are results payments', async () => {
    // West 2016Q1 (ends 2016-03-31, no contract years: FY 2015/16): 'bonus' 12.34 and a top-up -2.00.
    const c = await fixtureContext();
    try {
      await c.db.run("INSERT INTO payments VALUES ('CPA03', '2016Q1', 'bonus', 'x', 12.34, 'x'), ('CPA03', '2016Q1', 'binary_top_up', 'x', -2.00, 'x')");
      const d = await loadReportData(c);
      expect(d.paymentGroups!.filter((g) => g.area === 'CPA03').map((g) => [g.year_label, g.group_name, g.amount_text]))
        .toEqual([['FY 2015/16', 'Results payments', '-2.00'], ['FY 2015/16', 'Other', '12.34']]);
      expect(d.paymentTable!.find((r) => r.level === 'area' && r.area === 'CPA03')!.other).toBe('12.34');
    } finally {
      doneWith(c.db);
    }
  });

  test('payment table totals are exact decimals', () => {
    // All areas: fee 2980.00, credits -5.00, reconciliation 250.50, results 3200 + 450.25 + 640 + 1600 = 5890.25,
    // deductions -1600.00, caps -40.00; net 7475.75.
    const t = data.paymentTable!.find((r) => r.level === 'total')!;
    expect([t.fee, t.credits, t.reconciliation, t.results, t.deductions, t.caps, t.other, t.net]).toEqual(
      ['2980.00', '-5.00', '250.50', '5890.25', '-1600.00', '-40.00', '0.00', '7475.75'],
    );
  });
});

describe('reoffending over time since the index date', () => {
  const share = (series: string) =>
    charts.get('reoffending_by_month').layer
      .flatMap((l: J) => l.data.values)
      .filter((v: J) => v.series === series)
      .map((v: J) => v.share);

  test('2015Q4: cumulative share by month, six measurable people', () => {
    // p1 index 10-15, first 10-20 -> month 1; p2 10-15 -> 11-15 (exactly one month) -> month 1;
    // p3 10-15 -> 11-16 -> month 2; p4 10-31 -> 2016-02-29 (= add_months(10-31, 4), clamped) -> month 4;
    // p5 12-31 -> 2016-12-31 -> month 12; p6 never; p7 not measurable (left out). n = 6.
    // m0 0; m1 2/6; m2 3/6; m3 3/6; m4..m11 4/6; m12 5/6.
    const t = 0.333333, h = 0.5, f = 0.666667;
    expect(share('2015Q4')).toEqual([0, t, h, h, f, f, f, f, f, f, f, f, 0.833333]);
  });

  test('the pooled baseline is drawn as its own black line', () => {
    // b1 2011-01-10 -> 2011-03-10 (two months exactly) -> month 2;
    // b2 2011-02-28 -> 2011-03-31 (after 2011-03-28) -> month 2; b3 never. n = 3: 2/3 from month 2.
    const s = charts.get('reoffending_by_month');
    expect(s.layer[1].mark.color).toBe('#24292f');
    expect(s.layer[1].data.values.map((v: J) => v.share)).toEqual([0, 0, 0.666667, ...Array(10).fill(0.666667)]);
  });

  test('cohort periods in period order, interim dashed', () => {
    const l = charts.get('reoffending_by_month').layer[0];
    expect(l.encoding.color.scale.domain).toEqual(['2015Q4', '2016Q1', '2016Q2']);
    expect(l.encoding.strokeDash.scale.domain).toEqual(['final', 'interim']);
    // 2016Q2 (interim): p8 2016-04-10 -> 2016-06-10 -> month 2; p9 never: 1/2 from month 2.
    expect(share('2016Q2')).toEqual([0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });
});

describe('concentration', () => {
  test('share of reoffences by the top 10% of reoffenders, final periods pooled, and the baseline', () => {
    // Final periods 2015Q4 and 2016Q1, measurable reoffenders: North p1 5, p3 2, p2 1 (k = 8);
    // South p4 3, p5 1 (k = 4). Top 10%: ceil(0.1 r) = 1 person.
    // All: r = 5, k = 12, top person 5 -> 5/12 = 0.416667. North 5/8 = 0.625. South 3/4 = 0.75.
    // Baseline: b1 (North) 2, b2 (South) 2 -> All 2/4 = 0.5; North 2/2 = 1; South 1.
    const s = charts.get('concentration');
    expect(s.mark.type).toBe('point');
    expect(s.data.values.map((v: J) => [v.name, v.scope, v.share])).toEqual([
      ['All areas', 'Final cohort periods', 0.416667], ['All areas', 'Baseline', 0.5],
      ['North', 'Final cohort periods', 0.625], ['North', 'Baseline', 1],
      ['South', 'Final cohort periods', 0.75], ['South', 'Baseline', 1],
    ]);
  });

  test('the top 20% of 5 reoffenders is exactly 1 person (integer ceiling)', () => {
    // ceil(5 * 20 / 100) = 1, not 2 (floating 5 * 0.2 could round up).
    const all = data.concentration!.find((r) => r.area === 'ALL' && r.scope === 'cohort')!;
    expect([all.top_b_count, all.top_b_share]).toEqual([1, 0.416667]);
  });

  test('interim periods and unmeasurable people are left out', () => {
    // p8 (2016Q2 interim, 4 reoffences) and p7 (not measurable, 9) would change the totals.
    const all = data.concentration!.find((r) => r.area === 'ALL' && r.scope === 'cohort')!;
    expect([all.reoffenders, all.reoffences]).toEqual([5, 12]);
  });
});

describe('number formatting', () => {
  test('money from exact decimal text', () => {
    expect(money('-1234567.50')).toBe('-£1,234,567.50');
    expect(money('0.00')).toBe('£0.00');
    expect(money('999.5')).toBe('£999.50');
  });
  test('a deduction carries a minus sign and the word, as on the statements; other amounts do not', () => {
    expect(amount('-1600.00', true)).toBe('-£1,600.00 deduction');
    expect(amount('0.00', true)).toBe('£0.00');
    expect(amount('-5.00')).toBe('-£5.00');
  });
  test('percentages, points, counts and decimals', () => {
    expect(pct(0.416667)).toBe('41.7%');
    expect(pct(null)).toBe('\u2013');
    expect(points(-0.082)).toBe('\u22128.2 pts');
    expect(points(0.01)).toBe('+1.0 pts');
    expect(int(108000)).toBe('108,000');
    expect(dec(2.7727272727)).toBe('2.77');
  });
});

/** The section of the page with this id (up to the next section). */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, id).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('renderReport', () => {
  let out: string;
  let html: string;
  beforeAll(async () => {
    const c = await fixtureContext({ breakdowns: false });
    // The statements the pay stage would have written for some keys (not CPA03's).
    writeStatementFiles(c.outDir, ['index.html', 'CPA01_2015Q4.html', 'CPA01_2016Q1.html', 'CPA01_2016Q2.html', 'CPA02_2015Q4.html', 'CPA01_2015-12.html', 'CPA01_2015-02-01_to_2016-01-31.html', 'CPA01_contract_years.html']);
    try {
      await renderReport(c);
    } finally {
      doneWith(c.db);
    }
    out = c.outDir;
    html = readFileSync(path.join(out, 'report.html'), 'utf8');
  });

  test('writes an SVG per chart and no PNG', () => {
    expect(readdirSync(path.join(out, 'charts')).sort()).toEqual([...charts.keys()].sort().map((id) => `${id}.svg`));
  });

  test('SVG text uses the DejaVu Sans font only', () => {
    const svg = readFileSync(path.join(out, 'charts', 'areas_binary.svg'), 'utf8');
    const fonts = new Set([...svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
    expect([...fonts]).toEqual(['DejaVu Sans']);
  });

  test('report.html is self-contained: lang, landmarks, no script, no external reference', () => {
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
    for (const tag of ['<header', '<nav aria-label="Contents"', '<main>', '<footer']) expect(html).toContain(tag);
    expect(html).not.toMatch(/<script|<link |<img |@import|url\(/);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  test('every chart is inline, labelled by its caption (a text alternative)', () => {
    const ids = [...html.matchAll(/<figure id="fig-([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toEqual([...charts.keys()]);
    for (const id of ids) {
      const start = html.indexOf(`<figure id="fig-${id}"`);
      const fig = html.slice(start, html.indexOf('</figure>', start));
      expect(fig).toContain(`<svg role="img" aria-labelledby="cap-${id}"`);
      const caption = /<figcaption id="cap-[^"]+">([\s\S]*)<\/figcaption>/.exec(fig)![1]!;
      expect(caption.replace(/<[^>]+>/g, '').length).toBeGreaterThan(80);
    }
  });

  test('national summary first, every area compared, then the areas, then method, validation and hashes', () => {
    const at = (s: string) => html.indexOf(s);
    const order = ['id="area-ALL"', 'id="areas"', 'id="over-time"', 'id="concentration"', 'id="payments"', 'id="area-CPA01"', 'id="area-CPA02"', 'id="area-CPA03"', 'id="method"', 'id="validation"', 'id="hashes"', 'id="breakdowns"'];
    const pos = order.map(at);
    expect(pos.every((p) => p > 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });

  test('each area section has the id areaAnchor(area), each cohort period a row with the id periodAnchor(period)', () => {
    for (const a of ['CPA01', 'CPA02', 'CPA03']) expect(html).toContain(`<section class="area" id="${areaAnchor(a)}"`);
    for (const p of ['2015Q4', '2016Q1', '2016Q2']) expect(html).toContain(`<tr id="${periodAnchor(p)}">`);
  });

  test('no id is used twice', () => {
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('every statement that exists is linked, and every link inside the run folder resolves', () => {
    const hrefs = new Set([...html.matchAll(/href="([^"#]+)(#[^"]*)?"/g)].map((m) => m[1]!));
    for (const f of readdirSync(path.join(out, 'statements'))) expect(hrefs.has(`statements/${f}`), f).toBe(true);
    for (const h of hrefs) expect(existsSync(path.join(out, h)), h).toBe(true);
    // every in-page anchor exists
    for (const m of html.matchAll(/href="#([^"]+)"/g)) expect(html).toContain(`id="${m[1]}"`);
  });

  test('a period row links to its statement; a period without one is plain text', () => {
    const north = section(html, 'area-CPA01');
    expect(north).toContain('<th scope="row"><a href="statements/CPA01_2015Q4.html">2015Q4</a></th>');
    const west = section(html, 'area-CPA03');
    expect(west).toContain('<th scope="row">2016Q1</th>');
    expect(west).not.toContain('statements/CPA03');
  });

  test('an area links to all statements, its contract-year summary and its fee statements by contract year', () => {
    const north = section(html, 'area-CPA01');
    expect(north).toContain('<a href="statements/index.html">All statements</a>');
    expect(north).toContain('<a href="statements/CPA01_contract_years.html">Contract-year summary</a>');
    // 2015-12 and the Y1 reconciliation (last: at the year's end) belong to Y1 2015/16 (2015-02-01 to
    // 2016-01-31); 2016-01 and 2016-02 have no statement file here, so they are not listed.
    expect(north).toContain('Fee statements by contract year: Y1 2015/16: <a href="statements/CPA01_2015-12.html">2015-12</a> <a href="statements/CPA01_2015-02-01_to_2016-01-31.html">volume reconciliation</a>.</p>');
  });

  test('a statement of a period outside the tables (a whole pilot, period ALL) is linked from its area', async () => {
    const c = await fixtureContext();
    try {
      await c.db.run("INSERT INTO payments VALUES ('CPA02', 'ALL', 'frequency_payment', 'whole pilot', 10.00, 'price_per_event')");
      writeStatementFiles(c.outDir, ['CPA02_ALL.html']);
      expect(section(await pageWithoutCharts(c), 'area-CPA02')).toContain('Other statements: <a href="statements/CPA02_ALL.html">ALL</a>');
    } finally {
      doneWith(c.db);
    }
  });

  test('the outcome grid links every cell that has a statement, and every period to its row', () => {
    const grid = section(html, 'areas');
    expect(grid).toContain('<a href="statements/CPA02_2015Q4.html"><span class="o-deduction" title="deduction">ded.</span></a>');
    expect(grid).toContain(`<a href="#${periodAnchor('2016Q2')}"><span class="interim">2016Q2</span></a>`);
  });

  test('deductions show a minus sign and the word deduction', () => {
    // South: 2015Q4 deduction -1600.00 (FY 2015/16).
    expect(section(html, 'area-CPA02')).toContain('<td class="n">-£1,600.00 deduction</td>');
  });

  test('the national summary never calls the all-areas result a payment', () => {
    // ALL 2016Q1: n 150 of 160, b 44.0%, a 43.0% against B 46.0%, band 44.0-48.0%: significantly below.
    // Areas in 2016Q1: South payment; North and West none -> 1 of 3 paid, 0 deductions.
    const nat = section(html, 'area-ALL');
    expect(nat).toContain('The all-areas rate adjusted for case mix is <strong>43.0%</strong> against the all-areas baseline of 46.0% (band 44.0\u201348.0%): significantly below the all-areas baseline. This is a summary of all areas together, not a payment');
    expect(nat).toContain('In 2016Q1, 1 of 3 areas earned a payment and 0 had a deduction.');
    expect(nat.split('<table')[0]).not.toContain('o-payment');
  });

  test('the method choices, as_of, input hashes and row counts are printed', () => {
    expect(html).toContain('<strong>additive</strong>');
    expect(html).toContain('<strong>baseline-band</strong>, 0.95 confidence, two-sided');
    expect(html).toContain('<strong>2017-09-30</strong>');
    expect(html).toContain('£3,200.00');
    expect(html).toContain('a'.repeat(64));
    expect(html).toContain('c'.repeat(64));
    // starts.csv: 14 read, 13 used, 1 rejected.
    expect(html).toContain('<tr><th scope="row">starts.csv</th><td class="n">14</td><td class="n">13</td><td class="n">1</td></tr>');
  });

  test('without a termination_watch column no area shows the watch, and the method says it is not configured', () => {
    expect(section(html, 'area-CPA01')).not.toContain('Termination watch');
    expect(html).toContain('<dt>Termination watch</dt><dd>not configured</dd>');
  });

  test('a missing breakdowns table is skipped with a note', () => {
    expect(html).toContain('This run produced no breakdowns table');
  });

  test('charts and report are byte-identical across two runs', async () => {
    const c2 = await fixtureContext({ breakdowns: false });
    writeStatementFiles(c2.outDir, ['index.html', 'CPA01_2015Q4.html', 'CPA01_2016Q1.html', 'CPA01_2016Q2.html', 'CPA02_2015Q4.html', 'CPA01_2015-12.html', 'CPA01_2015-02-01_to_2016-01-31.html', 'CPA01_contract_years.html']);
    try {
      await renderReport(c2);
    } finally {
      doneWith(c2.db);
    }
    const files = readdirSync(path.join(out, 'charts')).sort();
    expect(readdirSync(path.join(c2.outDir, 'charts')).sort()).toEqual(files);
    for (const f of files) {
      expect(readFileSync(path.join(c2.outDir, 'charts', f)).equals(readFileSync(path.join(out, 'charts', f))), f).toBe(true);
    }
    expect(readFileSync(path.join(c2.outDir, 'report.html'), 'utf8')).toBe(html);
  });
});

describe('--png', () => {
  test('writes a PNG beside each SVG, drawn the same bytes every time', async () => {
    const c = await fixtureContext({ breakdowns: false });
    try {
      await renderReport(c, { png: true });
    } finally {
      doneWith(c.db);
    }
    const dir = path.join(c.outDir, 'charts');
    const files = readdirSync(dir).sort();
    expect(files).toEqual([...charts.keys()].sort().flatMap((id) => [`${id}.png`, `${id}.svg`]));
    const png = readFileSync(path.join(dir, 'outcomes.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The SVG is byte-identical run to run (renderReport test above); its PNG is a pure function of it.
    const svg = await renderSvg(planCharts(data, 12).charts.find((x) => x.id === 'outcomes')!.spec);
    expect(svg).toBe(readFileSync(path.join(dir, 'outcomes.svg'), 'utf8'));
    expect(svgToPng(svg).equals(png)).toBe(true);
  });
});

describe('hostile text', () => {
  test('an area name with markup stays text in the page and in the charts: no element, no script', async () => {
    const c = await fixtureContext();
    try {
      const name = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
      await c.db.run('UPDATE areas SET name = $n WHERE cpa = $c', { n: name, c: 'CPA01' });
      const html = await pageWithoutCharts(c);
      expect(html).not.toMatch(/<script|<img/);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;');
      const d = await loadReportData(c);
      for (const chart of planCharts(d, 12).charts.filter((x) => ['outcomes', 'areas_binary'].includes(x.id))) {
        const svg = await renderSvg(chart.spec);
        expect(svg, chart.id).not.toMatch(/<script|<img|onerror=alert\(2\)>/);
      }
    } finally {
      doneWith(c.db);
    }
  });
});

describe('termination watch', () => {
  test('an area flagged in a final period says so and its table has the column', async () => {
    let html = '';
    const c = await fixtureContext({}, undefined, contractWith({ termination: { increase_points: 5, consecutive_periods: 1 } }));
    try {
      // South 2015Q4: a - B = 0.50 - 0.40 = 10 points >= 5: flagged; every other final period not.
      await c.db.run('ALTER TABLE measures ADD COLUMN termination_watch BOOLEAN');
      await c.db.run("UPDATE measures SET termination_watch = (area = 'CPA02' AND period = '2015Q4') WHERE status = 'final'");
      html = await pageWithoutCharts(c);
    } finally {
      doneWith(c.db);
    }
    const south = section(html, 'area-CPA02');
    expect(south).toContain('<span class="watch">Termination watch flagged</span> in 2015Q4');
    expect(south).toContain('<th scope="col">Termination watch</th>');
    expect(south).toContain('<td><span class="watch">flagged</span></td>');
    expect(section(html, 'area-CPA01')).toContain('<p>Termination watch: not flagged in any final period.</p>');
    expect(html).toContain('<dt>Termination watch</dt><dd>flagged when the adjusted rate is at least 5 points above the baseline in 1 consecutive final periods');
  });
});

describe('optional tables', () => {
  test('without payments and offender_outcomes the report still renders, with notes and no such charts', async () => {
    const c = await fixtureContext({ payments: false, outcomes: false, payOutcomes: false });
    let html = '';
    let ids: string[] = [];
    try {
      ids = planCharts(await loadReportData(c), 12).charts.map((x) => x.id);
      html = await pageWithoutCharts(c);
    } finally {
      doneWith(c.db);
    }
    expect(html).toContain('This run computed no payments.');
    expect(html).toContain('No per-person outcomes');
    expect(ids).toEqual(['national', 'outcomes', 'funnel_latest', 'areas_binary', 'areas_frequency']);
    expect(html).toContain('No statement files in this run folder for this area.');
  });

  test('breakdowns: the national rows of the latest final period, by dimension and band order', async () => {
    // 2016Q1 is the latest final period (2016Q2 is interim); CPA01 and concentration rows are left out.
    // Dimensions sorted by name (age_band before sex), bands by band_order (M = 1 before F = 2).
    const c = await fixtureContext({ breakdowns: true });
    try {
      const d = await loadReportData(c);
      expect(d.breakdowns).not.toBe('shape');
      const rows = d.breakdowns as Exclude<typeof d.breakdowns, 'shape' | null>;
      expect(rows.map((r) => [r.period, r.dimension, r.band, r.measurable, r.binary_rate])).toEqual([
        ['2016Q1', 'age_band', '18-20', 28, 0.5],
        ['2016Q1', 'sex', 'M', 130, 0.469231],
        ['2016Q1', 'sex', 'F', 20, 0.25],
      ]);
    } finally {
      doneWith(c.db);
    }
  });

  test('breakdowns of an unexpected shape are not read, and the page says so', async () => {
    const c = await fixtureContext({ breakdowns: false });
    try {
      await c.db.run("CREATE TABLE breakdowns AS SELECT 'ALL' AS area, 'sex' AS dimension");
      expect(await pageWithoutCharts(c)).toContain('lacks a column this report reads');
    } finally {
      doneWith(c.db);
    }
  });
});
