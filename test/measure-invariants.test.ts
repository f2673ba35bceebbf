/**
 * Invariants of the measures on the hand fixture: areas sum to ALL; measurable never exceeds
 * eligible; moving an offence outside the window never raises a count; same inputs, same bytes;
 * the number format of the CSV files.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure, writeMeasureOutputs } from '../src/measure/index.js';
import { HAND_DIR, measureDir, readContract, rows, type Measured } from './measure-helpers/load.js';

let m: Measured;

beforeAll(async () => {
  m = await measureDir(HAND_DIR, readContract(path.join(HAND_DIR, 'contract.json')));
});

afterAll(() => m?.close());

const COUNTS = ['eligible', 'measurable', 'reoffenders', 'reoffences', 'reconviction_events'] as const;

describe('invariants', () => {
  test('the areas sum to ALL in every period, for every count and the OGRS sum', async () => {
    const r = await rows(
      m.db,
      `SELECT period,
              ${COUNTS.map((c) => `sum(${c}) FILTER (WHERE NOT is_all) = sum(${c}) FILTER (WHERE is_all) AS ${c}`).join(', ')},
              sum(ogrs_sum) FILTER (WHERE NOT is_all) = sum(ogrs_sum) FILTER (WHERE is_all) AS ogrs_sum
       FROM measures GROUP BY period ORDER BY period`,
    );
    expect(r.length).toBe(2);
    for (const row of r) for (const k of [...COUNTS, 'ogrs_sum']) expect([row.period, k, row[k]]).toEqual([row.period, k, true]);
  });

  test('reoffenders <= measurable <= eligible, and reoffenders <= reoffences, everywhere', async () => {
    const bad = await rows(m.db, `SELECT area, period FROM measures WHERE NOT (reoffenders <= measurable AND measurable <= eligible AND reoffenders <= reoffences)`);
    expect(bad).toEqual([]);
  });

  test('moving any one offence outside the window never raises a count', async () => {
    // Two moves per offence (to long before every index date, and to long after every window),
    // each in its own copy of the fixture: copy v has its people, starts, offences and areas
    // prefixed 'v:', so one measure() computes all 62 moves beside copy 0, the fixture unchanged.
    const offences = (await rows(m.db, `SELECT offence_id FROM reconvictions ORDER BY offence_id`)).map((r) => String(r.offence_id));
    expect(offences.length).toBe(31);
    const n = offences.length;
    const b = await measureDir(HAND_DIR, readContract(path.join(HAND_DIR, 'contract.json')));
    try {
      await b.db.run(`CREATE TABLE copies AS SELECT range::INTEGER AS v, CAST(range AS VARCHAR) || ':' AS p FROM range(0, ${2 * n + 1})`);
      await b.db.run(`CREATE TABLE moves AS
        WITH ids AS (SELECT offence_id, CAST(row_number() OVER (ORDER BY offence_id) AS INTEGER) AS k FROM reconvictions)
        SELECT k AS v, offence_id, DATE '1990-01-01' AS od, DATE '1990-02-01' AS dd FROM ids
        UNION ALL SELECT k + ${n}, offence_id, DATE '2099-01-01', DATE '2099-02-01' FROM ids`);
      await b.db.run(`CREATE OR REPLACE TABLE cohort AS SELECT c.* REPLACE (p || c.person_id AS person_id) FROM cohort c, copies`);
      await b.db.run(`CREATE OR REPLACE TABLE starts AS
        SELECT s.* REPLACE (p || s.start_id AS start_id, p || s.person_id AS person_id, p || s.cpa AS cpa) FROM starts s, copies`);
      await b.db.run(`CREATE OR REPLACE TABLE reconvictions AS
        SELECT r.* REPLACE (p || r.offence_id AS offence_id, p || r.person_id AS person_id, p || r.court_event_id AS court_event_id,
                            coalesce(mv.od, r.offence_date) AS offence_date, coalesce(mv.dd, r.disposal_date) AS disposal_date)
        FROM reconvictions r CROSS JOIN copies LEFT JOIN moves mv ON mv.v = copies.v AND mv.offence_id = r.offence_id`);
      await b.db.run(`CREATE OR REPLACE TABLE areas AS
        SELECT p || a.cpa AS cpa, a.name, CAST(row_number() OVER (ORDER BY copies.v, a.area_order) AS INTEGER) AS area_order FROM areas a, copies`);
      await measure(b.ctx);
      const counts = (t: string) => `SELECT ${t}.period, ${COUNTS.map((c) => `${t}.${c}`).join(', ')}`;
      const perCopy = `SELECT CAST(split_part(area, ':', 1) AS INTEGER) AS v, split_part(area, ':', 2) AS area, period, ${COUNTS.join(', ')} FROM measures WHERE NOT is_all
        UNION ALL SELECT CAST(split_part(area, ':', 1) AS INTEGER), 'ALL', period, ${COUNTS.map((c) => `sum(${c})`).join(', ')} FROM measures WHERE NOT is_all GROUP BY ALL`;
      // copy 0 is the fixture: the same counts as measured on it alone
      expect(await rows(b.db, `SELECT area, ${counts('x').slice(7)} FROM (${perCopy}) x WHERE v = 0 ORDER BY area, period`)).toEqual(
        await rows(m.db, `SELECT area, period, ${COUNTS.join(', ')} FROM measures ORDER BY area, period`),
      );
      const raised = await rows(
        b.db,
        `WITH x AS (${perCopy})
         SELECT mv.offence_id, strftime(mv.od, '%Y') AS moved_to, x.area, x.period
         FROM x JOIN x AS o ON o.v = 0 AND o.area = x.area AND o.period = x.period JOIN moves mv ON mv.v = x.v
         WHERE ${COUNTS.map((c) => `x.${c} > o.${c}`).join(' OR ')} ORDER BY x.v, x.area, x.period`,
      );
      expect(raised).toEqual([]);
      // and the moves did move something: each offence counted in a cohort period of the fixture
      // (12 of them: the baseline periods have no row of their own) lowers reoffences when moved
      const lowered = await rows(
        b.db,
        `WITH x AS (${perCopy})
         SELECT count(DISTINCT x.v) AS copies FROM x JOIN x AS o ON o.v = 0 AND o.area = x.area AND o.period = x.period
         WHERE x.v > 0 AND x.reoffences < o.reoffences`,
      );
      const counted = await rows(m.db, `SELECT count(DISTINCT offence_id) AS n FROM m_offences WHERE reason = 'counted' AND period IN (SELECT period FROM measures)`);
      expect(counted[0]!.n).toBe(12);
      expect(lowered[0]!.copies).toBe(2 * 12);
    } finally {
      b.close();
    }
  });

  test('moving a counted offence one day past the window end lowers the count by one', async () => {
    // O01b (P01, 2025-01-31 = the window end) counted; on 2025-02-01 it is after_window:
    // A1 2024Q1 reoffences 5 -> 4, still 3 reoffenders (P01 keeps O01d).
    await m.db.run(`CREATE OR REPLACE TABLE reconvictions_saved AS SELECT * FROM reconvictions`);
    await m.db.run(`UPDATE reconvictions SET offence_date = DATE '2025-02-01' WHERE offence_id = 'O01b'`);
    await measure(m.ctx);
    const r = await rows(m.db, `SELECT reoffenders, reoffences, reconviction_events FROM measures WHERE area = 'A1' AND period = '2024Q1'`);
    // Events: E01b held O01b and O01c, neither counts now: 3 -> 2.
    expect(r).toEqual([{ reoffenders: 3, reoffences: 4, reconviction_events: 2 }]);
    await m.db.run(`CREATE OR REPLACE TABLE reconvictions AS SELECT * FROM reconvictions_saved`);
    await measure(m.ctx);
  });

  test('same inputs, same bytes', async () => {
    const a = mkdtempSync(path.join(os.tmpdir(), 'pbr-bytes-a-'));
    const b = mkdtempSync(path.join(os.tmpdir(), 'pbr-bytes-b-'));
    try {
      await writeMeasureOutputs({ ...m.ctx, outDir: a });
      const m2 = await measureDir(HAND_DIR, readContract(path.join(HAND_DIR, 'contract.json')), b);
      try {
        await writeMeasureOutputs(m2.ctx);
      } finally {
        m2.close();
      }
      for (const f of ['measures.csv', 'breakdowns.csv', 'offender_outcomes.parquet']) {
        expect(readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f)))).toBe(true);
      }
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
});

describe('number format (m_fmt6)', () => {
  test.each([
    // [value as SQL, expected text]
    ['0.75', '0.750000'],
    ['5.0 / 3', '1.666667'],
    ['2.0 / 3', '0.666667'],
    ['125.0', '125.000000'],
    ['1.0 / 128', '0.007813'], // exactly 0.0078125: half away from zero
    ['0.1234565', '0.123457'], // stored as 0.12345649999...: the 12-place step absorbs it
    ['-0.0000004', '0.000000'], // never -0.000000
    ['-0.0000005', '-0.000001'],
    ['0.55 - 0.000000000000001', '0.550000'],
    ['1e-7', '0.000000'],
    ['1234567.5', '1234567.500000'],
  ])('%s -> %s', async (value, text) => {
    const r = await rows(m.db, `SELECT m_fmt6(CAST(${value} AS DOUBLE)) AS t`);
    expect(r[0]!.t).toBe(text);
  });

  test('NULL stays NULL (an empty field)', async () => {
    expect((await rows(m.db, `SELECT m_fmt6(CAST(NULL AS DOUBLE)) AS t`))[0]!.t).toBe(null);
  });
});
