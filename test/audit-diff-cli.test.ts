import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { runPipeline } from '../src/run/pipeline.js';
import { pbrIn } from './helpers/cli.js';
import { tmpDir } from './audit-diff-runfolder.js';
import { shared } from './helpers/shared.js';

// pbr diff on two real runs of the hand fixture (fixtures/hand) where BOTH the data and the
// contract change, so the mixed combination (data of B, contract of A) is rerun.
//
// A1 2024Q1 (final): P01 P02 P03 P10, n = 4, r = 3, b = 0.75; baseline B = 0.5, B_e = 0.5125;
// thresholds 0.331378 / 0.668622 (test/measure-hand.test.ts).
//   data A: ogrs 0.4 0.6 0.5 0.3 -> e = 0.45, a = 0.75 - (0.45 - 0.5125) = 0.8125 > upper: deduction
//   data B: P10's ogrs 0.3 -> 0.7 -> e = 0.55, a = 0.75 - (0.55 - 0.5125) = 0.7125: still deduction
//   contract A: deduction_price 1000; contract B: deduction_price 2000
//   run A     = -(0.8125 - 0.5) * 4 * 1000 = -1250.00
//   mixed     = -(0.7125 - 0.5) * 4 * 1000 =  -850.00
//   run B     = -(0.7125 - 0.5) * 4 * 2000 = -1700.00
//   data effect = mixed - A = 400.00; contract effect = B - mixed = -850.00; together -450.00.
// Every other area and period pays nothing (A2 2024Q1 outcome none; 2024Q2 interim).
let runA: string;
let runB: string;

function contractWith(dir: string, deductionPrice: number): string {
  const c = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'hand', 'contract.json'), 'utf8'));
  c.payments = { binary_price: 1000, deduction_price: deductionPrice };
  const f = path.join(dir, 'contract.json');
  writeFileSync(f, JSON.stringify(c, null, 2));
  return f;
}

beforeAll(async () => {
  const root = tmpDir('diff-cli');
  // run A: fixtures/hand with binary_price = deduction_price = 1000, shared with other test files
  // (diff only reads it and its inputs)
  runA = (await shared('hand-price-1000')).run;
  const dataB = path.join(root, 'dataB');
  cpSync(path.join(FIXTURES_DIR, 'hand'), dataB, { recursive: true });
  const starts = readFileSync(path.join(dataB, 'starts.csv'), 'utf8');
  expect(starts).toContain('S10,P10,2024-02-28,CO,365,A1,CRC,false,0.3\n');
  writeFileSync(path.join(dataB, 'starts.csv'), starts.replace('S10,P10,2024-02-28,CO,365,A1,CRC,false,0.3\n', 'S10,P10,2024-02-28,CO,365,A1,CRC,false,0.7\n'));
  const cB = contractWith(dataB, 2000);
  runB = path.join(root, 'runB');
  // run B is made in-process (what `pbr run` calls); the command under test is pbr diff
  await runPipeline({ dataDir: dataB, contractPath: cB, outDir: runB, quiet: true, cache: false });
}, 120_000);

describe('pbr diff on real runs', () => {
  it('data and contract both changed: reruns the mixed combination and splits the payment change', async () => {
    const r = await pbrIn(['--json', '--quiet', 'diff', runA, runB]);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.inputs.map((i: { input: string }) => i.input)).toEqual(['starts']);
    expect(d.contract.keys).toEqual([{ key: 'payments.deduction_price', old: 1000, new: 2000 }]);
    expect(d.changes[0]).toMatchObject({ area: 'A1', period: '2024Q1', payment_a: '-1250.00', payment_b: '-1700.00', impact: '-450.00' });
    expect(d.changes[0].payments).toEqual([{ component: 'binary_deduction', old: '-1250.00', new: '-1700.00', change: '-450.00' }]);
    expect(d.changes[0].measures.map((m: { measure: string; old: string; new: string }) => [m.measure, m.old, m.new])).toEqual([
      ['expected_rate', '0.450000', '0.550000'],
      ['adjusted_binary_rate', '0.812500', '0.712500'],
      // measures.csv's exact numerator (v2): A1's 4 measurable people, OGRS sum 1.8 -> 2.2 (e 0.45 -> 0.55)
      ['ogrs_sum', '1.800000000000', '2.200000000000'],
    ]);
    expect(d.attribution.status).toBe('computed');
    expect(d.attribution.areas).toEqual([
      { area: 'A1', total: null, total_a: '-1250.00', total_b: '-1700.00', total_mixed: '-850.00', data_effect: '400.00', contract_effect: '-850.00' },
      { area: null, total: 'changed_areas', total_a: '-1250.00', total_b: '-1700.00', total_mixed: '-850.00', data_effect: '400.00', contract_effect: '-850.00' },
      { area: null, total: 'all_areas', total_a: '-1250.00', total_b: '-1700.00', total_mixed: '-850.00', data_effect: '400.00', contract_effect: '-850.00' },
    ]);
  });

  it('prints a readable report, and --no-rerun leaves attribution unavailable (exit 0)', async () => {
    const r = await pbrIn(['--quiet', 'diff', runA, runB, '--no-rerun']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('payments.deduction_price: 1000 -> 2000');
    expect(r.stdout).toContain('A1 2024Q1: payment -1250.00 -> -1700.00 (impact -450.00)');
    expect(r.stdout).toContain('unavailable: not rerun (--no-rerun)');
  });

  it('a folder that is not a run is an input error (exit 2)', async () => {
    const r = await pbrIn(['--quiet', 'diff', runA, path.join(runB, 'charts')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no manifest.json');
  });
});
