/**
 * A small hand-made run for the report tests: three areas, three quarterly cohort periods (2015Q4
 * and 2016Q1 final, 2016Q2 interim at as_of 2017-09-30), a pooled 2011 baseline, a few people and
 * a few payment lines. The tables are created directly in DuckDB (no other module needed).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../src/db/duckdb.js';
import { testDb } from './helpers/db.js';
import { ContractSchema, type Contract } from '../src/contract/schema.js';
import type { RunContext } from '../src/core/context.js';

export const AREAS_SQL = `
CREATE TABLE areas AS SELECT * FROM (VALUES
  ('CPA01', 'North', 1), ('CPA02', 'South', 2), ('CPA03', 'West', 3)
) t(cpa, name, area_order)`;

// Columns of measures.csv (unrounded) plus reconviction_events and area_order.
// n = measurable, r = reoffenders, k = reoffences, b = r/n, f = k/r, a = adjusted.
export const MEASURES_SQL = `
CREATE TABLE measures AS SELECT
  'CRC' AS population, area, period, CAST(ps AS DATE) AS period_start, CAST(pe AS DATE) AS period_end, status,
  CAST(eligible AS BIGINT) AS eligible, CAST(n AS BIGINT) AS measurable, CAST(r AS BIGINT) AS reoffenders,
  CAST(k AS BIGINT) AS reoffences,
  CAST(b AS DOUBLE) AS binary_rate, CAST(f AS DOUBLE) AS frequency_rate,
  CASE WHEN n > 0 THEN 100.0 * k / n END AS reoffences_per_100,
  CASE WHEN n > 0 THEN 100.0 * ev / n END AS reconviction_events_per_100,
  CAST(e AS DOUBLE) AS expected_rate, CAST(bn AS BIGINT) AS baseline_measurable,
  CAST(bb AS DOUBLE) AS baseline_binary_rate, CAST(be AS DOUBLE) AS baseline_expected_rate,
  CAST(bf AS DOUBLE) AS baseline_frequency_rate, CAST(a AS DOUBLE) AS adjusted_binary_rate,
  CAST(lo AS DOUBLE) AS lower_threshold, CAST(hi AS DOUBLE) AS upper_threshold,
  bo AS binary_outcome, fo AS frequency_outcome, CAST(ev AS BIGINT) AS reconviction_events,
  CAST(ao AS INTEGER) AS area_order
FROM (VALUES
  ('CPA01','2015Q4','2015-10-01','2015-12-31','final',110,100,40,120,0.4,3.0,0.5,1000,0.5,0.5,3.5,0.4,0.45,0.55,'payment','reduced',60,1),
  ('CPA01','2016Q1','2016-01-01','2016-03-31','final',100,90,45,135,0.5,3.0,0.52,1000,0.5,0.5,3.5,0.48,0.45,0.55,'none','reduced',70,1),
  ('CPA01','2016Q2','2016-04-01','2016-06-30','interim',80,80,20,40,0.25,2.0,0.45,1000,0.5,0.5,3.5,0.3,0.45,0.55,'payment','reduced',30,1),
  ('CPA02','2015Q4','2015-10-01','2015-12-31','final',60,50,25,50,0.5,2.0,0.4,800,0.4,0.4,1.8,0.5,0.35,0.45,'deduction','not_reduced',30,2),
  ('CPA02','2016Q1','2016-01-01','2016-03-31','final',40,40,12,30,0.3,2.5,0.4,800,0.4,0.4,1.8,0.3,0.35,0.45,'payment','not_reduced',20,2),
  ('CPA02','2016Q2','2016-04-01','2016-06-30','interim',30,30,12,24,0.4,2.0,0.4,800,0.4,0.4,1.8,0.4,0.35,0.45,'none','not_reduced',15,2),
  ('CPA03','2015Q4','2015-10-01','2015-12-31','final',0,0,0,0,NULL,NULL,NULL,500,0.45,0.45,2.5,NULL,NULL,NULL,'none',NULL,0,3),
  ('CPA03','2016Q1','2016-01-01','2016-03-31','final',20,20,9,18,0.45,2.0,0.45,500,0.45,0.45,2.5,0.45,0.40,0.50,'none','reduced',10,3),
  ('CPA03','2016Q2','2016-04-01','2016-06-30','interim',20,20,9,18,0.45,2.0,0.45,500,0.45,0.45,2.5,0.45,0.40,0.50,'none','reduced',10,3),
  ('ALL','2015Q4','2015-10-01','2015-12-31','final',170,150,65,170,0.4333333333,2.6153846154,0.4666666667,2300,0.46,0.46,2.9,0.4266666667,0.44,0.48,'payment','reduced',90,2147483647),
  ('ALL','2016Q1','2016-01-01','2016-03-31','final',160,150,66,183,0.44,2.7727272727,0.47,2300,0.46,0.46,2.9,0.43,0.44,0.48,'payment','reduced',100,2147483647),
  ('ALL','2016Q2','2016-04-01','2016-06-30','interim',130,130,41,82,0.3153846154,2.0,0.43,2300,0.46,0.46,2.9,0.3453846154,0.44,0.48,'payment','reduced',55,2147483647)
) t(area, period, ps, pe, status, eligible, n, r, k, b, f, e, bn, bb, be, bf, a, lo, hi, bo, fo, ev, ao)`;

// One row per person and period. first_offence_date is the first counted offence.
export const OUTCOMES_SQL = `
CREATE TABLE offender_outcomes AS SELECT
  period, CAST(ps AS DATE) AS period_start, area, person_id, CAST(idx AS DATE) AS index_date,
  measurable, reoffender, CAST(k AS BIGINT) AS reoffences, CAST(fo AS DATE) AS first_offence_date, is_baseline
FROM (VALUES
  ('2015Q4','2015-10-01','CPA01','p1','2015-10-15',true,true,5,'2015-10-20',false),
  ('2015Q4','2015-10-01','CPA01','p2','2015-10-15',true,true,1,'2015-11-15',false),
  ('2015Q4','2015-10-01','CPA01','p3','2015-10-15',true,true,2,'2015-11-16',false),
  ('2015Q4','2015-10-01','CPA02','p4','2015-10-31',true,true,3,'2016-02-29',false),
  ('2015Q4','2015-10-01','CPA02','p5','2015-12-31',true,true,1,'2016-12-31',false),
  ('2015Q4','2015-10-01','CPA01','p6','2015-11-01',true,false,0,NULL,false),
  ('2015Q4','2015-10-01','CPA02','p7','2015-11-01',false,true,9,'2015-12-01',false),
  ('2016Q1','2016-01-01','CPA01','p10','2016-01-05',true,false,0,NULL,false),
  ('2016Q2','2016-04-01','CPA03','p8','2016-04-10',true,true,4,'2016-06-10',false),
  ('2016Q2','2016-04-01','CPA03','p9','2016-05-01',true,false,0,NULL,false),
  ('2011Q1','2011-01-01','CPA01','b1','2011-01-10',true,true,2,'2011-03-10',true),
  ('2011Q1','2011-01-01','CPA02','b2','2011-02-28',true,true,2,'2011-03-31',true),
  ('2011Q1','2011-01-01','CPA01','b3','2011-01-20',true,false,0,NULL,true)
) t(period, ps, area, person_id, idx, measurable, reoffender, k, fo, is_baseline)`;

export const PAYMENTS_SQL = `
CREATE TABLE payments AS SELECT area, period, component, basis, CAST(amount AS DECIMAL(18,2)) AS amount, rule
FROM (VALUES
  ('CPA01','2015-12','fee_for_service','monthly','1000.00','fee_for_service.areas'),
  ('CPA01','2016-01','fee_for_service','monthly','1000.00','fee_for_service.areas'),
  ('CPA01','2016-02','fee_for_service','monthly','980.00','fee_for_service.areas'),
  ('CPA01','2016-01','service_credit','credit','-5.00','fee_for_service.service_credit_rate'),
  ('CPA01','2015-02-01/2016-01-31','volume_reconciliation','above range','250.50','fee_for_service.areas'),
  ('CPA01','2015Q4','binary_payment','payment','3200.00','payments.binary_price'),
  ('CPA01','2015Q4','frequency_payment','payment','450.25','payments.frequency_price'),
  ('CPA01','2016Q1','binary_payment','payment','640.00','payments.binary_price'),
  ('CPA01','2016Q1','cap','cap','-40.00','payments.cap_per_period'),
  ('CPA02','2015Q4','binary_deduction','deduction','-1600.00','payments.deduction_price'),
  ('CPA02','2016Q1','binary_payment','payment','1600.00','payments.binary_price')
) t(area, period, component, basis, amount, rule)`;

// The pay_outcomes columns the pack reads: interim periods' indicative amounts (never paid).
export const PAY_OUTCOMES_SQL = `
CREATE TABLE pay_outcomes AS SELECT area, period, status, CAST(fo AS DATE) AS final_on, CAST(ind AS DECIMAL(38,2)) AS indicative_amount
FROM (VALUES
  ('CPA01','2016Q1','final','2017-09-30',NULL),
  ('CPA01','2016Q2','interim','2017-12-30','1234.50'),
  ('CPA02','2016Q2','interim','2017-12-30','-320.00'),
  ('CPA03','2016Q2','interim','2017-12-30',NULL)
) t(area, period, status, fo, ind)`;

// The columns of measure_breakdowns the report reads. 2016Q1 is the latest final period.
export const BREAKDOWNS_SQL = `
CREATE TABLE breakdowns AS SELECT
  area, period, CAST(ps AS DATE) AS period_start, status, dimension, band, band_order,
  CAST(eligible AS BIGINT) AS eligible, CAST(n AS BIGINT) AS measurable, CAST(r AS BIGINT) AS reoffenders,
  CAST(b AS DOUBLE) AS binary_rate, CAST(f AS DOUBLE) AS frequency_rate, CAST(e AS DOUBLE) AS expected_rate
FROM (VALUES
  ('ALL','2015Q4','2015-10-01','final','sex','M',1,150,130,60,0.461538,2.5,0.47),
  ('ALL','2016Q1','2016-01-01','final','sex','F',2,20,20,5,0.25,2.0,0.4),
  ('ALL','2016Q1','2016-01-01','final','sex','M',1,140,130,61,0.469231,2.8,0.48),
  ('ALL','2016Q1','2016-01-01','final','age_band','18-20',1,30,28,14,0.5,3.0,0.55),
  ('ALL','2016Q1','2016-01-01','final','concentration','top_10pct_reoffenders',1,160,150,66,NULL,NULL,NULL),
  ('CPA01','2016Q1','2016-01-01','final','sex','F',2,10,10,2,0.2,1.5,0.4),
  ('ALL','2016Q2','2016-04-01','interim','sex','M',1,120,120,38,0.316667,2.0,0.43)
) t(area, period, ps, status, dimension, band, band_order, eligible, n, r, b, f, e)`;

const CONTRACT_INPUT = {
  contract: 'report-fixture',
  cohort: { period: 'quarter', from: '2015-10-01', to: '2016-06-30' },
  follow_up: { months: 12, waiting_months: 6, as_of: '2017-09-30' },
  payments: { binary_price: 3200, deduction_price: 3200, frequency_price: 450, cap_per_period: 600 },
  fee_for_service: {
    bands: [{ start_type: 'CO', max_length_days: null, weight: 1 }],
    areas: {
      CPA01: [
        { from: '2015-02-01', to: '2016-01-31', annual_price: 12000, volume_low: 10, volume_high: 20 },
        { from: '2016-02-01', to: '2017-01-31', annual_price: 11760, volume_low: 10, volume_high: 20 },
      ],
    },
  },
  areas: { CPA01: 'North', CPA02: 'South', CPA03: 'West' },
};
export const CONTRACT = ContractSchema.parse(CONTRACT_INPUT);

export interface FixtureOptions {
  payments?: boolean;
  payOutcomes?: boolean;
  outcomes?: boolean;
  breakdowns?: boolean;
}

/** The fixture contract with some keys changed (publication, termination...). */
export function contractWith(extra: Record<string, unknown>): Contract {
  return ContractSchema.parse({ ...CONTRACT_INPUT, ...extra });
}

