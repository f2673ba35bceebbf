/**
 * The payment mechanism as it was run (method.md sections 12-14, and the exact decisions of
 * section 7): annual top-up, thresholds fixed in advance, termination watch, on tiny inline
 * datasets measured and paid in process. Unless a test says otherwise: method.md defaults, as_of
 * 2030-01-01, born 1980-01-01, PNC-matched, a CRC community order in area A1, offences CONVICTIONs.
 * Every expected value is worked out by hand in the comment above it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { measureInline, rows, type Inline, type Measured, type OffenceRow, type PersonRow, type StartRow } from './measure-helpers/load.js';
import { missingThresholds } from '../src/measure/index.js';
import { pay } from '../src/pay/index.js';
import { InputError } from '../src/errors.js';

/**
 * `n` people in `area` starting on `date` (OGRS `ogrs`), the first `r` of them reoffending once
 * each (`k` offences each, one month later), ids prefixed by `id`.
 */
function group(id: string, date: string, n: number, r: number, opts: { area?: string; ogrs?: string; k?: number } = {}): Pick<Inline, 'people' | 'starts' | 'offences'> {
  const people: PersonRow[] = [];
  const starts: StartRow[] = [];
  const offences: OffenceRow[] = [];
  const [y, m] = date.split('-').map(Number) as [number, number];
  const later = `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-15`;
  for (let i = 0; i < n; i++) {
    const p = `${id}${String(i).padStart(2, '0')}`;
    people.push({ person_id: p });
    starts.push({ start_id: `S${p}`, person_id: p, start_date: date, cpa: opts.area ?? 'A1', ogrs: opts.ogrs ?? '0.5' });
    if (i < r) for (let j = 0; j < (opts.k ?? 1); j++) offences.push({ offence_id: `O${p}-${j}`, person_id: p, offence_date: later, disposal_date: later });
  }
  return { people, starts, offences };
}

function data(groups: Pick<Inline, 'people' | 'starts' | 'offences'>[], rest: Omit<Inline, 'people' | 'starts' | 'offences'>): Inline {
  return {
    people: groups.flatMap((g) => g.people),
    starts: groups.flatMap((g) => g.starts),
    offences: groups.flatMap((g) => g.offences ?? []),
    ...rest,
  };
}

async function measured<T>(d: Inline, f: (m: Measured) => Promise<T>): Promise<T> {
  const m = await measureInline(d);
  try {
    return await f(m);
  } finally {
    m.close();
  }
}

async function lines(m: Measured): Promise<{ area: string; period: string; component: string; amount: string; rule: string; exact_amount: string }[]> {
  return rows(m.db, `SELECT area, period, component, amount::VARCHAR AS amount, rule, exact_amount FROM payments
                     WHERE section = 'results' ORDER BY area, period_start, period_end, line_order`) as never;
}

