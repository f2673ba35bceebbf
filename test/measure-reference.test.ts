/**
 * "Done when": measures match, row for row, an independent implementation of method.md
 * (test/measure-helpers/reference.ts, plain TypeScript per person and offence) on generated data
 * that lands often on the boundary dates. Counts and outcomes exact; rates to 1e-9.
 */
import { describe, expect, test } from 'vitest';
import { measureInline, rows } from './measure-helpers/load.js';
import { generate } from './measure-helpers/generate.js';
import { referenceMeasures } from './measure-helpers/reference.js';
import { parseContract } from '../src/contract/load.js';
import { significanceZ } from '../src/measure/normal.js';

const AREAS = ['A1', 'A2', 'A3'];
const RATES = [
  'binary_rate', 'frequency_rate', 'reoffences_per_100', 'reconviction_events_per_100', 'expected_rate',
  'baseline_binary_rate', 'baseline_expected_rate', 'baseline_frequency_rate', 'adjusted_binary_rate',
  'lower_threshold', 'upper_threshold',
] as const;

const VARIANTS: { name: string; seed: number; contract: Record<string, unknown> }[] = [
  { name: 'quarterly, defaults', seed: 1, contract: {} },
  { name: 'quarterly, ratio, two-proportion, one-sided 90%', seed: 2, contract: { adjustment: { method: 'ratio' }, significance: { method: 'two-proportion', confidence: 0.9, sided: 'one' } } },
  { name: 'calendar year, no adjustment, NPS', seed: 3, contract: { cohort: { period: 'year', from: '2024-01-01', to: null }, adjustment: { method: 'none' }, population: { allocation: 'NPS' } } },
  { name: 'financial year, EM-only in, caution not proven, breaches counted, 6+3 months', seed: 4, contract: {
    cohort: { period: 'financial-year', from: '2023-04-01', to: '2024-06-30' }, baseline: { from: '2010-04-01', to: '2012-03-31' },
    population: { exclude_em_only: false, start_types: ['CO', 'CUSTODY_RELEASE'], min_age: 21, min_custody_days: 3 },
    proven: { disposals: ['CONVICTION'], exclude_breaches: false }, follow_up: { months: 6, waiting_months: 3, as_of: '2025-03-15' } } },
  { name: 'financial year with the default calendar-2011 baseline (one whole-range baseline period)', seed: 6, contract: { cohort: { period: 'financial-year', from: '2023-04-01', to: null }, significance: { confidence: 0.5 } } },
  { name: 'quarterly, as_of cuts through the waiting periods', seed: 5, contract: { follow_up: { as_of: '2025-06-30' }, significance: { confidence: 0.8 } } },
];

describe('engine against the reference implementation', () => {
  test.each(VARIANTS)('$name', async ({ seed, contract }) => {
    const data = generate(seed, 400, AREAS);
    const fullContract = {
      cohort: { period: 'quarter', from: '2024-01-01', to: null },
      follow_up: { as_of: '2025-10-15' },
      areas: { A1: 'One', A2: 'Two', A3: 'Three' },
      ...contract,
    };
    const m = await measureInline({ ...data, contract: fullContract });
    try {
      const c = parseContract({ contract: 'inline', ...fullContract });
      const ref = referenceMeasures({
        ...data, contract: c, asOf: m.ctx.asOf, areas: AREAS, z: significanceZ(c.significance.confidence, c.significance.sided),
      });
      const expected = [...ref].sort((x, y) => Number(x.area === 'ALL') - Number(y.area === 'ALL') || x.area.localeCompare(y.area) || x.period.localeCompare(y.period));
      const actual = await rows(m.db, `SELECT *, reconviction_events AS events FROM measures ORDER BY is_all, area, period_start`);
      expect(actual.length).toBe(expected.length);
      expect(expected.some((e) => e.binary_outcome !== 'none')).toBe(true);
      actual.forEach((a, i) => {
        const e = expected[i]!;
        const key = `${e.area} ${e.period}`;
        expect([key, a.status, a.eligible, a.measurable, a.reoffenders, a.reoffences, a.events, a.baseline_measurable, a.binary_outcome, a.frequency_outcome]).toEqual([
          key, e.status, e.eligible, e.measurable, e.reoffenders, e.reoffences, e.events, e.baseline_measurable, e.binary_outcome, e.frequency_outcome,
        ]);
        for (const r of RATES) {
          const av = a[r] as number | null;
          const ev = e[r];
          if (ev === null || av === null) expect([key, r, av]).toEqual([key, r, ev]);
          else if (Math.abs(av - ev) > 1e-9) throw new Error(`${key} ${r}: engine ${av}, reference ${ev}`);
        }
      });
      // per person: area, index start and the counted offences, for every measurable person-period
      const people = await rows(
        m.db,
        `SELECT period || ' ' || person_id AS k,
                trim(area || ' ' || index_start_id || ' ' || coalesce(array_to_string(list_sort(l.counted_ids), ' '), '')) AS v
         FROM offender_outcomes
         LEFT JOIN (SELECT period, person_id, list(offence_id) FILTER (WHERE counted) AS counted_ids FROM m_offences GROUP BY ALL) l
           USING (period, person_id)
         WHERE measurable ORDER BY k`,
      );
      expect(people.length).toBe(ref.perPerson.size);
      expect(people.length).toBeGreaterThan(50);
      for (const p of people) expect([p.k, p.v]).toEqual([p.k, ref.perPerson.get(String(p.k))]);
    } finally {
      m.close();
    }
  });
});
