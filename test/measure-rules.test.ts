/**
 * One test per rule of method.md sections 1-4 (dates, cohorts, proven reoffences, measures), on
 * tiny inline datasets. Unless a test says otherwise: method.md defaults, quarterly cohorts from
 * 2024-01-01, as_of 2030-01-01, born 1980-01-01, PNC-matched, a CRC community order in area A1
 * with OGRS 0.5, offences are CONVICTIONs and not breaches. Every expected value is worked out by
 * hand in the comment above it.
 */
import { describe, expect, test } from 'vitest';
import { measureInline, rows, type Inline, type Measured } from './measure-helpers/load.js';
import { cohortOf, measureRow, outcome, reasons } from './measure-helpers/read.js';

async function withMeasure<T>(data: Inline, f: (m: Measured) => Promise<T>): Promise<T> {
  const m = await measureInline(data);
  try {
    return await f(m);
  } finally {
    m.close();
  }
}

describe('section 1: dates', () => {
  test('add_months clamps to the month end: 2024-01-31 + 1 month = 2024-02-29', async () => {
    // follow_up.months = 1: window end = add_months(2024-01-31, 1) = 2024-02-29 (leap year).
    // X1 (2024-02-29) is on the last day of the window: counted; X2 (2024-03-01): after_window.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-01-31' }],
        offences: [
          { offence_id: 'X1', person_id: 'P', offence_date: '2024-02-29', disposal_date: '2024-03-05' },
          { offence_id: 'X2', person_id: 'P', offence_date: '2024-03-01', disposal_date: '2024-03-05' },
        ],
        contract: { follow_up: { months: 1, waiting_months: 6, as_of: '2030-01-01' } },
      },
      async (m) => {
        expect((await outcome(m, 'P', '2024Q1'))!.window_end).toBe('2024-02-29');
        expect(await reasons(m, 'P', '2024Q1')).toEqual({ X1: 'counted', X2: 'after_window' });
      },
    );
  });

  test('2024-02-29 + 12 months = 2025-02-28: the last day of the window counts, the day after does not', async () => {
    // window end = add_months(2024-02-29, 12) = 2025-02-28 (2025 is a common year).
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-29' }],
        offences: [
          { offence_id: 'LAST', person_id: 'P', offence_date: '2025-02-28', disposal_date: '2025-03-10' },
          { offence_id: 'NEXT', person_id: 'P', offence_date: '2025-03-01', disposal_date: '2025-03-10' },
        ],
      },
      async (m) => {
        const o = await outcome(m, 'P', '2024Q1');
        expect(o!.window_end).toBe('2025-02-28');
        expect(await reasons(m, 'P', '2024Q1')).toEqual({ LAST: 'counted', NEXT: 'after_window' });
        expect(o!.reoffences).toBe(1);
      },
    );
  });

  test('a conviction on the last day of the waiting period counts, the day after does not', async () => {
    // index 2024-02-29: waiting end = add_months(2024-02-29, 12 + 6) = 2025-08-29.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-29' }],
        offences: [
          { offence_id: 'ON', person_id: 'P', offence_date: '2025-01-10', disposal_date: '2025-08-29' },
          { offence_id: 'AFTER', person_id: 'P', offence_date: '2025-01-10', disposal_date: '2025-08-30' },
        ],
      },
      async (m) => {
        expect((await outcome(m, 'P', '2024Q1'))!.waiting_end).toBe('2025-08-29');
        expect(await reasons(m, 'P', '2024Q1')).toEqual({ ON: 'counted', AFTER: 'after_waiting_period' });
      },
    );
  });

  test('a disposal on as_of counts, one the day after as_of does not', async () => {
    // as_of 2024-09-30; index 2024-01-15, waiting end 2025-07-15 (later than as_of).
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-01-15' }],
        offences: [
          { offence_id: 'ON', person_id: 'P', offence_date: '2024-06-01', disposal_date: '2024-09-30' },
          { offence_id: 'AFTER', person_id: 'P', offence_date: '2024-06-01', disposal_date: '2024-10-01' },
        ],
        contract: { follow_up: { as_of: '2024-09-30' } },
      },
      async (m) => {
        expect(await reasons(m, 'P', '2024Q1')).toEqual({ ON: 'counted', AFTER: 'after_as_of' });
      },
    );
  });

  test('someone born on 29 February turns 18 on 1 March in a common year', async () => {
    // Born 2004-02-29. On 2022-02-28 (2022 is common) they are 17: not eligible.
    // On 2022-03-01 they are 18: eligible. Cohort periods of 2022.
    await withMeasure(
      {
        people: [
          { person_id: 'A', date_of_birth: '2004-02-29' },
          { person_id: 'B', date_of_birth: '2004-02-29' },
        ],
        starts: [
          { start_id: 'SA', person_id: 'A', start_date: '2022-02-28' },
          { start_id: 'SB', person_id: 'B', start_date: '2022-03-01' },
        ],
        contract: { cohort: { period: 'quarter', from: '2022-01-01', to: '2022-03-31' } },
      },
      async (m) => {
        expect(await cohortOf(m, '2022Q1')).toEqual(['B']);
        expect((await outcome(m, 'B', '2022Q1'))!.age).toBe(18);
      },
    );
  });

  test('age is in completed years: 18 on the birthday, 17 the day before', async () => {
    // Born 2006-01-15: 2024-01-14 -> 17 (out), 2024-01-15 -> 18 (in).
    await withMeasure(
      {
        people: [
          { person_id: 'A', date_of_birth: '2006-01-15' },
          { person_id: 'B', date_of_birth: '2006-01-15' },
        ],
        starts: [
          { start_id: 'SA', person_id: 'A', start_date: '2024-01-14' },
          { start_id: 'SB', person_id: 'B', start_date: '2024-01-15' },
        ],
      },
      async (m) => {
        expect(await cohortOf(m, '2024Q1')).toEqual(['B']);
      },
    );
  });

  test('quarter periods: labels 2015Q4, 1 Oct - 31 Dec, from cohort.from to cohort.to', async () => {
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2015-12-31' }],
        contract: { cohort: { period: 'quarter', from: '2015-10-01', to: '2016-03-31' } },
      },
      async (m) => {
        const r = await rows(m.db, `SELECT DISTINCT period, strftime(period_start, '%Y-%m-%d') s, strftime(period_end, '%Y-%m-%d') e FROM measures ORDER BY s`);
        expect(r).toEqual([
          { period: '2015Q4', s: '2015-10-01', e: '2015-12-31' },
          { period: '2016Q1', s: '2016-01-01', e: '2016-03-31' },
        ]);
        expect(await cohortOf(m, '2015Q4')).toEqual(['P']);
      },
    );
  });

  test('financial-year periods: 1 April - 31 March, labelled 2019-20; 31 March is in the year before', async () => {
    // A: 2020-03-31 -> 2019-20; B: 2020-04-01 -> 2020-21.
    await withMeasure(
      {
        people: [{ person_id: 'A' }, { person_id: 'B' }],
        starts: [
          { start_id: 'SA', person_id: 'A', start_date: '2020-03-31' },
          { start_id: 'SB', person_id: 'B', start_date: '2020-04-01' },
        ],
        contract: { cohort: { period: 'financial-year', from: '2019-04-01', to: '2021-03-31' } },
      },
      async (m) => {
        const r = await rows(m.db, `SELECT DISTINCT period, strftime(period_start, '%Y-%m-%d') s, strftime(period_end, '%Y-%m-%d') e FROM measures ORDER BY s`);
        expect(r).toEqual([
          { period: '2019-20', s: '2019-04-01', e: '2020-03-31' },
          { period: '2020-21', s: '2020-04-01', e: '2021-03-31' },
        ]);
        expect(await cohortOf(m, '2019-20')).toEqual(['A']);
        expect(await cohortOf(m, '2020-21')).toEqual(['B']);
      },
    );
  });

  test('calendar-year periods are labelled 2011; the 1999-00 financial year label wraps the century', async () => {
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2011-12-31' }],
        contract: { cohort: { period: 'year', from: '2011-01-01', to: '2011-12-31' } },
      },
      async (m) => {
        const r = await rows(m.db, `SELECT DISTINCT period, strftime(period_end, '%Y-%m-%d') e FROM measures`);
        expect(r).toEqual([{ period: '2011', e: '2011-12-31' }]);
      },
    );
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '1999-05-01' }],
        contract: { cohort: { period: 'financial-year', from: '1999-04-01', to: '2000-03-31' }, baseline: { from: '1998-04-01', to: '1999-03-31' } },
      },
      async (m) => {
        const r = await rows(m.db, `SELECT DISTINCT period FROM measures`);
        expect(r).toEqual([{ period: '1999-00' }]);
      },
    );
  });

  test('cohort.from and cohort.to inside a quarter still give whole quarters', async () => {
    // from 2024-02-15 (in 2024Q1), to 2024-04-10 (in 2024Q2): periods 2024Q1 and 2024Q2, whole.
    // A starts 2024-01-02 (before cohort.from, inside 2024Q1): in. B starts 2024-06-30: in 2024Q2.
    await withMeasure(
      {
        people: [{ person_id: 'A' }, { person_id: 'B' }],
        starts: [
          { start_id: 'SA', person_id: 'A', start_date: '2024-01-02' },
          { start_id: 'SB', person_id: 'B', start_date: '2024-06-30' },
        ],
        contract: { cohort: { period: 'quarter', from: '2024-02-15', to: '2024-04-10' } },
      },
      async (m) => {
        expect(await cohortOf(m, '2024Q1')).toEqual(['A']);
        expect(await cohortOf(m, '2024Q2')).toEqual(['B']);
        const r = await rows(m.db, `SELECT DISTINCT period FROM measures ORDER BY period`);
        expect(r.map((x) => x.period)).toEqual(['2024Q1', '2024Q2']);
      },
    );
  });

  test('a baseline quarter only partly inside baseline.from .. baseline.to is not a baseline period', async () => {
    // baseline 2011-02-01 .. 2011-12-31: 2011Q1 is not wholly inside, so Q2..Q4 form the baseline.
    // X (2011-03-01, Q1) is out; Y (2011-04-01, Q2) is in: B_n = 1.
    await withMeasure(
      {
        people: [{ person_id: 'X' }, { person_id: 'Y' }, { person_id: 'P' }],
        starts: [
          { start_id: 'SX', person_id: 'X', start_date: '2011-03-01' },
          { start_id: 'SY', person_id: 'Y', start_date: '2011-04-01' },
          { start_id: 'SP', person_id: 'P', start_date: '2024-02-01' },
        ],
        contract: { cohort: { period: 'quarter', from: '2024-01-01', to: '2024-03-31' }, baseline: { from: '2011-02-01', to: '2011-12-31' } },
      },
      async (m) => {
        expect((await measureRow(m, 'A1', '2024Q1')).baseline_measurable).toBe(1);
        const r = await rows(m.db, `SELECT period FROM offender_outcomes WHERE is_baseline ORDER BY period`);
        expect(r).toEqual([{ period: '2011Q2' }]);
      },
    );
  });

  test('cohort.to null runs through the period containing the latest start_date', async () => {
    // Latest start 2024-08-15 (an NPS start: any start of the extract counts) -> last period 2024Q3.
    await withMeasure(
      {
        people: [{ person_id: 'P' }, { person_id: 'Q' }],
        starts: [
          { start_id: 'S', person_id: 'P', start_date: '2024-01-15' },
          { start_id: 'T', person_id: 'Q', start_date: '2024-08-15', allocation: 'NPS' },
        ],
      },
      async (m) => {
        const r = await rows(m.db, `SELECT DISTINCT period FROM measures ORDER BY period`);
        expect(r.map((x) => x.period)).toEqual(['2024Q1', '2024Q2', '2024Q3']);
      },
    );
  });
});

