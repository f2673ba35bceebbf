-- name: pay_trcrc_input_run
-- params: $adjustment (VARCHAR: additive | ratio | none)
-- returns: table pay_trcrc_input: one row per area (not ALL) and measured period of `measures`
--   (contract periods and annual top-up periods, period_kind), with the exact rationals a payment
--   needs (pay_macros.sql) and the outcomes decided by the measure stage, so payments always agree
--   with measures.csv. `measures` is the run's (measure_measures.sql) or, in pbr assess, the one
--   measure_measures.sql made from published counts: both routes price the same figures.
-- Exactness: never the DOUBLE rates. n, r, k and the DECIMAL ogrs sum S; the exact baseline
--   B = bl_b_num / bl_b_den, B_e = bl_e_num / bl_e_den, B_f = bl_f_num / bl_f_den (counts, or a
--   baselines file's DECIMAL rates); a = q_adjusted (additive r/n - (S/n - B_e), ratio r B_e / S,
--   none r/n); f = k / r.
CREATE OR REPLACE TABLE pay_trcrc_input AS
SELECT m.area, m.area_order::INTEGER AS area_order, m.period, m.period_start::DATE AS period_start,
  m.period_end::DATE AS period_end, m.status, m.period_kind,
  m.measurable::BIGINT AS n, m.reoffenders::BIGINT AS r, m.reoffences::BIGINT AS k,
  m.ogrs_sum AS s, m.baseline_measurable::BIGINT AS bn,
  q_part(m.bl_b_num, m.bl_b_den) AS b,
  q_part(m.bl_e_num, m.bl_e_den) AS be,
  q_part24(m.bl_f_num, m.bl_f_den) AS bf,
  q_adjusted($adjustment, m.measurable, m.reoffenders, m.ogrs_sum, q_part(m.bl_e_num, m.bl_e_den)) AS a,
  m.lower_threshold::DOUBLE AS lower, m.upper_threshold::DOUBLE AS upper,
  m.binary_outcome, m.frequency_outcome, m.termination_watch, m.threshold_source,
  coalesce(m.threshold_missing, false) AS threshold_missing
FROM measures m
WHERE NOT m.is_all;
