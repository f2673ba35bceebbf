import type { Contract } from '../contract/schema.js';
import type { Params } from '../db/duckdb.js';
import { decText } from '../measure/rules.js';

export { decText };

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
    whole_pilot: c.whole_pilot,
    payment_cap: decText(c.payment_cap),
    final_months: finalMonths(c),
  };
}

export function doncasterParams(c: Contract): Params {
  const v = c.contract_value;
  const map = v !== null && typeof v === 'object' ? Object.entries(v).map(([label, value]) => ({ label, value_txt: decText(value)! })) : [];
  return {
    target_points: decText(c.target_points)!,
    share: decText(c.at_risk_share)!,
    contract_value: typeof v === 'number' ? decText(v) : null,
    contract_values: JSON.stringify(map),
    bonus: decText(c.bonus_per_point),
    bonus_cap: decText(c.bonus_cap_points)!,
    final_months: finalMonths(c),
  };
}