describe('section 12: annual top-up', () => {
  // Baseline 2011 (A1): 3 people, 1 reoffender with 3 reoffences: B = 1/3, B_f = 3.
  // Fixed thresholds for A1 in every period: lower 0.25, upper 0.45 (so the outcomes are exact).
  // No adjustment (a = b). Prices: binary 1,000, deduction 1,000, frequency 100 (hurdle: binary payment).
  // Quarters of 2019-20, each person with one start (so also in the annual cohort), 1 reoffence each:
  //   2019Q2: n 5, r 1: a 0.2 < 0.25: payment (1/3 - 1/5) x 5 x 1000 = 2/3 x 1000 = 666.67;
  //           f 1 < 3: frequency (3 - 1) x 1 x 100 = 200.00
  //   2019Q3: n 5, r 2: a 0.4, inside [0.25, 0.45]: none (no binary line, hurdle fails: no frequency)
  //   2019Q4: n 5, r 1: as 2019Q2: 666.67 and 200.00
  //   2020Q1: n 4, r 0: a 0: payment (1/3) x 4 x 1000 = 1,333.33; f empty: no frequency line
  // Annual 2019-20: n 19, r 4: a 4/19 = 0.2105 < 0.25: payment (1/3 - 4/19) x 19 x 1000
  //   = (19/3 - 4) x 1000 = 7/3 x 1000 = 2,333.33 (exact 2,333.333...); f 4/4 = 1: (3 - 1) x 4 x 100 = 800.00.
  // binary_top_up = 2,333.33 - (666.67 + 666.67 + 1,333.33) = 2,333.33 - 2,666.67 = -333.34
  // frequency_top_up = 800.00 - (200.00 + 200.00) = 400.00
  const topUp: Inline = data(
    [
      group('B', '2011-06-01', 1, 1, { k: 3 }),
      group('C', '2011-06-01', 2, 0),
      group('Q2', '2019-05-01', 5, 1),
      group('Q3', '2019-08-01', 5, 2),
      group('Q4', '2019-11-01', 5, 1),
      group('Q1', '2020-02-03', 4, 0),
    ],
    {
      thresholds: [{ cpa: 'A1', period: '*', lower: '0.25', upper: '0.45' }],
      contract: {
        cohort: { period: 'quarter', from: '2019-04-01', to: '2020-03-31', top_up: 'financial-year' },
        adjustment: { method: 'none' },
        significance: { method: 'fixed' },
        payments: { binary_price: 1000, deduction_price: 1000, frequency_price: 100 },
      },
    },
  );

  // measured and paid once for the two tests below
  let shared: Measured;
  beforeAll(async () => {
    shared = await measureInline(topUp);
    await pay(shared.ctx);
  });
  afterAll(() => shared?.close());

  test('financial-year top-up lines equal the annual amount less the year\'s quarterly lines, to the penny', async () => {
    const l = (await lines(shared)).filter((x) => x.area === 'A1');
    expect(l.map((x) => [x.period, x.component, x.amount])).toEqual([
      ['2019Q2', 'binary_payment', '666.67'],
      ['2019Q2', 'frequency_payment', '200.00'],
      ['2019-20', 'binary_top_up', '-333.34'],
      ['2019-20', 'frequency_top_up', '400.00'],
      ['2019Q4', 'binary_payment', '666.67'],
      ['2019Q4', 'frequency_payment', '200.00'],
      ['2020Q1', 'binary_payment', '1333.33'],
    ]);
    // exact: 7000/3 - 2666.67 = -333.336666...; the line is the rounded annual amount less the rounded lines
    expect(l.find((x) => x.component === 'binary_top_up')!.exact_amount).toBe('-333.336667');
    expect(l.find((x) => x.component === 'binary_top_up')!.rule).toBe('cohort.top_up');
  });

  test('annual periods are measured like any other and appear in measures with their own label', async () => {
    // A1's rows in measures.csv order: period_start, then period_end (2019Q2 before 2019-20)
    const r = await rows(shared.db, `SELECT period, period_kind, measurable, reoffenders, binary_outcome FROM measures WHERE area = 'A1' ORDER BY period_start, period_end`);
    expect(r).toEqual([
      { period: '2019Q2', period_kind: 'cohort', measurable: 5, reoffenders: 1, binary_outcome: 'payment' },
      { period: '2019-20', period_kind: 'annual', measurable: 19, reoffenders: 4, binary_outcome: 'payment' },
      { period: '2019Q3', period_kind: 'cohort', measurable: 5, reoffenders: 2, binary_outcome: 'none' },
      { period: '2019Q4', period_kind: 'cohort', measurable: 5, reoffenders: 1, binary_outcome: 'payment' },
      { period: '2020Q1', period_kind: 'cohort', measurable: 4, reoffenders: 0, binary_outcome: 'payment' },
    ]);
  });

  test('a part year is not formed: cohort.to 2020-03-30 leaves 2019-20 out', async () => {
    // 2019-04-01 .. 2020-03-30 does not hold the whole financial year 2019-20.
    const d = { ...topUp, contract: { ...topUp.contract, cohort: { period: 'quarter', from: '2019-04-01', to: '2020-03-30', top_up: 'financial-year' } } };
    await measured(d, async (m) => {
      expect(await rows(m.db, `SELECT DISTINCT period FROM measures WHERE period_kind = 'annual'`)).toEqual([]);
    });
  });

  test('cap_per_period caps a positive top-up line with its own cap line', async () => {
    // frequency_top_up 400.00 is the annual period's only positive line; cap 150: 150 - 400 = -250.00.
    // (The quarters' positive totals 866.67, 866.67 and 1,333.33 are capped too: 150 - each.)
    const d = { ...topUp, contract: { ...topUp.contract, payments: { binary_price: 1000, deduction_price: 1000, frequency_price: 100, cap_per_period: 150 } } };
    await measured(d, async (m) => {
      await pay(m.ctx);
      const l = (await lines(m)).filter((x) => x.period === '2019-20');
      expect(l.map((x) => [x.component, x.amount])).toEqual([
        ['binary_top_up', '-333.34'],
        ['frequency_top_up', '400.00'],
        ['cap', '-250.00'],
      ]);
    });
  });

  test('top_up with cohort.period year is refused, naming cohort.top_up', async () => {
    const d = { ...topUp, contract: { ...topUp.contract, cohort: { period: 'year', from: '2019-01-01', to: '2020-12-31', top_up: 'year' } } };
    const err = await measureInline(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^cohort\.top_up: .*cohort\.period is 'year'/);
  });
});

