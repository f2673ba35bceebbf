import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db, literal } from '../src/db/duckdb.js';
import { synthesize } from '../src/synth/generate.js';

/**
 * The synthetic dataset looks like England and Wales (issue 3, anchors.md): every figure below is
 * measured with this file's own SQL over the generated CSV files, at scale 0.02 (a fiftieth of the
 * national caseload, so about 4,700 CRC starts a year), against targets worked out from the spec.
 */
const SCALE = 0.02;
const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-synth-cal-'));
let db: Db;

async function one(sql: string): Promise<Record<string, number>> {
  const rows = await db.all<Record<string, number>>(sql);
  return rows[0]!;
}

beforeAll(async () => {
  await synthesize({ outDir: root, scale: SCALE, seed: 20110101 });
  db = await Db.open();
  for (const name of ['cohort', 'starts', 'reconvictions', 'service_levels']) {
    await db.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv(${literal(path.join(root, `${name}.csv`))})`);
  }
  // The 2011 calendar-year cohort, as method.md sections 2-3 define it with the default contract:
  // index = earliest eligible CRC start in 2011 per person (adult, not EM-only, custody >= 2 days),
  // measurable when PNC-matched; an offence counts when committed in (index, index + 12 months],
  // CONVICTION or CAUTION, not a breach, disposed of within index + 18 months.
  await db.run(`
    CREATE TABLE idx2011 AS
    SELECT s.person_id, arg_min(s.start_date, (s.start_date, s.start_id)) AS i, arg_min(s.ogrs, (s.start_date, s.start_id)) AS ogrs,
           arg_min(s.cpa, (s.start_date, s.start_id)) AS cpa
    FROM starts s JOIN cohort c USING (person_id)
    WHERE s.allocation = 'CRC' AND NOT s.em_only AND s.start_date - INTERVAL 18 YEAR >= c.date_of_birth
      AND NOT (s.start_type = 'CUSTODY_RELEASE' AND s.sentence_length_days < 2)
      AND s.start_date BETWEEN DATE '2011-01-01' AND DATE '2011-12-31' AND c.pnc_matched
    GROUP BY s.person_id`);
  await db.run(`
    CREATE TABLE out2011 AS
    SELECT x.person_id, any_value(x.ogrs) AS ogrs, any_value(x.cpa) AS cpa, count(r.offence_id) AS k
    FROM idx2011 x LEFT JOIN reconvictions r
      ON r.person_id = x.person_id AND r.offence_date > x.i AND r.offence_date <= x.i + INTERVAL 12 MONTH
     AND r.disposal_type IN ('CONVICTION', 'CAUTION') AND NOT r.breach AND r.disposal_date <= x.i + INTERVAL 18 MONTH
    GROUP BY x.person_id`);
});

afterAll(() => {
  db?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('synthetic reoffending, 2011 baseline year', () => {
  it('the all-area binary rate is in 40-55% and reoffences per reoffender in 3-5.5', async () => {
    const r = await one(`SELECT count(*)::DOUBLE AS n, avg((k > 0)::INTEGER) AS b, sum(k) / count(*) FILTER (k > 0) AS f FROM out2011`);
    // 0.02 x about 185,000 distinct adults a year = about 3,700 people: enough for a rate to 1 point
    expect(r.n).toBeGreaterThan(2500);
    expect(r.b).toBeGreaterThanOrEqual(0.4);
    expect(r.b).toBeLessThanOrEqual(0.55);
    expect(r.f).toBeGreaterThanOrEqual(3);
    expect(r.f).toBeLessThanOrEqual(5.5);
  });

  it('OGRS is calibrated: people scored 0.65-0.75 reoffend 60-80% of the time', async () => {
    const r = await one(`SELECT count(*)::DOUBLE AS n, avg((k > 0)::INTEGER) AS b FROM out2011 WHERE ogrs >= 0.65 AND ogrs < 0.75`);
    expect(r.n).toBeGreaterThan(100);
    expect(r.b).toBeGreaterThanOrEqual(0.6);
    expect(r.b).toBeLessThanOrEqual(0.8);
  });

  it('OGRS predicts: each tenth of the score reoffends more than the tenth below it', async () => {
    const rows = await db.all<{ band: number; b: number }>(
      `SELECT floor(ogrs * 10)::DOUBLE AS band, avg((k > 0)::INTEGER) AS b FROM out2011
       WHERE ogrs >= 0.1 AND ogrs < 0.9 GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.map((r) => r.band)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.b).toBeGreaterThan(rows[i - 1]!.b);
  });

  it('some offences inside the 12 months are convicted after the 6-month waiting period', async () => {
    const r = await one(`
      SELECT count(*)::DOUBLE AS late FROM idx2011 x JOIN reconvictions r
        ON r.person_id = x.person_id AND r.offence_date > x.i AND r.offence_date <= x.i + INTERVAL 12 MONTH
       AND r.disposal_type IN ('CONVICTION', 'CAUTION') AND NOT r.breach AND r.disposal_date > x.i + INTERVAL 18 MONTH`);
    expect(r.late).toBeGreaterThan(0);
  });

  it('reoffending goes on beyond the 12-month window (first offences later than a year after the start)', async () => {
    const r = await one(`
      SELECT count(*)::DOUBLE AS n FROM idx2011 x
      WHERE NOT EXISTS (SELECT 1 FROM reconvictions r WHERE r.person_id = x.person_id AND r.offence_date > x.i
                          AND r.offence_date <= x.i + INTERVAL 12 MONTH AND NOT r.breach AND r.disposal_type <> 'OTHER')
        AND EXISTS (SELECT 1 FROM reconvictions r WHERE r.person_id = x.person_id AND r.offence_date > x.i + INTERVAL 12 MONTH
                      AND NOT r.breach AND r.disposal_type <> 'OTHER')`);
    expect(r.n).toBeGreaterThan(0);
  });
});

