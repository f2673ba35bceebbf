import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { runAssess } from '../src/run/assess.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { readCsvObjects } from './helpers/csvRead.js';

/**
 * Statements written by `pbr assess` (no starts, no measures table, no report) for the Peterborough
 * anchors of anchors.md (fixtures/aggregates/peterborough.csv): cohorts 1 and 2 below the 10%
 * cohort threshold, the whole pilot 1 - 2,821 / 3,100 = 9.0% at or above 7.5%: a payment of
 * (155.0 - 141.05) / 100 x 2,000 x GBP 1,000 = 279,000.00.
 */
describe('statements of pbr assess', () => {
  let out: string;
  let dir: string;

  beforeAll(async () => {
    out = mkdtempSync(path.join(os.tmpdir(), 'pbr-st-assess-'));
    const agg = path.join(FIXTURES_DIR, 'aggregates');
    await runAssess({ aggregates: path.join(agg, 'peterborough.csv'), contract: path.join(agg, 'peterborough.contract.json'), out });
    dir = path.join(out, 'statements');
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes a statement per cohort and for the whole pilot, a summary, a workbook and the index; no volumes.csv', () => {
    expect(readdirSync(dir).sort()).toEqual([
      'PBORO.xlsx', 'PBORO_ALL.csv', 'PBORO_ALL.html', 'PBORO_cohort1.csv', 'PBORO_cohort1.html',
      'PBORO_cohort2.csv', 'PBORO_cohort2.html', 'PBORO_contract_years.csv', 'PBORO_contract_years.html', 'index.html',
    ]);
    expect(readdirSync(out)).not.toContain('volumes.csv');
  });

  it('no page links to a report that pbr assess does not write', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.html'))) {
      expect(readFileSync(path.join(dir, f), 'utf8'), f).not.toContain('report.html');
    }
  });

  it('the whole-pilot statement and the workbook carry the payment of payments.csv', async () => {
    const pay = readCsvObjects(path.join(out, 'payments.csv'));
    expect(pay.map((r) => [r.period, r.amount])).toEqual([['ALL', '279000.00']]);
    const total = readCsvObjects(path.join(dir, 'PBORO_ALL.csv')).find((r) => r.component === 'total')!;
    expect(total.amount).toBe('279000.00');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'PBORO.xlsx'));
    const ws = wb.getWorksheet('Results')!;
    const h = (ws.getRow(1).values as unknown[]).slice(1);
    const rows = Array.from({ length: ws.rowCount - 1 }, (_, i) => ws.getRow(i + 2));
    const cell = (r: ExcelJS.Row, name: string) => r.getCell(h.indexOf(name) + 1).value;
    const got = rows.map((r) => [cell(r, 'Period'), cell(r, 'Component'), cell(r, 'Amount')]);
    expect(got.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['ALL', 'frequency_payment', 279000], ['cohort1', 'none', null], ['cohort2', 'none', null],
    ]);
    // the Measures sheet has one row per results period, from the figures behind the statements
    expect(wb.getWorksheet('Measures')!.rowCount).toBe(4);
  });
});
