import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkRun, formatCheck, type CheckOptions } from '../src/audit/check.js';
import { runAssess } from '../src/run/assess.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { InputError } from '../src/errors.js';
import { tmpDir, writeRun, type Row } from './audit-diff-runfolder.js';

// pbr check reading published tables as they are published (issue 16, item 3): wide tables,
// percentages, area names, tolerances per kind. A hand-made run, contract areas A1 'North' and
// A2 'South', period 2024Q1:
//   A1: measurable 5, reoffenders 2, b 0.400000, expected 0.456789, adjusted 0.412345, payment;
//       binary_payment 1000.00 + frequency_payment 250.50 = payment_total 1250.50
//   A2: measurable 1, reoffenders 1, b 1.000000, deduction; binary_deduction -500.00
//   ALL: measurable 6, reoffenders 3, b 0.500000; payment_total 1250.50 - 500.00 = 750.50
const MEASURES: Row[] = [
  { population: 'CRC', area: 'A1', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 6, measurable: 5, reoffenders: 2, binary_rate: '0.400000', expected_rate: '0.456789', adjusted_binary_rate: '0.412345', binary_outcome: 'payment' },
  { population: 'CRC', area: 'A2', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 1, measurable: 1, reoffenders: 1, binary_rate: '1.000000', binary_outcome: 'deduction' },
  { population: 'CRC', area: 'ALL', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 7, measurable: 6, reoffenders: 3, binary_rate: '0.500000', binary_outcome: 'none' },
];
const PAYMENTS: Row[] = [
  { area: 'A1', period: '2024Q1', component: 'binary_payment', basis: 'x', amount: '1000.00', rule: 'payments.binary_price' },
  { area: 'A1', period: '2024Q1', component: 'frequency_payment', basis: 'x', amount: '250.50', rule: 'payments.frequency_price' },
  { area: 'A2', period: '2024Q1', component: 'binary_deduction', basis: 'x', amount: '-500.00', rule: 'payments.deduction_price' },
];
const AREAS = { A1: 'North', A2: 'South' };

const makeRun = (areas: Record<string, string> = AREAS) =>
  writeRun(path.join(tmpDir('chk-pub'), 'run'), { measures: MEASURES, payments: PAYMENTS, manifest: { contract: { contract: 'test', areas } } });

