/**
 * method.md sections 5 (baselines), 6 (case-mix adjustment) and 7 (significance and outcomes), on
 * small inline datasets; every expected value is worked out by hand in the comment above it.
 * z values (standard normal quantiles, 16 digits): Phi^-1(0.975) = 1.959963984540054,
 * Phi^-1(0.95) = 1.6448536269514722.
 */
import { describe, expect, test } from 'vitest';
import { measureInline, rows, type BaselineRow, type Inline, type Measured, type OffenceRow, type PersonRow, type StartRow } from './measure-helpers/load.js';
import { close, measureRow } from './measure-helpers/read.js';

async function withMeasure<T>(data: Inline, f: (m: Measured) => Promise<T>): Promise<T> {
  const m = await measureInline(data);
  try {
    return await f(m);
  } finally {
    m.close();
  }
}

/**
 * n people starting a CRC order in A1 on 2024-02-01 with the same OGRS; the first `reoffenders`
 * of them have one counted conviction each (offence 2024-03-01, convicted 2024-04-01).
 */
function cohort(n: number, reoffenders: number, ogrs = '0.5'): { people: PersonRow[]; starts: StartRow[]; offences: OffenceRow[] } {
  const ids = Array.from({ length: n }, (_, i) => `P${String(i + 1).padStart(2, '0')}`);
  return {
    people: ids.map((person_id) => ({ person_id })),
    starts: ids.map((person_id) => ({ start_id: `S${person_id}`, person_id, start_date: '2024-02-01', ogrs })),
    offences: ids.slice(0, reoffenders).map((person_id) => ({ offence_id: `O${person_id}`, person_id, offence_date: '2024-03-01', disposal_date: '2024-04-01' })),
  };
}

const FILE_A1: BaselineRow = { cpa: 'A1', baseline_measurable: 100, baseline_binary_rate: '0.5', baseline_expected_rate: '0.5', baseline_frequency_rate: '2' };
const ONE_QUARTER = { cohort: { period: 'quarter', from: '2024-01-01', to: '2024-03-31' } };