describe('section 13: thresholds fixed in advance', () => {
  // Baseline 2011: 2 people, 1 reoffender: B = 0.5. No adjustment. 2024Q1: A1 n 10, A2 n 10.
  const base = [group('B', '2011-06-01', 2, 1), group('B2', '2011-06-01', 2, 1, { area: 'A2' })];
  const contract = { adjustment: { method: 'none' }, significance: { method: 'fixed' }, cohort: { period: 'quarter', from: '2024-01-01', to: '2024-06-30' }, areas: { A1: 'One', A2: 'Two' } };

  test('the bounds decide: a equal to the lower bound is none, one reoffender fewer is a payment', async () => {
    // A1 2024Q1: r 4 -> a 0.4 = lower 0.4: not below: none. 2024Q2: r 3 -> 0.3 < 0.4: payment.
    await measured(
      data([...base, group('P', '2024-02-01', 10, 4), group('Q', '2024-05-01', 10, 3)], {
        thresholds: [{ cpa: 'A1', period: '*', lower: '0.4', upper: '0.6' }, { cpa: 'A2', period: '*', lower: '0.4', upper: '0.6' }],
        contract,
      }),
      async (m) => {
        const r = await rows(m.db, `SELECT period, binary_outcome, lower_threshold, upper_threshold, threshold_source FROM measures WHERE area = 'A1' ORDER BY period`);
        expect(r).toEqual([
          { period: '2024Q1', binary_outcome: 'none', lower_threshold: 0.4, upper_threshold: 0.6, threshold_source: 'fixed' },
          { period: '2024Q2', binary_outcome: 'payment', lower_threshold: 0.4, upper_threshold: 0.6, threshold_source: 'fixed' },
        ]);
      },
    );
  });

  test("an area's row for the period wins over its '*' row", async () => {
    // A1 2024Q1: r 3 -> a 0.3. '*' (0.4, 0.6) would make it a payment; the 2024Q1 row (0.2, 0.6) makes it none.
    await measured(
      data([...base, group('P', '2024-02-01', 10, 3)], {
        thresholds: [{ cpa: 'A1', period: '*', lower: '0.4', upper: '0.6' }, { cpa: 'A1', period: '2024Q1', lower: '0.2', upper: '0.6' }],
        contract,
      }),
      async (m) => {
        const r = await rows(m.db, `SELECT binary_outcome, lower_threshold FROM measures WHERE area = 'A1' AND period = '2024Q1'`);
        expect(r).toEqual([{ binary_outcome: 'none', lower_threshold: 0.2 }]);
      },
    );
  });

  test('an area-period with no threshold row is none and is listed as missing', async () => {
    // Only A1 has rows (2024Q1 only); A2 2024Q1 (r 0: a 0, far below B) has none: outcome none, missing.
    // Missing, in measures.csv order: A1 2024Q2, A2 2024Q1, A2 2024Q2 (ALL is never listed).
    await measured(
      data([...base, group('P', '2024-02-01', 10, 3), group('R', '2024-02-01', 10, 0, { area: 'A2' })], {
        thresholds: [{ cpa: 'A1', period: '2024Q1', lower: '0.4', upper: '0.6' }],
        contract,
      }),
      async (m) => {
        const r = await rows(m.db, `SELECT binary_outcome, lower_threshold, threshold_missing FROM measures WHERE area = 'A2' AND period = '2024Q1'`);
        expect(r).toEqual([{ binary_outcome: 'none', lower_threshold: null, threshold_missing: true }]);
        expect(await missingThresholds(m.db)).toEqual([
          { area: 'A1', period: '2024Q2' },
          { area: 'A2', period: '2024Q1' },
          { area: 'A2', period: '2024Q2' },
        ]);
      },
    );
  });

  test('fixed with no thresholds file is refused, naming significance.method', async () => {
    const err = await measureInline(data([...base, group('P', '2024-02-01', 10, 3)], { contract })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^significance\.method: fixed .*there is none/);
  });
});

