/**
 * "Done when": the sums of payments per area, period and component match, to the penny, an
 * independent implementation of method.md sections 8-9 written here in plain TypeScript with
 * BigInt fractions, on generated data (test/measure-helpers/generate.ts) measured by the engine and
 * by the measure stage's own reference implementation (outcomes and who counted, per person).
 */
import { describe, expect, test } from 'vitest';
import { measureInline, rows } from './measure-helpers/load.js';
import { generate } from './measure-helpers/generate.js';
import { referenceMeasures } from './measure-helpers/reference.js';
import { parseContract } from '../src/contract/load.js';
import type { Contract } from '../src/contract/schema.js';
import { significanceZ } from '../src/measure/normal.js';
import { pay } from '../src/pay/index.js';

// ---------------------------------------------------------------- exact fractions
interface Q { n: bigint; d: bigint }
const gcd = (a: bigint, b: bigint): bigint => { a = a < 0n ? -a : a; while (b) [a, b] = [b, a % b]; return a; };
const norm = (n: bigint, d: bigint): Q => { if (d < 0n) { n = -n; d = -d; } const g = gcd(n, d) || 1n; return { n: n / g, d: d / g }; };
const fr = (n: bigint | number, d: bigint | number = 1n): Q => norm(BigInt(n), BigInt(d));
const dec = (s: string | number): Q => {
  const t = String(s);
  const [i, f = ''] = t.split('.');
  return norm(BigInt(`${i}${f}`), 10n ** BigInt(f.length));
};
const add = (a: Q, b: Q): Q => norm(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Q, b: Q): Q => add(a, { n: -b.n, d: b.d });
const mul = (a: Q, b: Q): Q => norm(a.n * b.n, a.d * b.d);
const div = (a: Q, b: Q): Q => norm(a.n * b.d, a.d * b.n);
const lt = (a: Q, b: Q): boolean => a.n * b.d < b.n * a.d;
/** Half away from zero, to pence, as integer pence. */
const pence = (a: Q): bigint => {
  const s = a.n < 0n ? -1n : 1n;
  const m = a.n < 0n ? -a.n : a.n;
  return s * ((2n * m * 100n + a.d) / (2n * a.d));
};

// ---------------------------------------------------------------- dates
const AREAS = ['A1', 'A2', 'A3'];
const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const dayNo = (s: string) => Date.parse(`${s}T00:00:00Z`) / 86400000;
function age(dob: string, on: string): number {
  const [y1, m1, d1] = dob.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = on.split('-').map(Number) as [number, number, number];
  return y2 - y1 - (m2 * 100 + d2 < m1 * 100 + d1 ? 1 : 0);
}

const add2 = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);

const CONTRACT = {
  cohort: { period: 'quarter', from: '2024-01-01', to: null },
  follow_up: { as_of: '2026-01-31' },
  significance: { confidence: 0.5 },
  areas: { A1: 'One', A2: 'Two', A3: 'Three' },
  payments: {
    binary_price: 3217.13, deduction_price: 2999.99, frequency_price: 451.37,
    cap_per_period: 15000, deduction_cap_per_period: 12000,
  },
  fee_for_service: {
    bands: [
      { start_type: 'CO', max_length_days: 180, weight: 1.0 },
      { start_type: 'CO', max_length_days: null, weight: 1.25 },
      { start_type: 'SSO', max_length_days: null, weight: 0.75 },
      { start_type: 'CUSTODY_RELEASE', max_length_days: 30, weight: 0.3 },
    ],
    learning_curve_discount: 0.035,
    service_credit_rate: 0.0075,
    service_credit_cap: 0.02,
    areas: {
      A1: [
        { from: '2024-01-15', to: '2025-01-14', annual_price: 1234567.89, volume_low: 50, volume_high: 60 },
        { from: '2025-01-15', to: '2026-01-14', annual_price: 1234567.89, volume_low: 1, volume_high: 5 },
      ],
      A2: [{ from: '2024-01-01', to: '2024-12-31', annual_price: 999999.99, volume_low: 10, volume_high: 20 }],
      A3: [{ from: '2024-03-01', to: '2025-02-28', annual_price: 777777.77, volume_low: 150, volume_high: 170 }],
    },
  },
};
const SERVICE_LEVELS: [string, string, string, string, string][] = [
  ['A1', '2024-02', 'contact', '0.8', '0.9'],
  ['A1', '2024-03', 'contact', '0.8', '0.9'], ['A1', '2024-03', 'plans', '0.5', '0.9'], ['A1', '2024-03', 'referrals', '0.1', '0.9'],
  ['A1', '2025-02', 'contact', '0.95', '0.9'],
  ['A2', '2024-12', 'contact', '0.1', '0.2'], ['A2', '2024-12', 'plans', '0.1', '0.2'],
  ['A3', '2023-12', 'contact', '0.1', '0.2'],
];