describe('section 2: who is in a cohort', () => {
  test('allocation: an NPS start is out of a CRC cohort and in an NPS one', async () => {
    const data: Inline = {
      people: [{ person_id: 'C' }, { person_id: 'N' }],
      starts: [
        { start_id: 'SC', person_id: 'C', start_date: '2024-02-01', allocation: 'CRC' },
        { start_id: 'SN', person_id: 'N', start_date: '2024-02-01', allocation: 'NPS' },
      ],
    };
    await withMeasure(data, async (m) => expect(await cohortOf(m, '2024Q1')).toEqual(['C']));
    await withMeasure({ ...data, contract: { population: { allocation: 'NPS' } } }, async (m) => {
      expect(await cohortOf(m, '2024Q1')).toEqual(['N']);
      expect((await measureRow(m, 'ALL', '2024Q1')).population).toBe('NPS');
    });
  });

  test('start types: only population.start_types are eligible', async () => {
    // start_types [CO]: the SSO start of S is out, the CO start of C is in.
    await withMeasure(
      {
        people: [{ person_id: 'C' }, { person_id: 'S' }],
        starts: [
          { start_id: 'SC', person_id: 'C', start_date: '2024-02-01', start_type: 'CO' },
          { start_id: 'SS', person_id: 'S', start_date: '2024-02-01', start_type: 'SSO' },
        ],
        contract: { population: { start_types: ['CO'] } },
      },
      async (m) => expect(await cohortOf(m, '2024Q1')).toEqual(['C']),
    );
  });

  test('EM-only orders are out by default and in when exclude_em_only is false', async () => {
    const data: Inline = {
      people: [{ person_id: 'E' }, { person_id: 'F' }],
      starts: [
        { start_id: 'SE', person_id: 'E', start_date: '2024-02-01', em_only: true },
        { start_id: 'SF', person_id: 'F', start_date: '2024-02-01', em_only: false },
      ],
    };
    await withMeasure(data, async (m) => expect(await cohortOf(m, '2024Q1')).toEqual(['F']));
    await withMeasure({ ...data, contract: { population: { exclude_em_only: false } } }, async (m) =>
      expect(await cohortOf(m, '2024Q1')).toEqual(['E', 'F']),
    );
  });

  test('a one-day custodial sentence is out; two days is in; a one-day order is not custody', async () => {
    await withMeasure(
      {
        people: [{ person_id: 'ONE' }, { person_id: 'TWO' }, { person_id: 'CO1' }],
        starts: [
          { start_id: 'S1', person_id: 'ONE', start_date: '2024-02-01', start_type: 'CUSTODY_RELEASE', sentence_length_days: 1 },
          { start_id: 'S2', person_id: 'TWO', start_date: '2024-02-01', start_type: 'CUSTODY_RELEASE', sentence_length_days: 2 },
          { start_id: 'S3', person_id: 'CO1', start_date: '2024-02-01', start_type: 'CO', sentence_length_days: 1 },
        ],
      },
      async (m) => expect(await cohortOf(m, '2024Q1')).toEqual(['CO1', 'TWO']),
    );
  });

  test('min_age and min_custody_days come from the contract', async () => {
    // min_age 17 lets the 17-year-old in; min_custody_days 1 lets the one-day custody in.
    await withMeasure(
      {
        people: [{ person_id: 'Y', date_of_birth: '2006-06-01' }, { person_id: 'ONE' }],
        starts: [
          { start_id: 'SY', person_id: 'Y', start_date: '2024-02-01' },
          { start_id: 'S1', person_id: 'ONE', start_date: '2024-02-01', start_type: 'CUSTODY_RELEASE', sentence_length_days: 1 },
        ],
        contract: { population: { min_age: 17, min_custody_days: 1 } },
      },
      async (m) => expect(await cohortOf(m, '2024Q1')).toEqual(['ONE', 'Y']),
    );
  });

  test('the index start is the earliest ELIGIBLE start; its area, date and OGRS are used', async () => {
    // 2024-01-10 EM-only in A9 (ineligible), 2024-02-01 in A2 (OGRS 0.3), 2024-03-01 in A1 (0.9).
    // Index: 2024-02-01, area A2, OGRS 0.3.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [
          { start_id: 'S1', person_id: 'P', start_date: '2024-01-10', em_only: true, cpa: 'A9' },
          { start_id: 'S2', person_id: 'P', start_date: '2024-02-01', cpa: 'A2', ogrs: '0.3' },
          { start_id: 'S3', person_id: 'P', start_date: '2024-03-01', cpa: 'A1', ogrs: '0.9' },
        ],
      },
      async (m) => {
        const o = await outcome(m, 'P', '2024Q1');
        expect([o!.index_start_id, o!.index_date, o!.area, o!.ogrs]).toEqual(['S2', '2024-02-01', 'A2', '0.300000000000']);
        expect((await measureRow(m, 'A2', '2024Q1')).expected_rate).toBe(0.3);
        expect((await measureRow(m, 'A1', '2024Q1')).eligible).toBe(0);
      },
    );
  });

  test('two starts on the same day: the smallest start_id in byte order ("B" < "a")', async () => {
    // 'S-B' (0x42) sorts before 'S-a' (0x61) in byte order, though not case-insensitively.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [
          { start_id: 'S-a', person_id: 'P', start_date: '2024-02-01', cpa: 'A1' },
          { start_id: 'S-B', person_id: 'P', start_date: '2024-02-01', cpa: 'A2' },
        ],
      },
      async (m) => {
        const o = await outcome(m, 'P', '2024Q1');
        expect([o!.index_start_id, o!.area]).toEqual(['S-B', 'A2']);
      },
    );
  });

  test('a person is counted once per period, and can be in several periods', async () => {
    // Starts 2024-01-05, 2024-02-05 (Q1) and 2024-05-05 (Q2): eligible 1 in each quarter.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [
          { start_id: 'S1', person_id: 'P', start_date: '2024-01-05' },
          { start_id: 'S2', person_id: 'P', start_date: '2024-02-05' },
          { start_id: 'S3', person_id: 'P', start_date: '2024-05-05' },
        ],
      },
      async (m) => {
        expect((await measureRow(m, 'A1', '2024Q1')).eligible).toBe(1);
        expect((await measureRow(m, 'A1', '2024Q2')).eligible).toBe(1);
        expect((await outcome(m, 'P', '2024Q2'))!.index_start_id).toBe('S3');
      },
    );
  });

  test('not PNC-matched: eligible but not measurable; their offences do not count', async () => {
    // M measurable, no offence; U unmatched with an in-window conviction (not_measurable).
    // eligible 2, measurable 1, reoffenders 0: binary rate 0/1 = 0.
    await withMeasure(
      {
        people: [{ person_id: 'M' }, { person_id: 'U', pnc_matched: false }],
        starts: [
          { start_id: 'SM', person_id: 'M', start_date: '2024-02-01' },
          { start_id: 'SU', person_id: 'U', start_date: '2024-02-01', ogrs: '0.9' },
        ],
        offences: [{ offence_id: 'X', person_id: 'U', offence_date: '2024-03-01', disposal_date: '2024-04-01' }],
      },
      async (m) => {
        const r = await measureRow(m, 'A1', '2024Q1');
        expect([r.eligible, r.measurable, r.reoffenders, r.reoffences, r.binary_rate, r.expected_rate]).toEqual([2, 1, 0, 0, 0, 0.5]);
        const u = await outcome(m, 'U', '2024Q1');
        expect([u!.measurable, u!.not_measurable_reason, u!.reoffences]).toEqual([false, 'not_pnc_matched', null]);
        expect(await reasons(m, 'U', '2024Q1')).toEqual({ X: 'not_measurable' });
      },
    );
  });
});

