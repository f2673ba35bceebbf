import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { parseContract } from '../src/contract/load.js';
import type { ContractInput } from '../src/contract/schema.js';
import type { RunContext } from '../src/core/context.js';
import { pay } from '../src/pay/index.js';

/**
 * Payment by results, tr-crc (method.md section 8), from hand-made `measures`, `offender_outcomes`
 * and `baselines_input` tables. Every expected amount is worked out by hand in the comments.
 */

// Tables every pay() run reads; empty unless a test fills them.
const EMPTY_TABLES = `
CREATE OR REPLACE TABLE starts (start_id VARCHAR, person_id VARCHAR, start_date DATE, start_type VARCHAR, sentence_length_days INTEGER, cpa VARCHAR, allocation VARCHAR, em_only BOOLEAN, ogrs DECIMAL(18,12), _line BIGINT);
CREATE OR REPLACE TABLE cohort (person_id VARCHAR, date_of_birth DATE, sex VARCHAR, pnc_matched BOOLEAN, "group" VARCHAR, _line BIGINT);
CREATE OR REPLACE TABLE service_levels (cpa VARCHAR, month VARCHAR, measure VARCHAR, achieved DECIMAL(18,12), target DECIMAL(18,12), _line BIGINT);
CREATE OR REPLACE TABLE baselines_input (cpa VARCHAR, population VARCHAR, baseline_measurable BIGINT, baseline_binary_rate DECIMAL(18,12), baseline_expected_rate DECIMAL(18,12), baseline_frequency_rate DECIMAL(18,12), _line BIGINT);
CREATE OR REPLACE TABLE areas AS SELECT * FROM (VALUES ('CPA01', 'Area One', 1), ('CPA02', 'Area Two', 2), ('CPA03', 'Area Three', 3)) t(cpa, name, area_order);
`;

// measures: only the columns pay() reads (the real table has more).
function measuresSql(rows: string): string {
  return `CREATE OR REPLACE TABLE measures AS SELECT * FROM (VALUES ${rows}) t(area, area_order, period, period_start, period_end, status, measurable, reoffenders, reoffences, lower_threshold, upper_threshold, binary_outcome, frequency_outcome);`;
}

// offender_outcomes: `n` identical persons in one area and period (ogrs each), `r` of them reoffenders with `kEach` reoffences.
function personsSql(area: string, period: string, n: number, r: number, kEach: number, ogrs: string, isBaseline: boolean): string {
  return `INSERT INTO offender_outcomes SELECT '${area}', '${period}', 'treatment', true, i <= ${r}, CASE WHEN i <= ${r} THEN ${kEach} ELSE 0 END, 0, false, 0, ${ogrs}::DECIMAL(18,12), ${isBaseline} FROM range(1, ${n + 1}) t(i);`;
}
const OUTCOMES_TABLE = `CREATE OR REPLACE TABLE offender_outcomes (area VARCHAR, period VARCHAR, "group" VARCHAR, measurable BOOLEAN, reoffender BOOLEAN, reoffences BIGINT, reconviction_events BIGINT, conviction_only_reoffender BOOLEAN, conviction_only_events BIGINT, ogrs DECIMAL(18,12), is_baseline BOOLEAN);`;

async function setup(contract: ContractInput, sql: string, hasBaselinesFile: boolean): Promise<RunContext> {
  const db = await Db.open({ threads: 1 });
  await db.run(EMPTY_TABLES);
  await db.run(OUTCOMES_TABLE);
  await db.run(sql);
  return {
    db,
    contract: parseContract(contract),
    contractSha256: 'test',
    asOf: '2022-01-31',
    hasBaselinesFile,
    outDir: mkdtempSync(path.join(os.tmpdir(), 'pay-test-')),
    inputs: [],
    rejectedRows: 0,
    progress: () => {},
  };
}