describe('synthetic offences', () => {
  it('has convictions, cautions, breaches and OTHER disposals, convictions the most common', async () => {
    const r = await one(`
      SELECT count(*) FILTER (disposal_type = 'CONVICTION' AND NOT breach)::DOUBLE AS conv,
             count(*) FILTER (disposal_type = 'CAUTION')::DOUBLE AS caution,
             count(*) FILTER (breach)::DOUBLE AS breach, count(*) FILTER (disposal_type = 'OTHER')::DOUBLE AS other,
             count(*)::DOUBLE AS n FROM reconvictions`);
    expect(r.caution).toBeGreaterThan(0);
    expect(r.breach).toBeGreaterThan(0);
    expect(r.other).toBeGreaterThan(0);
    expect(r.conv / r.n).toBeGreaterThan(0.5);
  });

  it('court events group several offences, and only convictions have one', async () => {
    const r = await one(`
      SELECT (SELECT count(*) FROM (SELECT court_event_id FROM reconvictions WHERE court_event_id IS NOT NULL
                                     GROUP BY 1 HAVING count(*) > 1))::DOUBLE AS multi,
             (SELECT count(*) FROM reconvictions WHERE court_event_id IS NOT NULL AND disposal_type <> 'CONVICTION')::DOUBLE AS wrong,
             (SELECT count(*) FROM (SELECT court_event_id FROM reconvictions WHERE court_event_id IS NOT NULL
                                     GROUP BY 1 HAVING count(DISTINCT disposal_date) > 1))::DOUBLE AS split`);
    expect(r.multi).toBeGreaterThan(0);
    expect(r.wrong).toBe(0);
    // one court appearance, one date
    expect(r.split).toBe(0);
  });

  it('keeps to the rules of formats.md: disposal not before offence, dates in 1900-2100, known people', async () => {
    const r = await one(`
      SELECT count(*) FILTER (disposal_date < offence_date)::DOUBLE AS backwards,
             count(*) FILTER (offence_date < DATE '1900-01-01' OR disposal_date > DATE '2100-12-31')::DOUBLE AS out_of_range,
             count(*) FILTER (person_id NOT IN (SELECT person_id FROM cohort))::DOUBLE AS unknown FROM reconvictions`);
    expect(r).toEqual({ backwards: 0, out_of_range: 0, unknown: 0 });
  });
});

