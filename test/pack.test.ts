import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { doneWith } from './helpers/db.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contractWith, fixtureContext, writeStatementFiles } from './report-fixture.js';
import { pbrIn } from './helpers/cli.js';
import { loadReportData, statementLinks } from '../src/report/index.js';
import { buildPack, decimalSum, loadPackData, writePack, type PackData } from '../src/report/pack.js';
import { Cells } from '../src/report/suppress.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { InputError } from '../src/errors.js';
import type { RunContext } from '../src/core/context.js';
import type { ReportData } from '../src/report/data.js';

// The publication pack of one cohort period (pbr run --focus PERIOD). The fixture (test/report-fixture.ts):
// periods 2015Q4, 2016Q1 final and 2016Q2 interim at as_of 2017-09-30; follow-up 12 + 6 months.

let ctx: RunContext;
let data: ReportData;
let pack: PackData;
let html: string;

beforeAll(async () => {
  ctx = await fixtureContext();
  writeStatementFiles(ctx.outDir, ['index.html', 'CPA01_2016Q1.html', 'CPA01_2016Q2.html', 'CPA02_2016Q1.html', 'CPA01_contract_years.html']);
  data = await loadReportData(ctx);
  pack = await loadPackData(ctx, data, '2016Q1');
  await writePack(ctx, data, '2016Q1', statementLinks(ctx.outDir, data), new Cells(null));
  html = readFileSync(path.join(ctx.outDir, 'pack', 'index.html'), 'utf8');
});
afterAll(() => doneWith(ctx.db));

describe('what the pack covers', () => {
  test('2016Q1 became final on 2017-09-30, the as_of itself; 2015Q4 on 2017-06-30', () => {
    // add_months(2016-03-31, 18) = 2017-09-30; add_months(2015-12-31, 18) = 2017-06-30.
    expect([pack.focus.period, pack.focus.status, pack.focus.final_on]).toEqual(['2016Q1', 'final', '2017-09-30']);
    expect([pack.previous!.period, pack.previous!.final_on]).toEqual(['2015Q4', '2017-06-30']);
  });

  test('the interim outlook is the later periods still interim: 2016Q2, final on 2017-12-30', () => {
    // add_months(2016-06-30, 18) = 2017-12-30 (30 December: the 30th carried, not the month end).
    expect(pack.outlook.map((p) => [p.period, p.final_on])).toEqual([['2016Q2', '2017-12-30']]);
  });

  test('payable per area: the lines of 2016Q1, and the net of the final periods to date', () => {
    // North 2016Q1: payment 640.00, cap -40.00 -> net 600.00; to date 2015Q4 3200.00 + 450.25 and
    // 2016Q1 600.00 = 4250.25. South 2016Q1: payment 1600.00; to date -1600.00 + 1600.00 = 0.00.
    // West: no lines. Fee lines (monthly, reconciliation) are not results lines.
    expect(pack.payable!.map((r) => [r.area, r.payments, r.deductions, r.caps, r.net, r.to_date])).toEqual([
      ['CPA01', '640.00', '0.00', '-40.00', '600.00', '4250.25'],
      ['CPA02', '1600.00', '0.00', '0.00', '1600.00', '0.00'],
      ['CPA03', '0.00', '0.00', '0.00', '0.00', '0.00'],
    ]);
  });

  test('an unknown period is a usage error naming --focus and the periods there are', async () => {
    const e = await loadPackData(ctx, data, '2014Q1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toBe("--focus '2014Q1': not a cohort period of this run (this run's cohort periods run from 2015Q4 to 2016Q2); give one of them, e.g. --focus 2016Q1");
  });
});

