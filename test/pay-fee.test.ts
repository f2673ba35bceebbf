import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { parseContract } from '../src/contract/load.js';
import type { ContractInput } from '../src/contract/schema.js';
import type { RunContext } from '../src/core/context.js';
import { pay, writePaymentOutputs } from '../src/pay/index.js';

/**
 * Fee for service (method.md section 9) and the outputs (payments.csv, statements), from hand-made
 * tables. Amounts worked out by hand in the comments.
 */
const CONTRACT: ContractInput = {
  contract: 'fee-test',
  fee_for_service: {
    bands: [
      { start_type: 'CO', max_length_days: 365, weight: 1.0 },
      { start_type: 'CO', max_length_days: null, weight: 1.3 },
      { start_type: 'CUSTODY_RELEASE', weight: 0.5 },
    ],
    learning_curve_discount: 0.02,
    service_credit_rate: 0.005,
    service_credit_cap: 0.01,
    areas: {
      // year 1 monthly 1,200,000 / 12 = 100,000.00; year 2 price 1,200,000 x 0.98 = 1,176,000, monthly 98,000.00
      CPA01: [
        { from: '2015-02-01', to: '2016-01-31', annual_price: 1200000, volume_low: 2, volume_high: 3 },
        { from: '2016-02-01', to: '2017-01-31', annual_price: 1200000, volume_low: 2, volume_high: 3 },
      ],
      // 1,000,000.02 / 12 = 83,333.335 exactly: the half penny
      CPA02: [{ from: '2015-01-01', to: '2015-12-31', annual_price: 1000000.02, volume_low: 0, volume_high: 100 }],
      // does not start on the 1st: February 2015 and February 2016 are partial months
      CPA03: [{ from: '2015-02-15', to: '2016-02-14', annual_price: 1200000, volume_low: 0, volume_high: 1000 }],
      // age boundaries (unit 120,000 / ((10 + 10) / 2) = 12,000 per weighted start)
      CPA04: [{ from: '2014-01-01', to: '2014-12-31', annual_price: 120000, volume_low: 10, volume_high: 10 }],
    },
  },
  areas: { CPA01: 'Area One', CPA02: 'Area Two', CPA03: 'Area Three', CPA04: 'Area Four' },
};

