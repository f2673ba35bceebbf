import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixtureContext } from './report-fixture.js';
import { loadReportData, planCharts, renderReport, type ReportData } from '../src/report/index.js';
import { money, pct, points, int, dec } from '../src/report/format.js';
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
afterAll(() => ctx.db.close());

describe('chart plan', () => {
  test('national charts first, then per area trend, frequency and payments (areas with payment lines only)', () => {
    // Fixture: periods 2015Q4, 2016Q1, 2016Q2; areas CPA01..03; payment lines for CPA01 and CPA02.
    expect([...charts.keys()]).toEqual([
      'trend_ALL', 'frequency_ALL',
      'funnel_2015Q4', 'funnel_2016Q1', 'funnel_2016Q2',
      'reoffending_by_month', 'concentration',
      'trend_CPA01', 'frequency_CPA01', 'payments_CPA01',
      'trend_CPA02', 'frequency_CPA02', 'payments_CPA02',
      'trend_CPA03', 'frequency_CPA03',
    ]);
  });
});

describe('funnel (caterpillar) chart', () => {
  test('layers: band as a bar from lower to upper, baseline tick, adjusted point coloured and shaped by outcome', () => {
    const s = charts.get('funnel_2016Q1');
    expect(s.layer.map((l: J) => l.mark.type)).toEqual(['bar', 'tick', 'point']);
    expect(s.layer[0].encoding.x.field).toBe('lower');
    expect(s.layer[0].encoding.x2.field).toBe('upper');
    expect(s.layer[1].encoding.x.field).toBe('baseline');
    expect(s.layer[2].encoding.x.field).toBe('adjusted');
    expect(s.layer[2].encoding.color.field).toBe('outcome');
    expect(s.layer[2].encoding.color.scale.domain).toEqual(['payment', 'deduction', 'none']);
    expect(s.layer[2].encoding.shape.scale.domain).toEqual(['payment', 'deduction', 'none']);
    expect(s.encoding.y).toMatchObject({ field: 'name', sort: { field: 'rank', order: 'ascending' } });
    expect(s.config.font).toBe('DejaVu Sans');
    expect(s.width).toBe(560);
  });

  test('2016Q1 rows in caterpillar order: furthest below baseline first', () => {
    // a - B: South 0.30-0.40 = -0.10, North 0.48-0.50 = -0.02, West 0.45-0.45 = 0.
    expect(charts.get('funnel_2016Q1').data.values).toEqual([
      { area: 'CPA02', name: 'South', rank: 1, measurable: 40, adjusted: 0.3, baseline: 0.4, lower: 0.35, upper: 0.45, outcome: 'payment' },
      { area: 'CPA01', name: 'North', rank: 2, measurable: 90, adjusted: 0.48, baseline: 0.5, lower: 0.45, upper: 0.55, outcome: 'none' },
      { area: 'CPA03', name: 'West', rank: 3, measurable: 20, adjusted: 0.45, baseline: 0.45, lower: 0.4, upper: 0.5, outcome: 'none' },
    ]);
  });

  test('equal differences are ordered by area order', () => {
    // 2016Q2: North 0.30-0.50 = -0.20; South 0.40-0.40 = 0 and West 0.45-0.45 = 0 tie: South (order 2) first.
    expect(charts.get('funnel_2016Q2').data.values.map((v: J) => v.area)).toEqual(['CPA01', 'CPA02', 'CPA03']);
  });

  test('an area with no measurable cohort comes last, with no rate and outcome none', () => {
    const v = charts.get('funnel_2015Q4').data.values;
    expect(v[2]).toEqual({ area: 'CPA03', name: 'West', rank: 3, measurable: 0, adjusted: null, baseline: 0.45, lower: null, upper: null, outcome: 'none' });
  });

  test('an interim period says so in its title', () => {
    expect(charts.get('funnel_2016Q2').title.text).toContain('interim: not paid');
    expect(charts.get('funnel_2016Q1').title.text).not.toContain('interim');
  });
});

