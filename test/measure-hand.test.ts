/**
 * The hand-made fixture (fixtures/hand): every expected count and rate below is worked out by hand.
 *
 * Contract: CRC, quarterly cohorts 2024Q1 (01-01..03-31) and 2024Q2 (04-01..06-30), baseline 2011
 * (2011Q1..Q4 pooled), follow-up 12 months + 6 months waiting, as_of 2025-10-31, additive
 * adjustment, baseline band two-sided with confidence 0.5 so z = Phi^-1(0.75) = 0.6744897501960817
 * (chosen so that a dozen people give payment and deduction outcomes). Areas A1, A2, A3 (A3 empty).
 *
 * Status: 2024Q1 end 2024-03-31 + 18 months = 2025-09-30 <= as_of: final.
 *         2024Q2 end 2024-06-30 + 18 months = 2025-12-31 >  as_of: interim.
 *
 * People of 2024 (index start; window end = index + 12 months; waiting end = index + 18 months):
 *  P01 S01 A1 CO 2024-01-31 OGRS .40; window end 2025-01-31 (month end), waiting end 2025-07-31.
 *      O01a 2024-01-31 on_index_date; O01b 2025-01-31 (last day of window) counted, event E01b;
 *      O01c 2025-02-01 after_window (same court event E01b, which still counts once via O01b);
 *      O01d 2024-06-10 counted, event E01d; O01f 2023-06-01 before_index (listed: within 12 months
 *      before); O01e 2022-01-01 not listed (more than 12 months before).  k 2, events 2.
 *  P02 S02 A1 SSO 2024-02-29 OGRS .60; window end 2025-02-28 (29 Feb + 12 months), waiting
 *      end 2025-08-29. O02a 2025-02-28 CAUTION counted (a caution is proven, but not an event);
 *      O02b 2025-03-01 after_window.  k 1, events 0; conviction-only: no.
 *  P03 S03 A1 CUSTODY_RELEASE 90 days 2024-03-15 OGRS .50; window end 2025-03-15, waiting end
 *      2025-09-15. O03a convicted 2025-09-15 (last day of waiting) counted; O03b convicted
 *      2025-09-16 after_waiting_period; O03c breach; O03d OTHER not_proven; O03e counted.
 *      O03a and O03e have an empty court_event_id and the same disposal date: one event.
 *      k 2, events 1.
 *  P04 EM-only: not eligible.  P05 NPS: not in the CRC cohort (see the NPS run below).
 *  P06 starts S06b A2 SSO 2024-01-20 (.35), S06a A1 CO 2024-02-10 (.80), S06c A1 CO 2024-05-05 (.45):
 *      2024Q1 index S06b (earliest) -> A2, OGRS .35; O06a, O06b counted, same court event E06:
 *      k 2, events 1. 2024Q2 index S06c -> A1, OGRS .45; O06a, O06b before_index: k 0.
 *  P07 starts S07a (A1, .90) and S07B (A2, .20) both 2024-04-03: byte order 'S07B' < 'S07a' ->
 *      index S07B, A2, OGRS .20. O07a counted: k 1, events 1 (2024Q2).
 *  P08 born 2006-03-01, start 2024-02-29: 17, not eligible.
 *  P09 born 2006-01-15, start 2024-01-15 (18th birthday): eligible, A2, OGRS .65.
 *      O09a (E09a), O09b (E09b), O09c (no court event, 2024-08-01): k 3, events 3.
 *  P10 born 2004-02-29, start 2024-02-28: age 19 (20th birthday is 2024-02-29). A1, OGRS .30, k 0.
 *  P11 S11a one-day custody 2024-03-01 (not eligible), S11b two-day custody 2024-03-20 -> index
 *      S11b, A2, OGRS .55, k 0.
 *  P12 not PNC-matched, A2, OGRS .70: eligible, not measurable; O12a not_measurable.
 *  P13 S13 A1 2024-06-28 OGRS .25; waiting end 2025-12-28. O13b convicted 2025-10-31 (= as_of)
 *      counted, event E13b; O13a convicted 2025-11-03 after_as_of.  k 1, events 1 (2024Q2).
 *  P14 S14 A1 2024-04-10 OGRS .95, k 0 (2024Q2).
 *
 * Baseline (2011, CRC):
 *  A1: 2011Q1 B1 (SB1a, .50; OB1a conviction EB1 + OB1b caution: k 2); 2011Q2 B2 (.40, k 0);
 *      2011Q3 B1 again (SB1b 2011-07-15, .55; OB1a/OB1b before_index: k 0) and B3 (.60, k 1);
 *      2011Q4 B4 not measurable (.70). B_n 4, r 2, k 3, OGRS 2.05:
 *      B = 0.5, B_e = 0.5125, B_f = 1.5.
 *  A2: 2011Q1 B5 (.45, k 3 in one court event); 2011Q3 B6 (.35, k 0). B7 is NPS.
 *      B_n 2, r 1, k 3, OGRS 0.80: B = 0.5, B_e = 0.4, B_f = 3.
 *  ALL: B_n 6, r 3, k 6, OGRS 2.85: B = 0.5, B_e = 0.475, B_f = 2.
 *
 * Measures (z = 0.6744897501960817; h = z sqrt(0.25 / n) since B = 0.5 everywhere):
 *  h(n=1) = 0.33724487509804087, h(n=3) = 0.19470841942067560, h(n=4) = 0.16862243754902043,
 *  h(n=7) = 0.12746658149149367  (bc -l).
 *  2024Q1 A1: P01 P02 P03 P10. n 4, r 3, k 5, events 3, OGRS 1.8.
 *    b .75; f 5/3 = 1.666667; per100 125; events per 100 75; e .45;
 *    a = .75 - (.45 - .5125) = .8125; band .5 -+ .168622 = [.331378, .668622]: deduction.
 *    f 1.666667 >= B_f 1.5: not_reduced.
 *  2024Q1 A2: P06 P09 P11 P12 (P12 not measurable). eligible 4, n 3, r 2, k 5, events 4,
 *    OGRS .35+.65+.55 = 1.55. b 2/3 = .666667; f 2.5; per100 500/3 = 166.666667;
 *    events per 100 400/3 = 133.333333; e 1.55/3 = .516667;
 *    a = 2/3 - (1.55/3 - .4) = .45/3 + .4 = .55; band [.305292, .694708]: none. f 2.5 < 3: reduced.
 *  2024Q1 ALL: eligible 8, n 7, r 5, k 10, events 7, OGRS 3.35. b 5/7 = .714286; f 2;
 *    per100 1000/7 = 142.857143; events per 100 100; e 3.35/7 = .478571;
 *    a = 5/7 - (3.35/7 - .475) = 1.65/7 + .475 = .710714; band [.372533, .627467]: deduction.
 *    f 2 = B_f 2, not below: not_reduced.
 *  2024Q2 A1: P06 P13 P14. n 3, r 1, k 1, events 1, OGRS .45+.25+.95 = 1.65. b .333333; f 1;
 *    per100 33.333333; events 33.333333; e .55; a = 1/3 - (.55 - .5125) = .295833;
 *    band [.305292, .694708]: a < lower: payment. f 1 < 1.5: reduced.
 *  2024Q2 A2: P07. n 1, r 1, k 1, events 1, OGRS .2. b 1; f 1; per100 100; events 100; e .2;
 *    a = 1 - (.2 - .4) = 1.2; band [.162755, .837245]: deduction. f 1 < 3: reduced.
 *  2024Q2 ALL: n 4, r 2, k 2, events 2, OGRS 1.85. b .5; f 1; per100 50; events 50; e .4625;
 *    a = .5 - (.4625 - .475) = .5125; band [.331378, .668622]: none. f 1 < 2: reduced.
 *  A3: nobody, no baseline: zero counts, empty rates, outcome none.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeMeasureOutputs } from '../src/measure/index.js';
import { HAND_DIR, measureDir, readContract, rows, type Measured } from './measure-helpers/load.js';

const HEADER =
  'population,area,period,period_start,period_end,status,eligible,measurable,reoffenders,reoffences,binary_rate,frequency_rate,reoffences_per_100,reconviction_events_per_100,expected_rate,baseline_measurable,baseline_binary_rate,baseline_expected_rate,baseline_frequency_rate,adjusted_binary_rate,lower_threshold,upper_threshold,binary_outcome,frequency_outcome' +
  ',ogrs_sum,baseline_reoffenders,baseline_reoffences,baseline_ogrs_sum,termination_watch';
const Q1 = ['2024Q1', '2024-01-01', '2024-03-31', 'final'];
const Q2 = ['2024Q2', '2024-04-01', '2024-06-30', 'interim'];
// an area nobody is in, with no baseline population: counts 0 (baseline_measurable too), rates empty
const EMPTY12 = ['', '', '', '', '', '0', '', '', '', '', '', ''];
// the appended exact numerators of an area with no one in the period nor the baseline; termination not configured
const ZERO5 = ['0.000000000000', '0', '0', '0.000000000000', ''];
const line = (fields: string[]) => fields.join(',');

let m: Measured;
let out: string;

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'pbr-hand-'));
  m = await measureDir(HAND_DIR, readContract(path.join(HAND_DIR, 'contract.json')), out);
  await writeMeasureOutputs(m.ctx);
});

afterAll(() => {
  m?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('hand fixture, CRC', () => {
  test('measures.csv, line by line', () => {
    const expected = [
      HEADER,
      // population, area, period, start, end, status, eligible, measurable, reoffenders, reoffences,
      // binary, frequency, per100, events per100, expected, B_n, B, B_e, B_f, adjusted, lower, upper, outcomes
      // then ogrs_sum, baseline_reoffenders, baseline_reoffences, baseline_ogrs_sum (12 places), termination_watch:
      // A1 baseline: B_n 4, B .5 -> B_r 2, B_f 1.5 -> B_k 3, B_e .5125 x 4 = 2.05;
      // A2 baseline: B_n 2, B_r 1, B_k 3, B_e .4 x 2 = .8; ALL: B_n 6, B_r 3, B_k 6, B_S 2.85.
      line(['CRC', 'A1', ...Q1, '4', '4', '3', '5', '0.750000', '1.666667', '125.000000', '75.000000', '0.450000', '4', '0.500000', '0.512500', '1.500000', '0.812500', '0.331378', '0.668622', 'deduction', 'not_reduced', '1.800000000000', '2', '3', '2.050000000000', '']),
      line(['CRC', 'A1', ...Q2, '3', '3', '1', '1', '0.333333', '1.000000', '33.333333', '33.333333', '0.550000', '4', '0.500000', '0.512500', '1.500000', '0.295833', '0.305292', '0.694708', 'payment', 'reduced', '1.650000000000', '2', '3', '2.050000000000', '']),
      line(['CRC', 'A2', ...Q1, '4', '3', '2', '5', '0.666667', '2.500000', '166.666667', '133.333333', '0.516667', '2', '0.500000', '0.400000', '3.000000', '0.550000', '0.305292', '0.694708', 'none', 'reduced', '1.550000000000', '1', '3', '0.800000000000', '']),
      line(['CRC', 'A2', ...Q2, '1', '1', '1', '1', '1.000000', '1.000000', '100.000000', '100.000000', '0.200000', '2', '0.500000', '0.400000', '3.000000', '1.200000', '0.162755', '0.837245', 'deduction', 'reduced', '0.200000000000', '1', '3', '0.800000000000', '']),
      line(['CRC', 'A3', ...Q1, '0', '0', '0', '0', ...EMPTY12, 'none', '', ...ZERO5]),
      line(['CRC', 'A3', ...Q2, '0', '0', '0', '0', ...EMPTY12, 'none', '', ...ZERO5]),
      line(['CRC', 'ALL', ...Q1, '8', '7', '5', '10', '0.714286', '2.000000', '142.857143', '100.000000', '0.478571', '6', '0.500000', '0.475000', '2.000000', '0.710714', '0.372533', '0.627467', 'deduction', 'not_reduced', '3.350000000000', '3', '6', '2.850000000000', '']),
      line(['CRC', 'ALL', ...Q2, '4', '4', '2', '2', '0.500000', '1.000000', '50.000000', '50.000000', '0.462500', '6', '0.500000', '0.475000', '2.000000', '0.512500', '0.331378', '0.668622', 'none', 'reduced', '1.850000000000', '3', '6', '2.850000000000', '']),
    ];
    expect(readFileSync(path.join(out, 'measures.csv'), 'utf8')).toBe(expected.join('\n') + '\n');
  });

  test('offender_outcomes.parquet: one row per person and period, sorted by period, area, person', async () => {
    const r = await rows(
      m.db,
      `SELECT period, area, person_id, index_start_id, is_baseline, measurable, reoffences, reconviction_events
       FROM read_parquet($f)`,
      { f: path.join(out, 'offender_outcomes.parquet') },
    );
    const t = (period: string, area: string, person: string, start: string, base: boolean, meas: boolean, k: number | null, ev: number | null) => ({
      period, area, person_id: person, index_start_id: start, is_baseline: base, measurable: meas, reoffences: k, reconviction_events: ev,
    });
    expect(r).toEqual([
      t('2011Q1', 'A1', 'B1', 'SB1a', true, true, 2, 1),
      t('2011Q1', 'A2', 'B5', 'SB5', true, true, 3, 1),
      t('2011Q2', 'A1', 'B2', 'SB2', true, true, 0, 0),
      t('2011Q3', 'A1', 'B1', 'SB1b', true, true, 0, 0),
      t('2011Q3', 'A1', 'B3', 'SB3', true, true, 1, 1),
      t('2011Q3', 'A2', 'B6', 'SB6', true, true, 0, 0),
      t('2011Q4', 'A1', 'B4', 'SB4', true, false, null, null),
      t('2024Q1', 'A1', 'P01', 'S01', false, true, 2, 2),
      t('2024Q1', 'A1', 'P02', 'S02', false, true, 1, 0),
      t('2024Q1', 'A1', 'P03', 'S03', false, true, 2, 1),
      t('2024Q1', 'A1', 'P10', 'S10', false, true, 0, 0),
      t('2024Q1', 'A2', 'P06', 'S06b', false, true, 2, 1),
      t('2024Q1', 'A2', 'P09', 'S09', false, true, 3, 3),
      t('2024Q1', 'A2', 'P11', 'S11b', false, true, 0, 0),
      t('2024Q1', 'A2', 'P12', 'S12', false, false, null, null),
      t('2024Q2', 'A1', 'P06', 'S06c', false, true, 0, 0),
      t('2024Q2', 'A1', 'P13', 'S13', false, true, 1, 1),
      t('2024Q2', 'A1', 'P14', 'S14', false, true, 0, 0),
      t('2024Q2', 'A2', 'P07', 'S07B', false, true, 1, 1),
    ]);
  });

  test('every offence near the window, with the reason it did or did not count', async () => {
    const r = await rows(
      m.db,
      `SELECT period || ' ' || person_id || ' ' || offence_id || ' ' || reason || ' ' || CAST(counted AS VARCHAR) AS s
       FROM read_parquet($f)
       ORDER BY period, person_id, offence_id`,
      { f: path.join(out, 'offender_offences.parquet') },
    );
    expect(r.map((x) => x.s)).toEqual([
      '2011Q1 B1 OB1a counted true',
      '2011Q1 B1 OB1b counted true',
      '2011Q1 B5 OB5a counted true',
      '2011Q1 B5 OB5b counted true',
      '2011Q1 B5 OB5c counted true',
      '2011Q3 B1 OB1a before_index false',
      '2011Q3 B1 OB1b before_index false',
      '2011Q3 B3 OB3a counted true',
      '2024Q1 P01 O01a on_index_date false',
      '2024Q1 P01 O01b counted true',
      '2024Q1 P01 O01c after_window false',
      '2024Q1 P01 O01d counted true',
      '2024Q1 P01 O01f before_index false',
      '2024Q1 P02 O02a counted true',
      '2024Q1 P02 O02b after_window false',
      '2024Q1 P03 O03a counted true',
      '2024Q1 P03 O03b after_waiting_period false',
      '2024Q1 P03 O03c breach false',
      '2024Q1 P03 O03d not_proven false',
      '2024Q1 P03 O03e counted true',
      '2024Q1 P06 O06a counted true',
      '2024Q1 P06 O06b counted true',
      '2024Q1 P09 O09a counted true',
      '2024Q1 P09 O09b counted true',
      '2024Q1 P09 O09c counted true',
      '2024Q1 P12 O12a not_measurable false',
      '2024Q2 P06 O06a before_index false',
      '2024Q2 P06 O06b before_index false',
      '2024Q2 P07 O07a counted true',
      '2024Q2 P13 O13a after_as_of false',
      '2024Q2 P13 O13b counted true',
    ]);
  });

  test("a person's rows of offender_offences.parquet are in offence_date order, then offence_id", async () => {
    // P01: O01f 2023-06-01, O01a 2024-01-31, O01d 2024-06-10, O01b 2025-01-31, O01c 2025-02-01.
    // P06: O06a and O06b both 2024-03-01: by offence_id.
    const r = await rows(
      m.db,
      `SELECT person_id, string_agg(offence_id, ' ' ORDER BY rn) AS ids
       FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet($f))
       WHERE period = '2024Q1' AND person_id IN ('P01', 'P06') GROUP BY person_id ORDER BY person_id`,
      { f: path.join(out, 'offender_offences.parquet') },
    );
    expect(r).toEqual([
      { person_id: 'P01', ids: 'O01f O01a O01d O01b O01c' },
      { person_id: 'P06', ids: 'O06a O06b' },
    ]);
  });

  test('per-person details: age, dates, first offence, conviction-only counts', async () => {
    const r = await rows(
      m.db,
      `SELECT person_id, age, strftime(index_date, '%Y-%m-%d') AS i, strftime(window_end, '%Y-%m-%d') AS w,
              strftime(waiting_end, '%Y-%m-%d') AS we, strftime(first_offence_date, '%Y-%m-%d') AS f,
              conviction_only_reoffender AS c, conviction_only_events AS ce, not_measurable_reason AS nm
       FROM offender_outcomes WHERE period = '2024Q1' ORDER BY person_id`,
    );
    // Ages at the index date: P01 born 1980-05-05 -> 43; P02 1990-02-28 on 2024-02-29 -> 34;
    // P03 1975-07-01 on 2024-03-15 -> 48; P06 1995-06-15 on 2024-01-20 -> 28; P09 18;
    // P10 born 2004-02-29 on 2024-02-28 -> 19; P11 1988-09-09 -> 35; P12 1983-03-03 on 2024-03-05 -> 41.
    expect(r).toEqual([
      { person_id: 'P01', age: 43, i: '2024-01-31', w: '2025-01-31', we: '2025-07-31', f: '2024-06-10', c: true, ce: 2, nm: null },
      { person_id: 'P02', age: 34, i: '2024-02-29', w: '2025-02-28', we: '2025-08-29', f: '2025-02-28', c: false, ce: 0, nm: null },
      { person_id: 'P03', age: 48, i: '2024-03-15', w: '2025-03-15', we: '2025-09-15', f: '2024-08-01', c: true, ce: 1, nm: null },
      { person_id: 'P06', age: 28, i: '2024-01-20', w: '2025-01-20', we: '2025-07-20', f: '2024-03-01', c: true, ce: 1, nm: null },
      { person_id: 'P09', age: 18, i: '2024-01-15', w: '2025-01-15', we: '2025-07-15', f: '2024-02-15', c: true, ce: 3, nm: null },
      { person_id: 'P10', age: 19, i: '2024-02-28', w: '2025-02-28', we: '2025-08-28', f: null, c: false, ce: 0, nm: null },
      { person_id: 'P11', age: 35, i: '2024-03-20', w: '2025-03-20', we: '2025-09-20', f: null, c: false, ce: 0, nm: null },
      { person_id: 'P12', age: 41, i: '2024-03-05', w: '2025-03-05', we: '2025-09-05', f: null, c: null, ce: null, nm: 'not_pnc_matched' },
    ]);
  });

  test('breakdowns: start type, sex, age band and OGRS band of ALL 2024Q1', async () => {
    // start_type: CO = P01 P09 P10 P12 (eligible 4, measurable 3, reoffenders P01 P09, k 2+3 = 5);
    //   SSO = P02 P06 (2, 2, 2, k 1+2 = 3); CUSTODY_RELEASE = P03 P11 (2, 2, 1, k 2).
    // sex: M = P01 P03 P06 P09 P10 P11 (6, 6, 4, k 2+2+2+3 = 9); F = P02 P12 (2, 1, 1, k 1).
    // age_band: 18-20 = P09 P10; 25-29 = P06; 30-39 = P02 P11; 40-49 = P01 P03 P12.
    // ogrs_band: 25-50% = P01 .40, P06 .35, P10 .30; 50-75% = P02 P03 P09 P11 P12.
    const r = await rows(
      m.db,
      `SELECT dimension || ' ' || band || ' ' || eligible || ' ' || measurable || ' ' || reoffenders || ' ' || reoffences AS s
       FROM breakdowns WHERE area = 'ALL' AND period = '2024Q1' AND dimension <> 'concentration'
       ORDER BY dim_order, band_order`,
    );
    expect(r.map((x) => x.s)).toEqual([
      'start_type CO 4 3 2 5',
      'start_type SSO 2 2 2 3',
      'start_type CUSTODY_RELEASE 2 2 1 2',
      'sex M 6 6 4 9',
      'sex F 2 1 1 1',
      'age_band 18-20 2 2 1 3',
      'age_band 25-29 1 1 1 2',
      'age_band 30-39 2 2 1 1',
      'age_band 40-49 3 2 2 4',
      'ogrs_band 25-50% 3 3 2 4',
      'ogrs_band 50-75% 5 4 3 6',
    ]);
  });

  test('breakdowns: concentration = share of reoffences by the top 10% of reoffenders', async () => {
    // ALL 2024Q1: 5 reoffenders (P09 3, P01 2, P03 2, P06 2, P02 1), top ceil(5/10) = 1: P09 with 3
    //   of k 10: share 0.3.
    // A1 2024Q1: P01 2, P03 2, P02 1: top 1, tie of 2 broken by person_id: P01, 2 of 5: 0.4.
    // A3 2024Q1: nobody: 0 top reoffenders, share empty.
    const r = await rows(
      m.db,
      `SELECT area, top_reoffenders, top_reoffences, share_of_reoffences FROM breakdowns
       WHERE period = '2024Q1' AND dimension = 'concentration' ORDER BY area_order`,
    );
    expect(r).toEqual([
      { area: 'A1', top_reoffenders: 1, top_reoffences: 2, share_of_reoffences: 0.4 },
      { area: 'A2', top_reoffenders: 1, top_reoffences: 3, share_of_reoffences: 0.6 },
      { area: 'A3', top_reoffenders: 0, top_reoffences: 0, share_of_reoffences: null },
      { area: 'ALL', top_reoffenders: 1, top_reoffences: 3, share_of_reoffences: 0.3 },
    ]);
  });

  test('breakdowns.csv is written with a header and formatted rates', () => {
    const lines = readFileSync(path.join(out, 'breakdowns.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'population,area,period,period_start,period_end,status,dimension,band,eligible,measurable,reoffenders,reoffences,binary_rate,frequency_rate,reoffences_per_100,expected_rate,top_reoffenders,top_reoffences,share_of_reoffences',
    );
    // A1 2024Q1 CO: P01 (k 2) and P10 (k 0): eligible 2, n 2, r 1, k 2, b .5, f 2, per100 100, e (.4+.3)/2 = .35.
    expect(lines).toContain('CRC,A1,2024Q1,2024-01-01,2024-03-31,final,start_type,CO,2,2,1,2,0.500000,2.000000,100.000000,0.350000,,,');
    expect(lines).toContain('CRC,ALL,2024Q1,2024-01-01,2024-03-31,final,concentration,top_10pct_reoffenders,8,7,5,10,0.714286,2.000000,142.857143,0.478571,1,3,0.300000');
  });
});

describe('hand fixture, NPS (the public service measured the same way)', () => {
  test('measures.csv for population NPS', async () => {
    // NPS 2024Q1: P05 (A2, 2024-02-01, OGRS .3), O05a counted (event E05a): n 1, r 1, k 1, events 1.
    // NPS baseline: B7 (A2, 2011Q2, OGRS .5, no offence): B_n 1, B 0, B_e .5, B_f empty (r 0).
    // a = 1 - (.3 - .5) = 1.2; h = z sqrt(0 * 1 / 1) = 0: lower = upper = 0; a > 0: deduction.
    // Frequency outcome empty (no B_f). ALL = A2. 2024Q2: nobody (A2 keeps its baseline columns).
    // Exact numerators: ogrs_sum .3 (Q1) and 0 (Q2); baseline B_r 0, B_k 0, B_S .5. A1 and A3 have no
    // NPS baseline population: baseline_measurable 0, rates empty.
    const o = mkdtempSync(path.join(os.tmpdir(), 'pbr-hand-nps-'));
    const n = await measureDir(HAND_DIR, readContract(path.join(HAND_DIR, 'contract.json'), (c) => ((c.population as Record<string, unknown>).allocation = 'NPS')), o);
    try {
      await writeMeasureOutputs(n.ctx);
      const full = ['1', '1', '1', '1', '1.000000', '1.000000', '100.000000', '100.000000', '0.300000', '1', '0.000000', '0.500000', '', '1.200000', '0.000000', '0.000000', 'deduction', '', '0.300000000000', '0', '0', '0.500000000000', ''];
      const none = ['0', '0', '0', '0', '', '', '', '', '', '1', '0.000000', '0.500000', '', '', '', '', 'none', '', '0.000000000000', '0', '0', '0.500000000000', ''];
      const expected = [
        HEADER,
        line(['NPS', 'A1', ...Q1, '0', '0', '0', '0', ...EMPTY12, 'none', '', ...ZERO5]),
        line(['NPS', 'A1', ...Q2, '0', '0', '0', '0', ...EMPTY12, 'none', '', ...ZERO5]),
        line(['NPS', 'A2', ...Q1, ...full]),
        line(['NPS', 'A2', ...Q2, ...none]),
        line(['NPS', 'A3', ...Q1, '0', '0', '0', '0', ...EMPTY12, 'none', '', ...ZERO5]),
        line(['NPS', 'A3', ...Q2, '0', '0', '0', '0', ...EMPTY12, 'none', '', ...ZERO5]),
        line(['NPS', 'ALL', ...Q1, ...full]),
        line(['NPS', 'ALL', ...Q2, ...none]),
      ];
      expect(readFileSync(path.join(o, 'measures.csv'), 'utf8')).toBe(expected.join('\n') + '\n');
    } finally {
      n.close();
      rmSync(o, { recursive: true, force: true });
    }
  });
});