function table(lines: string[]): string {
  const f = path.join(tmpDir('chk-pub-file'), 'published.csv');
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

const check = (lines: string[], o: Partial<CheckOptions> = {}) => checkRun({ run: makeRun(), published: table(lines), ...o });
const verdicts = (r: Awaited<ReturnType<typeof checkRun>>) => r.rows.map((x) => [x.area, x.measure, x.verdict]);

describe('pbr check: wide tables', () => {
  it('a row per area, a column per measure (named as measures.csv names them): every figure compared', async () => {
    const r = await check([
      'area,period,measurable,reoffenders,binary_rate,payment_total',
      'A1,2024Q1,5,2,0.4,1250.50', // all as the run
      'A2,2024Q1,1,1,1,-500', //      all as the run
    ]);
    expect(r.layout).toBe('wide');
    expect(r.rows).toHaveLength(8);
    expect(r.rows.every((x) => x.verdict === 'match')).toBe(true);
    expect(r.rows.map((x) => [x.line, x.measure, x.kind])).toEqual([
      [2, 'measurable', 'count'],
      [2, 'reoffenders', 'count'],
      [2, 'binary_rate', 'rate'],
      [2, 'payment_total', 'money'],
      [3, 'measurable', 'count'],
      [3, 'reoffenders', 'count'],
      [3, 'binary_rate', 'rate'],
      [3, 'payment_total', 'money'],
    ]);
  });

  it('headers in other case or with spaces are the same measures (Binary rate is binary_rate)', async () => {
    const r = await check(['Area,Period,Binary rate,Payment total', 'A1,2024Q1,0.4,1250.5']);
    expect(r.rows.map((x) => [x.measure, x.verdict])).toEqual([
      ['binary_rate', 'match'],
      ['payment_total', 'match'],
    ]);
  });

  it('without a period column, --period gives every row its period', async () => {
    const r = await check(['area,binary_rate', 'A1,0.4', 'A2,1.0'], { period: '2024Q1' });
    expect(r.rows.map((x) => [x.area, x.period, x.verdict])).toEqual([
      ['A1', '2024Q1', 'match'],
      ['A2', '2024Q1', 'match'],
    ]);
  });

  it('without a period column and without --period: an input error saying to pass it', async () => {
    await expect(check(['area,binary_rate', 'A1,0.4'])).rejects.toThrow(/no 'period' column; add one, or pass --period LABEL/);
  });

  it('a column that is not a figure is an input error naming it', async () => {
    const p = check(['area,period,binary_rate,notes', 'A1,2024Q1,0.4,x']);
    await expect(p).rejects.toThrow(InputError);
    await expect(check(['area,period,binary_rate,notes', 'A1,2024Q1,0.4,x'])).rejects.toThrow(/line 1, column 'notes': not a figure pbr check knows/);
  });

  it('an empty cell compares as an empty figure: equal to an empty run figure, else a MISMATCH', async () => {
    // A1's frequency_rate is empty in the run (a match); its binary_rate is 0.400000 (a MISMATCH).
    const r = await check(['area,period,frequency_rate,binary_rate', 'A1,2024Q1,,']);
    expect(r.rows.map((x) => [x.measure, x.verdict])).toEqual([
      ['frequency_rate', 'match'],
      ['binary_rate', 'MISMATCH'],
    ]);
    expect(formatCheck(r)).toContain('MISMATCH (published empty)');
  });
});

describe('pbr check: percentages', () => {
  it('41.7% in a cell is the rate 0.417', async () => {
    // 40% = 0.4: run 0.400000, difference 0; 41.2% = 0.412: run 0.412345, difference 0.000345 <= soft 0.0005: match
    const r = await check(['area,period,binary_rate,adjusted_binary_rate', 'A1,2024Q1,40%,41.2%']);
    expect(r.rows.map((x) => [x.measure, x.published, x.published_value, x.difference, x.verdict])).toEqual([
      ['binary_rate', '40%', '0.4', '0', 'match'],
      ['adjusted_binary_rate', '41.2%', '0.412', '0.000345', 'match'],
    ]);
  });

  it('--percent: every rate of 0-1 is in percent, counts and other rates are not', async () => {
    // binary_rate 40 -> 0.4 (match); expected_rate 45.68 -> 0.4568, run 0.456789: -0.000011 (match);
    // measurable 5 stays 5; frequency_rate (reoffences per reoffender) is not a percentage: empty = empty.
    const r = await check(['area,period,binary_rate,expected_rate,measurable,frequency_rate', 'A1,2024Q1,40,45.68,5,'], { percent: true });
    expect(r.rows.map((x) => [x.measure, x.published_value, x.verdict])).toEqual([
      ['binary_rate', '0.4', 'match'],
      ['expected_rate', '0.4568', 'match'],
      ['measurable', '5', 'match'],
      ['frequency_rate', null, 'match'],
    ]);
  });

  it('a percentage on a figure that is not a rate of 0-1 is an input error', async () => {
    await expect(check(['area,period,measurable', 'A1,2024Q1,5%'])).rejects.toThrow(/line 2, column measurable: a percentage, but measurable is not a rate of 0-1/);
  });
});

describe('pbr check: area names', () => {
  it("an area by the contract's name is that area (case and spaces aside); All areas or Total is ALL", async () => {
    const r = await check(['area,period,measurable', 'North,2024Q1,5', ' south ,2024Q1,1', 'ALL,2024Q1,6']);
    expect(r.rows.map((x) => [x.area, x.area_given, x.verdict])).toEqual([
      ['A1', 'North', 'match'],
      ['A2', ' south ', 'match'],
      ['ALL', null, 'match'],
    ]);
    const all = await check(['area,period,measurable,reoffenders', 'All areas,2024Q1,6,3']);
    expect(all.rows.map((x) => [x.area, x.area_given, x.verdict])).toEqual([
      ['ALL', 'All areas', 'match'],
      ['ALL', 'All areas', 'match'],
    ]);
    const total = await check(['area,period,measurable', 'TOTAL,2024Q1,6']);
    expect(total.rows.map((x) => x.area)).toEqual(['ALL']);
    expect(formatCheck(r)).toContain('A1 (North)');
  });

  it('a name that is neither a code nor a name of the contract is missing from the run', async () => {
    const r = await check(['area,period,measurable', 'West,2024Q1,5']);
    expect(verdicts(r)).toEqual([['West', 'measurable', 'missing']]);
  });

  it('a name two areas share is an input error asking for the code', async () => {
    const run = makeRun({ A1: 'North', A2: 'North' });
    await expect(checkRun({ run, published: table(['area,period,measurable', 'North,2024Q1,5']) })).rejects.toThrow(
      /line 2, column area: an area name that several areas of the contract share; give the area code/,
    );
  });
});

describe('pbr check: a tolerance per kind, reported beside the verdict', () => {
  it('counts are exact by default; --count-tolerance allows a rounded count', async () => {
    // measurable published 6, run 5: difference -1
    const lines = ['area,period,measurable', 'A1,2024Q1,6'];
    const exact = await check(lines);
    expect(exact.rows.map((x) => [x.kind, x.tolerance, x.difference, x.verdict])).toEqual([['count', '0', '-1', 'MISMATCH']]);
    expect(formatCheck(exact)).toContain('MISMATCH (run - published = -1; count: exact)');
    const loose = await check(lines, { countTolerance: '1' });
    expect(loose.rows.map((x) => [x.tolerance, x.verdict])).toEqual([['1', 'rounding']]);
    expect(formatCheck(loose)).toContain('rounding (count: within 1, a rounded publication)');
  });

  it('pounds: a penny differs by default; --money-tolerance 1 takes a publication rounded to pounds', async () => {
    // payment_total published 1,251 (pounds, with a comma and a pound sign), run 1250.50: difference -0.50
    const lines = ['area,period,payment_total', 'A1,2024Q1,"£1,251"'];
    const exact = await check(lines);
    expect(exact.rows.map((x) => [x.kind, x.tolerance, x.published_value, x.difference, x.verdict])).toEqual([['money', '0.005', '1251', '-0.5', 'MISMATCH']]);
    const pounds = await check(lines, { moneyTolerance: '1' });
    expect(pounds.rows.map((x) => x.verdict)).toEqual(['rounding']);
    // A penny: 1250.51 against 1250.50 is beyond 0.005.
    const penny = await check(['area,period,payment_total', 'A1,2024Q1,1250.51']);
    expect(penny.rows.map((x) => [x.difference, x.verdict])).toEqual([['-0.01', 'MISMATCH']]);
  });

  it('rates: --rate-tolerance sets where a MISMATCH starts (as --hard), the soft tolerance at most it', async () => {
    // expected_rate published 0.46, run 0.456789: |difference| 0.003211 > 0.001
    const r = await check(['area,period,expected_rate', 'A1,2024Q1,0.46'], { rateTolerance: '0.001' });
    expect(r.tolerances).toEqual({ soft: '0.0005', hard: '0.001', count: '0', money: '0.005' });
    expect(r.rows.map((x) => [x.tolerance, x.verdict])).toEqual([['0.0005/0.001', 'MISMATCH']]);
    // A rate tolerance below the default soft one: soft follows it down.
    const tight = await check(['area,period,expected_rate', 'A1,2024Q1,0.4568'], { rateTolerance: '0.00001' });
    // 0.456789 - 0.4568 = -0.000011: beyond 0.00001
    expect(tight.tolerances.soft).toBe('0.00001');
    expect(tight.rows.map((x) => x.verdict)).toEqual(['MISMATCH']);
  });

  it('--rate-tolerance and --hard together are a usage error', async () => {
    await expect(check(['area,period,expected_rate', 'A1,2024Q1,0.46'], { rateTolerance: '0.001', hard: '0.002' })).rejects.toThrow(/--rate-tolerance and --hard/);
  });

  it('a bad tolerance names its flag', async () => {
    await expect(check(['area,period,measurable', 'A1,2024Q1,5'], { moneyTolerance: 'a penny' })).rejects.toThrow(/^--money-tolerance a penny: expected a decimal/);
  });
});

describe('pbr check: a pbr assess output folder', () => {
  it('is read like a run (outcomes.csv for measures.csv); --contract gives its area names', async () => {
    // fixtures/aggregates/tr-crc.csv, CPA01 2015Q4: n 1412, r 589, k 1767, e = B_e = 0.45, B 0.499:
    //   a = 589/1412 = 0.41713881.. (0.417139 in the file), published 41.7%: difference 0.000139 (match)
    //   binary (0.499 - 589/1412) x 1412 x 3200 = (704.588 - 589) x 3200 = 369881.60
    //   frequency (3.5 - 1767/589) x 589 x 450 = 0.5 x 589 x 450 = 132525.00; total 502406.60
    const out = path.join(tmpDir('chk-assess'), 'assess');
    const contract = path.join(FIXTURES_DIR, 'aggregates', 'tr-crc.contract.json');
    await runAssess({ aggregates: path.join(FIXTURES_DIR, 'aggregates', 'tr-crc.csv'), contract, out });
    const published = table(['area,period,reoffenders,adjusted_binary_rate,binary_outcome,payment_total', 'Cumbria and Lancashire,2015Q4,589,41.7%,payment,"£502,406.60"']);
    const r = await checkRun({ run: out, published, contract });
    expect(r.source).toBe('assess');
    expect(r.rows.map((x) => [x.area, x.measure, x.run, x.verdict])).toEqual([
      ['CPA01', 'reoffenders', '589', 'match'],
      ['CPA01', 'adjusted_binary_rate', '0.417139', 'match'],
      ['CPA01', 'binary_outcome', 'payment', 'match'],
      ['CPA01', 'payment_total', '502406.60', 'match'],
    ]);
    expect(r.ok).toBe(true);
  });

  it("a Doncaster assess folder: its own outcomes.csv columns are figures too", async () => {
    // fixtures/aggregates/doncaster.csv: 2011 523 of 1000 reoffend (52.3%) against 0.58: a change of
    // (0.523 - 0.58) x 100 = -5.7 points, at least the 5-point target: target_met, nothing refunded;
    // 2012 547 of 1000 (54.7%): -3.3 points, target_missed: -10% x 10,000,000 = -1,000,000.00.
    const out = path.join(tmpDir('chk-assess-d'), 'assess');
    const contract = path.join(FIXTURES_DIR, 'aggregates', 'doncaster.contract.json');
    await runAssess({ aggregates: path.join(FIXTURES_DIR, 'aggregates', 'doncaster.csv'), contract, out });
    const published = table(['area,period,binary_rate,change_points,outcome,binary_deduction', 'HMP Doncaster,2011,52.3%,-5.7,target_met,0', 'DONC,2012,54.7%,-3.3,target_missed,"-£1,000,000"']);
    const r = await checkRun({ run: out, published, contract });
    expect(r.rows.map((x) => [x.period, x.measure, x.kind, x.verdict])).toEqual([
      ['2011', 'binary_rate', 'rate', 'match'],
      ['2011', 'change_points', 'rate', 'match'],
      ['2011', 'outcome', 'text', 'match'],
      ['2011', 'binary_deduction', 'money', 'match'],
      ['2012', 'binary_rate', 'rate', 'match'],
      ['2012', 'change_points', 'rate', 'match'],
      ['2012', 'outcome', 'text', 'match'],
      ['2012', 'binary_deduction', 'money', 'match'],
    ]);
  });

  it('a folder that is neither a run nor an assess output is an input error', async () => {
    await expect(checkRun({ run: tmpDir('chk-empty'), published: table(['area,period,measure,value']) })).rejects.toThrow(/neither a run \(no manifest\.json\) nor a 'pbr assess' output/);
  });
});