async function lines(ctx: RunContext): Promise<{ area: string; period: string; component: string; amount: string; rule: string; basis: string }[]> {
  return ctx.db.all(`SELECT area, period, component, amount::VARCHAR AS amount, rule, basis FROM payments ORDER BY area, period, line_order, component`);
}

const PRICES = { binary_price: 3200, deduction_price: 3200, frequency_price: 450 };

/*
 * Area CPA01, 2015Q4 (final): n = 1000 measurable, r = 417 reoffenders with 3 reoffences each (k = 1251),
 * every OGRS 0.45 (e = 0.45). Baselines file: B = 0.499, B_e = 0.45, B_f = 3.5.
 *   a = b - (e - B_e) = 0.417 - 0 = 0.417; outcome payment (given in measures).
 * Area CPA02, 2015Q4: n = 1000, r = 550, k = 550 (f = 1), OGRS 0.45: a = 0.55; B = 0.499; outcome deduction.
 * Area CPA03, 2015Q4: n = 1000, r = 480, k = 960 (f = 2.0), B = 0.499, B_f = 2.5; outcome none, frequency reduced.
 * CPA01, 2016Q1 (interim): same counts, outcome payment -> never paid.
 */
const MEASURES = measuresSql(`
 ('CPA01', 1, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', 1000, 417, 1251, 0.47, 0.53, 'payment', 'reduced'),
 ('CPA01', 1, '2016Q1', DATE '2016-01-01', DATE '2016-03-31', 'interim', 1000, 417, 1251, 0.47, 0.53, 'payment', 'reduced'),
 ('CPA02', 2, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', 1000, 550, 550, 0.47, 0.53, 'deduction', 'reduced'),
 ('CPA03', 3, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', 1000, 480, 960, 0.47, 0.53, 'none', 'reduced'),
 ('ALL', 99, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', 3000, 1447, 2761, 0.47, 0.53, 'payment', 'reduced')`);
const PERSONS = [
  personsSql('CPA01', '2015Q4', 1000, 417, 3, '0.45', false),
  personsSql('CPA01', '2016Q1', 1000, 417, 3, '0.45', false),
  personsSql('CPA02', '2015Q4', 1000, 550, 1, '0.45', false),
  personsSql('CPA03', '2015Q4', 1000, 480, 2, '0.45', false),
].join('\n');
const BASELINES = `INSERT INTO baselines_input VALUES
 ('CPA01', 'CRC', 20000, 0.499, 0.45, 3.5, 2), ('CPA02', 'CRC', 20000, 0.499, 0.45, 3.5, 3), ('CPA03', 'CRC', 20000, 0.499, 0.45, 2.5, 4);`;