const TABLES = `
CREATE TABLE areas AS SELECT * FROM (VALUES ('CPA01', 'Area One', 1), ('CPA02', 'Area Two', 2), ('CPA03', 'Area Three', 3), ('CPA04', 'Area Four', 4)) t(cpa, name, area_order);
CREATE TABLE cohort AS SELECT person_id, CAST(dob AS DATE) AS date_of_birth, 'M' AS sex, true AS pnc_matched, 'treatment' AS "group", 0::BIGINT AS _line
FROM (VALUES ('P1', '1980-01-01'), ('P2', '1997-03-02'), ('P3', '1997-03-01'), ('P4', '1996-02-29')) t(person_id, dob);
CREATE TABLE starts AS SELECT start_id, person_id, CAST(d AS DATE) AS start_date, start_type, len AS sentence_length_days, cpa, alloc AS allocation, em AS em_only, 0.5::DECIMAL(18,12) AS ogrs, 0::BIGINT AS _line
FROM (VALUES
  ('s1', 'P1', '2015-03-10', 'CO', 100, 'CPA01', 'CRC', false),   -- weight 1.0
  ('s2', 'P1', '2015-04-10', 'CO', 400, 'CPA01', 'CRC', false),   -- weight 1.3 (over 365 days)
  ('s3', 'P1', '2015-05-10', 'CO', 365, 'CPA01', 'CRC', false),   -- weight 1.0 (365 is within max_length_days 365)
  ('s4', 'P1', '2015-06-10', 'SSO', 100, 'CPA01', 'CRC', false),  -- SSO is in no band: not counted
  ('s5', 'P1', '2015-06-11', 'CO', 100, 'CPA01', 'CRC', true),    -- EM-only: not counted
  ('s6', 'P1', '2015-06-12', 'CO', 100, 'CPA01', 'NPS', false),   -- other allocation: not counted
  ('s7', 'P2', '2015-03-01', 'CO', 100, 'CPA01', 'CRC', false),   -- 17 (18 tomorrow): not counted
  ('s8', 'P3', '2015-03-01', 'CO', 100, 'CPA01', 'CRC', false),   -- 18 today: weight 1.0
  ('s9', 'P1', '2016-03-01', 'CO', 10, 'CPA01', 'CRC', false),    -- year 2, weight 1.0
  ('s10', 'P4', '2014-02-28', 'CO', 10, 'CPA04', 'CRC', false),   -- born 29 Feb 1996: still 17 on 28 Feb 2014
  ('s11', 'P4', '2014-03-01', 'CO', 10, 'CPA04', 'CRC', false)    -- 18 on 1 March in a common year: weight 1.0
) t(start_id, person_id, d, start_type, len, cpa, alloc, em);
CREATE TABLE service_levels AS SELECT cpa, month, measure, achieved::DECIMAL(18,12) AS achieved, target::DECIMAL(18,12) AS target, 0::BIGINT AS _line
FROM (VALUES
  ('CPA01', '2015-03', 'contact', 0.8, 0.9),   -- missed
  ('CPA01', '2015-03', 'plans', 0.9, 0.9),     -- achieved = target: not missed
  ('CPA01', '2016-03', 'contact', 0.1, 0.9),   -- three missed in one month
  ('CPA01', '2016-03', 'plans', 0.1, 0.9),
  ('CPA01', '2016-03', 'referrals', 0.1, 0.9),
  ('CPA01', '2018-01', 'contact', 0.1, 0.9)    -- no contract year: no fee, no credit
) t(cpa, month, measure, achieved, target);
CREATE TABLE baselines_input (cpa VARCHAR, population VARCHAR, baseline_measurable BIGINT, baseline_binary_rate DECIMAL(18,12), baseline_expected_rate DECIMAL(18,12), baseline_frequency_rate DECIMAL(18,12), _line BIGINT);
CREATE TABLE offender_outcomes (area VARCHAR, period VARCHAR, "group" VARCHAR, measurable BOOLEAN, reoffender BOOLEAN, reoffences BIGINT, reconviction_events BIGINT, conviction_only_reoffender BOOLEAN, conviction_only_events BIGINT, ogrs DECIMAL(18,12), is_baseline BOOLEAN);
CREATE TABLE measures (area VARCHAR, area_order INTEGER, period VARCHAR, period_start DATE, period_end DATE, status VARCHAR, measurable BIGINT, reoffenders BIGINT, reoffences BIGINT, lower_threshold DOUBLE, upper_threshold DOUBLE, binary_outcome VARCHAR, frequency_outcome VARCHAR, is_all BOOLEAN, period_kind VARCHAR, ogrs_sum DECIMAL(38,12), baseline_measurable BIGINT, bl_b_num DECIMAL(38,12), bl_b_den DECIMAL(38,12), bl_e_num DECIMAL(38,12), bl_e_den DECIMAL(38,12), bl_f_num DECIMAL(38,24), bl_f_den DECIMAL(38,12), termination_watch BOOLEAN, threshold_source VARCHAR, threshold_missing BOOLEAN);
`;

type Line = { area: string; period: string; component: string; amount: string; rule: string; basis: string };