describe('trend and frequency charts', () => {
  test('trend: every period on the axis, the interim period shaded and labelled, three series', () => {
    const s = charts.get('trend_CPA01');
    expect(s.layer.map((l: J) => l.mark.type)).toEqual(['rect', 'line', 'point']);
    expect(s.layer[0].data.values).toEqual([{ period: '2016Q2' }]);
    expect(s.layer[1].encoding.x.axis.labelExpr).toBe("indexof(['2016Q2'], datum.value) >= 0 ? datum.value + ' interim' : datum.value");
    expect(s.layer[1].encoding.x.scale.domain).toEqual(['2015Q4', '2016Q1', '2016Q2']);
    expect(s.layer[1].encoding.color.scale.domain).toEqual(['Binary rate', 'Adjusted binary rate', 'Baseline binary rate']);
  });

  test('trend values of North: binary, adjusted and baseline rate per period', () => {
    // measures fixture, CPA01: (b, a, B) = 2015Q4 (0.4, 0.4, 0.5), 2016Q1 (0.5, 0.48, 0.5), 2016Q2 (0.25, 0.3, 0.5).
    const v = charts.get('trend_CPA01').layer[1].data.values.map((r: J) => [r.period, r.series, r.value]);
    expect(v).toEqual([
      ['2015Q4', 'Binary rate', 0.4], ['2015Q4', 'Adjusted binary rate', 0.4], ['2015Q4', 'Baseline binary rate', 0.5],
      ['2016Q1', 'Binary rate', 0.5], ['2016Q1', 'Adjusted binary rate', 0.48], ['2016Q1', 'Baseline binary rate', 0.5],
      ['2016Q2', 'Binary rate', 0.25], ['2016Q2', 'Adjusted binary rate', 0.3], ['2016Q2', 'Baseline binary rate', 0.5],
    ]);
  });

  test('frequency: a period without reoffenders has only its baseline point', () => {
    // West 2015Q4 has n = 0 (no frequency rate); baseline frequency 2.5 throughout, f = 2.0 after.
    const v = charts.get('frequency_CPA03').layer[1].data.values.map((r: J) => [r.period, r.series, r.value]);
    expect(v).toEqual([
      ['2015Q4', 'Baseline frequency rate', 2.5],
      ['2016Q1', 'Frequency rate', 2], ['2016Q1', 'Baseline frequency rate', 2.5],
      ['2016Q2', 'Frequency rate', 2], ['2016Q2', 'Baseline frequency rate', 2.5],
    ]);
  });

  test('national trend uses area ALL', () => {
    // ALL 2016Q1: b = 66/150 = 0.44, a = 0.43, B = 0.46.
    const v = charts.get('trend_ALL').layer[1].data.values.filter((r: J) => r.period === '2016Q1').map((r: J) => r.value);
    expect(v).toEqual([0.44, 0.43, 0.46]);
  });
});