describe('section 3: proven reoffences', () => {
  test('an offence on the index date does not count; the day after does', async () => {
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
        offences: [
          { offence_id: 'ON', person_id: 'P', offence_date: '2024-02-10', disposal_date: '2024-03-01' },
          { offence_id: 'NEXT', person_id: 'P', offence_date: '2024-02-11', disposal_date: '2024-03-01' },
          { offence_id: 'BEFORE', person_id: 'P', offence_date: '2024-02-09', disposal_date: '2024-03-01' },
        ],
      },
      async (m) => {
        expect(await reasons(m, 'P', '2024Q1')).toEqual({ ON: 'on_index_date', NEXT: 'counted', BEFORE: 'before_index' });
      },
    );
  });

  test('proven disposals: CONVICTION and CAUTION count by default, OTHER never', async () => {
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
        offences: [
          { offence_id: 'CONV', person_id: 'P', offence_date: '2024-03-01', disposal_date: '2024-04-01', disposal_type: 'CONVICTION' },
          { offence_id: 'CAUT', person_id: 'P', offence_date: '2024-03-02', disposal_date: '2024-04-01', disposal_type: 'CAUTION' },
          { offence_id: 'OTH', person_id: 'P', offence_date: '2024-03-03', disposal_date: '2024-04-01', disposal_type: 'OTHER' },
        ],
      },
      async (m) => {
        expect(await reasons(m, 'P', '2024Q1')).toEqual({ CONV: 'counted', CAUT: 'counted', OTH: 'not_proven' });
        expect((await outcome(m, 'P', '2024Q1'))!.reoffences).toBe(2);
      },
    );
  });

  test('proven.disposals [CONVICTION]: a caution is not proven', async () => {
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
        offences: [{ offence_id: 'CAUT', person_id: 'P', offence_date: '2024-03-02', disposal_date: '2024-04-01', disposal_type: 'CAUTION' }],
        contract: { proven: { disposals: ['CONVICTION'] } },
      },
      async (m) => {
        expect(await reasons(m, 'P', '2024Q1')).toEqual({ CAUT: 'not_proven' });
        expect((await outcome(m, 'P', '2024Q1'))!.reoffender).toBe(false);
      },
    );
  });

  test('breaches are excluded by default and count when exclude_breaches is false', async () => {
    const data: Inline = {
      people: [{ person_id: 'P' }],
      starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
      offences: [{ offence_id: 'BR', person_id: 'P', offence_date: '2024-03-02', disposal_date: '2024-04-01', breach: true }],
    };
    await withMeasure(data, async (m) => expect(await reasons(m, 'P', '2024Q1')).toEqual({ BR: 'breach' }));
    await withMeasure({ ...data, contract: { proven: { exclude_breaches: false } } }, async (m) =>
      expect(await reasons(m, 'P', '2024Q1')).toEqual({ BR: 'counted' }),
    );
  });

  test('follow_up.waiting_months 0: the conviction must come by the end of the window itself', async () => {
    // index 2024-02-10, months 12, waiting 0: both ends 2025-02-10.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
        offences: [
          { offence_id: 'IN', person_id: 'P', offence_date: '2025-01-01', disposal_date: '2025-02-10' },
          { offence_id: 'LATE', person_id: 'P', offence_date: '2025-01-01', disposal_date: '2025-02-11' },
        ],
        contract: { follow_up: { months: 12, waiting_months: 0, as_of: '2030-01-01' } },
      },
      async (m) => expect(await reasons(m, 'P', '2024Q1')).toEqual({ IN: 'counted', LATE: 'after_waiting_period' }),
    );
  });

  test('reconviction events: convictions grouped by court_event_id, else by disposal_date; cautions are not events', async () => {
    // A1+A2 share court event E (1 event); B1+B2 have no court event and the same disposal date
    // 2024-05-01 (1 event); B3 no court event, 2024-05-02 (1 event); C caution (no event).
    // Counted offences 6, reconviction events 3.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
        offences: [
          { offence_id: 'A1', person_id: 'P', offence_date: '2024-03-01', disposal_date: '2024-04-01', court_event_id: 'E' },
          { offence_id: 'A2', person_id: 'P', offence_date: '2024-03-02', disposal_date: '2024-04-01', court_event_id: 'E' },
          { offence_id: 'B1', person_id: 'P', offence_date: '2024-03-03', disposal_date: '2024-05-01' },
          { offence_id: 'B2', person_id: 'P', offence_date: '2024-03-04', disposal_date: '2024-05-01' },
          { offence_id: 'B3', person_id: 'P', offence_date: '2024-03-05', disposal_date: '2024-05-02' },
          { offence_id: 'C', person_id: 'P', offence_date: '2024-03-06', disposal_date: '2024-05-01', disposal_type: 'CAUTION' },
        ],
      },
      async (m) => {
        const o = await outcome(m, 'P', '2024Q1');
        expect([o!.reoffences, o!.reconviction_events, o!.first_offence_date]).toEqual([6, 3, '2024-03-01']);
        // conviction-only (Peterborough / Doncaster): the 5 convictions, 3 events.
        expect([o!.conviction_only_reoffender, o!.conviction_only_events]).toEqual([true, 3]);
        expect((await measureRow(m, 'A1', '2024Q1')).reconviction_events_per_100).toBe(300);
      },
    );
  });

  test('an offence that does not count for its court event does not make the event count', async () => {
    // Court event E holds X (in window) and Y (after the window): 1 offence, 1 event.
    // Court event F holds only Z (after the window): no event.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
        offences: [
          { offence_id: 'X', person_id: 'P', offence_date: '2025-02-10', disposal_date: '2025-03-01', court_event_id: 'E' },
          { offence_id: 'Y', person_id: 'P', offence_date: '2025-02-11', disposal_date: '2025-03-01', court_event_id: 'E' },
          { offence_id: 'Z', person_id: 'P', offence_date: '2025-02-12', disposal_date: '2025-03-02', court_event_id: 'F' },
        ],
      },
      async (m) => {
        const o = await outcome(m, 'P', '2024Q1');
        expect([o!.reoffences, o!.reconviction_events]).toEqual([1, 1]);
      },
    );
  });

  test('status: final when as_of >= add_months(period_end, 18), else interim', async () => {
    // 2024Q1 ends 2024-03-31; + 18 months = 2025-09-30.
    const data = (asOf: string): Inline => ({
      people: [{ person_id: 'P' }],
      starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
      contract: { cohort: { period: 'quarter', from: '2024-01-01', to: '2024-03-31' }, follow_up: { as_of: asOf } },
    });
    await withMeasure(data('2025-09-29'), async (m) => expect((await measureRow(m, 'A1', '2024Q1')).status).toBe('interim'));
    await withMeasure(data('2025-09-30'), async (m) => expect((await measureRow(m, 'A1', '2024Q1')).status).toBe('final'));
  });

  test('offences far from the window are not listed; the listing starts 12 months before the index date', async () => {
    // index 2024-02-10: listed from add_months(2024-02-10, -12) = 2023-02-10 to the waiting end 2025-08-10.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-10' }],
        offences: [
          { offence_id: 'OLD', person_id: 'P', offence_date: '2023-02-09', disposal_date: '2023-03-01' },
          { offence_id: 'NEAR', person_id: 'P', offence_date: '2023-02-10', disposal_date: '2023-03-01' },
          { offence_id: 'LATE', person_id: 'P', offence_date: '2025-08-10', disposal_date: '2025-09-01' },
          { offence_id: 'FAR', person_id: 'P', offence_date: '2025-08-11', disposal_date: '2025-09-01' },
        ],
      },
      async (m) => expect(await reasons(m, 'P', '2024Q1')).toEqual({ NEAR: 'before_index', LATE: 'after_window' }),
    );
  });
});