/** The independent sums: `${area}|${period}|${component}` -> pence. */
function independent(c: Contract, data: ReturnType<typeof generate>, ref: ReturnType<typeof referenceMeasures>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const p = c.payments;
  // ---- section 8 from the reference's per-person results
  const ogrsOf = new Map(data.starts.map((s) => [s.start_id, s.ogrs!]));
  interface Agg { n: bigint; r: bigint; k: bigint; s: Q }
  const per = new Map<string, Agg>();
  const base = new Map<string, Agg>();
  for (const [key, v] of ref.perPerson) {
    const [period] = key.split(' ') as [string];
    const parts = v.split(' ');
    const area = parts[0]!;
    const k = BigInt(parts.length - 2);
    const target = period.startsWith('2011') ? base : per;
    const id = period.startsWith('2011') ? area : `${area} ${period}`;
    const a = target.get(id) ?? { n: 0n, r: 0n, k: 0n, s: fr(0) };
    a.n += 1n;
    a.r += k > 0n ? 1n : 0n;
    a.k += k;
    a.s = add(a.s, dec(ogrsOf.get(parts[1]!)!));
    target.set(id, a);
  }
  for (const m of ref) {
    if (m.area === 'ALL' || m.status !== 'final' || m.measurable === 0) continue;
    const x = per.get(`${m.area} ${m.period}`)!;
    const b = base.get(m.area);
    if (!b) continue;
    expect([m.area, m.period, Number(x.n), Number(x.r), Number(x.k)]).toEqual([m.area, m.period, m.measurable, m.reoffenders, m.reoffences]);
    const B = fr(b.r, b.n);
    const Be = div(b.s, fr(b.n));
    const a = add(sub(fr(x.r, x.n), div(x.s, fr(x.n))), Be); // additive
    const key = (comp: string) => `${m.area}|${m.period}|${comp}`;
    let pos = 0n;
    let ded = 0n;
    if (m.binary_outcome === 'payment') {
      const v = pence(mul(mul(sub(B, a), fr(x.n)), dec(p.binary_price!)));
      add2(out, key('binary_payment'), v);
      pos += v;
    }
    if (m.binary_outcome === 'deduction') {
      const v = pence(mul(mul(sub(a, B), fr(x.n)), dec(p.deduction_price!)));
      add2(out, key('binary_deduction'), -v);
      ded += v;
    }
    if (m.binary_outcome === 'payment' && x.r > 0n && b.r > 0n) {
      const f = fr(x.k, x.r);
      const Bf = fr(b.k, b.r);
      if (lt(f, Bf)) {
        const v = pence(mul(mul(sub(Bf, f), fr(x.r)), dec(p.frequency_price!)));
        add2(out, key('frequency_payment'), v);
        pos += v;
      }
    }
    const cap = pence(dec(p.cap_per_period!));
    if (pos > cap) add2(out, key('cap'), cap - pos);
    const dcap = pence(dec(p.deduction_cap_per_period!));
    if (ded > dcap) add2(out, key('cap'), ded - dcap);
  }
  // ---- section 9 from the raw starts
  const f = c.fee_for_service;
  const dob = new Map(data.people.map((x) => [x.person_id, x.date_of_birth ?? '1980-01-01']));
  const weighted = data.starts.flatMap((s) => {
    const type = s.start_type ?? 'CO';
    if ((s.allocation ?? 'CRC') !== c.population.allocation || s.em_only) return [];
    if (age(dob.get(s.person_id)!, s.start_date) < c.population.min_age) return [];
    if (!f.bands.some((b) => b.start_type === type)) return [];
    const band = f.bands.find((b) => b.start_type === type && (b.max_length_days === null || b.max_length_days >= (s.sentence_length_days ?? 365)));
    return [{ area: s.cpa ?? 'A1', date: s.start_date, w: band ? dec(band.weight) : fr(0) }];
  });
  const monthFee = new Map<string, Q>();
  for (const [area, years] of Object.entries(f.areas)) {
    years.forEach((y, idx) => {
      let price = dec(y.annual_price);
      for (let i = 0; i < idx; i++) price = mul(price, sub(fr(1), dec(f.learning_curve_discount!)));
      let [yy, mm] = y.from.split('-').map(Number) as [number, number];
      for (;;) {
        const first = iso(yy, mm, 1);
        if (first > y.to) break;
        const last = iso(yy, mm, daysIn(yy, mm));
        const from = y.from > first ? y.from : first;
        const to = y.to < last ? y.to : last;
        const covered = dayNo(to) - dayNo(from) + 1;
        const fee = mul(div(price, fr(12)), fr(covered, daysIn(yy, mm)));
        const month = first.slice(0, 7);
        add2(out, `${area}|${month}|fee_for_service`, pence(fee));
        monthFee.set(`${area}|${month}`, add(monthFee.get(`${area}|${month}`) ?? fr(0), fee));
        mm += 1;
        if (mm === 13) { mm = 1; yy += 1; }
      }
      let W = fr(0);
      for (const s of weighted) if (s.area === area && s.date >= y.from && s.date <= y.to) W = add(W, s.w);
      const lo = dec(y.volume_low);
      const hi = dec(y.volume_high);
      const unit = div(price, div(add(lo, hi), fr(2)));
      const k = `${area}|${y.from}/${y.to}|volume_reconciliation`;
      if (lt(hi, W)) add2(out, k, pence(mul(sub(W, hi), unit)));
      else if (lt(W, lo)) add2(out, k, pence(mul(sub(W, lo), unit)));
    });
  }
  const missed = new Map<string, number>();
  for (const [area, month, , achieved, target] of SERVICE_LEVELS) {
    if (lt(dec(achieved), dec(target))) missed.set(`${area}|${month}`, (missed.get(`${area}|${month}`) ?? 0) + 1);
  }
  for (const [k, count] of missed) {
    const fee = monthFee.get(k);
    if (!fee) continue;
    let share = mul(fr(count), dec(f.service_credit_rate));
    if (f.service_credit_cap !== null && lt(dec(f.service_credit_cap), share)) share = dec(f.service_credit_cap);
    add2(out, `${k}|service_credit`, -pence(mul(share, fee)));
  }
  return out;
}

