import type { Contract } from '../contract/schema.js';
import type { Params } from '../db/duckdb.js';

/**
 * Contract numbers enter SQL as decimal text (bound VARCHAR) and become exact rationals there
 * (qdec in queries/pay_macros.sql): 0.005 is exactly 5/1000, never the binary double nearest to it.
 * The text is JavaScript's shortest round-trip form of the number, which is what the contract file
 * wrote for any price with up to 15 significant digits.
 */
export function decText(x: number | null | undefined): string | null {
  if (x === null || x === undefined) return null;
  const s = String(x);
  if (!/e/i.test(s)) return s;
  return x.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** follow_up.months + waiting_months: a period is final this many months after its end. */
export function finalMonths(c: Contract): number {
  return c.follow_up.months + c.follow_up.waiting_months;
}

export function trcrcParams(c: Contract): Params {
  const p = c.payments;
  return {
    binary_price: decText(p.binary_price),
    deduction_price: decText(p.deduction_price),
    frequency_price: decText(p.frequency_price),
    hurdle: p.frequency_hurdle,
    cap: decText(p.cap_per_period),
    deduction_cap: decText(p.deduction_cap_per_period),
    adjustment: c.adjustment.method,
    final_months: finalMonths(c),
  };
}

/** Contract years as JSON (lists are bound as one JSON text: DuckDB cannot type an empty list). */
export function feeYearParams(c: Contract): Params {
  const years: Record<string, string | number>[] = [];
  for (const [code, list] of Object.entries(c.fee_for_service.areas)) {
    list.forEach((y, i) => {
      years.push({
        area: code,
        idx: i,
        y_from: y.from,
        y_to: y.to,
        price_txt: decText(y.annual_price)!,
        low_txt: decText(y.volume_low)!,
        high_txt: decText(y.volume_high)!,
      });
    });
  }
  return { years: JSON.stringify(years), discount: decText(c.fee_for_service.learning_curve_discount) };
}

export function feeParams(c: Contract, asOf: string): Params {
  const f = c.fee_for_service;
  const bands = f.bands.map((b, i) => ({
    band_idx: i,
    start_type: b.start_type,
    max_len: b.max_length_days,
    weight_txt: decText(b.weight)!,
  }));
  return {
    allocation: c.population.allocation,
    min_age: c.population.min_age,
    as_of: asOf,
    bands: JSON.stringify(bands),
    discount: decText(f.learning_curve_discount),
    credit_rate: decText(f.service_credit_rate)!,
    credit_cap: decText(f.service_credit_cap),
    rounding: f.rounding,
  };
}

export function peterboroughParams(c: Contract): Params {
  return {
    thr_cohort: decText(c.thresholds.cohort)!,
    thr_overall: decText(c.thresholds.overall)!,
    price: decText(c.price_per_event),
    final_months: finalMonths(c),
  };
}

export function doncasterParams(c: Contract): Params {
  return {
    target_points: decText(c.target_points)!,
    share: decText(c.at_risk_share)!,
    // per-period contract values are the mechanism work of method.md section 10 (v2)
    contract_value: typeof c.contract_value === 'number' ? decText(c.contract_value) : null,
    final_months: finalMonths(c),
  };
}