describe('payment by results (tr-crc)', () => {
  const ctxs: RunContext[] = [];
  const run = async (payments: ContractInput['payments'], extra = ''): Promise<RunContext> => {
    const ctx = await setup({ contract: 't', payments }, `${MEASURES}\n${PERSONS}\n${BASELINES}\n${extra}`, true);
    ctxs.push(ctx);
    await pay(ctx);
    return ctx;
  };
  afterAll(() => {
    for (const c of ctxs) {
      c.db.close();
      rmSync(c.outDir, { recursive: true, force: true });
    }
  });

  it('binary payment: (B - a) x n x price, with the basis in words and numbers', async () => {
    // (0.499 - 0.417) x 1000 x 3200 = 0.082 x 3,200,000 = 262,400.00
    const ctx = await run({ binary_price: 3200 });
    const l = (await lines(ctx)).filter((x) => x.component === 'binary_payment');
    expect(l).toHaveLength(1);
    expect(l[0]!).toMatchObject({ area: 'CPA01', period: '2015Q4', amount: '262400.00', rule: 'payments.binary_price' });
    expect(l[0]!.basis.startsWith('(49.9% - 41.7%) x 1,000 offenders x GBP 3,200.00')).toBe(true);
  });

  it('binary payment rounds a half penny away from zero (exact decimal, not binary floating point)', async () => {
    // (0.499 - 0.417) x 1000 = 82 exactly; 82 x 3200.0625 = 262,405.125 -> 262,405.13
    // (in doubles 0.499 - 0.417 = 0.08199999999999996, which would give 262,405.12)
    const ctx = await run({ binary_price: 3200.0625 });
    const l = (await lines(ctx)).filter((x) => x.component === 'binary_payment');
    expect(l[0]!.amount).toBe('262405.13');
  });

  it('binary deduction: -(a - B) x n x deduction price, negative', async () => {
    // -(0.55 - 0.499) x 1000 x 3200 = -0.051 x 3,200,000 = -163,200.00
    const ctx = await run({ deduction_price: 3200 });
    const l = (await lines(ctx)).filter((x) => x.component === 'binary_deduction');
    expect(l).toEqual([expect.objectContaining({ area: 'CPA02', amount: '-163200.00', rule: 'payments.deduction_price' })]);
  });

  it('a half-penny deduction rounds away from zero (to the more negative penny)', async () => {
    // 51 x 0.0025 = 0.1275 -> -0.13
    const ctx = await run({ deduction_price: 0.0025 });
    const l = (await lines(ctx)).filter((x) => x.component === 'binary_deduction');
    expect(l[0]!.amount).toBe('-0.13');
  });

  it('frequency payment with the default hurdle: only where the binary outcome is a payment', async () => {
    // CPA01: f = 1251/417 = 3.0, B_f = 3.5: (3.5 - 3.0) x 417 x 450 = 93,825.00
    // CPA02 (deduction) and CPA03 (none) are reduced but fail the hurdle: no line.
    const ctx = await run({ frequency_price: 450 });
    const l = (await lines(ctx)).filter((x) => x.component === 'frequency_payment');
    expect(l).toEqual([expect.objectContaining({ area: 'CPA01', period: '2015Q4', amount: '93825.00', rule: 'payments.frequency_price' })]);
    expect(l[0]!.basis.startsWith('(3.50 - 3.00) x 417 reoffenders x GBP 450.00')).toBe(true);
  });

  it('frequency payment with hurdle none: whenever the frequency is reduced', async () => {
    // CPA01 93,825.00 as above; CPA02: f = 1, B_f = 3.5: 2.5 x 550 x 450 = 618,750.00;
    // CPA03: f = 2.0, B_f = 2.5: 0.5 x 480 x 450 = 108,000.00
    const ctx = await run({ frequency_price: 450, frequency_hurdle: 'none' });
    const l = (await lines(ctx)).filter((x) => x.component === 'frequency_payment');
    expect(l.map((x) => [x.area, x.amount])).toEqual([
      ['CPA01', '93825.00'],
      ['CPA02', '618750.00'],
      ['CPA03', '108000.00'],
    ]);
  });

  it('interim periods and area ALL are never paid', async () => {
    const ctx = await run(PRICES);
    const l = await lines(ctx);
    expect(l.some((x) => x.period === '2016Q1')).toBe(false);
    expect(l.some((x) => x.area === 'ALL')).toBe(false);
    const o = await ctx.db.all<{ status: string; summary: string }>(`SELECT status, summary FROM pay_outcomes WHERE area = 'CPA01' AND period = '2016Q1'`);
    expect(o[0]!.status).toBe('interim');
    // final on 2016-03-31 + 18 months = 2017-09-30
    expect(o[0]!.summary).toContain('final on 2017-09-30');
  });

  it('a component without a price is not computed', async () => {
    const ctx = await run({ binary_price: 3200 });
    const l = await lines(ctx);
    expect(l.every((x) => x.component === 'binary_payment')).toBe(true);
  });

  it('cap_per_period caps the positive total with its own line', async () => {
    // CPA01: 262,400.00 + 93,825.00 = 356,225.00 > cap 300,000 -> cap line 300,000 - 356,225 = -56,225.00
    const ctx = await run({ ...PRICES, cap_per_period: 300000 });
    const l = (await lines(ctx)).filter((x) => x.area === 'CPA01' && x.period === '2015Q4');
    expect(l.map((x) => [x.component, x.amount])).toEqual([
      ['binary_payment', '262400.00'],
      ['frequency_payment', '93825.00'],
      ['cap', '-56225.00'],
    ]);
    expect(l[2]!.rule).toBe('payments.cap_per_period');
  });

  it('a cap above the total adds no line', async () => {
    const ctx = await run({ ...PRICES, cap_per_period: 356225 });
    expect((await lines(ctx)).some((x) => x.component === 'cap')).toBe(false);
  });

  it('deduction_cap_per_period caps the deductions with its own (positive) line', async () => {
    // CPA02: deduction -163,200.00, cap 100,000 -> +63,200.00
    const ctx = await run({ ...PRICES, deduction_cap_per_period: 100000 });
    const l = (await lines(ctx)).filter((x) => x.area === 'CPA02');
    expect(l.map((x) => [x.component, x.amount, x.rule])).toEqual([
      ['binary_deduction', '-163200.00', 'payments.deduction_price'],
      ['cap', '63200.00', 'payments.deduction_cap_per_period'],
    ]);
  });
});