describe('synthetic starts', () => {
  it('about 236,000 CRC and 31,000 NPS starts a year at scale 1', async () => {
    // per year at scale 0.02: CRC 236,000 x 0.02 = 4,720; NPS 31,000 x 0.02 = 620; allow 10% / 15%
    const r = await one(`SELECT count(*) FILTER (allocation = 'CRC') / 10.0 AS crc, count(*) FILTER (allocation = 'NPS') / 10.0 AS nps FROM starts`);
    expect(r.crc).toBeGreaterThan(4720 * 0.9);
    expect(r.crc).toBeLessThan(4720 * 1.1);
    expect(r.nps).toBeGreaterThan(620 * 0.85);
    expect(r.nps).toBeLessThan(620 * 1.15);
  });

  it('every year 2011 to 2020 has starts, and no other year', async () => {
    const rows = await db.all<{ y: number; n: number }>(`SELECT year(start_date)::DOUBLE AS y, count(*)::DOUBLE AS n FROM starts GROUP BY 1 ORDER BY 1`);
    expect(rows.map((r) => r.y)).toEqual([2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020]);
    // steady volumes: no year more than 10% off the mean (the run-in before 2011 fills the chains)
    const mean = rows.reduce((s, r) => s + r.n, 0) / rows.length;
    for (const r of rows) expect(Math.abs(r.n / mean - 1), String(r.y)).toBeLessThan(0.1);
  });

  it('the mix of anchors.md: court orders 65%, releases under 12 months 20%, 12 months or more 15%', async () => {
    // 2011/12 volumes: orders 174,000, releases < 12 months 53,000, >= 12 months 40,000 of 267,000:
    // 174/267 = 65.2%, 53/267 = 19.9%, 40/267 = 15.0%; allow 5 points
    const r = await one(`
      SELECT avg((start_type IN ('CO', 'SSO'))::INTEGER) AS orders,
             avg((start_type = 'CUSTODY_RELEASE' AND sentence_length_days < 365)::INTEGER) AS short,
             avg((start_type = 'CUSTODY_RELEASE' AND sentence_length_days >= 365)::INTEGER) AS long FROM starts`);
    expect(Math.abs(r.orders! - 174 / 267)).toBeLessThan(0.05);
    expect(Math.abs(r.short! - 53 / 267)).toBeLessThan(0.05);
    expect(Math.abs(r.long! - 40 / 267)).toBeLessThan(0.05);
  });

  it('the public service (NPS) has about 31/267 = 11.6% of starts, most of them custody releases', async () => {
    // NPS of each kind: orders 9,000 of 174,000 (5%), short 8,000 of 53,000 (15%), long 14,000 of 40,000 (35%)
    const r = await one(`
      SELECT avg((allocation = 'NPS')::INTEGER) AS nps,
             avg((start_type = 'CUSTODY_RELEASE')::INTEGER) FILTER (allocation = 'NPS') AS nps_custody,
             avg((allocation = 'NPS')::INTEGER) FILTER (start_type = 'CUSTODY_RELEASE' AND sentence_length_days >= 365) AS long_nps FROM starts`);
    expect(r.nps).toBeGreaterThan(0.09);
    expect(r.nps).toBeLessThan(0.14);
    expect(r.nps_custody).toBeGreaterThan(0.5);
    expect(r.long_nps).toBeGreaterThan(0.25);
    expect(r.long_nps).toBeLessThan(0.45);
  });

  it('a few percent each: EM-only orders, one-day custody, aged 17 at start, not matched to the PNC', async () => {
    const r = await one(`
      SELECT avg(em_only::INTEGER) AS em, avg((start_type = 'CUSTODY_RELEASE' AND sentence_length_days = 1)::INTEGER) AS one_day,
             avg((s.start_date - INTERVAL 18 YEAR < c.date_of_birth AND s.start_date - INTERVAL 17 YEAR >= c.date_of_birth)::INTEGER) AS aged17,
             avg((NOT c.pnc_matched)::INTEGER) AS no_pnc
      FROM starts s JOIN cohort c USING (person_id)`);
    for (const k of ['em', 'one_day', 'aged17', 'no_pnc']) {
      expect(r[k], k).toBeGreaterThan(0.005);
      expect(r[k], k).toBeLessThan(0.08);
    }
    const younger = await one(`SELECT count(*)::DOUBLE AS n FROM starts s JOIN cohort c USING (person_id) WHERE s.start_date - INTERVAL 17 YEAR < c.date_of_birth`);
    expect(younger.n).toBe(0);
  });

  it('OGRS lies in 0-1 and sentence lengths are at least a day', async () => {
    const r = await one(`SELECT min(ogrs)::DOUBLE AS lo, max(ogrs)::DOUBLE AS hi, min(sentence_length_days)::DOUBLE AS len FROM starts`);
    expect(r.lo).toBeGreaterThanOrEqual(0);
    expect(r.hi).toBeLessThanOrEqual(1);
    expect(r.len).toBe(1);
  });
});

