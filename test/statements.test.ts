import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { RunContext } from '../src/core/context.js';
import type { ContractInput } from '../src/contract/schema.js';
import { writeStatements } from '../src/statements/index.js';
import { statementHtml } from '../src/statements/html.js';
import { metaOf } from '../src/statements/format.js';
import { FEE_CONTRACT, payFixture } from './helpers/feeFixture.js';
import { readCsvObjects } from './helpers/csvRead.js';

/**
 * Statements from the hand-made fee run (test/helpers/feeFixture.ts) plus results periods written
 * into pay_outcomes and payments directly, as the mechanism fills them:
 *
 * - CPA01 2015Q4, final: n 200, r 90, k 300; b = 90/200 = 0.45; e 0.50, B_e 0.52;
 *   a = b - (e - B_e) = 0.45 - (0.50 - 0.52) = 0.47; B 0.50; thresholds 0.48 - 0.52: a < 0.48, a
 *   payment of (B - a) x n x price = 0.03 x 200 x 3,200 = 19,200.00; final on 2015-12-31 + 18
 *   months = 2017-06-30.
 * - CPA01 2021Q1, interim (final on 2022-09-30, after as_of 2022-01-31): indicative -4,321.00.
 * - CPA02 2015Q4, final, figures not filled (NULL): a deduction line of -640.00.
 */
const CONTRACT: ContractInput = {
  ...FEE_CONTRACT,
  payments: { binary_price: 3200, deduction_price: 3200 },
  clauses: {
    'payments.binary_price': 'Schedule 4, para 2.3',
    'fee_for_service.annual_price': 'Schedule 5, para 1',
    'fee_for_service.areas.CPA02[0].annual_price': 'Schedule 5, para 1 (Area Two)',
  },
};

const RESULTS = `
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary, period_kind,
  n, r, k, binary_rate, expected_rate, baseline_expected_rate, adjusted_rate, baseline_rate, lower_threshold, upper_threshold,
  frequency_rate, baseline_frequency_rate, frequency_outcome, threshold_source, adjustment_text, reason_text, indicative_amount, termination_watch)
VALUES
  ('CPA01', 1, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', DATE '2017-06-30', 'payment', 'adjusted binary rate 47.0% against the baseline 50.0%: payment', 'cohort',
   200, 90, 300, 0.45, 0.5, 0.52, 0.47, 0.5, 0.48, 0.52, 3.333333, 3.5, 'reduced', 'baseline-band',
   'a = b - (e - B_e) = 45.0% - (50.0% - 52.0%) = 47.0%', 'a 47.0% is below the lower threshold 48.0%', NULL, NULL),
  ('CPA01', 1, '2021Q1', DATE '2021-01-01', DATE '2021-03-31', 'interim', DATE '2022-09-30', 'deduction', 'interim result', 'cohort',
   100, 60, 150, 0.6, 0.5, 0.5, 0.6, 0.5, 0.45, 0.55, 2.5, 3.5, 'reduced', 'baseline-band',
   'a = b - (e - B_e) = 60.0% - (50.0% - 50.0%) = 60.0%', 'a 60.0% is above the upper threshold 55.0%', -4321.00, false),
  ('CPA02', 2, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', DATE '2017-06-30', 'deduction', NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail, price, exact_amount)
VALUES
  ('CPA01', '2015Q4', 'binary_payment', '(50.0% - 47.0%) x 200 offenders x GBP 3,200.00: baseline minus adjusted', 19200.00, 'payments.binary_price',
   1, DATE '2015-10-01', DATE '2015-12-31', 'final', 'results', 1, '2015-02-01/2016-01-31', NULL, '3200', '19200.000000'),
  ('CPA02', '2015Q4', 'binary_deduction', '-(52.0% - 50.0%) x 10 offenders x GBP 3,200.00: adjusted minus baseline', -640.00, 'payments.deduction_price',
   2, DATE '2015-10-01', DATE '2015-12-31', 'final', 'results', 2, '2015-01-01/2015-12-31', NULL, NULL, NULL);
`;