describe('fee for service', () => {
  let ctx: RunContext;
  let all: Line[];
  const of = (area: string, component: string) => all.filter((l) => l.area === area && l.component === component);

  beforeAll(async () => {
    const db = await Db.open({ threads: 1 });
    await db.run(TABLES);
    ctx = {
      db,
      contract: parseContract(CONTRACT),
      contractSha256: 'c0ffee',
      asOf: '2022-01-31',
      hasBaselinesFile: false,
      outDir: mkdtempSync(path.join(os.tmpdir(), 'pay-fee-')),
      inputs: [{ name: 'starts', file: 'starts.csv', path: '/x/starts.csv', sha256: 'abc123', bytes: 1, rows_read: 11, rows_used: 11, rows_rejected: 0 }],
      rejectedRows: 0,
      progress: () => {},
    };
    await pay(ctx);
    all = await db.all(`SELECT area, period, component, amount::VARCHAR AS amount, rule, basis FROM payments ORDER BY area, component, period`);
  });
  afterAll(() => {
    ctx.db.close();
    rmSync(ctx.outDir, { recursive: true, force: true });
  });

  it('pays one twelfth of the annual price for each month of contract year 1', () => {
    const y1 = of('CPA01', 'fee_for_service').filter((l) => l.period <= '2016-01');
    expect(y1).toHaveLength(12);
    expect(new Set(y1.map((l) => l.amount))).toEqual(new Set(['100000.00']));
    expect(y1[0]!.rule).toBe('fee_for_service.areas.CPA01[0].annual_price');
    expect(y1[0]!.basis.startsWith('GBP 1,200,000.00 / 12')).toBe(true);
  });

  it('applies the learning-curve discount in year 2: 1,200,000 x 0.98 / 12 = 98,000.00', () => {
    const y2 = of('CPA01', 'fee_for_service').filter((l) => l.period >= '2016-02');
    expect(y2).toHaveLength(12);
    expect(new Set(y2.map((l) => l.amount))).toEqual(new Set(['98000.00']));
    expect(y2[0]!.rule).toBe('fee_for_service.areas.CPA01[1].annual_price');
    expect(y2[0]!.basis.startsWith('GBP 1,200,000.00 x (1 - 2.00%)^1 / 12')).toBe(true);
  });

  it('rounds a half-penny month away from zero: 1,000,000.02 / 12 = 83,333.335 -> 83,333.34', () => {
    const l = of('CPA02', 'fee_for_service');
    expect(l).toHaveLength(12);
    expect(new Set(l.map((x) => x.amount))).toEqual(new Set(['83333.34']));
  });

  it('pays a part month pro rata by days (a choice: method.md is silent)', () => {
    const l = of('CPA03', 'fee_for_service');
    expect(l).toHaveLength(13);
    // 2015-02-15..28: 100,000 x 14/28 = 50,000.00; 2016-02-01..14: 100,000 x 14/29 = 48,275.862... -> 48,275.86
    expect(l.find((x) => x.period === '2015-02')!.amount).toBe('50000.00');
    expect(l.find((x) => x.period === '2016-02')!.amount).toBe('48275.86');
    expect(l.find((x) => x.period === '2015-07')!.amount).toBe('100000.00');
  });

  it('reconciles a year above the volume range: (W - high) x price / ((low + high) / 2)', () => {
    // W = s1 1.0 + s2 1.3 + s3 1.0 + s8 1.0 = 4.3 > 3; unit = 1,200,000 / 2.5 = 480,000; 1.3 x 480,000 = 624,000.00
    const l = of('CPA01', 'volume_reconciliation').find((x) => x.period === '2015-02-01/2016-01-31')!;
    expect(l.amount).toBe('624000.00');
    expect(l.rule).toBe('fee_for_service.areas.CPA01[0].volume_high');
    expect(l.basis.startsWith('(4.30 - 3.00) x GBP 480,000.00')).toBe(true);
  });

  it('reconciles a year below the volume range with the discounted price', () => {
    // W = s9 1.0 < 2; unit = 1,176,000 / 2.5 = 470,400; -(2 - 1) x 470,400 = -470,400.00
    const l = of('CPA01', 'volume_reconciliation').find((x) => x.period === '2016-02-01/2017-01-31')!;
    expect(l.amount).toBe('-470400.00');
    expect(l.rule).toBe('fee_for_service.areas.CPA01[1].volume_low');
  });

  it('counts age in completed years: 29 February birthdays fall on 1 March in common years', () => {
    // CPA04: only s11 counts (W = 1): -(10 - 1) x 12,000 = -108,000.00 (s10 counting too would give -96,000.00)
    expect(of('CPA04', 'volume_reconciliation').map((x) => x.amount)).toEqual(['-108000.00']);
  });

  it('a year inside the range has no reconciliation line', () => {
    expect(of('CPA02', 'volume_reconciliation')).toHaveLength(0);
  });

  it('service credit: service_credit_rate of the month payment per missed level', () => {
    // 2015-03: one level missed (achieved = target is not missed): -0.5% x 100,000 = -500.00
    const l = of('CPA01', 'service_credit').find((x) => x.period === '2015-03')!;
    expect(l.amount).toBe('-500.00');
    expect(l.rule).toBe('fee_for_service.service_credit_rate');
  });

  it('service credits are capped at service_credit_cap of the month payment (after the discount)', () => {
    // 2016-03: 3 x 0.5% = 1.5% > cap 1%: -1% x 98,000 = -980.00
    const l = of('CPA01', 'service_credit').find((x) => x.period === '2016-03')!;
    expect(l.amount).toBe('-980.00');
    expect(l.rule).toBe('fee_for_service.service_credit_cap');
    expect(of('CPA01', 'service_credit')).toHaveLength(2); // 2018-01 has no fee, so no credit
  });

  it('writes payments.csv sorted by area, component, period with the exact header', async () => {
    await writePaymentOutputs(ctx);
    const text = readFileSync(path.join(ctx.outDir, 'payments.csv'), 'utf8');
    const rows = text.trim().split('\n');
    expect(rows[0]).toBe('area,period,component,basis,amount,rule');
    expect(rows).toHaveLength(1 + all.length);
    expect(rows[1]!.startsWith('CPA01,2015-02,fee_for_service,')).toBe(true);
    expect(rows[1]!.endsWith(',100000.00,fee_for_service.areas.CPA01[0].annual_price')).toBe(true);
  });

  it('writes a statement per area and month and a contract-year summary', async () => {
    await writePaymentOutputs(ctx);
    const dir = path.join(ctx.outDir, 'statements');
    const files = readdirSync(dir);
    expect(files).toContain('CPA01_2015-03.html');
    expect(files).toContain('CPA01_2015-03.csv');
    expect(files).toContain('CPA01_2015-02-01_to_2016-01-31.html');
    const html = readFileSync(path.join(dir, 'CPA01_2015-03.html'), 'utf8');
    expect(html).toContain('-1 x 0.50% x GBP 100,000.00');
    expect(html).toContain('99,500.00'); // 100,000.00 - 500.00
    expect(html).toContain('abc123');
    expect(html).toContain('c0ffee');
    expect(html).not.toMatch(/(src|href)="https?:/);
    // year 1: fees 12 x 100,000 = 1,200,000.00; credits -500.00; reconciliation 624,000.00; net 1,823,500.00
    // year 2: fees 12 x 98,000 = 1,176,000.00; credits -980.00; reconciliation -470,400.00; net 704,620.00
    const sum = readFileSync(path.join(dir, 'CPA01_contract_years.csv'), 'utf8').trim().split('\n');
    expect(sum[1]!.startsWith('CPA01,Area One,2015-02-01/2016-01-31,1200000.00,-500.00,624000.00,0.00,1823500.00,')).toBe(true);
    expect(sum[2]!.startsWith('CPA01,Area One,2016-02-01/2017-01-31,1176000.00,-980.00,-470400.00,0.00,704620.00,')).toBe(true);
  });

  it('prints the rejected-row count in every statement when rows were rejected', async () => {
    ctx.rejectedRows = 3;
    try {
      await writePaymentOutputs(ctx);
      const dir = path.join(ctx.outDir, 'statements');
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.html') && x !== 'index.html')) {
        expect(readFileSync(path.join(dir, f), 'utf8')).toContain('3 rows were rejected');
      }
      const csv = readFileSync(path.join(dir, 'CPA01_2015-03.csv'), 'utf8').split('\n');
      expect(csv[0]!.split(',')[11]).toBe('rejected_rows');
      expect(csv[1]!.includes(',3,')).toBe(true);
    } finally {
      ctx.rejectedRows = 0;
    }
  });

  it('writes the same bytes twice (no timestamps, ordered output)', async () => {
    await writePaymentOutputs(ctx);
    const a = readFileSync(path.join(ctx.outDir, 'payments.csv'));
    const s1 = readFileSync(path.join(ctx.outDir, 'statements', 'CPA01_contract_years.html'));
    await writePaymentOutputs(ctx);
    expect(readFileSync(path.join(ctx.outDir, 'payments.csv')).equals(a)).toBe(true);
    expect(readFileSync(path.join(ctx.outDir, 'statements', 'CPA01_contract_years.html')).equals(s1)).toBe(true);
  });
});