describe('synthetic people', () => {
  it('many start more than once, prolific ones again within months', async () => {
    const r = await one(`
      WITH p AS (SELECT person_id, count(*) AS n, min(start_date) AS first, list_sort(list(start_date)) AS ds FROM starts GROUP BY 1)
      SELECT avg((n > 1)::INTEGER) AS repeat, count(*) FILTER (n >= 5)::DOUBLE AS five,
             count(*) FILTER (n > 1 AND ds[2] - ds[1] <= 183)::DOUBLE AS within6m FROM p`);
    expect(r.repeat).toBeGreaterThan(0.2);
    expect(r.five).toBeGreaterThan(0);
    expect(r.within6m).toBeGreaterThan(0);
  });

  it('quarterly cohorts count some people in several periods', async () => {
    const r = await one(`
      WITH q AS (SELECT DISTINCT s.person_id, date_trunc('quarter', s.start_date) AS q
                 FROM starts s JOIN cohort c USING (person_id)
                 WHERE s.allocation = 'CRC' AND NOT s.em_only AND s.start_date - INTERVAL 18 YEAR >= c.date_of_birth
                   AND NOT (s.start_type = 'CUSTODY_RELEASE' AND s.sentence_length_days < 2)
                   AND s.start_date BETWEEN DATE '2015-10-01' AND DATE '2020-03-31')
      SELECT count(*)::DOUBLE AS people, count(*) FILTER (nq > 1)::DOUBLE AS several
      FROM (SELECT person_id, count(*) AS nq FROM q GROUP BY 1)`);
    expect(r.several / r.people).toBeGreaterThan(0.1);
  });
});

describe('synthetic areas', () => {
  it('21 areas CPA01-CPA21; London (CPA20) the largest, the smallest about a sixth of it', async () => {
    const rows = await db.all<{ cpa: string; n: number }>(`SELECT cpa, count(*)::DOUBLE AS n FROM starts GROUP BY 1 ORDER BY n DESC, cpa`);
    expect(rows.map((r) => r.cpa).sort()).toEqual(Array.from({ length: 21 }, (_, i) => `CPA${String(i + 1).padStart(2, '0')}`));
    expect(rows[0]!.cpa).toBe('CPA20');
    const ratio = rows[rows.length - 1]!.n / rows[0]!.n;
    // a sixth is 0.167
    expect(ratio).toBeGreaterThan(0.12);
    expect(ratio).toBeLessThan(0.22);
  });

  it('after 2015 areas change for real: some reoffend less than in 2011, some more', async () => {
    // the same yearly measure as above, per area, for 2011 and for 2017-2019 (index per person per year)
    const rows = await db.all<{ cpa: string; d: number }>(`
      WITH e AS (
        SELECT s.person_id, year(s.start_date) AS y, arg_min(s.start_date, (s.start_date, s.start_id)) AS i,
               arg_min(s.cpa, (s.start_date, s.start_id)) AS cpa
        FROM starts s JOIN cohort c USING (person_id)
        WHERE s.allocation = 'CRC' AND NOT s.em_only AND s.start_date - INTERVAL 18 YEAR >= c.date_of_birth
          AND NOT (s.start_type = 'CUSTODY_RELEASE' AND s.sentence_length_days < 2) AND c.pnc_matched
          AND year(s.start_date) IN (2011, 2017, 2018, 2019)
        GROUP BY s.person_id, year(s.start_date)),
      o AS (
        SELECT e.cpa, e.y, e.person_id, count(r.offence_id) > 0 AS re
        FROM e LEFT JOIN reconvictions r
          ON r.person_id = e.person_id AND r.offence_date > e.i AND r.offence_date <= e.i + INTERVAL 12 MONTH
         AND r.disposal_type IN ('CONVICTION', 'CAUTION') AND NOT r.breach AND r.disposal_date <= e.i + INTERVAL 18 MONTH
        GROUP BY e.cpa, e.y, e.person_id)
      SELECT cpa, avg(re::INTEGER) FILTER (y > 2011) - avg(re::INTEGER) FILTER (y = 2011) AS d FROM o GROUP BY cpa ORDER BY cpa`);
    expect(rows.length).toBe(21);
    expect(rows.filter((r) => r.d < -0.05).length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.d > 0).length).toBeGreaterThanOrEqual(1);
  });
});

describe('synthetic service levels', () => {
  it('one return per area, month (Feb 2015 - Dec 2020) and measure, mostly above target', async () => {
    // 21 areas x 71 months x 3 measures = 4,473 rows
    const r = await one(`
      SELECT count(*)::DOUBLE AS n, count(DISTINCT cpa)::DOUBLE AS areas, min(month) AS first, max(month) AS last,
             avg((achieved >= target)::INTEGER) AS met,
             count(*) FILTER (achieved < 0 OR achieved > 1 OR target < 0 OR target > 1)::DOUBLE AS bad FROM service_levels`);
    expect(r).toMatchObject({ n: 4473, areas: 21, first: '2015-02', last: '2020-12', bad: 0 });
    expect(r.met).toBeGreaterThan(0.6);
    expect(r.met).toBeLessThan(0.95);
  });
});
