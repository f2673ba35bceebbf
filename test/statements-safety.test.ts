import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { RunContext } from '../src/core/context.js';
import type { ContractInput } from '../src/contract/schema.js';
import { statementBase } from '../src/core/names.js';
import { writeStatements } from '../src/statements/index.js';
import { MEASURES_DDL, payFixture } from './helpers/feeFixture.js';
import { parseCsv } from './helpers/csvRead.js';

/**
 * Issue 13: statement file names are injective, and no text cell of payments.csv, volumes.csv, a
 * statement CSV or a workbook starts with =, +, -, @, a tab or a carriage return unescaped, even
 * when area codes and names do.
 */
const AREAS = ['=HYPERLINK("x")', '+44', 'CPA.01', 'CPA_01', 'A/B', 'A_to_B', '@home', '-minus'];
const year = [{ from: '2015-01-01', to: '2015-12-31', annual_price: 12000, volume_low: 0, volume_high: 0.5 }];
const CONTRACT: ContractInput = {
  contract: 'hostile-names',
  payments: { deduction_price: 3200 },
  fee_for_service: { bands: [{ start_type: 'CO', weight: 1 }], areas: Object.fromEntries(AREAS.map((a) => [a, year])) },
  // names that look like formulas too
  areas: Object.fromEntries(AREAS.map((a, i) => [a, i % 2 === 0 ? `=cmd|' /C calc'!A${i}` : `+name ${i}`])),
};

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const TABLES = `
CREATE TABLE areas AS SELECT * FROM (VALUES ${AREAS.map((a, i) => `(${q(a)}, ${q(CONTRACT.areas![a]!)}, ${i + 1})`).join(', ')}) t(cpa, name, area_order);
CREATE TABLE cohort AS SELECT 'P1' AS person_id, DATE '1980-01-01' AS date_of_birth, 'M' AS sex, true AS pnc_matched, 'treatment' AS "group", 0::BIGINT AS _line;
CREATE TABLE starts AS SELECT start_id, 'P1' AS person_id, DATE '2015-03-10' AS start_date, 'CO' AS start_type, 100 AS sentence_length_days,
  cpa, 'CRC' AS allocation, false AS em_only, 0.5::DECIMAL(18,12) AS ogrs, 0::BIGINT AS _line
FROM (VALUES ${AREAS.map((a, i) => `(${q(i === 0 ? '=1+1' : `s${i}`)}, ${q(a)})`).join(', ')}, ('@2', '+44')) t(start_id, cpa);
CREATE TABLE service_levels (cpa VARCHAR, month VARCHAR, measure VARCHAR, achieved DECIMAL(18,12), target DECIMAL(18,12), _line BIGINT);
CREATE TABLE baselines_input (cpa VARCHAR, population VARCHAR, baseline_measurable BIGINT, baseline_binary_rate DECIMAL(18,12), baseline_expected_rate DECIMAL(18,12), baseline_frequency_rate DECIMAL(18,12), _line BIGINT);
CREATE TABLE offender_outcomes (area VARCHAR, period VARCHAR, "group" VARCHAR, measurable BOOLEAN, reoffender BOOLEAN, reoffences BIGINT, reconviction_events BIGINT, conviction_only_reoffender BOOLEAN, conviction_only_events BIGINT, ogrs DECIMAL(18,12), is_baseline BOOLEAN);
${MEASURES_DDL}
`;

// a results deduction of the first area, as the mechanism writes it: its basis starts with '-('
const RESULTS = `
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary)
VALUES (${q(AREAS[0]!)}, 1, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', DATE '2017-06-30', 'deduction', '-a deduction');
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label)
VALUES (${q(AREAS[0]!)}, '2015Q4', 'binary_deduction', '-(52.0% - 50.0%) x 10 offenders x GBP 3,200.00', -640.00, 'payments.deduction_price',
  1, DATE '2015-10-01', DATE '2015-12-31', 'final', 'results', 2, '2015-01-01/2015-12-31');
`;

const NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA = /^[=+\-@\t\r]/;

function unsafeCsvCells(file: string): string[] {
  const out: string[] = [];
  for (const row of parseCsv(readFileSync(file, 'utf8'))) {
    for (const cell of row) if (!NUMBER.test(cell) && FORMULA.test(cell)) out.push(`${path.basename(file)}: ${cell}`);
  }
  return out;
}

describe('statements with hostile area codes and names', () => {
  let ctx: RunContext;
  let dir: string;

  beforeAll(async () => {
    ctx = await payFixture(CONTRACT, TABLES);
    await ctx.db.run(RESULTS);
    await writeStatements(ctx, { volumes: true });
    dir = path.join(ctx.outDir, 'statements');
  });
  afterAll(() => {
    ctx.db.close();
    rmSync(ctx.outDir, { recursive: true, force: true });
  });

  it('gives every area its own files: CPA.01 and CPA_01, A/B and A_to_B do not overwrite each other', () => {
    const files = readdirSync(dir);
    // per area 12 monthly statements and 1 reconciliation (weighted volume 1 or 2 > 0.5), plus 1 results
    // statement of the first area: 8 x 13 + 1 = 105 statements, each .html and .csv; 8 summaries
    // (.html, .csv), 8 workbooks, the index
    expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(105 + 8 + 1);
    expect(files.filter((f) => f.endsWith('.csv'))).toHaveLength(105 + 8);
    expect(files.filter((f) => f.endsWith('.xlsx'))).toHaveLength(8);
    for (const [a, b] of [['CPA.01', 'CPA_01'], ['A/B', 'A_to_B']]) {
      expect(statementBase(a!, '2015-01')).not.toBe(statementBase(b!, '2015-01'));
      expect(files).toContain(`${statementBase(a!, '2015-01')}.html`);
      expect(files).toContain(`${statementBase(b!, '2015-01')}.html`);
    }
  });

  it('no text cell of payments.csv, volumes.csv or a statement CSV starts with a formula character unescaped', () => {
    const csvs = [path.join(ctx.outDir, 'payments.csv'), path.join(ctx.outDir, 'volumes.csv'),
      ...readdirSync(dir).filter((f) => f.endsWith('.csv')).map((f) => path.join(dir, f))];
    expect(csvs.flatMap(unsafeCsvCells)).toEqual([]);
  });

  it('payments.csv keeps the text with a leading apostrophe and the numbers as numbers', () => {
    const rows = parseCsv(readFileSync(path.join(ctx.outDir, 'payments.csv'), 'utf8'));
    const ded = rows.find((r) => r[2] === 'binary_deduction')!;
    expect(ded).toEqual(["'=HYPERLINK(\"x\")", '2015Q4', 'binary_deduction', "'-(52.0% - 50.0%) x 10 offenders x GBP 3,200.00", '-640.00', 'payments.deduction_price']);
    expect(rows.some((r) => r[0] === "'+44")).toBe(true);
    const vol = parseCsv(readFileSync(path.join(ctx.outDir, 'volumes.csv'), 'utf8'));
    expect(vol.find((r) => r[1] === "'=HYPERLINK(\"x\")")![0]).toBe("'=1+1");
  });

  it('no workbook cell is a formula or a text starting with a formula character', async () => {
    const bad: string[] = [];
    let texts = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.xlsx'))) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(dir, f));
      wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula) bad.push(`${f} ${ws.name}!${cell.address}: formula`);
        if (typeof cell.value === 'string') {
          texts++;
          if (FORMULA.test(cell.value)) bad.push(`${f} ${ws.name}!${cell.address}: ${cell.value}`);
        }
      })));
    }
    expect(bad).toEqual([]);
    expect(texts).toBeGreaterThan(100);
  });
});
