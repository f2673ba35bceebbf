import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db } from '../../src/db/duckdb.js';
import { parseContract } from '../../src/contract/load.js';
import type { ContractInput } from '../../src/contract/schema.js';
import type { RunContext } from '../../src/core/context.js';
import { pay } from '../../src/pay/index.js';

/**
 * A hand-made run for fee-for-service and statement tests: the typed tables of a run (areas,
 * cohort, starts, service_levels, and empty measure tables) and a contract with four areas whose
 * fees, volumes and credits are worked out by hand in test/pay-fee.test.ts.
 */
export const FEE_CONTRACT: ContractInput = {
  contract: 'fee-test',
  fee_for_service: {
    bands: [
      { start_type: 'CO', max_length_days: 365, weight: 1.0 },
      { start_type: 'CO', max_length_days: null, weight: 1.3 },
      { start_type: 'CUSTODY_RELEASE', weight: 0.5 },
    ],
    learning_curve_discount: 0.02,
    service_credit_rate: 0.005,
    service_credit_cap: 0.01,
    areas: {
      // year 1 monthly 1,200,000 / 12 = 100,000.00; year 2 price 1,200,000 x 0.98 = 1,176,000, monthly 98,000.00
      CPA01: [
        { from: '2015-02-01', to: '2016-01-31', annual_price: 1200000, volume_low: 2, volume_high: 3 },
        { from: '2016-02-01', to: '2017-01-31', annual_price: 1200000, volume_low: 2, volume_high: 3 },
      ],
      // 1,000,000.02 / 12 = 83,333.335 exactly: the half penny
      CPA02: [{ from: '2015-01-01', to: '2015-12-31', annual_price: 1000000.02, volume_low: 0, volume_high: 100 }],
      // does not start on the 1st: February 2015 and February 2016 are partial months
      CPA03: [{ from: '2015-02-15', to: '2016-02-14', annual_price: 1200000, volume_low: 0, volume_high: 1000 }],
      // age boundaries (unit 120,000 / ((10 + 10) / 2) = 12,000 per weighted start)
      CPA04: [{ from: '2014-01-01', to: '2014-12-31', annual_price: 120000, volume_low: 10, volume_high: 10 }],
    },
  },
  areas: { CPA01: 'Area One', CPA02: 'Area Two', CPA03: 'Area Three', CPA04: 'Area Four' },
};

/**
 * An empty `measures` table with the columns the pay stage reads (the measure stage's table,
 * docs/internals.md): tr-crc and comparison schemes find no period to pay, so only fee lines arise.
 */
export const MEASURES_DDL = `CREATE TABLE measures (population VARCHAR, area VARCHAR, area_order INTEGER, is_all BOOLEAN, period VARCHAR,
  period_start DATE, period_end DATE, status VARCHAR, period_kind VARCHAR, eligible BIGINT, measurable BIGINT, reoffenders BIGINT,
  reoffences BIGINT, reconviction_events BIGINT, binary_rate DOUBLE, frequency_rate DOUBLE, reoffences_per_100 DOUBLE,
  reconviction_events_per_100 DOUBLE, expected_rate DOUBLE, baseline_measurable BIGINT, baseline_binary_rate DOUBLE,
  baseline_expected_rate DOUBLE, baseline_frequency_rate DOUBLE, adjusted_binary_rate DOUBLE, lower_threshold DOUBLE,
  upper_threshold DOUBLE, binary_outcome VARCHAR, frequency_outcome VARCHAR, ogrs_sum DECIMAL(38,12),
  baseline_reoffenders BIGINT, baseline_reoffences BIGINT, baseline_ogrs_sum DECIMAL(38,12), termination_watch BOOLEAN,
  threshold_source VARCHAR, threshold_missing BOOLEAN, bl_b_num DECIMAL(38,12), bl_b_den DECIMAL(38,12),
  bl_e_num DECIMAL(38,12), bl_e_den DECIMAL(38,12), bl_f_num DECIMAL(38,24), bl_f_den DECIMAL(38,12));`;