describe('section 4: measures', () => {
  test('binary, frequency, per 100 and expected rates of one area', async () => {
    // 4 measurable people, OGRS 0.2, 0.4, 0.6, 0.8 (sum 2.0). A: 3 offences in 2 court events;
    // B: 1 caution. n = 4, r = 2, k = 4, events = 2.
    // b = 2/4 = 0.5; f = 4/2 = 2; per 100 = 400/4 = 100; events per 100 = 200/4 = 50; e = 2.0/4 = 0.5.
    await withMeasure(
      {
        people: [{ person_id: 'A' }, { person_id: 'B' }, { person_id: 'C' }, { person_id: 'D' }],
        starts: [
          { start_id: 'SA', person_id: 'A', start_date: '2024-02-01', ogrs: '0.2' },
          { start_id: 'SB', person_id: 'B', start_date: '2024-02-01', ogrs: '0.4' },
          { start_id: 'SC', person_id: 'C', start_date: '2024-02-01', ogrs: '0.6' },
          { start_id: 'SD', person_id: 'D', start_date: '2024-02-01', ogrs: '0.8' },
        ],
        offences: [
          { offence_id: 'A1', person_id: 'A', offence_date: '2024-03-01', disposal_date: '2024-04-01', court_event_id: 'E1' },
          { offence_id: 'A2', person_id: 'A', offence_date: '2024-03-02', disposal_date: '2024-04-01', court_event_id: 'E1' },
          { offence_id: 'A3', person_id: 'A', offence_date: '2024-05-01', disposal_date: '2024-06-01', court_event_id: 'E2' },
          { offence_id: 'B1', person_id: 'B', offence_date: '2024-03-01', disposal_date: '2024-04-01', disposal_type: 'CAUTION' },
        ],
      },
      async (m) => {
        const r = await measureRow(m, 'A1', '2024Q1');
        expect([r.measurable, r.reoffenders, r.reoffences, r.reconviction_events]).toEqual([4, 2, 4, 2]);
        expect([r.binary_rate, r.frequency_rate, r.reoffences_per_100, r.reconviction_events_per_100, r.expected_rate]).toEqual([0.5, 2, 100, 50, 0.5]);
        expect(r.ogrs_sum).toBe('2.000000000000');
      },
    );
  });

  test('frequency rate is empty when nobody reoffended; every rate is empty when n = 0', async () => {
    // A1: 1 person, no offence: b = 0, f empty. A2 (in the contract, nobody): all empty, outcome none.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-01' }],
        contract: { areas: { A1: 'One', A2: 'Two' } },
      },
      async (m) => {
        const a1 = await measureRow(m, 'A1', '2024Q1');
        expect([a1.binary_rate, a1.frequency_rate, a1.frequency_outcome]).toEqual([0, null, null]);
        const a2 = await measureRow(m, 'A2', '2024Q1');
        expect([a2.eligible, a2.measurable, a2.binary_rate, a2.expected_rate, a2.adjusted_binary_rate, a2.binary_outcome]).toEqual([0, 0, null, null, null, 'none']);
      },
    );
  });

  test('each offence_id counts once even when reconvictions repeats it', async () => {
    // The validator rejects duplicate offence_ids; should one reach us, it still counts once.
    await withMeasure(
      {
        people: [{ person_id: 'P' }],
        starts: [{ start_id: 'S', person_id: 'P', start_date: '2024-02-01' }],
        offences: [
          { offence_id: 'X', person_id: 'P', offence_date: '2024-03-01', disposal_date: '2024-04-01' },
          { offence_id: 'X', person_id: 'P', offence_date: '2024-03-01', disposal_date: '2024-04-01' },
        ],
      },
      async (m) => expect((await outcome(m, 'P', '2024Q1'))!.reoffences).toBe(1),
    );
  });
});
