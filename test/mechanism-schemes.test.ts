/**
 * The pilots' full rules (method.md section 10, v2) through `pbr assess` on published counts:
 * Doncaster's bonus beyond the target and per-period contract values, Peterborough's weighted-mean
 * whole pilot and payment cap. Every expected amount is worked out by hand in the comments.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAssess } from '../src/run/assess.js';
import { InputError } from '../src/errors.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mechanism-schemes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(name: string, text: string): string {
  const f = path.join(tmp, `${++n}-${name}`);
  writeFileSync(f, text);
  return f;
}
/** payments.csv as [area, period, component, amount, rule] (our own output: no quoted commas in these columns). */
function payments(out: string): string[][] {
  return readFileSync(path.join(out, 'payments.csv'), 'utf8').trim().split('\n').slice(1).map((l) => {
    const c = l.split(',');
    return [c[0]!, c[1]!, c[2]!, c[c.length - 2]!, c[c.length - 1]!];
  });
}
async function assess(csv: string, contract: Record<string, unknown>): Promise<string> {
  const out = path.join(tmp, `out${++n}`);
  await runAssess({ aggregates: file('agg.csv', csv), contract: file('contract.json', JSON.stringify(contract)), out });
  return out;
}

const DONCASTER = {
  contract: 'dn', scheme: 'doncaster', cohort: { period: 'year', from: '2011-01-01', to: '2013-12-31' },
  baseline: { from: '2009-01-01', to: '2009-12-31' }, areas: { DONC: 'HMP Doncaster' },
  target_points: 5, at_risk_share: 0.1, bonus_per_point: 100000,
  contract_value: { '2011': 10000000, '2012': 11000000, '2013': 12000000 },
};
// Baseline 58.0%.
//   2011: 203 of 400 = 50.75%: a fall of 7.25 points >= 5: met; 2.25 points beyond: 2.25 x 100,000 = 225,000.00
//   2012: 450 of 1000 = 45.0%: a fall of 13 points: 8 beyond, at most bonus_cap_points 5: 500,000.00
//   2013: 547 of 1000 = 54.7%: a fall of 3.3 points: missed: -10% x 12,000,000 (the 2013 value) = -1,200,000.00
const DONCASTER_CSV = 'area,period,measurable,reoffenders,baseline_binary_rate\nDONC,2011,400,203,0.58\nDONC,2012,1000,450,0.58\nDONC,2013,1000,547,0.58\n';

