import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkRun, formatCheck } from '../src/audit/check.js';
import { InputError } from '../src/errors.js';
import { tmpDir, writeRun, type Row } from './audit-diff-runfolder.js';

// pbr check on a hand-made run (issue 7, item 7). Period 2024Q1:
//   A1: measurable 5, reoffenders 2, b 0.400000, expected 0.456789, a 0.412345, outcome payment,
//       frequency rate empty; payments binary_payment 1000.00 + frequency_payment 250.50 = 1250.50
//   A2: payments binary_deduction -500.00
//   ALL: payment_total = 1250.50 - 500.00 = 750.50
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

function published(lines: string[]): string {
  const f = path.join(tmpDir('chk-file'), 'published.csv');
  writeFileSync(f, ['area,period,measure,value', ...lines].join('\n') + '\n');
  return f;
}
const makeRun = () => writeRun(path.join(tmpDir('chk'), 'run'), { measures: MEASURES, payments: PAYMENTS });

const TABLE = [
  'A1,2024Q1,binary_rate,0.4', //            line 2: 0.400000 - 0.4 = 0: match
  'A1,2024Q1,adjusted_binary_rate,0.412', // line 3: 0.412345 - 0.412 = 0.000345 <= 0.0005: match
  'A1,2024Q1,expected_rate,0.46', //         line 4: 0.456789 - 0.46 = -0.003211: rounding (<= 0.005)
  'A1,2024Q1,measurable,6', //               line 5: 5 - 6 = -1: MISMATCH
  'A1,2024Q1,payment_total,1250.50', //      line 6: match
  'ALL,2024Q1,payment_total,750.5', //       line 7: match
  'A3,2024Q1,binary_rate,0.3', //            line 8: no area A3: missing
  'A1,2024Q1,binary_outcome,payment', //     line 9: match
  'A1,2024Q1,frequency_rate,', //            line 10: both empty: match
  'A2,2024Q1,binary_deduction,-500', //      line 11: match
];

describe('pbr check', () => {
  it('a verdict per row: match within soft, rounding within hard, MISMATCH beyond, missing without a figure', async () => {
    const r = await checkRun({ run: makeRun(), published: published(TABLE) });
    expect(r.rows.map((x) => [x.line, x.verdict])).toEqual([
      [2, 'match'],
      [3, 'match'],
      [4, 'rounding'],
      [5, 'MISMATCH'],
      [6, 'match'],
      [7, 'match'],
      [8, 'missing'],
      [9, 'match'],
      [10, 'match'],
      [11, 'match'],
    ]);
    expect(r.rows.map((x) => x.difference)).toEqual(['0', '0.000345', '-0.003211', '-1', '0', '0', null, null, null, '0']);
    expect(r.counts).toEqual({ match: 7, rounding: 1, MISMATCH: 1, missing: 1 });
    expect(r.ok).toBe(false);
    const text = formatCheck(r);
    expect(text).toContain('MISMATCH (run - published = -1; count: exact)');
    expect(text).toContain('missing (the run has no binary_rate for A3 2024Q1)');
  });

  it('tolerances are options: with --hard 0.001 the rounded expected rate is a MISMATCH', async () => {
    const r = await checkRun({ run: makeRun(), published: published(TABLE.slice(2, 3)), soft: '0.0005', hard: '0.001' });
    expect(r.rows.map((x) => x.verdict)).toEqual(['MISMATCH']);
  });

  it('a table that agrees is ok, and --out writes every row with its verdict', async () => {
    const out = path.join(tmpDir('chk-out'), 'c.csv');
    const r = await checkRun({ run: makeRun(), published: published(TABLE.slice(0, 3)), out });
    expect(r.ok).toBe(true);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('line,area,period,measure,published,run,difference,verdict,kind,tolerance,published_value,area_given');
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBe(4);
  });

  it('--out: a number stays a number, text a spreadsheet would run as a formula gets an apostrophe', async () => {
    // -500 (published) and -500.00 (run) are numbers; =HYPERLINK("x") is text (a MISMATCH against payment).
    const out = path.join(tmpDir('chk-out-safe'), 'c.csv');
    await checkRun({ run: makeRun(), published: published(['A2,2024Q1,binary_deduction,-500', 'A1,2024Q1,binary_outcome,"=HYPERLINK(""x"")"']), out });
    expect(readFileSync(out, 'utf8').split('\n').slice(1, 3)).toEqual([
      '2,A2,2024Q1,binary_deduction,-500,-500.00,0,match,money,0.005,-500,',
      '3,A1,2024Q1,binary_outcome,"\'=HYPERLINK(""x"")",payment,,MISMATCH,text,,,',
    ]);
  });

  it('bad published rows are input errors naming file, line and column', async () => {
    const run = makeRun();
    const f1 = published(['A1,2024Q1,binary_rate,0.4', 'A1,2024Q1,binary_rte,0.4']);
    await expect(checkRun({ run, published: f1 })).rejects.toThrow(InputError);
    await expect(checkRun({ run, published: f1 })).rejects.toThrow(`${f1}: line 3, column measure: unknown measure`);
    const f2 = published(['A1,2024Q1,binary_rate,0.4O']);
    await expect(checkRun({ run, published: f2 })).rejects.toThrow(`${f2}: line 2, column value: expected a number`);
    const f3 = published(['A1,2024Q1,frequency_rate,40%']);
    await expect(checkRun({ run, published: f3 })).rejects.toThrow(`${f3}: line 2, column value: a percentage, but frequency_rate is not a rate of 0-1`);
  });

  it('a hard tolerance below the soft one is a usage error', async () => {
    await expect(checkRun({ run: makeRun(), published: published(TABLE), soft: '0.01', hard: '0.001' })).rejects.toThrow('--hard 0.001 is below --soft 0.01');
  });
});