describe('section 14: termination watch', () => {
  // Baseline 2011: 2 people, 1 reoffender: B = 0.5; no adjustment (a = b). increase_points 10,
  // consecutive_periods 2. as_of 2026-07-15: 2024Q4 is final (2024-12-31 + 18 months = 2026-06-30),
  // 2025Q1 is not (2026-09-30). a - B >= 0.10, exactly:
  //   2024Q1 r 6/10: 0.6 - 0.5 = 0.1 >= 0.1 (in binary floating point 0.6 - 0.5 < 0.1): hit, but first: false
  //   2024Q2 r 6/10: hit, and 2024Q1 too: true
  //   2024Q3 r 5/10: 0: false
  //   2024Q4 r 7/10: hit, 2024Q3 not: false
  //   2025Q1 r 7/10: hit, 2024Q4 too, but interim: false
  const d = (termination: unknown): Inline =>
    data(
      [
        group('B', '2011-06-01', 2, 1),
        group('P', '2024-02-01', 10, 6),
        group('Q', '2024-05-01', 10, 6),
        group('R', '2024-08-01', 10, 5),
        group('S', '2024-11-01', 10, 7),
        group('T', '2025-02-03', 10, 7),
      ],
      { contract: { adjustment: { method: 'none' }, termination, cohort: { period: 'quarter', from: '2024-01-01', to: '2025-03-31' }, follow_up: { as_of: '2026-07-15' } } },
    );

  test('flags a final period where a - B >= X/100 in it and the K - 1 final periods before it', async () => {
    await measured(d({ increase_points: 10, consecutive_periods: 2 }), async (m) => {
      const r = await rows(m.db, `SELECT period, status, termination_watch FROM measures WHERE area = 'A1' ORDER BY period`);
      expect(r.map((x) => [x.period, x.status, x.termination_watch])).toEqual([
        ['2024Q1', 'final', false],
        ['2024Q2', 'final', true],
        ['2024Q3', 'final', false],
        ['2024Q4', 'final', false],
        ['2025Q1', 'interim', false],
      ]);
    });
  });

  test('empty when termination is not configured', async () => {
    await measured(d(null), async (m) => {
      const r = await rows(m.db, `SELECT DISTINCT termination_watch FROM measures`);
      expect(r).toEqual([{ termination_watch: null }]);
    });
  });
});