describe('payments chart', () => {
  test('North: components stacked per contract year', () => {
    // Y1 2015-02-01..2016-01-31: fee 2015-12 + 2016-01 = 2000.00; credit 2016-01 = -5.00;
    //   reconciliation 2015-02-01/2016-01-31 = 250.50; 2015Q4 (ends 2015-12-31) 3200.00 + 450.25 = 3650.25.
    // Y2 2016-02-01..2017-01-31: fee 2016-02 = 980.00; 2016Q1 (ends 2016-03-31) 640.00; cap -40.00.
    const s = charts.get('payments_CPA01');
    expect(s.layer.map((l: J) => l.mark.type)).toEqual(['bar', 'point', 'text']);
    expect(s.layer[0].encoding.y).toMatchObject({ field: 'amount', aggregate: 'sum', stack: 'zero' });
    expect(s.layer[0].data.values.map((r: J) => [r.year, r.group, r.amount])).toEqual([
      ['Y1 2015/16', 'Fee for service', 2000], ['Y1 2015/16', 'Service credits', -5],
      ['Y1 2015/16', 'Volume reconciliation', 250.5], ['Y1 2015/16', 'Results payments', 3650.25],
      ['Y2 2016/17', 'Fee for service', 980], ['Y2 2016/17', 'Results payments', 640], ['Y2 2016/17', 'Caps', -40],
    ]);
    expect(s.layer[0].encoding.color.scale.domain).toEqual(['Fee for service', 'Service credits', 'Volume reconciliation', 'Results payments', 'Caps']);
  });

  test('North: the net per contract year is the sum of its lines', () => {
    // Y1: 2000.00 - 5.00 + 250.50 + 3650.25 = 5895.75; Y2: 980.00 + 640.00 - 40.00 = 1580.00.
    expect(charts.get('payments_CPA01').layer[1].data.values).toEqual([
      { year: 'Y1 2015/16', net: 5895.75, label: 'net £5.9k' },
      { year: 'Y2 2016/17', net: 1580, label: 'net £1.6k' },
    ]);
  });

  test('the month ending a contract year stays in it; the next month starts the next year', () => {
    // 2016-01 fee (1000.00) is in Y1 (to 2016-01-31), 2016-02 (980.00) in Y2 (from 2016-02-01).
    const fee = data.paymentGroups!.filter((g) => g.area === 'CPA01' && g.group_name === 'Fee for service');
    expect(fee.map((g) => [g.year_label, g.amount_text])).toEqual([['Y1 2015/16', '2000.00'], ['Y2 2016/17', '980.00']]);
  });

  test('an area without contract years groups its results lines by financial year of the period end', () => {
    // South: 2015Q4 ends 2015-12-31 and 2016Q1 ends 2016-03-31, both in FY 2015/16 (April 2015 - March 2016).
    expect(charts.get('payments_CPA02').layer[0].data.values.map((r: J) => [r.year, r.group, r.amount])).toEqual([
      ['FY 2015/16', 'Results payments', 1600], ['FY 2015/16', 'Deductions', -1600],
    ]);
  });

  test('a component the report does not know is stacked as Other, never dropped', async () => {
    // A 'bonus' line of 12.34 for West 2016Q1 (ends 2016-03-31, West has no contract years: FY 2015/16).
    const c = await fixtureContext();
    try {
      await c.db.run("INSERT INTO payments VALUES ('CPA03', '2016Q1', 'bonus', 'x', 12.34, 'x')");
      const d = await loadReportData(c);
      expect(d.paymentGroups!.filter((g) => g.area === 'CPA03').map((g) => [g.year_label, g.group_name, g.amount_text]))
        .toEqual([['FY 2015/16', 'Other', '12.34']]);
      expect(d.paymentTable!.find((r) => r.level === 'area' && r.area === 'CPA03')!.other).toBe('12.34');
    } finally {
      c.db.close();
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
    expect(money('-1234567.50')).toBe('\u2212£1,234,567.50');
    expect(money('0.00')).toBe('£0.00');
    expect(money('999.5')).toBe('£999.50');
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

describe('renderReport', () => {
  let out: string;
  let html: string;
  beforeAll(async () => {
    const c = await fixtureContext({ breakdowns: false });
    try {
      await renderReport(c);
    } finally {
      c.db.close();
    }
    out = c.outDir;
    html = readFileSync(path.join(out, 'report.html'), 'utf8');
  });

  test('writes an SVG and a PNG per chart', () => {
    const files = readdirSync(path.join(out, 'charts')).sort();
    const ids = [...charts.keys()].sort();
    expect(files).toEqual(ids.flatMap((id) => [`${id}.png`, `${id}.svg`]));
    const png = readFileSync(path.join(out, 'charts', 'funnel_2015Q4.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  test('SVG text uses the DejaVu Sans font only', () => {
    const svg = readFileSync(path.join(out, 'charts', 'trend_ALL.svg'), 'utf8');
    const fonts = new Set([...svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
    expect([...fonts]).toEqual(['DejaVu Sans']);
  });

  test('report.html is self-contained: lang, landmarks, no script, no external reference', () => {
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
    for (const tag of ['<header', '<nav aria-label="Contents"', '<main>', '<footer']) expect(html).toContain(tag);
    expect(html).not.toMatch(/<script|<link |<img |@import|url\(/);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  test('every chart is inline, labelled by its caption (a text alternative), with a table in its section', () => {
    const ids = [...html.matchAll(/<figure id="fig-([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toEqual([...charts.keys()]);
    for (const id of ids) {
      const start = html.indexOf(`<figure id="fig-${id}"`);
      const fig = html.slice(start, html.indexOf('</figure>', start));
      expect(fig).toContain(`<svg role="img" aria-labelledby="cap-${id}"`);
      const caption = /<figcaption id="cap-[^"]+">([\s\S]*)<\/figcaption>/.exec(fig)![1]!;
      expect(caption.replace(/<[^>]+>/g, '').length).toBeGreaterThan(80);
      // The values as a table, before the section ends.
      const table = html.indexOf('<table', start);
      expect(table).toBeGreaterThan(start);
      expect(table).toBeLessThan(html.indexOf('</section>', start));
    }
  });

  test('national summary first, then the areas, then method, validation and hashes', () => {
    const at = (s: string) => html.indexOf(s);
    const order = ['id="national"', 'id="area-CPA01"', 'id="area-CPA02"', 'id="area-CPA03"', 'id="method"', 'id="validation"', 'id="hashes"', 'id="breakdowns"'];
    const pos = order.map(at);
    expect(pos.every((p) => p > 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
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

  test('the national summary names the latest final period and its outcome', () => {
    // ALL 2016Q1: 150 of 160 measurable, b 44.0%, a 43.0%, B 46.0%, band 44.0%-48.0% -> payment.
    expect(html).toContain('<strong>2016Q1</strong>, 150 of 160 eligible people were measurable and <strong>44.0%</strong>');
    expect(html).toContain('Areas paid / with deductions, 2016Q1');
  });

  test('a missing breakdowns table is skipped with a note', () => {
    expect(html).toContain('This run produced no breakdowns table');
  });

  test('charts and report are byte-identical across two runs', async () => {
    const c2 = await fixtureContext({ breakdowns: false });
    try {
      await renderReport(c2);
    } finally {
      c2.db.close();
    }
    const files = readdirSync(path.join(out, 'charts')).sort();
    expect(readdirSync(path.join(c2.outDir, 'charts')).sort()).toEqual(files);
    for (const f of files) {
      expect(readFileSync(path.join(c2.outDir, 'charts', f)).equals(readFileSync(path.join(out, 'charts', f))), f).toBe(true);
    }
    expect(readFileSync(path.join(c2.outDir, 'report.html'), 'utf8')).toBe(html);
  });
});

describe('optional tables', () => {
  test('without payments and offender_outcomes the report still renders, with notes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-report-min-'));
    const c = await fixtureContext({ payments: false, outcomes: false }, dir);
    try {
      await renderReport(c);
    } finally {
      c.db.close();
    }
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('This run computed no payments.');
    expect(html).toContain('No per-person outcomes');
    expect(existsSync(path.join(dir, 'charts', 'payments_CPA01.svg'))).toBe(false);
    expect(existsSync(path.join(dir, 'charts', 'reoffending_by_month.svg'))).toBe(false);
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
      c.db.close();
    }
  });

  test('breakdowns of an unexpected shape are not read, and the page says so', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-report-shape-'));
    const c = await fixtureContext({ breakdowns: false }, dir);
    try {
      await c.db.run("CREATE TABLE breakdowns AS SELECT 'ALL' AS area, 'sex' AS dimension");
      await renderReport(c);
    } finally {
      c.db.close();
    }
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('lacks a column this report reads');
  });
});