describe('section 5: baselines', () => {
  test('computed baseline pools the 2011 quarters; a person in two quarters counts in both', async () => {
    // 2011Q1: B1 (OGRS 0.6) with 2 counted offences. 2011Q3: B1 again (index 2011-08-01, OGRS 0.4;
    // the 2011 offences are before it). 2011Q2: B2 (OGRS 0.5), no offence. 2012: B3, not baseline.
    // B_n = 3, r = 1, k = 2, OGRS sum 1.5: B = 1/3, B_e = 0.5, B_f = 2.
    await withMeasure(
      {
        people: [{ person_id: 'B1' }, { person_id: 'B2' }, { person_id: 'B3' }, { person_id: 'P' }],
        starts: [
          { start_id: 'S1', person_id: 'B1', start_date: '2011-02-01', ogrs: '0.6' },
          { start_id: 'S2', person_id: 'B1', start_date: '2011-08-01', ogrs: '0.4' },
          { start_id: 'S3', person_id: 'B2', start_date: '2011-05-01', ogrs: '0.5' },
          { start_id: 'S4', person_id: 'B3', start_date: '2012-05-01', ogrs: '0.9' },
          { start_id: 'S5', person_id: 'P', start_date: '2024-02-01' },
        ],
        offences: [
          { offence_id: 'X1', person_id: 'B1', offence_date: '2011-03-01', disposal_date: '2011-04-01' },
          { offence_id: 'X2', person_id: 'B1', offence_date: '2011-06-01', disposal_date: '2011-07-01' },
        ],
        contract: ONE_QUARTER,
      },
      async (m) => {
        const r = await measureRow(m, 'A1', '2024Q1');
        expect([r.baseline_measurable, r.baseline_reoffenders, r.baseline_reoffences]).toEqual([3, 1, 2]);
        expect(close(r.baseline_binary_rate, 1 / 3)).toBe(true);
        expect(r.baseline_expected_rate).toBe(0.5);
        expect(r.baseline_frequency_rate).toBe(2);
      },
    );
  });

  test('financial-year cohorts with the calendar-2011 baseline: the whole of 2011 is one baseline period', async () => {
    // No financial year lies inside 2011-01-01 .. 2011-12-31, so the baseline range itself is one
    // period (label 2011-01-01/2011-12-31): B1 starts 2011-02-01 and 2011-11-01 but counts ONCE
    // (index 2011-02-01, OGRS 0.6, reoffends); B2 2011-06-01 (OGRS 0.4) does not.
    // B_n 2, B = 1/2, B_e = (0.6 + 0.4)/2 = 0.5, B_f = 1.
    await withMeasure(
      {
        people: [{ person_id: 'B1' }, { person_id: 'B2' }, { person_id: 'P' }],
        starts: [
          { start_id: 'S1', person_id: 'B1', start_date: '2011-02-01', ogrs: '0.6' },
          { start_id: 'S2', person_id: 'B1', start_date: '2011-11-01', ogrs: '0.9' },
          { start_id: 'S3', person_id: 'B2', start_date: '2011-06-01', ogrs: '0.4' },
          { start_id: 'S4', person_id: 'P', start_date: '2019-05-01' },
        ],
        offences: [{ offence_id: 'X', person_id: 'B1', offence_date: '2011-03-01', disposal_date: '2011-04-01' }],
        contract: { cohort: { period: 'financial-year', from: '2019-04-01', to: '2020-03-31' } },
      },
      async (m) => {
        const r = await measureRow(m, 'A1', '2019-20');
        expect([r.baseline_measurable, r.baseline_binary_rate, r.baseline_expected_rate, r.baseline_frequency_rate]).toEqual([2, 0.5, 0.5, 1]);
        const b = await rows(m.db, `SELECT DISTINCT period FROM offender_outcomes WHERE is_baseline`);
        expect(b).toEqual([{ period: '2011-01-01/2011-12-31' }]);
      },
    );
  });

  test('the baseline of ALL pools every area; B_f is empty when nobody reoffended', async () => {
    // 2011: A1 one reoffender (1 offence); A2 three non-reoffenders.
    // A1: B_n 1, B 1, B_f 1. A2: B_n 3, B 0, B_f empty. ALL: B_n 4, B = 1/4, B_f = 1/1 = 1.
    await withMeasure(
      {
        people: [{ person_id: 'R' }, { person_id: 'N1' }, { person_id: 'N2' }, { person_id: 'N3' }],
        starts: [
          { start_id: 'SR', person_id: 'R', start_date: '2011-02-01', cpa: 'A1' },
          { start_id: 'S1', person_id: 'N1', start_date: '2011-02-01', cpa: 'A2' },
          { start_id: 'S2', person_id: 'N2', start_date: '2011-02-01', cpa: 'A2' },
          { start_id: 'S3', person_id: 'N3', start_date: '2011-02-01', cpa: 'A2' },
        ],
        offences: [{ offence_id: 'X', person_id: 'R', offence_date: '2011-03-01', disposal_date: '2011-04-01' }],
        contract: { ...ONE_QUARTER, areas: { A1: 'One', A2: 'Two' } },
      },
      async (m) => {
        const a2 = await measureRow(m, 'A2', '2024Q1');
        expect([a2.baseline_measurable, a2.baseline_binary_rate, a2.baseline_frequency_rate]).toEqual([3, 0, null]);
        const all = await measureRow(m, 'ALL', '2024Q1');
        expect([all.baseline_measurable, all.baseline_binary_rate, all.baseline_frequency_rate]).toEqual([4, 0.25, 1]);
      },
    );
  });

  test('a baselines file replaces the computed baselines; rows of another population are ignored', async () => {
    // A 2011 reoffender would give a computed A1 baseline of B = 1; the file's CRC row (B 0.5) wins,
    // the NPS row (B 0.9) is not ours.
    await withMeasure(
      {
        people: [{ person_id: 'R' }, { person_id: 'P' }],
        starts: [
          { start_id: 'SR', person_id: 'R', start_date: '2011-02-01' },
          { start_id: 'SP', person_id: 'P', start_date: '2024-02-01' },
        ],
        offences: [{ offence_id: 'X', person_id: 'R', offence_date: '2011-03-01', disposal_date: '2011-04-01' }],
        baselines: [FILE_A1, { ...FILE_A1, population: 'NPS', baseline_binary_rate: '0.9' }],
        contract: ONE_QUARTER,
      },
      async (m) => {
        const r = await measureRow(m, 'A1', '2024Q1');
        expect([r.baseline_measurable, r.baseline_binary_rate, r.baseline_expected_rate, r.baseline_frequency_rate]).toEqual([100, 0.5, 0.5, 2]);
        expect(r.baseline_reoffenders).toBe(null);
      },
    );
  });

  test('with a baselines file and no ALL row, ALL pools the area rows by their implied counts', async () => {
    // A1: B_n 100, B 0.5, B_e 0.5, B_f 2 -> r 50, k 100, OGRS 50.
    // A2: B_n 300, B 0.25, B_e 0.3, B_f 4 -> r 75, k 300, OGRS 90.
    // ALL: B_n 400, B = 125/400 = 0.3125, B_e = 140/400 = 0.35, B_f = 400/125 = 3.2.
    await withMeasure(
      {
        ...cohort(1, 0),
        baselines: [FILE_A1, { cpa: 'A2', baseline_measurable: 300, baseline_binary_rate: '0.25', baseline_expected_rate: '0.3', baseline_frequency_rate: '4' }],
        contract: { ...ONE_QUARTER, areas: { A1: 'One', A2: 'Two' } },
      },
      async (m) => {
        const all = await measureRow(m, 'ALL', '2024Q1');
        expect(all.baseline_measurable).toBe(400);
        expect(close(all.baseline_binary_rate, 0.3125)).toBe(true);
        expect(close(all.baseline_expected_rate, 0.35)).toBe(true);
        expect(close(all.baseline_frequency_rate, 3.2)).toBe(true);
      },
    );
  });

  test("with a baselines file's ALL row, ALL uses it as given", async () => {
    await withMeasure(
      {
        ...cohort(1, 0),
        baselines: [FILE_A1, { cpa: 'ALL', baseline_measurable: 7, baseline_binary_rate: '0.7', baseline_expected_rate: '0.6', baseline_frequency_rate: '5' }],
        contract: ONE_QUARTER,
      },
      async (m) => {
        const all = await measureRow(m, 'ALL', '2024Q1');
        expect([all.baseline_measurable, all.baseline_binary_rate, all.baseline_expected_rate, all.baseline_frequency_rate]).toEqual([7, 0.7, 0.6, 5]);
      },
    );
  });
});