describe('payment by results from a computed baseline (no baselines file)', () => {
  it('uses the exact pooled baseline B = sum r / sum n and B_e = sum ogrs / sum n', async () => {
    // Baseline 2011Q1 of CPA01: 3 persons, 1 reoffender, OGRS 0.5 each: B = 1/3, B_e = 0.5.
    // 2015Q4: n = 2, r = 0, OGRS 0.5 each: a = 0 - (0.5 - 0.5) = 0.
    // (1/3 - 0) x 2 x 3200 = 6400/3 = 2,133.3333... -> 2,133.33
    const sql = [
      measuresSql(`('CPA01', 1, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', 2, 0, 0, 0.1, 0.5, 'payment', 'not_reduced')`),
      personsSql('CPA01', '2011Q1', 3, 1, 1, '0.5', true),
      personsSql('CPA01', '2015Q4', 2, 0, 0, '0.5', false),
    ].join('\n');
    const ctx = await setup({ contract: 't', payments: { binary_price: 3200 } }, sql, false);
    await pay(ctx);
    const l = await lines(ctx);
    expect(l.map((x) => [x.component, x.amount])).toEqual([['binary_payment', '2133.33']]);
    expect(l[0]!.basis.startsWith('(33.3% - 0.0%) x 2 offenders')).toBe(true);
    ctx.db.close();
  });

  it('ratio adjustment: a = b x B_e / e', async () => {
    // Baseline: 4 persons, 2 reoffenders, OGRS 0.5: B = 0.5, B_e = 0.5.
    // 2015Q4: n = 4, r = 1 (b = 0.25), OGRS 0.625 each (e = 0.625): a = 0.25 x 0.5 / 0.625 = 0.2.
    // (0.5 - 0.2) x 4 x 1000 = 1,200.00
    const sql = [
      measuresSql(`('CPA01', 1, '2015Q4', DATE '2015-10-01', DATE '2015-12-31', 'final', 4, 1, 1, 0.1, 0.9, 'payment', 'not_reduced')`),
      personsSql('CPA01', '2011Q2', 4, 2, 1, '0.5', true),
      personsSql('CPA01', '2015Q4', 4, 1, 1, '0.625', false),
    ].join('\n');
    const ctx = await setup({ contract: 't', adjustment: { method: 'ratio' }, payments: { binary_price: 1000 } }, sql, false);
    await pay(ctx);
    expect((await lines(ctx)).map((x) => x.amount)).toEqual(['1200.00']);
    ctx.db.close();
  });
});
