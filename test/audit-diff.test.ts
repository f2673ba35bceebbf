import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contractKeyChanges, diffRuns, formatDiff } from '../src/audit/diff.js';
import { tmpDir, writeRun, type Row } from './audit-diff-runfolder.js';

// pbr diff on hand-made run folders (issue 7, item 5). Run A: areas A1 and A2, period 2024Q1.
//   A1: 10 measurable, 3 reoffenders, b = 0.3, outcome payment, binary_payment 1000.00
//   A2:  8 measurable, 4 reoffenders, b = 0.5, outcome none, no payment line
//   ALL: 18 measurable, 7 reoffenders, b = 7/18 = 0.388889
const measuresA: Row[] = [
  { population: 'CRC', area: 'A1', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 10, measurable: 10, reoffenders: 3, binary_rate: '0.300000', binary_outcome: 'payment' },
  { population: 'CRC', area: 'A2', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 8, measurable: 8, reoffenders: 4, binary_rate: '0.500000', binary_outcome: 'none' },
  { population: 'CRC', area: 'ALL', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 18, measurable: 18, reoffenders: 7, binary_rate: '0.388889', binary_outcome: 'none' },
];
const payA1 = (amount: string): Row => ({ area: 'A1', period: '2024Q1', component: 'binary_payment', basis: 'x', amount, rule: 'payments.binary_price' });
const contractA = { contract: 'test', payments: { binary_price: 3200, frequency_price: null }, areas: { A1: 'North', A2: 'South' } };
const inputsA = [
  { file: 'cohort.csv', sha256: '1'.repeat(64) },
  { file: 'starts.csv', sha256: '2'.repeat(64) },
  { file: 'reconvictions.csv', sha256: '3'.repeat(64) },
];

