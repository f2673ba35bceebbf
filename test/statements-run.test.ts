import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { runPipeline } from '../src/run/pipeline.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { readCsvObjects } from './helpers/csvRead.js';

/**
 * Statements of a whole `pbr run` on the hand-made fixture (fixtures/hand, worked out in
 * test/measure-hand.test.ts) with prices and one fee-for-service contract year for A1 added:
 *
 * - results: A1 2024Q1 is final with a = 0.8125 against B = 0.5 on n = 4: a deduction of
 *   -(0.8125 - 0.5) x 4 x 3,200 = -4,000.00, payable from add_months(2024-03-31, 18) = 2025-09-30;
 *   A1 2024Q2 is interim (a payment if final): no line.
 * - fee, A1 2024-01-01..2024-12-31, bands CO up to 365 days (1) and SSO (1.5): the A1 starts of 2024
 *   that count are S01, S06a, S06c, S07a, S10, S13, S14 (CO, weight 1) and S02 (SSO, 1.5): W = 8.5;
 *   S03 is a custody release (no band), S04 EM-only, S08 a 17-year-old. W above volume_high 2:
 *   (8.5 - 2) x 120,000 / ((1 + 2) / 2) = 6.5 x 80,000 = 520,000.00.
 */
const hand = path.join(FIXTURES_DIR, 'hand');

describe('statements of a pbr run', () => {
  let tmp: string;
  let out: string;
  let dir: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pbr-st-run-'));
    const contract = JSON.parse(readFileSync(path.join(hand, 'contract.json'), 'utf8'));
    contract.payments = { binary_price: 3200, deduction_price: 3200 };
    contract.fee_for_service = {
      bands: [{ start_type: 'CO', max_length_days: 365, weight: 1 }, { start_type: 'SSO', weight: 1.5 }],
      rounding: 'balance-last-month',
      areas: { A1: [{ from: '2024-01-01', to: '2024-12-31', annual_price: 120000, volume_low: 1, volume_high: 2 }] },
    };
    contract.clauses = { 'payments.deduction_price': 'Schedule 4, para 3' };
    const contractPath = path.join(tmp, 'contract.json');
    writeFileSync(contractPath, JSON.stringify(contract));
    out = path.join(tmp, 'run');
    await runPipeline({ dataDir: hand, contractPath, outDir: out, quiet: true, cache: false });
    dir = path.join(out, 'statements');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the results statement agrees with payments.csv to the penny', () => {
    const pay = readCsvObjects(path.join(out, 'payments.csv')).filter((r) => r.area === 'A1' && r.period === '2024Q1');
    expect(pay.map((r) => [r.component, r.amount, r.rule])).toEqual([['binary_deduction', '-4000.00', 'payments.deduction_price']]);
    const rows = readCsvObjects(path.join(dir, 'A1_2024Q1.csv'));
    const line = rows.find((r) => r.component === 'binary_deduction')!;
    expect([line.amount, line.clause, line.payable_from]).toEqual(['-4000.00', 'Schedule 4, para 3', '2025-09-30']);
    expect(rows.find((r) => r.component === 'total')!.amount).toBe('-4000.00');
    expect(readFileSync(path.join(dir, 'A1_2024Q1.html'), 'utf8')).toContain('-4,000.00<span class="ded"> deduction</span>');
  });

  it('the interim period has a statement and no line', () => {
    expect(readCsvObjects(path.join(out, 'payments.csv')).some((r) => r.period === '2024Q2')).toBe(false);
    const html = readFileSync(path.join(dir, 'A1_2024Q2.html'), 'utf8');
    // final on add_months(2024-06-30, 18) = 2025-12-30 (a day of the month is kept, never moved to the month's end)
    expect(html).toContain('interim (final on 2025-12-30): shown, not paid');
    expect(html).toContain('Indicative amount, not payable');
  });

  it("twelve monthly fees and the year's reconciliation, tied to the price", () => {
    const fees = readCsvObjects(path.join(out, 'payments.csv')).filter((r) => r.component === 'fee_for_service');
    // 120,000 / 12 = 10,000.00 every month; the last month's balance is 10,000.00 too
    expect(fees).toHaveLength(12);
    expect(fees.reduce((t, r) => t + Math.round(Number(r.amount) * 100), 0)).toBe(12000000);
    const rec = readCsvObjects(path.join(out, 'payments.csv')).find((r) => r.component === 'volume_reconciliation')!;
    expect([rec.period, rec.amount]).toEqual(['2024-01-01/2024-12-31', '520000.00']);
    const bands = readCsvObjects(path.join(dir, 'A1_2024-01-01_to_2024-12-31.csv')).filter((r) => r.component === 'volume_band');
    expect(bands.map((r) => [r.band, r.starts, r.weight, r.weighted_volume])).toEqual([['1', '7', '1', '7'], ['2', '1', '1.5', '1.5']]);
  });

  it('volumes.csv sits beside statements/, owner-only, with a reason for every start that did not count', () => {
    const file = path.join(out, 'volumes.csv');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).some((f) => f.startsWith('volumes'))).toBe(false);
    const rows = readCsvObjects(file);
    expect(rows).toHaveLength(26); // every row of starts.csv
    const reason = (id: string) => rows.find((r) => r.start_id === id)!.reason;
    expect(reason('S03')).toBe('type_in_no_band');
    expect(reason('S04')).toBe('em_only');
    expect(reason('S05')).toBe('allocation');
    expect(reason('S08')).toBe('under_age');
    expect(reason('SB1a')).toBe('outside_contract_years');
    expect(reason('S09')).toBe('no_contract_years');
    expect(rows.filter((r) => r.counted === 'true').map((r) => r.start_id).sort())
      .toEqual(['S01', 'S02', 'S06a', 'S06c', 'S07a', 'S10', 'S13', 'S14']);
  });

  it('the manifest hashes the workbooks and volumes.csv; no statement file holds a start or person id', () => {
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.outputs)).toContain('volumes.csv');
    expect(Object.keys(manifest.outputs)).toContain('statements/A1.xlsx');
    const ids = readCsvObjects(path.join(hand, 'starts.csv')).flatMap((r) => [r.start_id!, r.person_id!]);
    for (const f of readdirSync(dir).filter((x) => !x.endsWith('.xlsx'))) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      for (const id of ids) expect(new RegExp(`[^A-Za-z0-9]${id}[^A-Za-z0-9]`).test(text), `${f}: ${id}`).toBe(false);
    }
  });

  it("the workbook's Measures sheet holds the area's measures", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'A1.xlsx'));
    const ws = wb.getWorksheet('Measures')!;
    const h = (ws.getRow(1).values as unknown[]).slice(1);
    const get = (r: number, name: string) => ws.getRow(r).getCell(h.indexOf(name) + 1).value;
    // A1 2024Q1: 4 measurable, 3 reoffenders, a = 0.8125: deduction; 2024Q2: 3 measurable, a payment
    expect([get(2, 'Period'), get(2, 'Measurable'), get(2, 'Reoffenders'), get(2, 'Adjusted binary rate'), get(2, 'Binary outcome')])
      .toEqual(['2024Q1', 4, 3, 0.8125, 'deduction']);
    expect([get(3, 'Period'), get(3, 'Measurable'), get(3, 'Binary outcome')]).toEqual(['2024Q2', 3, 'payment']);
    expect(ws.rowCount).toBe(3);
  });
});