describe('section 6: case-mix adjustment', () => {
  // n = 4, r = 1, OGRS 0.4 each: b = 0.25, e = 0.4; baseline B 0.5, B_e 0.5.
  const data = (method: string): Inline => ({ ...cohort(4, 1, '0.4'), baselines: [FILE_A1], contract: { ...ONE_QUARTER, adjustment: { method } } });

  test('additive: a = b - (e - B_e) = 0.25 - (0.4 - 0.5) = 0.35', async () => {
    await withMeasure(data('additive'), async (m) => expect(close((await measureRow(m, 'A1', '2024Q1')).adjusted_binary_rate, 0.35)).toBe(true));
  });

  test('ratio: a = b * B_e / e = 0.25 * 0.5 / 0.4 = 0.3125', async () => {
    await withMeasure(data('ratio'), async (m) => expect(close((await measureRow(m, 'A1', '2024Q1')).adjusted_binary_rate, 0.3125)).toBe(true));
  });

  test('none: a = b = 0.25', async () => {
    await withMeasure(data('none'), async (m) => expect((await measureRow(m, 'A1', '2024Q1')).adjusted_binary_rate).toBe(0.25));
  });

  test('ratio with e = 0 has no adjusted rate and outcome none', async () => {
    await withMeasure({ ...cohort(4, 1, '0'), baselines: [FILE_A1], contract: { ...ONE_QUARTER, adjustment: { method: 'ratio' } } }, async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect([r.adjusted_binary_rate, r.binary_outcome]).toEqual([null, 'none']);
    });
  });

  test('no baseline: no adjusted rate (additive), no thresholds, outcome none', async () => {
    await withMeasure({ ...cohort(4, 1), contract: ONE_QUARTER }, async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect([r.baseline_binary_rate, r.adjusted_binary_rate, r.lower_threshold, r.upper_threshold, r.binary_outcome, r.frequency_outcome]).toEqual([
        null, null, null, null, 'none', null,
      ]);
    });
  });
});

