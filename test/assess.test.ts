import { describe, it, expect, afterAll, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAssess } from '../src/run/assess.js';
import { main } from '../src/cli.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { InputError } from '../src/errors.js';

/**
 * pbr assess: the published outcomes of anchors.md reproduced from counts (fixtures/aggregates),
 * and the aggregates file's error messages. Expected figures are worked by hand in the comments.
 */
const AGG = path.join(FIXTURES_DIR, 'aggregates');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'assess-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const outDir = () => path.join(tmp, `out${++n}`);
const fixture = (name: string) => path.join(AGG, name);
function tmpCsv(text: string): string {
  const f = path.join(tmp, `agg${++n}.csv`);
  writeFileSync(f, text);
  return f;
}
/**
 * The assess run of a fixture aggregates file and contract, made once for the tests that read it
 * (they only read its folder).
 */
const fixtureRuns = new Map<string, ReturnType<typeof runAssess>>();
async function fixtureRun(aggregates: string, contract: string): Promise<{ out: string; r: Awaited<ReturnType<typeof runAssess>> }> {
  const key = `${aggregates}\n${contract}`;
  const out = path.join(tmp, `fixture-${aggregates}-${contract}`);
  if (!fixtureRuns.has(key)) fixtureRuns.set(key, runAssess({ aggregates: fixture(aggregates), contract: fixture(contract), out }));
  return { out, r: await fixtureRuns.get(key)! };
}
function csvRows(file: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return rows.map((r) => {
    // a small CSV reader for our own outputs (quoted fields with commas, doubled quotes)
    const cells = r.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}

describe('Peterborough (anchors.md) through pbr assess', () => {
  it('cohort 1: 142 against 155 events per 100 is an 8.4% reduction, below 10%: no payment', async () => {
    const { out, r } = await fixtureRun('peterborough.csv', 'peterborough.contract.json');
    const o = csvRows(path.join(out, 'outcomes.csv')).find((x) => x.period === 'cohort1')!;
    // 1 - 1420/1550 = 130/1550 = 0.0838709... -> 0.083871
    expect(o.treatment_events_per_100).toBe('142.000000');
    expect(o.comparison_events_per_100).toBe('155.000000');
    expect(o.reduction).toBe('0.083871');
    expect(o.outcome).toBe('none');
    expect(r.outcomes.find((x) => x.period === 'cohort1')!.amount).toBe('0.00');
  });

  it('whole pilot: a 9% reduction over both cohorts clears 7.5%: paid', async () => {
    const { out, r } = await fixtureRun('peterborough.csv', 'peterborough.contract.json');
    // pooled: treatment 2821 / 2000, comparison 3100 / 2000; reduction 1 - 2821/3100 = 279/3100 = 0.09
    // (3100/2000 - 2821/2000) x 2000 x GBP 1,000 = 279 x 1,000 = 279,000.00 (no cohort was paid before)
    const pilot = csvRows(path.join(out, 'outcomes.csv')).find((x) => x.period === 'ALL')!;
    expect(pilot.reduction).toBe('0.090000');
    expect(pilot.outcome).toBe('payment');
    const pay = csvRows(path.join(out, 'payments.csv'));
    expect(pay).toEqual([expect.objectContaining({ area: 'PBORO', period: 'ALL', component: 'frequency_payment', amount: '279000.00', rule: 'price_per_event' })]);
    expect(r.total).toBe('279000.00');
  });

  it('a cohort at 10% or more is paid on its own, and the pilot pays only what the cohorts did not', async () => {
    // cohort1: 1 - 1380/1550 = 10.97% >= 10%: (1550 - 1380)/1000 x 1000 x 1,000 = 170,000.00
    // cohort2: 1 - 1450/1550 = 6.45%: none
    // pilot: 1 - 2830/3100 = 8.71% >= 7.5%: 270 x 1,000 = 270,000.00 less 170,000.00 = 100,000.00
    const f = tmpCsv('area,period,group,measurable,reconviction_events\nPBORO,c1,treatment,1000,1380\nPBORO,c1,comparison,1000,1550\nPBORO,c2,treatment,1000,1450\nPBORO,c2,comparison,1000,1550\n');
    const out = outDir();
    await runAssess({ aggregates: f, contract: fixture('peterborough.contract.json'), out });
    const pay = csvRows(path.join(out, 'payments.csv'));
    expect(pay.map((p) => [p.period, p.amount])).toEqual([
      ['ALL', '100000.00'],
      ['c1', '170000.00'],
    ]);
  });
});

describe('Doncaster (anchors.md) through pbr assess', () => {
  for (const file of ['doncaster.csv', 'doncaster_baseline_year.csv']) {
    it(`cohort 1 (-5.7 points) is paid in full and cohort 2 (-3.3 points) refunds 10% (${file})`, async () => {
      // baseline 58.0% (580 of 1000 in 2009, or the baseline column); 2011: 52.3% -> -5.7 points >= 5: met.
      // 2012: 54.7% -> -3.3 points < 5: refund 10% x 10,000,000 = -1,000,000.00
      const out = outDir();
      await runAssess({ aggregates: fixture(file), contract: fixture('doncaster.contract.json'), out });
      const o = csvRows(path.join(out, 'outcomes.csv'));
      expect(o.map((x) => [x.period, x.change_points, x.outcome])).toEqual([
        ['2011', '-5.700000', 'target_met'],
        ['2012', '-3.300000', 'target_missed'],
      ]);
      const pay = csvRows(path.join(out, 'payments.csv'));
      expect(pay).toEqual([expect.objectContaining({ area: 'DONC', period: '2012', component: 'binary_deduction', amount: '-1000000.00', rule: 'at_risk_share' })]);
    });
  }
});

describe('tr-crc through pbr assess', () => {
  it('Cumbria and Lancashire Oct-Dec 2015 shape: (49.9% - 41.7%) x 1,412 offenders x GBP 3,200', async () => {
    // a = 589/1412 - (0.45 - 0.45) = 0.4171388...; lower = 0.499 - 1.96 sqrt(0.499 x 0.501 / 1412) = 0.4729: payment
    // (0.499 - 589/1412) x 1412 x 3200 = (704.588 - 589) x 3200 = 115.588 x 3200 = 369,881.60
    // frequency: (3.5 - 1767/589) x 589 x 450 = 0.5 x 589 x 450 = 132,525.00
    // CPA02: a = 0.56 > upper 0.5 + 1.96 sqrt(0.25/1000) = 0.531: -(0.56 - 0.5) x 1000 x 3200 = -192,000.00
    const { out } = await fixtureRun('tr-crc.csv', 'tr-crc.contract.json');
    const pay = csvRows(path.join(out, 'payments.csv'));
    expect(pay.map((p) => [p.area, p.period, p.component, p.amount])).toEqual([
      ['CPA01', '2015Q4', 'binary_payment', '369881.60'],
      ['CPA01', '2015Q4', 'frequency_payment', '132525.00'],
      ['CPA02', '2015Q4', 'binary_deduction', '-192000.00'],
    ]);
    expect(pay[0]!.basis.startsWith('(49.9% - 41.7%) x 1,412 offenders x GBP 3,200.00')).toBe(true);
  });

  it('a period not final at as_of (2021Q1: final on 2022-09-30, as_of 2022-01-31) is shown, never paid', async () => {
    const { out } = await fixtureRun('tr-crc.csv', 'tr-crc.contract.json');
    const o = csvRows(path.join(out, 'outcomes.csv')).find((x) => x.period === '2021Q1')!;
    expect(o.status).toBe('interim');
    expect(csvRows(path.join(out, 'payments.csv')).some((p) => p.period === '2021Q1')).toBe(false);
    const html = readFileSync(path.join(out, 'statements', 'CPA01_2021Q1.html'), 'utf8');
    expect(html).toContain('interim (final on 2022-09-30)');
  });

  it('writes statements with the contract, its hash and the input hash', async () => {
    const { out } = await fixtureRun('tr-crc.csv', 'tr-crc.contract.json');
    const files = readdirSync(path.join(out, 'statements'));
    expect(files).toEqual(expect.arrayContaining(['CPA01_2015Q4.html', 'CPA01_2015Q4.csv', 'CPA01_contract_years.csv', 'index.html']));
    const html = readFileSync(path.join(out, 'statements', 'CPA01_2015Q4.html'), 'utf8');
    expect(html).toContain('tr-crc-assess-example');
    expect(html).toContain('tr-crc.csv sha256:');
    expect(html).toContain('502,406.60'); // 369,881.60 + 132,525.00
  });
});

describe('tr-crc significance methods through pbr assess', () => {
  // n = 100, r = 39, e = B_e = 0.45: a = 0.39. B = 0.5, B_n = 100, z = 1.959964 (95%, two-sided).
  // baseline-band: lower = 0.5 - 1.959964 x sqrt(0.25 / 100) = 0.5 - 0.097998 = 0.402002 > 0.39: payment.
  // two-proportion: p = (0.39 x 100 + 0.5 x 100) / 200 = 0.445; se = sqrt(0.445 x 0.555 x (1/100 + 1/100))
  //   = sqrt(0.0049395) = 0.07028158; lower = 0.5 - 1.959964 x 0.07028158 = 0.3622506 < 0.39: none.
  const csv = 'area,period,measurable,reoffenders,expected_rate,baseline_measurable,baseline_binary_rate,baseline_expected_rate\nX1,2015Q4,100,39,0.45,100,0.5,0.45\n';
  const contract = (method: string) => {
    const f = path.join(tmp, `c-${method}.json`);
    writeFileSync(f, JSON.stringify({ contract: 't', significance: { method }, payments: { binary_price: 1000 } }));
    return f;
  };
  it('baseline-band: payment, (0.5 - 0.39) x 100 x 1,000 = 11,000.00', async () => {
    const out = outDir();
    await runAssess({ aggregates: tmpCsv(csv), contract: contract('baseline-band'), out });
    const o = csvRows(path.join(out, 'outcomes.csv'))[0]!;
    expect([o.lower_threshold, o.binary_outcome]).toEqual(['0.402002', 'payment']);
    expect(csvRows(path.join(out, 'payments.csv')).map((p) => p.amount)).toEqual(['11000.00']);
  });
  it('two-proportion: no outcome, nothing paid', async () => {
    const out = outDir();
    await runAssess({ aggregates: tmpCsv(csv), contract: contract('two-proportion'), out });
    const o = csvRows(path.join(out, 'outcomes.csv'))[0]!;
    expect([o.lower_threshold, o.binary_outcome]).toEqual(['0.362251', 'none']);
    expect(csvRows(path.join(out, 'payments.csv'))).toEqual([]);
  });
});

describe('bad aggregates files', () => {
  it('names a missing required column', async () => {
    const f = tmpCsv('area,period,group,measurable\nPB,c1,treatment,10\n');
    await expect(runAssess({ aggregates: f, contract: fixture('peterborough.contract.json'), out: outDir() })).rejects.toThrow(
      /missing required column 'reconviction_events'/,
    );
  });

  it('names the line and column of a bad value', async () => {
    // line 1 is the header; the bad count is on line 3, in the 4th column (measurable)
    const f = tmpCsv('area,period,group,measurable,reconviction_events\nPBORO,c1,treatment,10,5\nPBORO,c1,comparison,ten,5\n');
    const err = await runAssess({ aggregates: f, contract: fixture('peterborough.contract.json'), out: outDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain('line 3, column 4 (measurable)');
  });

  it('rejects reoffenders above measurable', async () => {
    const f = tmpCsv('area,period,measurable,reoffenders\nDONC,2011,10,11\n');
    await expect(runAssess({ aggregates: f, contract: fixture('doncaster.contract.json'), out: outDir() })).rejects.toThrow(
      /line 2, column 4 \(reoffenders\).*reoffenders exceeds measurable/,
    );
  });

  it('rejects an area the contract does not list', async () => {
    const f = tmpCsv('area,period,measurable,reoffenders\nDONC,2011,10,5\nXYZ,2011,10,5\n');
    await expect(runAssess({ aggregates: f, contract: fixture('doncaster.contract.json'), out: outDir() })).rejects.toThrow(
      /line 3, column 1 \(area\): 'XYZ': not an area of the contract file/,
    );
  });

  it('exits 2 from the command line, with the message on stderr', async () => {
    const f = tmpCsv('area,period,measurable\nD,2011,10\n');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['node', 'pbr', 'assess', '--aggregates', f, '--contract', fixture('doncaster.contract.json'), '--out', outDir()]);
    const text = err.mock.calls.map((c) => String(c[0])).join('');
    err.mockRestore();
    expect(code).toBe(2);
    expect(text).toContain("missing required column 'reoffenders'");
  });
});

describe('pbr assess command', () => {
  it('prints JSON with --json', async () => {
    const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['node', 'pbr', '--json', 'assess', '--aggregates', fixture('doncaster.csv'), '--contract', fixture('doncaster.contract.json'), '--out', outDir()]);
    const text = outSpy.mock.calls.map((c) => String(c[0])).join('');
    outSpy.mockRestore();
    errSpy.mockRestore();
    expect(code).toBe(0);
    const j = JSON.parse(text) as { scheme: string; total: string; outcomes: { period: string; outcome: string }[] };
    expect(j.scheme).toBe('doncaster');
    expect(j.total).toBe('-1000000.00');
    expect(j.outcomes.map((o) => o.outcome)).toEqual(['target_met', 'target_missed']);
  });
});
