import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pbrIn } from './helpers/cli.js';
import { tmpDir } from './audit-diff-runfolder.js';
import { shared } from './helpers/shared.js';
import { checkRun } from '../src/audit/check.js';

// pbr check against a real run of the hand fixture (figures worked out in test/measure-hand.test.ts),
// contract with deduction_price 1000: A1 2024Q1 b = 3/4 = 0.75, a = 0.8125, deduction
// -(0.8125 - 0.5) * 4 * 1000 = -1250.00; A2 2024Q1 measurable 3.
let run: string;
let root: string;

beforeAll(async () => {
  root = tmpDir('chk-cli');
  // `pbr --quiet run` on fixtures/hand with binary_price = deduction_price = 1000 (exit 0, nothing
  // on stderr), shared with the other test file that needs it
  run = (await shared('hand-price-1000')).run;
}, 120_000);

function table(name: string, lines: string[]): string {
  const f = path.join(root, name);
  writeFileSync(f, ['area,period,measure,value', ...lines].join('\n') + '\n');
  return f;
}

describe('pbr check on a real run', () => {
  it('a published table rounded to 3 places agrees: exit 0', async () => {
    // 0.8125 published as 0.813 (diff -0.0005: within soft); 0.75 as 0.75.
    const f = table('ok.csv', ['A1,2024Q1,binary_rate,0.75', 'A1,2024Q1,adjusted_binary_rate,0.813', 'A1,2024Q1,payment_total,-1250', 'A2,2024Q1,measurable,3', 'A1,2024Q1,binary_outcome,deduction']);
    const r = await pbrIn(['--quiet', 'check', '--run', run, '--published', f]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('5 row(s): 5 match, 0 rounding, 0 MISMATCH, 0 missing (counts exact; rates soft 0.0005, hard 0.005; pounds within 0.005)');
  });

  it('a figure beyond the hard tolerance: exit 1, with the row marked MISMATCH', async () => {
    // 0.8125 published as 0.81 (diff 0.0025: rounding), reoffenders 4 against 3: MISMATCH.
    const f = table('bad.csv', ['A1,2024Q1,adjusted_binary_rate,0.81', 'A1,2024Q1,reoffenders,4']);
    const r = await pbrIn(['--quiet', '--json', 'check', '--run', run, '--published', f]);
    expect(r.status).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.rows.map((x: { verdict: string; difference: string }) => [x.verdict, x.difference])).toEqual([
      ['rounding', '0.0025'],
      ['MISMATCH', '-1'],
    ]);
    expect(r.stderr).toContain('1 MISMATCH and 0 missing row(s) of 2');
  });

  it("the run's own measures.csv as a wide table, rates in percent and areas by name, is all match", async () => {
    // The proportions (rates of 0-1) written in percent by moving the decimal point: 0.812500 is
    // 81.2500%, exactly the same number; areas A1, A2, A3 by the contract's names North, South,
    // Empty (fixtures/hand/contract.json). Every other figure stays as the run wrote it.
    const percent = new Set(['binary_rate', 'expected_rate', 'baseline_binary_rate', 'baseline_expected_rate', 'adjusted_binary_rate', 'lower_threshold', 'upper_threshold']);
    const names: Record<string, string> = { A1: 'North', A2: 'South', A3: 'Empty' };
    const toPercent = (v: string) => {
      if (v === '') return v;
      const sign = v.startsWith('-') ? '-' : '';
      const [i, f = ''] = v.replace(/^-/, '').split('.');
      const g = f.padEnd(2, '0');
      return `${sign}${Number(i + g.slice(0, 2))}${g.length > 2 ? `.${g.slice(2)}` : ''}%`;
    };
    const lines = readFileSync(path.join(run, 'measures.csv'), 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const wide = [header.join(','), ...lines.slice(1).map((l) => l.split(',').map((v, j) => (header[j] === 'area' ? (names[v] ?? v) : percent.has(header[j]!) ? toPercent(v) : v)).join(','))];
    expect(wide[1]).toContain('North,2024Q1,'); // A1 2024Q1 by name
    expect(wide[1]).toContain(',81.2500%,'); //     its adjusted rate 0.812500 in percent
    const f = path.join(root, 'wide-percent.csv');
    writeFileSync(f, `${wide.join('\n')}\n`);
    const r = await checkRun({ run, published: f });
    expect(r.layout).toBe('wide');
    // one figure per cell but area and period: (lines - 1) x (columns - 2), every one a match
    expect(r.rows).toHaveLength((lines.length - 1) * (header.length - 2));
    expect(r.rows.filter((x) => x.verdict !== 'match')).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('a bad tolerance is a usage error: exit 2', async () => {
    const f = table('one.csv', ['A1,2024Q1,binary_rate,0.75']);
    const r = await pbrIn(['--quiet', 'check', '--run', run, '--published', f, '--soft', 'abc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--soft');
  });
});
