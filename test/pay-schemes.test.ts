import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../src/db/duckdb.js';
import { doneWith, testDb } from './helpers/db.js';
import { parseContract } from '../src/contract/load.js';
import type { ContractInput } from '../src/contract/schema.js';
import type { RunContext } from '../src/core/context.js';
import { pay } from '../src/pay/index.js';

/**
 * Peterborough and Doncaster from person-level data (method.md section 10): offender_outcomes is
 * aggregated by area, period and group (conviction-only counts) into the aggregates shape, then the
 * same rules as pbr assess decide. Hand-made tables; amounts worked by hand in the comments.
 */
const BASE = `
CREATE TABLE starts (start_id VARCHAR, person_id VARCHAR, start_date DATE, start_type VARCHAR, sentence_length_days INTEGER, cpa VARCHAR, allocation VARCHAR, em_only BOOLEAN, ogrs DECIMAL(18,12), _line BIGINT);
CREATE TABLE cohort (person_id VARCHAR, date_of_birth DATE, sex VARCHAR, pnc_matched BOOLEAN, "group" VARCHAR, _line BIGINT);
CREATE TABLE service_levels (cpa VARCHAR, month VARCHAR, measure VARCHAR, achieved DECIMAL(18,12), target DECIMAL(18,12), _line BIGINT);
CREATE TABLE areas AS SELECT * FROM (VALUES ('P1', 'Pilot', 1)) t(cpa, name, area_order);
CREATE TABLE measures AS SELECT * FROM (VALUES
  ('P1', 1, '2011', DATE '2011-01-01', DATE '2011-12-31', 'final'),
  ('P1', 1, '2012', DATE '2012-01-01', DATE '2012-12-31', 'final'),
  ('P1', 1, '2013', DATE '2013-01-01', DATE '2013-12-31', 'interim'),
  ('ALL', 99, '2011', DATE '2011-01-01', DATE '2011-12-31', 'final')
) t(area, area_order, period, period_start, period_end, status);
`;

// one row per person: (period, group, measurable, conviction-only events, baseline)
function outcomes(rows: [string, string, boolean, number, boolean][]): string {
  const values = rows
    .map(([period, group, m, ev, base]) => `('P1', '${period}', '${group}', ${m}, ${m ? ev > 0 : 'NULL'}, ${m ? ev : 'NULL'}, ${base})`)
    .join(',\n');
  return `CREATE TABLE offender_outcomes AS SELECT area, period, "group", measurable, conviction_only_reoffender, conviction_only_events,
    conviction_only_reoffender AS reoffender, conviction_only_events AS reoffences, conviction_only_events AS reconviction_events,
    0.5::DECIMAL(18,12) AS ogrs, is_baseline
  FROM (VALUES ${values}) t(area, period, "group", measurable, conviction_only_reoffender, conviction_only_events, is_baseline);`;
}

async function run(contract: ContractInput, sql: string) {
  const db = await testDb();
  await db.run(BASE);
  await db.run(sql);
  const ctx: RunContext = {
    db,
    contract: parseContract(contract),
    contractSha256: 'x',
    asOf: '2014-06-30',
    hasBaselinesFile: false,
    outDir: mkdtempSync(path.join(os.tmpdir(), 'pay-schemes-')),
    inputs: [],
    rejectedRows: 0,
    progress: () => {},
  };
  await pay(ctx);
  const lines = await db.all<{ period: string; component: string; amount: string; rule: string }>(
    `SELECT period, component, amount::VARCHAR AS amount, rule FROM payments ORDER BY period`);
  const outs = await db.all<{ period: string; outcome: string; status: string }>(
    `SELECT period, outcome, status FROM pay_outcomes ORDER BY period`);
  doneWith(db);
  rmSync(ctx.outDir, { recursive: true, force: true });
  return { lines, outs };
}

