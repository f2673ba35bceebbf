import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import type { RunContext } from '../src/core/context.js';
import type { ContractInput } from '../src/contract/schema.js';
import { FEE_CONTRACT, payFixture } from './helpers/feeFixture.js';

/**
 * Fee for service (method.md section 9) from hand-made tables (test/helpers/feeFixture.ts).
 * Amounts worked out by hand in the comments.
 */
type Line = { area: string; period: string; component: string; amount: string; rule: string; basis: string; price: string | null; exact_amount: string | null };

const LINES = `SELECT area, period, component, amount::VARCHAR AS amount, rule, basis, price, exact_amount FROM payments ORDER BY area, component, period, basis`;

describe('fee for service', () => {
  let ctx: RunContext;
  let all: Line[];
  const of = (area: string, component: string) => all.filter((l) => l.area === area && l.component === component);

  beforeAll(async () => {
    ctx = await payFixture();
    all = await ctx.db.all<Line>(LINES);
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

  it('gives each fee line its price after the discount and its exact amount (6 places)', () => {
    // year 2 of CPA01: price 1,200,000 x 0.98 = 1,176,000; a month is 98,000 exactly
    const l = of('CPA01', 'fee_for_service').find((x) => x.period === '2016-05')!;
    expect(l.price).toBe('1176000');
    expect(l.exact_amount).toBe('98000.000000');
    // CPA02: 1,000,000.02 / 12 = 83,333.335 exactly
    expect(of('CPA02', 'fee_for_service')[0]!.exact_amount).toBe('83333.335000');
    // reconciliation: unit 480,000, exact 624,000; service credits have no price
    const r = of('CPA01', 'volume_reconciliation').find((x) => x.period === '2015-02-01/2016-01-31')!;
    expect([r.price, r.exact_amount]).toEqual(['480000', '624000.000000']);
    const c = of('CPA01', 'service_credit').find((x) => x.period === '2015-03')!;
    expect([c.price, c.exact_amount]).toEqual([null, '-500.000000']);
  });

  it('per-month rounding (the default) lets twelve half-penny months drift: 12 x 83,333.34 = 1,000,000.08', () => {
    const sum = of('CPA02', 'fee_for_service').reduce((t, l) => t + Math.round(Number(l.amount) * 100), 0);
    expect(sum).toBe(100000008);
  });
});

/** fee_for_service.rounding: balance-last-month (the last month of a contract year takes the balance). */
const BALANCED: ContractInput = {
  contract: 'fee-balance-test',
  fee_for_service: {
    bands: [{ start_type: 'CO', weight: 1 }],
    learning_curve_discount: 0.02,
    rounding: 'balance-last-month',
    areas: {
      // 1,000,000.02 / 12 = 83,333.335 -> 83,333.34 for eleven months = 916,666.74;
      // the last month takes 1,000,000.02 - 916,666.74 = 83,333.28
      CPA01: [{ from: '2015-01-01', to: '2015-12-31', annual_price: 1000000.02, volume_low: 0, volume_high: 100 }],
      // year 2: 1,000,000.01 x 0.98 = 980,000.0098 -> the year's price rounded to pence 980,000.01;
      // a month 980,000.0098 / 12 = 81,666.667483... -> 81,666.67; eleven = 898,333.37; last 81,666.64
      CPA02: [
        { from: '2015-01-01', to: '2015-12-31', annual_price: 1000000.01, volume_low: 0, volume_high: 100 },
        { from: '2016-01-01', to: '2016-12-31', annual_price: 1000000.01, volume_low: 0, volume_high: 100 },
      ],
      // twelve months from the 15th: Feb 2015 14/28 = 50,000.00, Mar..Jan 11 x 100,000 = 1,100,000.00,
      // the last month (Feb 2016, 14 of 29 days) takes 1,200,000.00 - 1,150,000.00 = 50,000.00
      // (per-month would pay 48,275.86 and the year 1,198,275.86)
      CPA03: [{ from: '2015-02-15', to: '2016-02-14', annual_price: 1200000, volume_low: 0, volume_high: 1000 }],
      // an eleven-month year: its total is the sum of its exact months, 11 x 83,333.335 = 916,666.685
      // -> 916,666.69; ten months 833,333.40; the last takes 83,333.29
      CPA04: [{ from: '2020-02-01', to: '2020-12-31', annual_price: 1000000.02, volume_low: 0, volume_high: 100 }],
    },
  },
  areas: { CPA01: 'Area One', CPA02: 'Area Two', CPA03: 'Area Three', CPA04: 'Area Four' },
};

describe('fee for service, rounding balance-last-month', () => {
  let ctx: RunContext;
  let all: Line[];
  const fees = (area: string, from = '', to = '9') =>
    all.filter((l) => l.area === area && l.component === 'fee_for_service' && l.period >= from && l.period <= to);
  const pence = (ls: Line[]) => ls.reduce((t, l) => t + Math.round(Number(l.amount) * 100), 0);

  beforeAll(async () => {
    ctx = await payFixture(BALANCED);
    all = await ctx.db.all<Line>(LINES);
  });
  afterAll(() => {
    ctx.db.close();
    rmSync(ctx.outDir, { recursive: true, force: true });
  });

  it('the last month takes the balance: twelve months sum to the price exactly', () => {
    const l = fees('CPA01');
    expect(l).toHaveLength(12);
    expect(l.slice(0, 11).every((x) => x.amount === '83333.34')).toBe(true);
    expect(l[11]!.period).toBe('2015-12');
    expect(l[11]!.amount).toBe('83333.28');
    expect(pence(l)).toBe(100000002);
  });

  it('with the learning-curve discount the year ties to its discounted price rounded to pence first', () => {
    const y2 = fees('CPA02', '2016-01', '2016-12');
    expect(y2.slice(0, 11).every((x) => x.amount === '81666.67')).toBe(true);
    expect(y2[11]!.amount).toBe('81666.64');
    expect(pence(y2)).toBe(98000001);
    // the basis says so: the discounted price, rounded to pence, less the earlier months
    expect(y2[11]!.basis.startsWith(
      'GBP 980,000.01 - GBP 898,333.37: the price of contract year 2 (2016-01-01/2016-12-31), ' +
        'GBP 1,000,000.01 x (1 - 2.00%)^1 = GBP 980,000.009800 after the learning-curve discount, rounded to pence, ' +
        'less the rounded fees of the 11 earlier months',
    )).toBe(true);
    expect(y2[11]!.basis).toContain('fee_for_service.rounding balance-last-month');
    expect(y2[11]!.exact_amount).toBe('81666.640000');
    // year 1 (no discount): 1,000,000.01 / 12 = 83,333.334166... -> 83,333.33; last 1,000,000.01 - 916,666.63 = 83,333.38
    const y1 = fees('CPA02', '2015-01', '2015-12');
    expect(y1[11]!.amount).toBe('83333.38');
    expect(pence(y1)).toBe(100000001);
  });

  it('a twelve-month year not starting on the 1st ties to its price: the last part month takes the balance', () => {
    const l = fees('CPA03');
    expect(l).toHaveLength(13);
    expect(l[0]!.amount).toBe('50000.00');
    expect(l[12]!.period).toBe('2016-02');
    expect(l[12]!.amount).toBe('50000.00');
    expect(pence(l)).toBe(120000000);
  });

  it('a shorter year ties to the sum of its exact months rounded to pence', () => {
    const l = fees('CPA04');
    expect(l).toHaveLength(11);
    expect(l[10]!.amount).toBe('83333.29');
    expect(pence(l)).toBe(91666669);
  });
});