/** Statement files as the pay stage would write them (empty pages), so that links can be followed. */
export function writeStatementFiles(outDir: string, names: string[]): void {
  mkdirSync(path.join(outDir, 'statements'), { recursive: true });
  for (const n of names) writeFileSync(path.join(outDir, 'statements', n), '<!DOCTYPE html><title>statement</title>');
}

/** Open a database holding the fixture tables and a RunContext writing into a fresh temp dir. */
export async function fixtureContext(opts: FixtureOptions = {}, outDir?: string, contract: Contract = CONTRACT): Promise<RunContext> {
  const db = await testDb();
  await db.run(AREAS_SQL);
  await db.run(MEASURES_SQL);
  if (opts.outcomes ?? true) await db.run(OUTCOMES_SQL);
  if (opts.payments ?? true) await db.run(PAYMENTS_SQL);
  if (opts.payOutcomes ?? true) await db.run(PAY_OUTCOMES_SQL);
  if (opts.breakdowns) await db.run(BREAKDOWNS_SQL);
  return {
    db,
    contract,
    contractSha256: 'c'.repeat(64),
    asOf: '2017-09-30',
    hasBaselinesFile: false,
    outDir: outDir ?? mkdtempSync(path.join(os.tmpdir(), 'pbr-report-')),
    inputs: [
      { name: 'cohort', file: 'cohort.csv', path: '/data/cohort.csv', sha256: 'a'.repeat(64), bytes: 1234, rows_read: 13, rows_used: 13, rows_rejected: 0 },
      { name: 'starts', file: 'starts.csv', path: '/data/starts.csv', sha256: 'b'.repeat(64), bytes: 2345, rows_read: 14, rows_used: 13, rows_rejected: 1 },
    ],
    rejectedRows: 0,
    progress: () => {},
  };
}

/**
 * report.html of a fixture context without drawing the charts (their figures are left out): the
 * page's text and tables as renderReport writes them, in a fraction of the time.
 */
export async function pageWithoutCharts(ctx: RunContext): Promise<string> {
  const { loadReportData, planCharts, statementLinks } = await import('../src/report/index.js');
  const { buildHtml } = await import('../src/report/html.js');
  const { Cells } = await import('../src/report/suppress.js');
  const data = await loadReportData(ctx);
  const cells = new Cells(ctx.contract.publication.suppress_below);
  const { ids } = planCharts(data, ctx.contract.follow_up.months, cells);
  return buildHtml(ctx, data, new Map(), ids, { engineVersion: 'test', duckdbVersion: 'test' }, statementLinks(ctx.outDir, data), cells);
}
