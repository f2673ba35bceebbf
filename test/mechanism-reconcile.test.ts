/**
 * pbr reconcile's payment estimate prices the run's own exact figures (measures.csv's exact
 * numerators, formats.md section 4 v2), so an area-period the disagreements leave unchanged ties to
 * its statement line to the penny; a run without them falls back on the 6-place rates.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcile } from '../src/audit/reconcile.js';
import { MEASURE_COLUMNS } from '../src/audit/diffRunFiles.js';
import { csvText, measureRow, tmpDir, writeOutcomes, writeRun, type Row } from './audit-diff-runfolder.js';

const off = (id: string) =>
  `{'offence_id': '${id}', 'offence_date': DATE '2024-05-01', 'disposal_date': DATE '2024-09-01', 'disposal_type': 'CONVICTION', 'court_event_id': NULL, 'breach': false, 'counted': true, 'reason': 'counted'}`;
const person = (p: string, reoffender: boolean, k: number, offences: string[]) =>
  `('2024Q1', DATE '2024-01-01', 'A1', '${p}', 'S${p}', DATE '2024-02-01', true, true, NULL, ${reoffender}, ${k}, [${offences.join(', ')}])`;

// A1 2024Q1: n = 3, r = 1 (P01), ogrs sum 1.5 (e = 0.5); baseline B_n = 7, B_r = 3, B_S = 3.5 (B = 3/7, B_e = 0.5).
// a = 1/3 - (0.5 - 0.5) = 1/3 < lower 0.35: payment (3/7 - 1/3) x 3 x 100,000 = 2/7 x 100,000 = 28,571.428... -> 28,571.43
// (from the 6-place rates: (0.428571 - 0.333333) x 3 x 100,000 = 28,571.40).
const MEASURES: Row[] = [
  {
    population: 'CRC', area: 'A1', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 3, measurable: 3, reoffenders: 1,
    binary_rate: '0.333333', baseline_measurable: 7, baseline_binary_rate: '0.428571', baseline_expected_rate: '0.500000',
    adjusted_binary_rate: '0.333333', lower_threshold: '0.350000', upper_threshold: '0.500000', binary_outcome: 'payment',
    ogrs_sum: '1.500000000000', baseline_reoffenders: 3, baseline_reoffences: 3, baseline_ogrs_sum: '3.500000000000', termination_watch: null,
  },
];
const EXACT = ['ogrs_sum', 'baseline_reoffenders', 'baseline_reoffences', 'baseline_ogrs_sum', 'termination_watch'];
const CONTRACT = { contract: 'test', adjustment: { method: 'additive' }, payments: { binary_price: 100000 } };

async function makeRun(withExact: boolean): Promise<{ run: string; expected: string }> {
  const dir = tmpDir('mech-rec');
  const run = writeRun(path.join(dir, 'run'), { measures: MEASURES, payments: [], manifest: { contract: CONTRACT } });
  if (withExact) {
    const cols = [...MEASURE_COLUMNS.map((c) => c[0]), ...EXACT];
    writeFileSync(path.join(run, 'measures.csv'), csvText(cols, MEASURES.map((r) => ({ ...measureRow(r), ...Object.fromEntries(EXACT.map((c) => [c, r[c] ?? null])) }))));
  }
  await writeOutcomes(run, [person('P01', true, 1, [off('O1')]), person('P02', false, 0, []), person('P03', false, 0, [])].join(',\n'));
  // the provider counts 2 reoffences for P01: n and r unchanged
  const expected = path.join(dir, 'expected.csv');
  writeFileSync(expected, 'person_id,period,in_cohort,reoffender,reoffences\nP01,2024Q1,true,true,2\nP02,2024Q1,true,false,0\nP03,2024Q1,true,false,0\n');
  return { run, expected };
}

describe('pbr reconcile: the payment estimate', () => {
  it('an unchanged area-period ties to its statement line to the penny (exact numerators)', async () => {
    const r = await reconcile(await makeRun(true));
    expect(r.effects.map((e) => [e.area, e.binary_outcome_provider, e.payment_estimate_engine, e.payment_estimate_provider, e.payment_difference_estimate])).toEqual([
      ['A1', 'payment', '28571.43', '28571.43', '0.00'],
    ]);
  });

  it('a run without the exact numerators falls back on the 6-place rates', async () => {
    const r = await reconcile(await makeRun(false));
    expect(r.effects.map((e) => e.payment_estimate_engine)).toEqual(['28571.40']);
  });
});
