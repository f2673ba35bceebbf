import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../src/db/duckdb.js';
import { doneWith, testDb } from './helpers/db.js';
import { parseContract } from '../src/contract/load.js';
import type { ContractInput } from '../src/contract/schema.js';
import type { RunContext } from '../src/core/context.js';
import { pay } from '../src/pay/index.js';

/**
 * Payment by results, tr-crc (method.md section 8), from hand-made `measures` tables holding the
 * exact figures the measure stage writes (counts, the DECIMAL ogrs sum, the exact baseline parts
 * and the decided outcomes). Every expected amount is worked out by hand in the comments.
 */

// Tables every pay() run reads; empty unless a test fills them.
const EMPTY_TABLES = `
CREATE OR REPLACE TABLE starts (start_id VARCHAR, person_id VARCHAR, start_date DATE, start_type VARCHAR, sentence_length_days INTEGER, cpa VARCHAR, allocation VARCHAR, em_only BOOLEAN, ogrs DECIMAL(18,12), _line BIGINT);
CREATE OR REPLACE TABLE cohort (person_id VARCHAR, date_of_birth DATE, sex VARCHAR, pnc_matched BOOLEAN, "group" VARCHAR, _line BIGINT);
CREATE OR REPLACE TABLE service_levels (cpa VARCHAR, month VARCHAR, measure VARCHAR, achieved DECIMAL(18,12), target DECIMAL(18,12), _line BIGINT);
CREATE OR REPLACE TABLE baselines_input (cpa VARCHAR, population VARCHAR, baseline_measurable BIGINT, baseline_binary_rate DECIMAL(18,12), baseline_expected_rate DECIMAL(18,12), baseline_frequency_rate DECIMAL(18,12), _line BIGINT);
CREATE OR REPLACE TABLE offender_outcomes (area VARCHAR, period VARCHAR, "group" VARCHAR, measurable BOOLEAN, is_baseline BOOLEAN);
CREATE OR REPLACE TABLE areas AS SELECT * FROM (VALUES ('CPA01', 'Area One', 1), ('CPA02', 'Area Two', 2), ('CPA03', 'Area Three', 3)) t(cpa, name, area_order);
`;