describe('payments against an independent implementation', () => {
  const seen = new Set<string>();
  test.each([11, 12, 13, 14])('generated dataset, seed %i', async (seed) => {
    const data = generate(seed, 600, AREAS);
    const m = await measureInline({ ...data, contract: CONTRACT });
    try {
      for (const [cpa, month, measure, achieved, target] of SERVICE_LEVELS) {
        await m.db.run(
          'INSERT INTO service_levels (cpa, month, measure, achieved, target) VALUES ($cpa, $month, $measure, CAST($achieved AS DECIMAL(18,12)), CAST($target AS DECIMAL(18,12)))',
          { cpa, month, measure, achieved, target },
        );
      }
      await pay(m.ctx);
      const c = parseContract({ contract: 'inline', ...CONTRACT });
      const ref = referenceMeasures({ ...data, contract: c, asOf: m.ctx.asOf, areas: AREAS, z: significanceZ(c.significance.confidence, c.significance.sided) });
      const expected = independent(c, data, ref);
      const actual = await rows(m.db, `SELECT area || '|' || period || '|' || component AS k, CAST(sum(amount) * 100 AS BIGINT) AS p FROM payments GROUP BY ALL ORDER BY k`);
      const got = new Map(actual.map((r) => [String(r.k), BigInt(r.p as number)]));
      const keys = [...new Set([...got.keys(), ...expected.keys()])].sort();
      const diff = keys.filter((k) => (got.get(k) ?? 0n) !== (expected.get(k) ?? 0n)).map((k) => `${k}: engine ${got.get(k)}, independent ${expected.get(k)}`);
      expect(diff).toEqual([]);
      for (const k of keys) if ((got.get(k) ?? 0n) !== 0n) seen.add(k.split('|')[2]!);
    } finally {
      m.close();
    }
  });

  test('the generated datasets exercised every component', () => {
    expect([...seen].sort()).toEqual(['binary_deduction', 'binary_payment', 'cap', 'fee_for_service', 'frequency_payment', 'service_credit', 'volume_reconciliation']);
  });
});