describe('section 7: significance and outcomes', () => {
  test('baseline band, two-sided 95%: payment when a < lower', async () => {
    // n 16, r 2, OGRS 0.5: b = 0.125, e = 0.5, a = 0.125 - (0.5 - 0.5) = 0.125.
    // h = 1.959963984540054 * sqrt(0.5 * 0.5 / 16) = 1.959963984540054 * 0.125 = 0.24499549806750675
    // lower = 0.25500450193249325, upper = 0.74499549806750675. a < lower: payment.
    await withMeasure({ ...cohort(16, 2), baselines: [FILE_A1], contract: ONE_QUARTER }, async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect(close(r.lower_threshold, 0.25500450193249325)).toBe(true);
      expect(close(r.upper_threshold, 0.74499549806750675)).toBe(true);
      expect(r.binary_outcome).toBe('payment');
    });
  });

  test('baseline band, two-sided 95%: deduction when a > upper', async () => {
    // n 16, r 14: a = 0.875 > upper 0.74499549806750675: deduction.
    await withMeasure({ ...cohort(16, 14), baselines: [FILE_A1], contract: ONE_QUARTER }, async (m) => {
      expect((await measureRow(m, 'A1', '2024Q1')).binary_outcome).toBe('deduction');
    });
  });

  test('one-sided 95% uses Phi^-1(0.95): a just inside the two-sided band is a payment one-sided', async () => {
    // n 16, r 5, OGRS 0.52: b = 0.3125, e = 0.52, a = 0.3125 - (0.52 - 0.5) = 0.2925.
    // two-sided: lower = 0.255004501932..., a >= lower: none.
    // one-sided: h = 1.6448536269514722 * 0.125 = 0.205606703368934, lower = 0.294393296631066;
    // a = 0.2925 < lower: payment.
    const data = (sided: string): Inline => ({ ...cohort(16, 5, '0.52'), baselines: [FILE_A1], contract: { ...ONE_QUARTER, significance: { sided } } });
    await withMeasure(data('two'), async (m) => expect((await measureRow(m, 'A1', '2024Q1')).binary_outcome).toBe('none'));
    await withMeasure(data('one'), async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect(close(r.adjusted_binary_rate, 0.2925)).toBe(true);
      expect(close(r.lower_threshold, 0.294393296631066)).toBe(true);
      expect(r.binary_outcome).toBe('payment');
    });
  });

  test('confidence changes z: 99.9% two-sided widens the band', async () => {
    // z = Phi^-1(0.9995) = 3.2905267314918945 (published table value 3.2905).
    // n 16, r 2: h = 3.2905267314918945 * 0.125 = 0.41131584143648681, lower = 0.08868415856351319.
    // a = 0.125 >= lower: none.
    await withMeasure({ ...cohort(16, 2), baselines: [FILE_A1], contract: { ...ONE_QUARTER, significance: { confidence: 0.999 } } }, async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect(close(r.lower_threshold, 0.08868415856351319)).toBe(true);
      expect(r.binary_outcome).toBe('none');
    });
  });

  test('two-proportion test: pooled p and se against the baseline on B_n', async () => {
    // n 16, a 0.125; B 0.5 on B_n 100. p = (0.125*16 + 0.5*100) / 116 = 52/116 = 0.448275862068966
    // se = sqrt(p (1 - p) (1/16 + 1/100)) = 0.133906812682397
    // lower = 0.5 - 1.959963984540054 * se = 0.237547469857950, upper = 0.762452530142050: payment.
    await withMeasure({ ...cohort(16, 2), baselines: [FILE_A1], contract: { ...ONE_QUARTER, significance: { method: 'two-proportion' } } }, async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect(close(r.lower_threshold, 0.23754746985795)).toBe(true);
      expect(close(r.upper_threshold, 0.76245253014205)).toBe(true);
      expect(r.binary_outcome).toBe('payment');
    });
  });

  test('two-proportion test: se is 0 when p is 0, so any a above B is a deduction', async () => {
    // Baseline B 0 on 100; cohort n 4 with r 0 (adjustment none): p = 0, se = 0, lower = upper = 0,
    // a = 0: none. With r 1: a = 0.25, p = 1/104 > 0: se = sqrt(p(1-p)(1/4 + 1/100)) = 0.0506...,
    // upper = 1.96 * 0.0506 = 0.0993 < 0.25: deduction.
    const zeroBase: BaselineRow = { cpa: 'A1', baseline_measurable: 100, baseline_binary_rate: '0', baseline_expected_rate: '0.5' };
    const contract = { ...ONE_QUARTER, adjustment: { method: 'none' }, significance: { method: 'two-proportion' } };
    await withMeasure({ ...cohort(4, 0), baselines: [zeroBase], contract }, async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect([r.lower_threshold, r.upper_threshold, r.binary_outcome]).toEqual([0, 0, 'none']);
    });
    await withMeasure({ ...cohort(4, 1), baselines: [zeroBase], contract }, async (m) => {
      expect((await measureRow(m, 'A1', '2024Q1')).binary_outcome).toBe('deduction');
    });
  });

  test('frequency outcome: reduced when f < B_f, not_reduced when equal, empty without B_f', async () => {
    // B_f 2 (file). One reoffender with 1 offence: f = 1 < 2: reduced.
    await withMeasure({ ...cohort(4, 1), baselines: [FILE_A1], contract: ONE_QUARTER }, async (m) =>
      expect((await measureRow(m, 'A1', '2024Q1')).frequency_outcome).toBe('reduced'),
    );
    // One reoffender with 2 offences: f = 2, not below 2: not_reduced.
    const two = cohort(4, 1);
    two.offences.push({ offence_id: 'EXTRA', person_id: 'P01', offence_date: '2024-03-02', disposal_date: '2024-04-01' });
    await withMeasure({ ...two, baselines: [FILE_A1], contract: ONE_QUARTER }, async (m) =>
      expect((await measureRow(m, 'A1', '2024Q1')).frequency_outcome).toBe('not_reduced'),
    );
    // No B_f in the file: empty.
    await withMeasure({ ...cohort(4, 1), baselines: [{ ...FILE_A1, baseline_frequency_rate: undefined }], contract: ONE_QUARTER }, async (m) =>
      expect((await measureRow(m, 'A1', '2024Q1')).frequency_outcome).toBe(null),
    );
  });

  test('frequency outcome with a computed baseline compares k/r and B_k/B_r exactly', async () => {
    // Baseline 2011: 3 reoffenders with 7 offences (B_f = 7/3). Cohort: 3 reoffenders, 7 offences
    // (f = 7/3): equal, not_reduced. (Exactly: 7 * 3 < 7 * 3 is false.)
    const people: PersonRow[] = [];
    const starts: StartRow[] = [];
    const offences: OffenceRow[] = [];
    const counts = [3, 2, 2];
    for (const [year, prefix] of [['2011', 'B'], ['2024', 'C']] as const) {
      counts.forEach((k, i) => {
        const id = `${prefix}${i}`;
        people.push({ person_id: id });
        starts.push({ start_id: `S${id}`, person_id: id, start_date: `${year}-02-01` });
        for (let j = 0; j < k; j++) offences.push({ offence_id: `O${id}${j}`, person_id: id, offence_date: `${year}-03-0${j + 1}`, disposal_date: `${year}-04-01` });
      });
    }
    await withMeasure({ people, starts, offences, contract: ONE_QUARTER }, async (m) => {
      const r = await measureRow(m, 'A1', '2024Q1');
      expect([r.reoffenders, r.reoffences, r.baseline_reoffenders, r.baseline_reoffences]).toEqual([3, 7, 3, 7]);
      expect(r.frequency_outcome).toBe('not_reduced');
    });
  });
});
