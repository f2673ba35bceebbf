import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { statementBase } from '../src/core/names.js';
import { readCsvObjects } from './helpers/csvRead.js';
import { shared } from './helpers/shared.js';

/**
 * Issue 17, done when: for every final results line of a small synthetic run (the demo's, scale 0.002), the
 * HTML and CSV statement show n, r, e, B_e, B and the amount; they agree with measures.csv and
 * payments.csv, and the amount is recomputed here to the penny from measures.csv's exact
 * numerators (method.md sections 4-8, additive adjustment):
 *   B = B_r / B_n, B_e = B_S / B_n, a = r / n - (S / n - B_e), f = k / r, B_f = B_k / B_r;
 *   binary_payment (B - a) n price, binary_deduction -(a - B) n price, frequency_payment (B_f - f) r price,
 * each rounded half away from zero to pence.
 */

/** An exact rational of BigInts (d > 0). */
interface Q { n: bigint; d: bigint }
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const norm = (n: bigint, d: bigint): Q => {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const dec = (s: string): Q => {
  const neg = s.startsWith('-');
  const [i = '0', f = ''] = (neg ? s.slice(1) : s).split('.');
  return norm((neg ? -1n : 1n) * BigInt(i + f), 10n ** BigInt(f.length));
};
const int = (s: string): Q => ({ n: BigInt(s), d: 1n });
const add = (a: Q, b: Q) => norm(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Q, b: Q) => add(a, { n: -b.n, d: b.d });
const mul = (a: Q, b: Q) => norm(a.n * b.n, a.d * b.d);
const div = (a: Q, b: Q) => norm(a.n * b.d, a.d * b.n);
/** Pence, half away from zero, as '-1234.56'. */
function pence(x: Q): string {
  const neg = x.n < 0n;
  const abs = neg ? -x.n : x.n;
  const p = (abs * 200n + x.d) / (2n * x.d);
  const s = `${p / 100n}.${(p % 100n).toString().padStart(2, '0')}`;
  return neg && p !== 0n ? `-${s}` : s;
}
/** A rate as measures.csv writes it: 6 places, half away from zero. */
function six(x: Q): string {
  const neg = x.n < 0n;
  const abs = neg ? -x.n : x.n;
  const u = (abs * 2_000_000n + x.d) / (2n * x.d);
  const s = `${u / 1_000_000n}.${(u % 1_000_000n).toString().padStart(6, '0')}`;
  return neg && u !== 0n ? `-${s}` : s;
}

describe('every final results line of a synthetic run, statement against measures.csv and payments.csv', () => {
  let out: string;
  let price: Record<string, string>;

  beforeAll(async () => {
    // `pbr demo --scale 0.002`, shared with test/demo.test.ts (read only)
    const demo = await shared('demo');
    out = demo.run;
    const c = JSON.parse(readFileSync(demo.contract, 'utf8'));
    price = {
      binary_payment: String(c.payments.binary_price),
      binary_deduction: String(c.payments.deduction_price),
      frequency_payment: String(c.payments.frequency_price),
    };
  });

  it('shows n, r, e, B_e, B and the amount, agreeing with measures.csv, payments.csv and the exact recomputation', () => {
    const measures = new Map(readCsvObjects(path.join(out, 'measures.csv')).map((m) => [`${m.area}|${m.period}`, m]));
    const lines = readCsvObjects(path.join(out, 'payments.csv')).filter((p) => p.component! in price);
    expect(lines.length).toBeGreaterThan(5);
    for (const p of lines) {
      const m = measures.get(`${p.area}|${p.period}`)!;
      expect(m.status, `${p.area} ${p.period}`).toBe('final');
      const base = path.join(out, 'statements', statementBase(p.area!, p.period!));
      const row = readCsvObjects(`${base}.csv`).find((r) => r.component === p.component)!;
      const html = readFileSync(`${base}.html`, 'utf8');
      const where = `${p.area} ${p.period} ${p.component}`;
      // the statement's figures are those of measures.csv
      expect([row.n, row.r, row.k], where).toEqual([m.measurable, m.reoffenders, m.reoffences]);
      expect([row.binary_rate, row.expected_rate, row.baseline_expected_rate, row.adjusted_rate, row.baseline_rate], where)
        .toEqual([m.binary_rate, m.expected_rate, m.baseline_expected_rate, m.adjusted_binary_rate, m.baseline_binary_rate]);
      expect([row.amount, row.rule], where).toEqual([p.amount, p.rule]);
      // recomputed to the penny from the exact numerators
      const n = int(m.measurable!); const r = int(m.reoffenders!); const k = int(m.reoffences!);
      const bn = int(m.baseline_measurable!);
      const B = div(int(m.baseline_reoffenders!), bn);
      const Be = div(dec(m.baseline_ogrs_sum!), bn);
      const a = sub(div(r, n), sub(div(dec(m.ogrs_sum!), n), Be));
      expect(six(a), where).toBe(m.adjusted_binary_rate);
      const pr = dec(price[p.component!]!);
      const exact = p.component === 'binary_payment' ? mul(mul(sub(B, a), n), pr)
        : p.component === 'binary_deduction' ? mul(mul(sub(B, a), n), pr) // -(a - B) n price
        : mul(mul(sub(div(int(m.baseline_reoffences!), int(m.baseline_reoffenders!)), div(k, r)), r), pr);
      expect(pence(exact), where).toBe(p.amount);
      // the HTML shows the same figures and the amount
      const grouped = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      expect(html, where).toContain(`<th>Measurable offenders (n)</th><td>${grouped(m.measurable!)}</td>`);
      expect(html, where).toContain(`<th>Reoffenders (r)</th><td>${grouped(m.reoffenders!)}</td>`);
      expect(html, where).toContain(`<th>Expected rate of this cohort (e, mean OGRS)</th><td>${m.expected_rate} (`);
      expect(html, where).toContain(`<th>Expected rate of the baseline (B_e)</th><td>${m.baseline_expected_rate} (`);
      expect(html, where).toContain(`<th>Baseline binary rate (B)</th><td>${m.baseline_binary_rate} (`);
      const [i, f] = p.amount!.replace('-', '').split('.');
      expect(html, where).toContain(`${p.amount!.startsWith('-') ? '-' : ''}${grouped(i!)}.${f}`);
    }
  });
});