describe('pack/index.html', () => {
  test('self-contained: no script, no external reference, no stylesheet file', () => {
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
    expect(html).not.toMatch(/<script|<link |<img |@import|url\(/);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  test('one printed page (section) per area, in area order, each linking its statement and report section', () => {
    const pages = [...html.matchAll(/<section class="page area" id="([^"]+)"/g)].map((m) => m[1]);
    expect(pages).toEqual(['page-area-CPA01', 'page-area-CPA02', 'page-area-CPA03']);
    expect(html).toContain('<a href="../statements/CPA01_2016Q1.html">Statement 2016Q1</a>');
    expect(html).toContain('<a href="../report.html#area-CPA01">Section of the report</a>');
  });

  test('the totals row of the payable table sums the areas exactly', () => {
    // payments 640.00 + 1600.00 = 2240.00; caps -40.00; net 2200.00; to date 4250.25 + 0 + 0.
    expect(html).toContain('<tr class="total"><th scope="row">Total</th><td class="n">£2,240.00</td><td class="n">£0.00</td><td class="n">-£40.00</td><td class="n"><strong>£2,200.00</strong></td><td class="n">£4,250.25</td></tr>');
  });

  test('interim indicative amounts are labelled not payable; a negative one is a deduction', () => {
    // pay_outcomes fixture: North 2016Q2 1234.50, South -320.00, West none.
    expect(html).toContain('<th scope="col" class="n">Indicative amount, not payable</th>');
    expect(html).toContain('<a href="../statements/CPA01_2016Q2.html">£1,234.50</a>');
    expect(html).toContain('-£320.00 deduction');
  });

  test('an area page lists the results lines of the period with their basis and contract key', () => {
    const north = html.slice(html.indexOf('id="page-area-CPA01"'), html.indexOf('id="page-area-CPA02"'));
    expect(north).toContain('<tr><th scope="row">binary payment</th><td>payment</td><td>payments.binary_price</td><td class="n">£640.00</td></tr>');
    expect(north).toContain('<tr><th scope="row">cap</th><td>cap</td><td>payments.cap_per_period</td><td class="n">-£40.00</td></tr>');
    expect(north).toContain('<strong>£600.00</strong>');
  });

  test('every statement link of the pack resolves inside the run folder', () => {
    for (const m of html.matchAll(/href="\.\.\/(statements\/[^"#]+)"/g)) expect(existsSync(path.join(ctx.outDir, m[1]!)), m[1]).toBe(true);
  });

  test('an interim focus period says nothing is payable yet', () => {
    const p: PackData = { ...pack, focus: { ...pack.outlook[0]! }, previous: pack.focus, outlook: [] };
    const page = buildPack(ctx, data, p, statementLinks(ctx.outDir, data), new Cells(null), null);
    expect(page).toContain('is <span class="interim">interim</span> at as_of 2017-09-30: it becomes final on <strong>2017-12-30</strong>. Nothing in this pack is payable for it yet');
  });

  test('small cells are suppressed in the pack as in the report', async () => {
    // West 2016Q1: 20 measurable people, below 25.
    const c = await fixtureContext({}, undefined, contractWith({ publication: { suppress_below: 25 } }));
    try {
      const d = await loadReportData(c);
      const page = buildPack(c, d, await loadPackData(c, d, '2016Q1'), statementLinks(c.outDir, d), new Cells(25), null);
      expect(page).toContain('<tr><th scope="row"><a href="#page-area-CPA03">West</a></th><td class="n">&lt;25</td><td class="n">*</td>');
    } finally {
      doneWith(c.db);
    }
  });
});

describe('exact sums', () => {
  test('pence added as integers', () => {
    expect(decimalSum(['1.05', '-0.10', '2'])).toBe('2.95');
    expect(decimalSum(['-0.05'])).toBe('-0.05');
    expect(decimalSum([])).toBe('0.00');
  });
});

describe('pbr run --focus', () => {
  const data = path.join(FIXTURES_DIR, 'hand');
  const run = async (out: string, focus: string) =>
    await pbrIn(['--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, '--focus', focus], { env: { PBR_CACHE: 'off' } });

  test('writes pack/index.html, records the focus in the manifest, and pbr verify re-runs it', async () => {
    // fixtures/hand: 2024Q1 (final on 2025-09-30, as_of 2025-10-31) and 2024Q2 (interim).
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'pbr-pack-')), 'run');
    const r = await run(out, '2024Q1');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(out, 'pack', 'index.html'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).report).toEqual({ png: false, focus: '2024Q1' });
    const v = await pbrIn(['--quiet', 'verify', out], { env: { PBR_CACHE: 'off' } });
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });

  test('a label that is no period at all: exit 2 before anything runs', async () => {
    const r = await run(path.join(os.tmpdir(), 'pbr-pack-never'), '24Q1');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--focus: expected a cohort period label such as '2019Q3', '2019' or '2019-20'");
  });
});