/** One row of `measures` as pay reads it: the exact baseline as given rates (B / 1) or counts. */
interface MRow {
  area: string; order: number; period: string; start: string; end: string; status: 'final' | 'interim';
  n: number; r: number; k: number; s: string;
  /** Baseline: [B, B_e, B_f] as decimal text (a baselines file), or counts {bn, br, bk, bs}. */
  base: [string, string, string | null] | { bn: number; br: number; bk: number; bs: string };
  lower: number; upper: number; outcome: string; fout: string | null; kind?: 'cohort' | 'annual';
}
function measuresSql(rows: MRow[]): string {
  const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`);
  const values = rows.map((m) => {
    const b = Array.isArray(m.base)
      ? [20000, m.base[0], 1, m.base[1], 1, m.base[2], m.base[2] === null ? null : 1]
      : [m.base.bn, m.base.br, m.base.bn, m.base.bs, m.base.bn, m.base.bk, m.base.br];
    return `(${[m.area, m.order, m.period].map(lit).join(', ')}, DATE '${m.start}', DATE '${m.end}', ${lit(m.status)}, ${lit(m.kind ?? 'cohort')}, ` +
      `${m.n}, ${m.r}, ${m.k}, ${m.s}::DECIMAL(38,12), ${b.map((x) => (x === null ? 'NULL' : `${x}`)).join(', ')}, ` +
      `${m.lower}, ${m.upper}, ${lit(m.outcome)}, ${lit(m.fout)}, ${m.area === 'ALL'})`;
  });
  return `CREATE OR REPLACE TABLE measures AS SELECT area, area_order, period, period_start, period_end, status, period_kind,
    measurable, reoffenders, reoffences, ogrs_sum, baseline_measurable,
    bl_b_num::DECIMAL(38,12) AS bl_b_num, bl_b_den::DECIMAL(38,12) AS bl_b_den, bl_e_num::DECIMAL(38,12) AS bl_e_num,
    bl_e_den::DECIMAL(38,12) AS bl_e_den, bl_f_num::DECIMAL(38,24) AS bl_f_num, bl_f_den::DECIMAL(38,12) AS bl_f_den,
    lower_threshold, upper_threshold, binary_outcome, frequency_outcome, NULL::BOOLEAN AS termination_watch,
    'baseline-band' AS threshold_source, false AS threshold_missing, is_all
  FROM (VALUES ${values.join(',\n')}) t(area, area_order, period, period_start, period_end, status, period_kind,
    measurable, reoffenders, reoffences, ogrs_sum, baseline_measurable, bl_b_num, bl_b_den, bl_e_num, bl_e_den, bl_f_num, bl_f_den,
    lower_threshold, upper_threshold, binary_outcome, frequency_outcome, is_all);`;
}

async function setup(contract: ContractInput, sql: string): Promise<RunContext> {
  const db = await testDb();
  await db.run(EMPTY_TABLES);
  await db.run(sql);
  return {
    db,
    contract: parseContract(contract),
    contractSha256: 'test',
    asOf: '2022-01-31',
    hasBaselinesFile: true,
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
 * ogrs sum 450 (e = 0.45). Baseline (as a baselines file gives it): B = 0.499, B_e = 0.45, B_f = 3.5.
 *   a = b - (e - B_e) = 0.417 - 0 = 0.417; outcome payment (decided by the measure stage).
 * Area CPA02, 2015Q4: n = 1000, r = 550, k = 550 (f = 1), e = 0.45: a = 0.55; B = 0.499; outcome deduction.
 * Area CPA03, 2015Q4: n = 1000, r = 480, k = 960 (f = 2.0), B = 0.499, B_f = 2.5; outcome none, frequency reduced.
 * CPA01, 2016Q1 (interim): same counts, outcome payment -> never paid.
 */
const Q4 = { period: '2015Q4', start: '2015-10-01', end: '2015-12-31' } as const;
const FILE: [string, string, string] = ['0.499', '0.45', '3.5'];
const MEASURES = measuresSql([
  { area: 'CPA01', order: 1, ...Q4, status: 'final', n: 1000, r: 417, k: 1251, s: '450', base: FILE, lower: 0.47, upper: 0.53, outcome: 'payment', fout: 'reduced' },
  { area: 'CPA01', order: 1, period: '2016Q1', start: '2016-01-01', end: '2016-03-31', status: 'interim', n: 1000, r: 417, k: 1251, s: '450', base: FILE, lower: 0.47, upper: 0.53, outcome: 'payment', fout: 'reduced' },
  { area: 'CPA02', order: 2, ...Q4, status: 'final', n: 1000, r: 550, k: 550, s: '450', base: FILE, lower: 0.47, upper: 0.53, outcome: 'deduction', fout: 'reduced' },
  { area: 'CPA03', order: 3, ...Q4, status: 'final', n: 1000, r: 480, k: 960, s: '450', base: ['0.499', '0.45', '2.5'], lower: 0.47, upper: 0.53, outcome: 'none', fout: 'reduced' },
  { area: 'ALL', order: 99, ...Q4, status: 'final', n: 3000, r: 1447, k: 2761, s: '1350', base: FILE, lower: 0.47, upper: 0.53, outcome: 'payment', fout: 'reduced' },
]);

describe('payment by results (tr-crc)', () => {
  const ctxs: RunContext[] = [];
  const run = async (payments: ContractInput['payments'], extra = ''): Promise<RunContext> => {
    const ctx = await setup({ contract: 't', payments }, `${MEASURES}\n${extra}`);
    ctxs.push(ctx);
    await pay(ctx);
    return ctx;
  };
  afterAll(() => {
    for (const c of ctxs) {
      doneWith(c.db);
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
    // Baseline of CPA01: 3 persons, 1 reoffender, ogrs sum 1.5: B = 1/3, B_e = 0.5.
    // 2015Q4: n = 2, r = 0, ogrs sum 1.0 (e = 0.5): a = 0 - (0.5 - 0.5) = 0.
    // (1/3 - 0) x 2 x 3200 = 6400/3 = 2,133.3333... -> 2,133.33
    const sql = measuresSql([
      { area: 'CPA01', order: 1, ...Q4, status: 'final', n: 2, r: 0, k: 0, s: '1.0', base: { bn: 3, br: 1, bk: 1, bs: '1.5' }, lower: 0.1, upper: 0.5, outcome: 'payment', fout: 'not_reduced' },
    ]);
    const ctx = await setup({ contract: 't', payments: { binary_price: 3200 } }, sql);
    await pay(ctx);
    const l = await lines(ctx);
    expect(l.map((x) => [x.component, x.amount])).toEqual([['binary_payment', '2133.33']]);
    expect(l[0]!.basis.startsWith('(33.3% - 0.0%) x 2 offenders')).toBe(true);
    doneWith(ctx.db);
  });

  it('ratio adjustment: a = b x B_e / e', async () => {
    // Baseline: 4 persons, 2 reoffenders, ogrs sum 2: B = 0.5, B_e = 0.5.
    // 2015Q4: n = 4, r = 1 (b = 0.25), ogrs sum 2.5 (e = 0.625): a = 0.25 x 0.5 / 0.625 = 0.2.
    // (0.5 - 0.2) x 4 x 1000 = 1,200.00
    const sql = measuresSql([
      { area: 'CPA01', order: 1, ...Q4, status: 'final', n: 4, r: 1, k: 1, s: '2.5', base: { bn: 4, br: 2, bk: 2, bs: '2' }, lower: 0.1, upper: 0.9, outcome: 'payment', fout: 'not_reduced' },
    ]);
    const ctx = await setup({ contract: 't', adjustment: { method: 'ratio' }, payments: { binary_price: 1000 } }, sql);
    await pay(ctx);
    expect((await lines(ctx)).map((x) => x.amount)).toEqual(['1200.00']);
    doneWith(ctx.db);
  });
});