describe('Doncaster (method.md section 10, v2)', () => {
  it('bonus_per_point pays each point beyond the target pro rata, up to bonus_cap_points; a miss refunds its own year\'s value', async () => {
    const out = await assess(DONCASTER_CSV, DONCASTER);
    // payments.csv order: area, component, period
    expect(payments(out)).toEqual([
      ['DONC', '2013', 'binary_deduction', '-1200000.00', 'at_risk_share'],
      ['DONC', '2011', 'binary_payment', '225000.00', 'bonus_per_point'],
      ['DONC', '2012', 'binary_payment', '500000.00', 'bonus_per_point'],
    ]);
  });

  it('a missed final cohort whose label is not in the contract_value map is refused, naming contract_value', async () => {
    const err = await assess(DONCASTER_CSV, { ...DONCASTER, contract_value: { '2011': 10000000, '2012': 11000000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^contract_value: no value for cohort period '2013'/);
  });
});

const PETERBOROUGH = { contract: 'pb', scheme: 'peterborough', price_per_event: 1000, areas: { PBORO: 'HMP Peterborough' } };
// c1: treatment 1,420 events on 1,000 (142 per 100), comparison 1,550 on 1,000 (155): reduction 13/155 = 8.39% < 10%: none.
// c2: treatment 700 on 500 (140), comparison 1,600 on 1,000 (160): reduction 1 - 140/160 = 12.5% >= 10%:
//     (1.60 - 1.40) x 500 x 1,000 = 100,000.00.
const PETERBOROUGH_CSV =
  'area,period,group,measurable,reconviction_events\nPBORO,c1,treatment,1000,1420\nPBORO,c1,comparison,1000,1550\n' +
  'PBORO,c2,treatment,500,700\nPBORO,c2,comparison,1000,1600\n';

describe('Peterborough (method.md section 10, v2)', () => {
  it('whole_pilot pooled (default): events and offenders pooled', async () => {
    // pooled: treatment 2,120 on 1,500, comparison 3,150 on 2,000: reduction 1 - (2120/1500)/(3150/2000) = 10.26% >= 7.5%;
    // (3150/2000 - 2120/1500) x 1,500 x 1,000 = (2,362.5 - 2,120) x 1,000 = 242,500.00, less 100,000.00 paid = 142,500.00
    const out = await assess(PETERBOROUGH_CSV, PETERBOROUGH);
    expect(payments(out)).toEqual([
      ['PBORO', 'ALL', 'frequency_payment', '142500.00', 'price_per_event'],
      ['PBORO', 'c2', 'frequency_payment', '100000.00', 'price_per_event'],
    ]);
  });

  it('whole_pilot weighted-mean: the cohorts\' reductions weighted by treatment n; each cohort priced against its own comparison', async () => {
    // (13/155 x 1,000 + 0.125 x 500) / 1,500 = (83.871 + 62.5) / 1,500 = 9.76% >= 7.5%: paid.
    // (1.55 - 1.42) x 1,000 x 1,000 + (1.60 - 1.40) x 500 x 1,000 = 130,000 + 100,000 = 230,000.00,
    // less the 100,000.00 paid for c2 = 130,000.00
    const out = await assess(PETERBOROUGH_CSV, { ...PETERBOROUGH, whole_pilot: 'weighted-mean' });
    expect(payments(out)).toEqual([
      ['PBORO', 'ALL', 'frequency_payment', '130000.00', 'price_per_event'],
      ['PBORO', 'c2', 'frequency_payment', '100000.00', 'price_per_event'],
    ]);
    const outcomes = readFileSync(path.join(out, 'outcomes.csv'), 'utf8');
    // 146.370968 / 1500 = 0.0975806... -> 0.097581
    expect(outcomes).toContain('PBORO,ALL,final,1500,2120,141.333333,2000,3150,157.500000,0.097581,0.075000,payment');
  });

  it('payment_cap caps the sum of the pilot\'s outcome payments with its own cap line', async () => {
    // weighted-mean as above: 100,000.00 + 130,000.00 = 230,000.00 > 200,000: cap 200,000 - 230,000 = -30,000.00
    const out = await assess(PETERBOROUGH_CSV, { ...PETERBOROUGH, whole_pilot: 'weighted-mean', payment_cap: 200000 });
    expect(payments(out)).toEqual([
      ['PBORO', 'ALL', 'cap', '-30000.00', 'payment_cap'],
      ['PBORO', 'ALL', 'frequency_payment', '130000.00', 'price_per_event'],
      ['PBORO', 'c2', 'frequency_payment', '100000.00', 'price_per_event'],
    ]);
  });
});

describe('pbr assess: published counts taken exactly (issue 13)', () => {
  it('a row with measurable 0 has empty rates: a published expected rate is not passed through', async () => {
    // X1 2015Q4: n 0 with expected_rate 0.45 published: expected_rate (and every rate) empty, outcome none.
    const out = await assess(
      'area,period,measurable,reoffenders,expected_rate,baseline_measurable,baseline_binary_rate,baseline_expected_rate\nX1,2015Q4,0,0,0.45,100,0.5,0.45\n',
      { contract: 't', payments: { binary_price: 1000 } },
    );
    const [head, row] = readFileSync(path.join(out, 'outcomes.csv'), 'utf8').trim().split('\n');
    const o = Object.fromEntries(head!.split(',').map((c, i) => [c, row!.split(',')[i]]));
    expect([o.measurable, o.binary_rate, o.expected_rate, o.adjusted_binary_rate, o.binary_outcome]).toEqual(['0', '', '', '', 'none']);
    expect(payments(out)).toEqual([]);
  });

  it('prices of a trillion pounds with 100 million offenders do not overflow anywhere', async () => {
    // X1: n 1e8, r 4.17e7 (b 0.417), e = B_e = 0.45, B 0.499: payment (0.499 - 0.417) x 1e8 x 1e12 = 8.2e18;
    //   f = 1.251e8 / 4.17e7 = 3 < 3.5: (3.5 - 3) x 4.17e7 x 1e12 = 2.085e19; positive total 2.905e19,
    //   capped at 1e12: 1,000,000,000,000 - 29,050,000,000,000,000,000 = -29,049,999,000,000,000,000.00.
    // X2: r 6e7 (a 0.6): deduction -(0.6 - 0.499) x 1e8 x 1e12 = -1.01e19, capped at 1e12:
    //   10,100,000,000,000,000,000 - 1,000,000,000,000 = 10,099,999,000,000,000,000.00.
    const big = 1e12;
    const out = await assess(
      'area,period,measurable,reoffenders,reoffences,expected_rate,baseline_measurable,baseline_binary_rate,baseline_expected_rate,baseline_frequency_rate\n' +
        'X1,2015Q4,100000000,41700000,125100000,0.45,100000000,0.499,0.45,3.5\nX2,2015Q4,100000000,60000000,180000000,0.45,100000000,0.499,0.45,3.5\n',
      { contract: 't', payments: { binary_price: big, deduction_price: big, frequency_price: big, cap_per_period: big, deduction_cap_per_period: big } },
    );
    expect(payments(out).map((p) => [p[0], p[2], p[3]])).toEqual([
      ['X1', 'binary_payment', '8200000000000000000.00'],
      ['X1', 'cap', '-29049999000000000000.00'],
      ['X1', 'frequency_payment', '20850000000000000000.00'],
      ['X2', 'binary_deduction', '-10100000000000000000.00'],
      ['X2', 'cap', '10099999000000000000.00'],
    ]);
  });
});