describe('pbr diff', () => {
  it('a contract change only: lists the key, the payment changes, and gives all of it to the contract', async () => {
    const dir = tmpDir('diff-c');
    // A2 has a fee line of 500.00 in both runs (unchanged: no block, not a changed area).
    const feeA2: Row = { area: 'A2', period: '2024-01', component: 'fee_for_service', basis: 'x', amount: '500.00', rule: 'fee_for_service.areas' };
    const a = writeRun(path.join(dir, 'a'), { measures: measuresA, payments: [payA1('1000.00'), feeA2], manifest: { contract: contractA, contractSha: 'a'.repeat(64), inputs: inputsA } });
    // B: binary_price 3200 -> 4000, same data: A1's payment 1000.00 * 4000 / 3200 = 1250.00.
    const contractB = { ...contractA, payments: { binary_price: 4000, frequency_price: null } };
    const b = writeRun(path.join(dir, 'b'), { measures: measuresA, payments: [payA1('1250.00'), feeA2], manifest: { contract: contractB, contractSha: 'b'.repeat(64), inputs: inputsA } });
    const out = path.join(dir, 'diff.csv');
    const r = await diffRuns(a, b, { out });
    expect(r.inputs).toEqual([]);
    expect(r.contract.keys).toEqual([{ key: 'payments.binary_price', old: 3200, new: 4000 }]);
    // One block: A1 2024Q1, impact 1250.00 - 1000.00 = 250.00, no figure of measures.csv changed.
    expect(r.changes).toEqual([
      { area: 'A1', period: '2024Q1', payment_a: '1000.00', payment_b: '1250.00', impact: '250.00', measures: [], payments: [{ component: 'binary_payment', old: '1000.00', new: '1250.00', change: '250.00' }] },
    ]);
    expect(r.attribution.status).toBe('contract_only');
    // The changed areas (A1 only) sum to 1000.00 -> 1250.00; the grand totals add A2's unchanged
    // 500.00: 1500.00 -> 1750.00, with the same effects (A2 has none).
    expect(r.attribution.areas).toEqual([
      { area: 'A1', total: null, total_a: '1000.00', total_b: '1250.00', total_mixed: null, data_effect: '0.00', contract_effect: '250.00' },
      { area: null, total: 'changed_areas', total_a: '1000.00', total_b: '1250.00', total_mixed: null, data_effect: '0.00', contract_effect: '250.00' },
      { area: null, total: 'all_areas', total_a: '1500.00', total_b: '1750.00', total_mixed: null, data_effect: '0.00', contract_effect: '250.00' },
    ]);
    const text = formatDiff(r);
    expect(text).toMatch(/\n {2}sum of the 1 changed area\(s\) +1000\.00 +1250\.00 +0\.00 +250\.00\n/);
    expect(text).toMatch(/\n {2}all areas \(grand totals\) +1500\.00 +1750\.00 +0\.00 +250\.00\n/);
    expect(readFileSync(out, 'utf8')).toBe('area,period,kind,item,old,new,change,block_impact\nA1,2024Q1,payment,binary_payment,1000.00,1250.00,250.00,250.00\n');
  });

  it('a data change only: lists the input, every changed figure per area and period by payment impact, all of it a data effect', async () => {
    const dir = tmpDir('diff-d');
    const a = writeRun(path.join(dir, 'a'), { measures: measuresA, payments: [payA1('1000.00')], manifest: { contract: contractA, inputs: inputsA } });
    // B: a new starts extract. A1: 3 -> 2 reoffenders (b 0.2), payment 1000.00 -> 2000.00 (impact 1000.00).
    // A2: 8 -> 9 measurable (b = 4/9 = 0.444444), outcome none -> payment, new line 300.00 (impact 300.00).
    // ALL: 19 measurable, 6 reoffenders, b = 6/19 = 0.315789 (no payment: impact 0.00, last).
    const measuresB: Row[] = [
      { ...measuresA[0]!, reoffenders: 2, binary_rate: '0.200000' },
      { ...measuresA[1]!, eligible: 9, measurable: 9, binary_rate: '0.444444', binary_outcome: 'payment' },
      { ...measuresA[2]!, eligible: 19, measurable: 19, reoffenders: 6, binary_rate: '0.315789' },
    ];
    const inputsB = inputsA.map((i) => (i.file === 'starts.csv' ? { ...i, sha256: '4'.repeat(64) } : i));
    const b = writeRun(path.join(dir, 'b'), {
      measures: measuresB,
      payments: [payA1('2000.00'), { area: 'A2', period: '2024Q1', component: 'binary_payment', basis: 'x', amount: '300.00', rule: 'payments.binary_price' }],
      manifest: { contract: contractA, inputs: inputsB },
    });
    const r = await diffRuns(a, b);
    expect(r.inputs).toEqual([{ input: 'starts', file_a: 'starts.csv', file_b: 'starts.csv', sha256_a: '2'.repeat(64), sha256_b: '4'.repeat(64), change: 'changed' }]);
    expect(r.contract.keys).toEqual([]);
    expect(r.changes.map((c) => [c.area, c.period, c.impact])).toEqual([
      ['A1', '2024Q1', '1000.00'],
      ['A2', '2024Q1', '300.00'],
      ['ALL', '2024Q1', '0.00'],
    ]);
    // Figures in the column order of measures.csv.
    expect(r.changes[0]!.measures).toEqual([
      { population: 'CRC', measure: 'reoffenders', old: '3', new: '2' },
      { population: 'CRC', measure: 'binary_rate', old: '0.300000', new: '0.200000' },
    ]);
    expect(r.changes[1]!.measures.map((m) => [m.measure, m.old, m.new])).toEqual([
      ['eligible', '8', '9'],
      ['measurable', '8', '9'],
      ['binary_rate', '0.500000', '0.444444'],
      ['binary_outcome', 'none', 'payment'],
    ]);
    expect(r.changes[1]!.payments).toEqual([{ component: 'binary_payment', old: null, new: '300.00', change: '300.00' }]);
    expect(r.changes[2]!.measures.map((m) => m.measure)).toEqual(['eligible', 'measurable', 'reoffenders', 'binary_rate']);
    expect(r.changes[2]!.payments).toEqual([]);
    expect(r.attribution.status).toBe('data_only');
    // Totals: A1 1000.00 -> 2000.00, A2 0.00 -> 300.00; all 1300.00 of the change is data.
    // Every paid area changed, so the changed areas' sum and the grand totals agree.
    expect(r.attribution.areas).toEqual([
      { area: 'A1', total: null, total_a: '1000.00', total_b: '2000.00', total_mixed: null, data_effect: '1000.00', contract_effect: '0.00' },
      { area: 'A2', total: null, total_a: '0.00', total_b: '300.00', total_mixed: null, data_effect: '300.00', contract_effect: '0.00' },
      { area: null, total: 'changed_areas', total_a: '1000.00', total_b: '2300.00', total_mixed: null, data_effect: '1300.00', contract_effect: '0.00' },
      { area: null, total: 'all_areas', total_a: '1000.00', total_b: '2300.00', total_mixed: null, data_effect: '1300.00', contract_effect: '0.00' },
    ]);
  });

  it('both changed and the inputs cannot be found: attribution is unavailable, the rest is still reported', async () => {
    const dir = tmpDir('diff-both');
    const a = writeRun(path.join(dir, 'a'), { measures: measuresA, payments: [payA1('1000.00')], manifest: { contract: contractA, inputs: inputsA } });
    const b = writeRun(path.join(dir, 'b'), {
      measures: measuresA,
      payments: [payA1('1100.00')],
      manifest: { contract: { ...contractA, payments: { binary_price: 3520, frequency_price: null } }, inputs: inputsA.map((i) => ({ ...i, sha256: '9'.repeat(64) })) },
    });
    const r = await diffRuns(a, b);
    expect(r.inputs.map((i) => i.input)).toEqual(['cohort', 'reconvictions', 'starts']);
    expect(r.changes.map((c) => c.impact)).toEqual(['100.00']);
    expect(r.attribution.status).toBe('unavailable');
    expect(r.attribution.reason).toContain('no locations.json');
  });

  it('a changed mapping file is a changed input: its payment change is a data effect', async () => {
    const dir = tmpDir('diff-map');
    const a = writeRun(path.join(dir, 'a'), { measures: measuresA, payments: [payA1('1000.00')], manifest: { contract: contractA, inputs: inputsA, mapping: { file: 'mapping.yaml', sha256: '5'.repeat(64) } } });
    // Same extracts and contract, another mapping: A1 1000.00 -> 900.00, all of -100.00 a data effect.
    const b = writeRun(path.join(dir, 'b'), { measures: measuresA, payments: [payA1('900.00')], manifest: { contract: contractA, inputs: inputsA, mapping: { file: 'mapping.yaml', sha256: '6'.repeat(64) } } });
    const r = await diffRuns(a, b);
    expect(r.inputs).toEqual([{ input: 'mapping', file_a: 'mapping.yaml', file_b: 'mapping.yaml', sha256_a: '5'.repeat(64), sha256_b: '6'.repeat(64), change: 'changed' }]);
    expect(r.attribution.status).toBe('data_only');
    expect(r.attribution.areas[0]).toEqual({ area: 'A1', total: null, total_a: '1000.00', total_b: '900.00', total_mixed: null, data_effect: '-100.00', contract_effect: '0.00' });
  });

  it('a mapping used by one run only is an added (or removed) input', async () => {
    const dir = tmpDir('diff-map-added');
    const a = writeRun(path.join(dir, 'a'), { measures: measuresA, payments: [payA1('1000.00')], manifest: { contract: contractA, inputs: inputsA } });
    const b = writeRun(path.join(dir, 'b'), { measures: measuresA, payments: [payA1('1000.00')], manifest: { contract: contractA, inputs: inputsA, mapping: { file: 'm.yaml', sha256: '6'.repeat(64) } } });
    expect((await diffRuns(a, b)).inputs).toEqual([{ input: 'mapping', file_a: null, file_b: 'm.yaml', sha256_a: null, sha256_b: '6'.repeat(64), change: 'added' }]);
    expect((await diffRuns(b, a)).inputs.map((i) => i.change)).toEqual(['removed']);
  });

  it("measures.csv's v2 columns are compared as the text the file holds, after v1's", async () => {
    const dir = tmpDir('diff-v2');
    // A1: ogrs_sum 3 -> 3.4 (one offender's OGRS 0.3 -> 0.7), written as exact decimal text;
    // termination_watch false -> true; nothing else changes.
    const v2 = (ogrs: string, watch: string): Row[] => [{ ...measuresA[0]!, ogrs_sum: ogrs, baseline_ogrs_sum: '2.05', termination_watch: watch }, measuresA[1]!, measuresA[2]!];
    const a = writeRun(path.join(dir, 'a'), { measures: v2('3.000', 'false'), payments: [], manifest: { contract: contractA, inputs: inputsA }, v2: true });
    const b = writeRun(path.join(dir, 'b'), { measures: v2('3.400', 'true'), payments: [], manifest: { contract: contractA, inputs: inputsA }, v2: true });
    const r = await diffRuns(a, b);
    expect(r.changes.map((c) => [c.area, c.measures.map((m) => [m.measure, m.old, m.new])])).toEqual([
      ['A1', [['ogrs_sum', '3.000', '3.400'], ['termination_watch', 'false', 'true']]],
    ]);
  });

  it('contract keys: nested paths, array elements of objects by index, lists of values whole', () => {
    expect(
      contractKeyChanges(
        { a: { b: 1, c: ['X', 'Y'] }, bands: [{ w: 1 }, { w: 2 }], gone: 1 },
        { a: { b: 1, c: ['X'] }, bands: [{ w: 1 }, { w: 3 }], added: true },
      ),
    ).toEqual([
      { key: 'a.c', old: ['X', 'Y'], new: ['X'] },
      { key: 'bands[1].w', old: 2, new: 3 },
      { key: 'gone', old: 1, new: null },
      { key: 'added', old: null, new: true },
    ]);
  });
});
