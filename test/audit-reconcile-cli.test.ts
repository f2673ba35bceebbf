import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pbrIn } from './helpers/cli.js';
import { tmpDir } from './audit-diff-runfolder.js';
import { shared } from './helpers/shared.js';

// pbr reconcile against a real run of the hand fixture (reasons worked out in
// test/measure-hand.test.ts), contract with binary_price = deduction_price = 1000.
// A1 2024Q1: P01 (2 reoffences), P02 (1), P03 (2: O03a, O03e counted; O03b after_waiting_period,
// O03c breach, O03d not_proven), P10 (none). n 4, r 3, a 0.8125 > upper 0.668622: deduction.
// P06's index start in 2024Q1 is S06b in A2 (2024-01-20), before its A1 start S06a.
// The provider of A1 plants five disagreements, one of each kind:
//   P01 not in cohort            -> provider_says_not_in_cohort
//   P02 left out                 -> not_in_provider_file
//   P03 3 reoffences             -> reoffences_differs
//   P10 reoffender, 1 reoffence  -> reoffender_differs (no offence near the window)
//   P06 in cohort, no reoffence  -> not_in_engine_cohort (index start in A2)
let run: string;
let root: string;

beforeAll(async () => {
  root = tmpDir('rec-cli');
  // `pbr --quiet run` on fixtures/hand with binary_price = deduction_price = 1000 (exit 0, nothing
  // on stderr), shared with the other test file that needs it
  run = (await shared('hand-price-1000')).run;
}, 120_000);

function file(name: string, lines: string[]): string {
  const f = path.join(root, name);
  writeFileSync(f, ['person_id,period,in_cohort,reoffender,reoffences', ...lines].join('\n') + '\n');
  return f;
}

describe('pbr reconcile on a real run', () => {
  it('finds exactly the five planted disagreements with the engine\'s reasons, and the effect on A1', async () => {
    const f = file('planted.csv', ['P01,2024Q1,false,,', 'P03,2024Q1,true,true,3', 'P10,2024Q1,true,true,1', 'P06,2024Q1,true,false,0']);
    const r = await pbrIn(['--json', 'reconcile', '--run', run, '--expected', f, '--area', 'A1']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.disagreements.map((x: { kind: string; person_id: string; explanation: string }) => [x.kind, x.person_id, x.explanation])).toEqual([
      ['not_in_engine_cohort', 'P06', 'index start in another area: A2 (start S06b on 2024-01-20)'],
      ['not_in_provider_file', 'P02', 'eligible and measurable: index start S02 on 2024-02-29 in area A1'],
      ['provider_says_not_in_cohort', 'P01', 'eligible and measurable: index start S01 on 2024-01-31 in area A1'],
      ['reoffender_differs', 'P10', 'no offence of the person near the follow-up window'],
      ['reoffences_differs', 'P03', expect.stringMatching(/^(?=.*O03a counted)(?=.*O03e counted)(?=.*O03b after_waiting_period)(?=.*O03c breach)(?=.*O03d not_proven)/)],
    ]);
    // A1: dn = +1 (P06) - 1 (P02) - 1 (P01) = -1; dr = -1 (P02) - 1 (P01) + 1 (P10) = -1.
    // n' = 3, r' = 2, b' = 0.666667; a' = 0.8125 + 2/3 - 3/4 = 0.729167 > 0.668622: still deduction.
    // Estimates: -(0.8125 - 0.5) * 4 * 1000 = -1250.00; -(0.729167 - 0.5) * 3 * 1000 = -687.501 -> -687.50;
    // difference 562.50.
    expect(d.effects).toEqual([
      expect.objectContaining({
        area: 'A1', period: '2024Q1', n: 4, r: 3, n_provider: 3, r_provider: 2, binary_rate_provider: '0.666667',
        adjusted_binary_rate_provider: '0.729167', binary_outcome: 'deduction', binary_outcome_provider: 'deduction', outcome_changes: false,
        payment_estimate_engine: '-1250.00', payment_estimate_provider: '-687.50', payment_difference_estimate: '562.50',
      }),
    ]);
  });

  it('persons with no cohort row: why not eligible, from the run\'s own inputs', async () => {
    // fixtures/hand/README.md: P04 EM-only order; P05 NPS; P08 born 2006-03-01, 17 on 2024-02-29;
    // P11 one-day custody S11a (but S11b is its index in A2); P13 starts in 2024Q2 only; P99 unknown.
    const f = file('eligibility.csv', ['P04,2024Q1,true,false,0', 'P05,2024Q1,true,false,0', 'P08,2024Q1,true,false,0', 'P13,2024Q1,true,false,0', 'P99,2024Q1,true,false,0']);
    const r = await pbrIn(['--json', 'reconcile', '--run', run, '--expected', f, '--area', 'A1']);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.eligibility_from_inputs).toBe('used');
    expect(d.disagreements.filter((x: { kind: string }) => x.kind === 'not_in_engine_cohort').map((x: { person_id: string; explanation: string }) => [x.person_id, x.explanation])).toEqual([
      ['P04', 'not eligible: no eligible start in 2024Q1: S04 on 2024-01-10 EM-only order (population.exclude_em_only)'],
      ['P05', 'not eligible: no eligible start in 2024Q1: S05 on 2024-02-01 allocation NPS (population.allocation CRC)'],
      ['P08', 'not eligible: no eligible start in 2024Q1: S08 on 2024-02-29 age 17 < population.min_age 18'],
      ['P13', 'not eligible: no start in 2024Q1 (2024-01-01 to 2024-03-31); index start in another period: 2024Q2 (area A1, start S13 on 2024-06-28)'],
      ['P99', 'not eligible: person_id P99 is not in the cohort extract'],
    ]);
  });

  it('a file that agrees in full says so (exit 0)', async () => {
    const f = file('agrees.csv', ['P01,2024Q1,true,true,2', 'P02,2024Q1,true,true,1', 'P03,2024Q1,true,true,2', 'P10,2024Q1,true,false,0']);
    const r = await pbrIn(['--quiet', 'reconcile', '--run', run, '--expected', f, '--area', 'A1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('agrees in full: 4 persons (area A1)\n');
  });

  it('a bad row exits 2 naming file, line and column', async () => {
    const f = file('bad.csv', ['P01,2024Q1,true,true,2', 'P02,2024Q1,true,true,one']);
    const r = await pbrIn(['--quiet', 'reconcile', '--run', run, '--expected', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${f}: line 3, column reoffences: expected a whole number >= 0 (value 'one')`);
  });
});