describe('peterborough from person-level data', () => {
  it('pays a cohort at 10% or more and the pilot only what the cohorts were not paid', async () => {
    // 2011: treatment events 2+1+1+0 = 4 on 4 (100 per 100); comparison 2+2+1+0 = 5 on 4 (125 per 100);
    //   a non-measurable treatment person does not count. Reduction 1 - 100/125 = 20% >= 10%:
    //   (1.25 - 1.00) x 4 x 1,000 = 1,000.00.
    // 2012: treatment 5 on 4, comparison 5 on 4: reduction 0: none.
    // Pilot: treatment 9 on 8, comparison 10 on 8: reduction 10% >= 7.5%:
    //   (10/8 - 9/8) x 8 x 1,000 = 1,000.00, less 1,000.00 already paid = 0: no line.
    // 2013 is interim: the pilot is not final either.
    const rows: [string, string, boolean, number, boolean][] = [
      ['2011', 'treatment', true, 2, false], ['2011', 'treatment', true, 1, false], ['2011', 'treatment', true, 1, false],
      ['2011', 'treatment', true, 0, false], ['2011', 'treatment', false, 0, false],
      ['2011', 'comparison', true, 2, false], ['2011', 'comparison', true, 2, false], ['2011', 'comparison', true, 1, false],
      ['2011', 'comparison', true, 0, false],
      ['2012', 'treatment', true, 5, false], ['2012', 'treatment', true, 0, false], ['2012', 'treatment', true, 0, false], ['2012', 'treatment', true, 0, false],
      ['2012', 'comparison', true, 5, false], ['2012', 'comparison', true, 0, false], ['2012', 'comparison', true, 0, false], ['2012', 'comparison', true, 0, false],
    ];
    const r = await run({ contract: 'pb', scheme: 'peterborough', price_per_event: 1000 }, outcomes(rows));
    expect(r.lines).toEqual([{ period: '2011', component: 'frequency_payment', amount: '1000.00', rule: 'price_per_event' }]);
    expect(r.outs.map((o) => [o.period, o.outcome])).toEqual([['2011', 'payment'], ['2012', 'none'], ['ALL', 'payment']]);
  });

  it('the whole pilot is not paid while a cohort is interim', async () => {
    // 2011: treatment 1 on 2 (50 per 100), comparison 2 on 2 (100 per 100): 50% -> 2011 paid (1 - 0.5) x 2 x 1,000 = 1,000.00
    // 2013 (interim): treatment 0 on 2, comparison 4 on 2. Pilot reduction 1 - 1/6 > 7.5% but not final: no pilot line.
    const rows: [string, string, boolean, number, boolean][] = [
      ['2011', 'treatment', true, 1, false], ['2011', 'treatment', true, 0, false],
      ['2011', 'comparison', true, 1, false], ['2011', 'comparison', true, 1, false],
      ['2013', 'treatment', true, 0, false], ['2013', 'treatment', true, 0, false],
      ['2013', 'comparison', true, 2, false], ['2013', 'comparison', true, 2, false],
    ];
    const r = await run({ contract: 'pb', scheme: 'peterborough', price_per_event: 1000 }, outcomes(rows));
    expect(r.lines.map((l) => [l.period, l.amount])).toEqual([['2011', '1000.00']]);
    expect(r.outs.find((o) => o.period === 'ALL')!.status).toBe('interim');
  });
});

describe('doncaster from person-level data', () => {
  it('compares each cohort with the pooled baseline period and refunds at_risk_share when the target is missed', async () => {
    // Baseline (is_baseline, period 2009, not a cohort): 2 reoffenders of 4 = 50%.
    // 2011: 1 of 4 = 25%: a fall of 25 points >= 5: target met, no line.
    // 2012: 2 of 4 = 50%: no fall: refund 10% x 2,000,000 = -200,000.00.
    const rows: [string, string, boolean, number, boolean][] = [
      ['2009', 'treatment', true, 1, true], ['2009', 'treatment', true, 2, true], ['2009', 'treatment', true, 0, true], ['2009', 'treatment', true, 0, true],
      ['2011', 'treatment', true, 3, false], ['2011', 'treatment', true, 0, false], ['2011', 'treatment', true, 0, false], ['2011', 'treatment', true, 0, false],
      ['2012', 'treatment', true, 1, false], ['2012', 'treatment', true, 1, false], ['2012', 'treatment', true, 0, false], ['2012', 'treatment', true, 0, false],
    ];
    const r = await run({ contract: 'dn', scheme: 'doncaster', contract_value: 2000000, baseline: { from: '2009-01-01', to: '2009-12-31' } }, outcomes(rows));
    expect(r.lines).toEqual([{ period: '2012', component: 'binary_deduction', amount: '-200000.00', rule: 'at_risk_share' }]);
    expect(r.outs.map((o) => [o.period, o.outcome])).toEqual([['2011', 'target_met'], ['2012', 'target_missed']]);
  });

  it('a fall of exactly target_points meets the target', async () => {
    // Baseline 10 of 20 = 50%; 2011: 9 of 20 = 45%: exactly 5 points: met.
    const rows: [string, string, boolean, number, boolean][] = [];
    for (let i = 0; i < 20; i++) rows.push(['2009', 'treatment', true, i < 10 ? 1 : 0, true]);
    for (let i = 0; i < 20; i++) rows.push(['2011', 'treatment', true, i < 9 ? 1 : 0, false]);
    const r = await run({ contract: 'dn', scheme: 'doncaster', contract_value: 2000000 }, outcomes(rows));
    expect(r.lines).toEqual([]);
    expect(r.outs.map((o) => o.outcome)).toEqual(['target_met']);
  });
});