describe('section 7: outcomes decided exactly', () => {
  test('a zero-width band (B = 0): an adjusted rate equal to the baseline is none, with no 0.00 line', async () => {
    // Baseline 2011: 2 people, OGRS 0.3, no reoffender: B = 0, B_e = 0.3; the band has zero width.
    // 2024Q1: 10 people, OGRS 0.4, 1 reoffender: a = 0.1 - (0.4 - 0.3) = 0 exactly = B: none.
    // (In binary floating point 0.1 - (0.4 - 0.3) = -2.8e-17 < 0: it used to be a payment of 0.00.)
    await measured(
      data([group('B', '2011-06-01', 2, 0, { ogrs: '0.3' }), group('P', '2024-02-01', 10, 1, { ogrs: '0.4' })], {
        contract: { cohort: { period: 'quarter', from: '2024-01-01', to: '2024-03-31' }, payments: { binary_price: 1000, deduction_price: 1000 } },
      }),
      async (m) => {
        const r = await rows(m.db, `SELECT adjusted_binary_rate, lower_threshold, upper_threshold, binary_outcome FROM measures WHERE area = 'A1'`);
        expect(r).toEqual([{ adjusted_binary_rate: 0, lower_threshold: 0, upper_threshold: 0, binary_outcome: 'none' }]);
        await pay(m.ctx);
        expect(await lines(m)).toEqual([]);
      },
    );
  });
});

describe('the figures behind a results line (pay_outcomes)', () => {
  test('every figure of a tr-crc period, and the indicative amount of an interim one', async () => {
    // Baseline 2011: 4 people, OGRS 0.5, 2 reoffenders with 2 reoffences each: B = 0.5, B_e = 0.5, B_f = 2.
    // 2024Q1 (final at as_of 2025-10-01): 10 people, OGRS 0.6, 3 reoffenders with 1 reoffence each:
    //   b = 0.3, e = 0.6, a = 0.3 - (0.6 - 0.5) = 0.2 < fixed lower 0.4: payment (0.5 - 0.2) x 10 x 1000 = 3,000.00;
    //   f = 1 < 2: frequency (2 - 1) x 3 x 100 = 300.00.
    // 2024Q2 (final only on 2025-12-31): the same people and counts: indicative 3,000.00 + 300.00 = 3,300.00.
    await measured(
      data([group('B', '2011-06-01', 4, 2, { k: 2 }), group('P', '2024-02-01', 10, 3, { ogrs: '0.6' }), group('Q', '2024-05-01', 10, 3, { ogrs: '0.6' })], {
        thresholds: [{ cpa: 'A1', period: '*', lower: '0.4', upper: '0.6' }],
        contract: {
          cohort: { period: 'quarter', from: '2024-01-01', to: '2024-06-30' },
          follow_up: { as_of: '2025-10-01' },
          significance: { method: 'fixed' },
          payments: { binary_price: 1000, frequency_price: 100 },
        },
      }),
      async (m) => {
        await pay(m.ctx);
        const r = await rows(m.db, `SELECT * EXCLUDE (area_order, period_start, period_end, summary) REPLACE (strftime(final_on, '%Y-%m-%d') AS final_on)
                                    FROM pay_outcomes ORDER BY period`);
        expect(r[0]).toEqual({
          area: 'A1', period: '2024Q1', status: 'final', final_on: '2025-09-30', outcome: 'payment', period_kind: 'cohort',
          n: 10, r: 3, k: 3, binary_rate: '0.300000', expected_rate: '0.600000', baseline_expected_rate: '0.500000',
          adjusted_rate: '0.200000', baseline_rate: '0.500000', lower_threshold: '0.400000', upper_threshold: '0.600000',
          frequency_rate: '1.000000', baseline_frequency_rate: '2.000000', frequency_outcome: 'reduced', threshold_source: 'fixed',
          adjustment_text: 'a = b - (e - B_e) = 30.0% - (60.0% - 50.0%) = 20.0%',
          reason_text: 'a 20.0% is below the lower threshold 40.0%; f 1.00 is below B_f 2.00: reduced',
          indicative_amount: null, termination_watch: null,
        });
        expect([r[1]!.period, r[1]!.status, r[1]!.indicative_amount]).toEqual(['2024Q2', 'interim', '3300.00']);
        const p = await rows(m.db, `SELECT component, price, exact_amount FROM payments ORDER BY line_order`);
        expect(p).toEqual([
          { component: 'binary_payment', price: '1000', exact_amount: '3000.000000' },
          { component: 'frequency_payment', price: '100', exact_amount: '300.000000' },
        ]);
      },
    );
  });
});