describe('statements', () => {
  let ctx: RunContext;
  let dir: string;
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');

  beforeAll(async () => {
    ctx = await payFixture(CONTRACT);
    await ctx.db.run(RESULTS);
    await writeStatements(ctx, { report: true });
    dir = path.join(ctx.outDir, 'statements');
  });
  afterAll(() => {
    ctx.db.close();
    rmSync(ctx.outDir, { recursive: true, force: true });
  });

  it('a results statement shows n, r, k, the rates, the adjustment with its numbers, B, the thresholds and why', () => {
    const html = read('CPA01_2015Q4.html');
    expect(html).toContain('<th>Measurable offenders (n)</th><td>200</td>');
    expect(html).toContain('<th>Reoffenders (r)</th><td>90</td>');
    expect(html).toContain('<th>Reoffences counted (k)</th><td>300</td>');
    // b = 90 / 200 = 0.45 shown as the 6-place decimal of measures.csv and as a percentage
    expect(html).toContain('<th>Observed binary rate (b = r / n)</th><td>0.450000 (45.0%)</td>');
    expect(html).toContain('<th>Expected rate of this cohort (e, mean OGRS)</th><td>0.500000 (50.0%)</td>');
    expect(html).toContain('<th>Expected rate of the baseline (B_e)</th><td>0.520000 (52.0%)</td>');
    expect(html).toContain('a = b - (e - B_e) = 45.0% - (50.0% - 52.0%) = 47.0% (a = 0.470000)');
    expect(html).toContain('<th>Baseline binary rate (B)</th><td>0.500000 (50.0%)</td>');
    expect(html).toContain('<th>Thresholds (baseline-band)</th><td>lower 0.480000 (48.0%), upper 0.520000 (52.0%)</td>');
    expect(html).toContain('payment: a 47.0% is below the lower threshold 48.0%');
  });

  it('a results line shows its key with the clause, the price, the exact and the rounded amount and the payable-from date', () => {
    const html = read('CPA01_2015Q4.html');
    expect(html).toContain('payments.binary_price<br>Schedule 4, para 2.3');
    expect(html).toContain('price GBP 3,200.00; exact amount 19,200.000000; payable from 2017-06-30');
    expect(html).toContain('<td class="num">19,200.00</td>');
    expect(html).toContain('final: payable from 2017-06-30');
  });

  it('the statement CSV carries the same figures on the results line, as numbers', () => {
    const rows = readCsvObjects(path.join(dir, 'CPA01_2015Q4.csv'));
    const line = rows.find((r) => r.component === 'binary_payment')!;
    expect([line.n, line.r, line.k]).toEqual(['200', '90', '300']);
    expect([line.binary_rate, line.expected_rate, line.baseline_expected_rate, line.adjusted_rate, line.baseline_rate])
      .toEqual(['0.450000', '0.500000', '0.520000', '0.470000', '0.500000']);
    expect([line.lower_threshold, line.upper_threshold, line.binary_outcome]).toEqual(['0.480000', '0.520000', 'payment']);
    expect(line.adjustment).toBe('a = b - (e - B_e) = 45.0% - (50.0% - 52.0%) = 47.0%');
    expect([line.price, line.exact_amount, line.amount]).toEqual(['3200', '19200.000000', '19200.00']);
    expect([line.rule, line.clause, line.payable_from]).toEqual(['payments.binary_price', 'Schedule 4, para 2.3', '2017-06-30']);
    expect(rows.find((r) => r.component === 'total')!.amount).toBe('19200.00');
  });

  it('figures the mechanism has not filled show as n/a (HTML) and empty cells (CSV)', () => {
    const html = read('CPA02_2015Q4.html');
    expect(html).toContain('<th>Measurable offenders (n)</th><td>n/a</td>');
    expect(html).toContain('price n/a; exact amount n/a; payable from 2017-06-30');
    const line = readCsvObjects(path.join(dir, 'CPA02_2015Q4.csv')).find((r) => r.component === 'binary_deduction')!;
    expect([line.n, line.binary_rate, line.price, line.amount]).toEqual(['', '', '', '-640.00']);
  });

  it('a deduction is shown with a minus sign and the word deduction', () => {
    expect(read('CPA02_2015Q4.html')).toContain('<td class="num">-640.00<span class="ded"> deduction</span></td>');
  });

  it('an interim period shows its indicative amount, labelled not payable, and no line', () => {
    const html = read('CPA01_2021Q1.html');
    expect(html).toContain('Indicative amount, not payable: GBP -4,321.00.');
    expect(html).toContain('becomes final on 2022-09-30');
    expect(html).toContain('No line: an interim period is never paid.');
    const rows = readCsvObjects(path.join(dir, 'CPA01_2021Q1.csv'));
    const outcome = rows.find((r) => r.component === 'outcome')!;
    expect([outcome.amount, outcome.indicative_amount, outcome.payable_from]).toEqual(['', '-4321.00', '2022-09-30']);
    expect(outcome.basis).toContain('not payable');
    expect(rows.find((r) => r.component === 'total')!.amount).toBe('0.00');
  });

  it('a contract-year-specific clause wins over the generic key', () => {
    expect(read('CPA02_2015-05.html')).toContain('fee_for_service.areas.CPA02[0].annual_price<br>Schedule 5, para 1 (Area Two)');
    expect(read('CPA01_2015-05.html')).toContain('fee_for_service.areas.CPA01[0].annual_price<br>Schedule 5, para 1');
    const fee = readCsvObjects(path.join(dir, 'CPA01_2015-05.csv')).find((r) => r.component === 'fee_for_service')!;
    expect(fee.clause).toBe('Schedule 5, para 1');
  });

  it('fee statements say which fee rounding rule applies', () => {
    expect(read('CPA01_2015-05.html')).toContain("per-month: each month's fee (one twelfth of the year's price) is rounded to pence on its own");
  });

  it('each statement links back to the index, its contract-year summary and its report section', () => {
    const html = read('CPA01_2015Q4.html');
    expect(html).toContain('<a href="index.html">');
    expect(html).toContain('<a href="CPA01_contract_years.html">');
    expect(html).toContain('<a href="../report.html#area-CPA01">');
    expect(html).toContain('<a href="../report.html#period-2015Q4">');
  });

  it('every link between statement pages resolves to a file and an anchor that exist', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.html'))) {
      const html = read(f);
      for (const m of html.matchAll(/href="([^"]+)"/g)) {
        const href = m[1]!;
        if (href.startsWith('../report.html')) continue; // written by the report stage of pbr run
        const [file, anchor] = href.split('#');
        const target = file ? file : f;
        expect(existsSync(path.join(dir, target)), `${f} -> ${href}`).toBe(true);
        if (anchor) expect(read(target), `${f} -> ${href}`).toContain(`id="${anchor}"`);
      }
    }
  });

  it('the contract-year summary has a total row: the sum of the years (and of every statement)', () => {
    // year 1: fees 1,200,000.00, credits -500.00, reconciliation 624,000.00, results 19,200.00 = 1,842,700.00
    // year 2: fees 1,176,000.00, credits -980.00, reconciliation -470,400.00 = 704,620.00
    // total: 2,376,000.00, -1,480.00, 153,600.00, 19,200.00, net 2,547,320.00
    const rows = readCsvObjects(path.join(dir, 'CPA01_contract_years.csv'));
    const years = rows.filter((r) => r.row_kind === 'contract_year');
    expect(years.map((r) => [r.contract_year, r.fee_for_service, r.service_credit, r.volume_reconciliation, r.results, r.net])).toEqual([
      ['2015-02-01/2016-01-31', '1200000.00', '-500.00', '624000.00', '19200.00', '1842700.00'],
      ['2016-02-01/2017-01-31', '1176000.00', '-980.00', '-470400.00', '0.00', '704620.00'],
    ]);
    const total = rows.find((r) => r.row_kind === 'total')!;
    expect([total.fee_for_service, total.service_credit, total.volume_reconciliation, total.results, total.net])
      .toEqual(['2376000.00', '-1480.00', '153600.00', '19200.00', '2547320.00']);
    expect(read('CPA01_contract_years.html')).toContain('<tr class="total"><td>Total, all contract years</td>');
  });

  it('the contract-year summary links the monthly, reconciliation and results statements of each year', () => {
    const html = read('CPA01_contract_years.html');
    const year1 = html.slice(html.indexOf('id="year-2015-02-01_to_2016-01-31"'), html.indexOf('id="year-2016-02-01_to_2017-01-31"'));
    expect(year1).toContain('href="CPA01_2015-02.html"');
    expect(year1).toContain('href="CPA01_2016-01.html"');
    expect(year1).toContain('href="CPA01_2015-02-01_to_2016-01-31.html"');
    expect(year1).toContain('href="CPA01_2015Q4.html"');
    // 2021Q1 ends after every contract year of CPA01
    expect(html.slice(html.indexOf('id="outside"'))).toContain('href="CPA01_2021Q1.html"');
  });

  it('the contract-year summary and the reconciliation statement show the volume per band', () => {
    // year 1 of CPA01: band 1 (CO up to 365 days, weight 1): s1, s3, s8 = 3 starts, 3; band 2 (CO any length, 1.3): s2 = 1.3
    const rows = readCsvObjects(path.join(dir, 'CPA01_contract_years.csv')).filter((r) => r.row_kind === 'band' && r.contract_year === '2015-02-01/2016-01-31');
    expect(rows.map((r) => [r.band, r.band_description, r.weight, r.starts, r.weighted_volume]))
      .toEqual([['1', 'CO, up to 365 days', '1', '3', '3'], ['2', 'CO, any length', '1.3', '1', '1.3']]);
    const year = readCsvObjects(path.join(dir, 'CPA01_contract_years.csv')).find((r) => r.row_kind === 'contract_year')!;
    expect([year.starts, year.weighted_volume, year.volume_low, year.volume_high]).toEqual(['4', '4.3', '2', '3']);
    const rec = readCsvObjects(path.join(dir, 'CPA01_2015-02-01_to_2016-01-31.csv')).filter((r) => r.component === 'volume_band');
    expect(rec.map((r) => [r.band, r.starts, r.weight, r.weighted_volume])).toEqual([['1', '3', '1', '3'], ['2', '1', '1.3', '1.3']]);
    expect(read('CPA01_2015-02-01_to_2016-01-31.html')).toContain('Volume behind the reconciliation');
  });

  it('statements/index.html lists every statement, summary and workbook', () => {
    const index = read('index.html');
    const pages = readdirSync(dir).filter((f) => f.endsWith('.html') && f !== 'index.html');
    for (const f of pages) expect(index, f).toContain(`href="${f}"`);
    for (const a of ['CPA01', 'CPA02', 'CPA03', 'CPA04']) expect(index).toContain(`href="${a}.xlsx"`);
    expect(index).toContain('href="../report.html"');
  });

  it('each area workbook opens with ExcelJS: amounts are numbers, dates are dates, period labels are text', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'CPA01.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Results', 'Fees', 'Service credits', 'Volumes', 'Measures']);
    const results = wb.getWorksheet('Results')!;
    const header = (results.getRow(1).values as unknown[]).slice(1);
    const row = results.getRow(2);
    const cell = (name: string) => row.getCell(header.indexOf(name) + 1).value;
    expect(cell('Period')).toBe('2015Q4');
    expect(cell('Amount')).toBe(19200);
    expect(cell('n')).toBe(200);
    expect(cell('Binary rate b')).toBe(0.45);
    expect(cell('Payable from')).toEqual(new Date('2017-06-30T00:00:00Z'));
    const fees = wb.getWorksheet('Fees')!;
    const fh = (fees.getRow(1).values as unknown[]).slice(1);
    // 2015-02 stays the text it is (a CSV opened in Excel would turn it into a date)
    expect(fees.getRow(2).getCell(fh.indexOf('Period') + 1).value).toBe('2015-02');
    expect(fees.getRow(2).getCell(fh.indexOf('Amount') + 1).value).toBe(100000);
    const summary = wb.getWorksheet('Summary')!;
    const sh = (summary.getRow(1).values as unknown[]).slice(1);
    const last = summary.getRow(summary.rowCount);
    expect(last.getCell(sh.indexOf('Contract year') + 1).value).toBe('total, all contract years');
    expect(last.getCell(sh.indexOf('Net') + 1).value).toBe(2547320);
    const volumes = wb.getWorksheet('Volumes')!;
    const vh = (volumes.getRow(1).values as unknown[]).slice(1);
    expect(vh).not.toContain('start_id');
    expect(volumes.getRow(2).getCell(vh.indexOf('Weighted volume') + 1).value).toBe(3);
  });

  it('writes the same bytes again (statements, summaries, workbooks, payments.csv)', async () => {
    const again = mkdtempSync(path.join(os.tmpdir(), 'pbr-st-again-'));
    try {
      await writeStatements({ ...ctx, outDir: again }, { report: true });
      const files = readdirSync(dir);
      expect(readdirSync(path.join(again, 'statements'))).toEqual(files);
      for (const f of files) {
        expect(readFileSync(path.join(again, 'statements', f)).equals(readFileSync(path.join(dir, f))), f).toBe(true);
      }
      expect(readFileSync(path.join(again, 'payments.csv')).equals(readFileSync(path.join(ctx.outDir, 'payments.csv')))).toBe(true);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('prints the rejected-row count when rows were rejected', () => {
    const m = { ...metaOf(ctx, false), rejected: 3 };
    const html = statementHtml(m, {
      area: 'X', area_name: 'X', period: '2015-01', period_start: '2015-01-01', period_end: '2015-01-31', status: 'final',
      section: 'fee', has_outcome: false, total: '0.00', lines: 0, contract_years: [],
    } as unknown as Parameters<typeof statementHtml>[1], [], []);
    expect(html).toContain('3 rows were rejected by validation and left out (--allow-rejects)');
  });
});
