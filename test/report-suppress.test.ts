import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { doneWith } from './helpers/db.js';
import { contractWith, fixtureContext, pageWithoutCharts } from './report-fixture.js';
import { loadReportData, planCharts } from '../src/report/index.js';
import { Cells } from '../src/report/suppress.js';
import type { RunContext } from '../src/core/context.js';

// Small cells (method.md section 15): with publication.suppress_below N, report.html shows a count
// of people below N as <N and every rate computed from it as *. The fixture's counts are worked
// out in test/report-fixture.ts; here N = 25.

/* eslint-disable @typescript-eslint/no-explicit-any */
type J = any;

describe('the rule', () => {
  const cells = new Cells(10);

  test('a count below the threshold is <N, a count at it is shown', () => {
    expect(cells.count(9)).toBe('&lt;10');
    expect(cells.count(10)).toBe('10');
    expect(cells.count(0)).toBe('&lt;10');
  });

  test('a rate is * when any count it is computed from is below the threshold', () => {
    // r / n = 5 / 20: r = 5 < 10.
    expect(cells.pct(0.25, [20, 5])).toBe('*');
    // 12 / 20: both counts at least 10.
    expect(cells.pct(0.6, [20, 12])).toBe('60.0%');
  });

  test('without publication.suppress_below nothing is suppressed', () => {
    const none = new Cells(null);
    expect(none.count(3)).toBe('3');
    expect(none.pct(0.25, [4, 1])).toBe('25.0%');
  });
});

let ctx: RunContext;
let html: string;
let charts: Map<string, J>;

beforeAll(async () => {
  ctx = await fixtureContext({ breakdowns: true }, undefined, contractWith({ publication: { suppress_below: 25 } }));
  html = await pageWithoutCharts(ctx);
  const cells = new Cells(25);
  charts = new Map(planCharts(await loadReportData(ctx), 12, cells).charts.map((c) => [c.id, JSON.parse(JSON.stringify(c.spec))]));
});
afterAll(() => doneWith(ctx.db));

describe('report.html with suppress_below 25', () => {
  test('North 2016Q2: 20 reoffenders is <25; the rates from it are *; expected and baseline rates stay', () => {
    // n = 80 (shown), r = 20 (< 25): binary, adjusted, band and difference from r are *; the expected
    // rate comes from n only (45.0%), the baseline from B_n = 1000 (50.0%).
    expect(html).toContain('<tr><th scope="row">2016Q2</th><td><span class="interim">interim</span></td><td class="n">80</td><td class="n">80</td><td class="n">&lt;25</td><td class="n">*</td><td class="n">45.0%</td><td class="n">*</td><td class="n">50.0%</td><td class="n">*</td><td class="n">*</td><td><span class="o-payment">payment</span></td></tr>');
  });

  test('reoffences per reoffender come from the reoffenders: * when they are few; offences are not people', () => {
    // North 2016Q2: r = 20 < 25, k = 40 shown, f = 2.00 hidden, baseline 3.50 shown.
    expect(html).toContain('<tr><th scope="row">2016Q2</th><td><span class="interim">interim</span></td><td class="n">&lt;25</td><td class="n">40</td><td class="n">*</td><td class="n">3.50</td><td>reduced</td></tr>');
  });

  test('West 2016Q1: every count of 20 people is <25', () => {
    // eligible 20, measurable 20, reoffenders 9: all below 25.
    expect(html).toContain('<tr><th scope="row">2016Q1</th><td>final</td><td class="n">&lt;25</td><td class="n">&lt;25</td><td class="n">&lt;25</td><td class="n">*</td><td class="n">*</td><td class="n">*</td><td class="n">45.0%</td><td class="n">*</td><td class="n">*</td><td><span class="o-none">none</span></td></tr>');
  });

  test('breakdowns: a group of 20 people is <25 with its rates *', () => {
    // 2016Q1 sex F: eligible 20, measurable 20, reoffenders 5.
    expect(html).toContain('<tr><th scope="row"></th><td>F</td><td class="n">&lt;25</td><td class="n">&lt;25</td><td class="n">&lt;25</td><td class="n">*</td><td class="n">*</td><td class="n">*</td></tr>');
    // sex M: 140, 130, 61: all shown.
    expect(html).toContain('<td>M</td><td class="n">140</td><td class="n">130</td><td class="n">61</td><td class="n">46.9%</td>');
  });

  test('cumulative shares of a cohort of 6 measurable people are *', () => {
    // 2015Q4 has six measurable people in offender_outcomes.
    expect(html).toContain('<tr><th scope="row">2015Q4</th><td>final</td><td class="n">&lt;25</td><td class="n">*</td>');
  });

  test('the page says what is suppressed and that the CSV files and statements keep exact figures', () => {
    expect(html).toContain('Counts of fewer than 25 people are shown as &lt;25 and the rates computed from them as *');
    expect(html).toContain('measures.csv, payments.csv and the statements keep the exact figures');
  });
});

describe('charts with suppress_below 25', () => {
  test('a rate from a small count is left out of the small multiples', () => {
    // North 2016Q2 (r = 20) and West 2016Q1 (n = 20): no adjusted rate, no band; baselines drawn.
    const v = charts.get('areas_binary').data.values;
    const north = v.find((r: J) => r.label === 'North' && r.period === '2016Q2');
    expect([north.adjusted, north.lower, north.upper, north.baseline]).toEqual([null, null, null, 0.5]);
    const west = v.find((r: J) => r.label === 'West' && r.period === '2016Q1');
    expect([west.adjusted, west.baseline]).toEqual([null, 0.45]);
    // North 2016Q1 (n = 90, r = 45) is drawn.
    expect(v.find((r: J) => r.label === 'North' && r.period === '2016Q1').adjusted).toBe(0.48);
  });

  test('the latest funnel leaves out West (20 measurable) and keeps its outcome', () => {
    const w = charts.get('funnel_latest').data.values.find((r: J) => r.area === 'CPA03');
    expect([w.adjusted, w.lower, w.upper, w.outcome]).toEqual([null, null, null, 'none']);
  });

  test('cumulative series of fewer than 25 people, and concentration groups of fewer than 25 reoffenders, are not drawn', () => {
    // Every cohort of the fixture's offender_outcomes has at most 6 people: nothing left to draw.
    expect(charts.has('reoffending_by_month')).toBe(false);
    expect(charts.has('concentration')).toBe(false);
  });
});