export const FEE_TABLES = `
CREATE TABLE areas AS SELECT * FROM (VALUES ('CPA01', 'Area One', 1), ('CPA02', 'Area Two', 2), ('CPA03', 'Area Three', 3), ('CPA04', 'Area Four', 4)) t(cpa, name, area_order);
CREATE TABLE cohort AS SELECT person_id, CAST(dob AS DATE) AS date_of_birth, 'M' AS sex, true AS pnc_matched, 'treatment' AS "group", 0::BIGINT AS _line
FROM (VALUES ('P1', '1980-01-01'), ('P2', '1997-03-02'), ('P3', '1997-03-01'), ('P4', '1996-02-29')) t(person_id, dob);
CREATE TABLE starts AS SELECT start_id, person_id, CAST(d AS DATE) AS start_date, start_type, len AS sentence_length_days, cpa, alloc AS allocation, em AS em_only, 0.5::DECIMAL(18,12) AS ogrs, 0::BIGINT AS _line
FROM (VALUES
  ('s1', 'P1', '2015-03-10', 'CO', 100, 'CPA01', 'CRC', false),   -- weight 1.0
  ('s2', 'P1', '2015-04-10', 'CO', 400, 'CPA01', 'CRC', false),   -- weight 1.3 (over 365 days)
  ('s3', 'P1', '2015-05-10', 'CO', 365, 'CPA01', 'CRC', false),   -- weight 1.0 (365 is within max_length_days 365)
  ('s4', 'P1', '2015-06-10', 'SSO', 100, 'CPA01', 'CRC', false),  -- SSO is in no band: not counted
  ('s5', 'P1', '2015-06-11', 'CO', 100, 'CPA01', 'CRC', true),    -- EM-only: not counted
  ('s6', 'P1', '2015-06-12', 'CO', 100, 'CPA01', 'NPS', false),   -- other allocation: not counted
  ('s7', 'P2', '2015-03-01', 'CO', 100, 'CPA01', 'CRC', false),   -- 17 (18 tomorrow): not counted
  ('s8', 'P3', '2015-03-01', 'CO', 100, 'CPA01', 'CRC', false),   -- 18 today: weight 1.0
  ('s9', 'P1', '2016-03-01', 'CO', 10, 'CPA01', 'CRC', false),    -- year 2, weight 1.0
  ('s10', 'P4', '2014-02-28', 'CO', 10, 'CPA04', 'CRC', false),   -- born 29 Feb 1996: still 17 on 28 Feb 2014
  ('s11', 'P4', '2014-03-01', 'CO', 10, 'CPA04', 'CRC', false)    -- 18 on 1 March in a common year: weight 1.0
) t(start_id, person_id, d, start_type, len, cpa, alloc, em);
CREATE TABLE service_levels AS SELECT cpa, month, measure, achieved::DECIMAL(18,12) AS achieved, target::DECIMAL(18,12) AS target, 0::BIGINT AS _line
FROM (VALUES
  ('CPA01', '2015-03', 'contact', 0.8, 0.9),   -- missed
  ('CPA01', '2015-03', 'plans', 0.9, 0.9),     -- achieved = target: not missed
  ('CPA01', '2016-03', 'contact', 0.1, 0.9),   -- three missed in one month
  ('CPA01', '2016-03', 'plans', 0.1, 0.9),
  ('CPA01', '2016-03', 'referrals', 0.1, 0.9),
  ('CPA01', '2018-01', 'contact', 0.1, 0.9)    -- no contract year: no fee, no credit
) t(cpa, month, measure, achieved, target);
CREATE TABLE baselines_input (cpa VARCHAR, population VARCHAR, baseline_measurable BIGINT, baseline_binary_rate DECIMAL(18,12), baseline_expected_rate DECIMAL(18,12), baseline_frequency_rate DECIMAL(18,12), _line BIGINT);
CREATE TABLE offender_outcomes (area VARCHAR, period VARCHAR, "group" VARCHAR, measurable BOOLEAN, reoffender BOOLEAN, reoffences BIGINT, reconviction_events BIGINT, conviction_only_reoffender BOOLEAN, conviction_only_events BIGINT, ogrs DECIMAL(18,12), is_baseline BOOLEAN);
${MEASURES_DDL}
`;


/** A fresh database with the tables, the pay stage run with `contract`, and its run context. */
export async function payFixture(contract: ContractInput = FEE_CONTRACT, tables: string = FEE_TABLES): Promise<RunContext> {
  const db = await Db.open({ threads: 1 });
  await db.run(tables);
  const ctx: RunContext = {
    db,
    contract: parseContract(contract),
    contractSha256: 'c0ffee',
    asOf: '2022-01-31',
    hasBaselinesFile: false,
    outDir: mkdtempSync(path.join(os.tmpdir(), 'pbr-fee-')),
    inputs: [{ name: 'starts', file: 'starts.csv', path: 'starts.csv', sha256: 'abc123', bytes: 1, rows_read: 11, rows_used: 11, rows_rejected: 0 }],
    rejectedRows: 0,
    progress: () => {},
  };
  await pay(ctx);
  return ctx;
}
