import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../src/core/context.js';
import type { ContractInput } from '../src/contract/schema.js';
import { writeVolumesCsv } from '../src/statements/index.js';
import { PERSON_LEVEL_OUTPUTS } from '../src/core/personLevel.js';
import { FEE_CONTRACT, payFixture } from './helpers/feeFixture.js';
import { readCsvObjects } from './helpers/csvRead.js';

/**
 * volumes.csv (method.md section 9): every start of the extract once per contract year it counts
 * in, with its band and weight, or once with the reason it does not count. The starts are those of
 * test/helpers/feeFixture.ts; the expected rows are worked out from its comments.
 */
type Row = Record<string, string>;
const pick = (r: Row) => [r.start_id, r.counted, r.band, r.weight, r.contract_year, r.reason];

describe('volumes.csv', () => {
  let ctx: RunContext;
  let rows: Row[];
  let file: string;

  beforeAll(async () => {
    ctx = await payFixture();
    file = await writeVolumesCsv(ctx);
    rows = readCsvObjects(file);
  });
  afterAll(() => {
    ctx.db.close();
    rmSync(ctx.outDir, { recursive: true, force: true });
  });

  it('lists every start: counted ones with band, weight and contract year, the others with the reason', () => {
    const y1 = '2015-02-01/2016-01-31';
    expect(rows.map(pick)).toEqual([
      // CPA01, by start date then start id
      ['s7', 'false', '', '', '', 'under_age'], // 17 on 2015-03-01
      ['s8', 'true', '1', '1', y1, ''], // 18 on the day: CO 100 days, band 1
      ['s1', 'true', '1', '1', y1, ''],
      ['s2', 'true', '2', '1.3', y1, ''], // CO 400 days: over 365, band 2
      ['s3', 'true', '1', '1', y1, ''], // CO 365 days: band 1 (max_length_days 365 included)
      ['s4', 'false', '', '', '', 'type_in_no_band'],
      ['s5', 'false', '', '', '', 'em_only'],
      ['s6', 'false', '', '', '', 'allocation'],
      ['s9', 'true', '1', '1', '2016-02-01/2017-01-31', ''],
      // CPA04
      ['s10', 'false', '', '', '', 'under_age'], // born 29 Feb 1996: 17 on 28 Feb 2014
      ['s11', 'true', '1', '1', '2014-01-01/2014-12-31', ''],
    ]);
    expect(Object.keys(rows[0]!)).toEqual([
      'start_id', 'area', 'start_date', 'month', 'start_type', 'sentence_length_days', 'counted', 'band', 'weight', 'contract_year', 'reason',
    ]);
    expect([rows[1]!.area, rows[1]!.start_date, rows[1]!.month]).toEqual(['CPA01', '2015-03-01', '2015-03']);
  });

  it("the weights of a contract year's counted starts sum to the weighted volume of its reconciliation", async () => {
    // 1 + 1 + 1.3 + 1 = 4.3, the W of the reconciliation line (4.30 - 3.00) x GBP 480,000.00
    const w = rows.filter((r) => r.contract_year === '2015-02-01/2016-01-31').reduce((t, r) => t + Number(r.weight) * 10, 0);
    expect(w).toBe(43);
    const basis = await ctx.db.scalar<string>(`SELECT basis FROM payments WHERE component = 'volume_reconciliation' AND period = '2015-02-01/2016-01-31'`);
    expect(basis.startsWith('(4.30 - 3.00) x GBP 480,000.00: weighted volume (4 starts)')).toBe(true);
  });

  it('is a person-level output: readable by its owner only, at the top of the run folder', () => {
    expect(path.dirname(file)).toBe(ctx.outDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(PERSON_LEVEL_OUTPUTS).toContain('volumes.csv');
  });
});

/** Bands that leave CO orders over 100 days unfitted, and one contract year for CPA01 only. */
const NARROW: ContractInput = {
  contract: 'fee-narrow',
  fee_for_service: {
    bands: [{ start_type: 'CO', max_length_days: 100, weight: 1 }],
    areas: { CPA01: [{ from: '2015-02-01', to: '2016-01-31', annual_price: 1200000, volume_low: 2, volume_high: 3 }] },
  },
  areas: FEE_CONTRACT.areas,
};

describe('volumes.csv: starts no band fits, outside every contract year, areas without one', () => {
  let ctx: RunContext;
  let rows: Row[];

  beforeAll(async () => {
    ctx = await payFixture(NARROW);
    rows = readCsvObjects(await writeVolumesCsv(ctx));
  });
  afterAll(() => {
    ctx.db.close();
    rmSync(ctx.outDir, { recursive: true, force: true });
  });

  it('a start of a listed type that no band fits counts with weight 0 and says so', () => {
    const s2 = rows.find((r) => r.start_id === 's2')!; // CO 400 days > 100
    expect(pick(s2)).toEqual(['s2', 'true', '', '0', '2015-02-01/2016-01-31', 'no_band_fits']);
  });

  it('a start after the last contract year of its area does not count', () => {
    expect(pick(rows.find((r) => r.start_id === 's9')!)).toEqual(['s9', 'false', '', '', '', 'outside_contract_years']);
  });

  it('a start in an area with no contract year does not count', () => {
    expect(pick(rows.find((r) => r.start_id === 's11')!)).toEqual(['s11', 'false', '', '', '', 'no_contract_years']);
  });

  it('the band breakdown keeps the unfitted starts apart, weighing nothing', async () => {
    // s1, s8 (CO 100 days): band 1, 2 starts, weighted 2; s2 (400) and s3 (365): no band, 2 starts, weighted 0
    const bands = await ctx.db.all<{ band_idx: number | null; starts: string; weighted: string }>(
      `SELECT band_idx, starts::VARCHAR AS starts, CAST(weighted AS DECIMAL(18,2))::VARCHAR AS weighted FROM fee_volumes ORDER BY band_idx NULLS LAST`,
    );
    expect(bands).toEqual([{ band_idx: 0, starts: '2', weighted: '2.00' }, { band_idx: null, starts: '2', weighted: '0.00' }]);
  });
});
