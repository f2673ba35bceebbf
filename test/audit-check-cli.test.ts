import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbr } from './helpers/cli.js';
import { tmpDir } from './audit-diff-runfolder.js';

// pbr check against a real run of the hand fixture (figures worked out in test/measure-hand.test.ts),
// contract with deduction_price 1000: A1 2024Q1 b = 3/4 = 0.75, a = 0.8125, deduction
// -(0.8125 - 0.5) * 4 * 1000 = -1250.00; A2 2024Q1 measurable 3.
let run: string;
let root: string;

beforeAll(() => {
  root = tmpDir('chk-cli');
  const c = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'hand', 'contract.json'), 'utf8'));
  c.payments = { binary_price: 1000, deduction_price: 1000 };
  const contract = path.join(root, 'contract.json');
  writeFileSync(contract, JSON.stringify(c));
  run = path.join(root, 'run');
  const r = pbr(['--quiet', 'run', '--data', path.join(FIXTURES_DIR, 'hand'), '--contract', contract, '--out', run]);
  expect(r.status).toBe(0);
}, 120_000);

function table(name: string, lines: string[]): string {
  const f = path.join(root, name);
  writeFileSync(f, ['area,period,measure,value', ...lines].join('\n') + '\n');
  return f;
}

describe('pbr check on a real run', () => {
  it('a published table rounded to 3 places agrees: exit 0', () => {
    // 0.8125 published as 0.813 (diff -0.0005: within soft); 0.75 as 0.75.
    const f = table('ok.csv', ['A1,2024Q1,binary_rate,0.75', 'A1,2024Q1,adjusted_binary_rate,0.813', 'A1,2024Q1,payment_total,-1250', 'A2,2024Q1,measurable,3', 'A1,2024Q1,binary_outcome,deduction']);
    const r = pbr(['--quiet', 'check', '--run', run, '--published', f]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('5 row(s): 5 match, 0 rounding, 0 MISMATCH, 0 missing (soft 0.0005, hard 0.005)');
  });

  it('a figure beyond the hard tolerance: exit 1, with the row marked MISMATCH', () => {
    // 0.8125 published as 0.81 (diff 0.0025: rounding), reoffenders 4 against 3: MISMATCH.
    const f = table('bad.csv', ['A1,2024Q1,adjusted_binary_rate,0.81', 'A1,2024Q1,reoffenders,4']);
    const r = pbr(['--quiet', '--json', 'check', '--run', run, '--published', f]);
    expect(r.status).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.rows.map((x: { verdict: string; difference: string }) => [x.verdict, x.difference])).toEqual([
      ['rounding', '0.0025'],
      ['MISMATCH', '-1'],
    ]);
    expect(r.stderr).toContain('1 MISMATCH and 0 missing row(s) of 2');
  });

  it('a bad tolerance is a usage error: exit 2', () => {
    const f = table('one.csv', ['A1,2024Q1,binary_rate,0.75']);
    const r = pbr(['--quiet', 'check', '--run', run, '--published', f, '--soft', 'abc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--soft');
  });
});
