-- name: measure_decide_input
-- params: $as_of (DATE), $months (INTEGER), $waiting_months (INTEGER),
--         $significance (VARCHAR: baseline-band | two-proportion | fixed)
-- returns: table m_decide_in: one row per area (and ALL) and measured period (cohort periods and
--          annual top-up periods) with the exact figures an outcome is decided on
--          (measure_measures.sql reads it; pbr assess builds the same table from published counts):
--          counts, the DECIMAL ogrs sum, the exact baseline (m_baselines) and, for
--          significance.method fixed, the bounds of the thresholds file.
--
-- method.md sections 3 (final / interim), 5 (baselines), 12 (annual periods), 13 (fixed thresholds).
--  * status final when as_of >= add_months(period_end, months + waiting_months), else interim.
--  * period_kind 'cohort' (a contract period) or 'annual' (an annual top-up period).
--  * Fixed thresholds (table m_thresholds: cpa, period, lower, upper, _line): the row of the
--    area's own period label wins over its `*` row; of repeated rows the first in the file is
--    used (the loader reports repeats). ALL has no thresholds (it is never paid): its outcome is
--    none and it is not listed as missing. threshold_missing marks an area-period with neither.
CREATE OR REPLACE TABLE m_decide_in AS
WITH thr AS (
  SELECT cpa, period, lower, upper
  FROM m_thresholds
  QUALIFY row_number() OVER (PARTITION BY cpa, period ORDER BY _line) = 1
)
SELECT
  m.area, m.is_all, m.area_order, m.period, m.period_start, m.period_end, m.period_type,
  CASE WHEN m.is_annual THEN 'annual' ELSE 'cohort' END AS period_kind,
  CASE
    WHEN $as_of::DATE >= CAST(m.period_end + to_months($months::INTEGER + $waiting_months::INTEGER) AS DATE) THEN 'final'
    ELSE 'interim'
  END AS status,
  m.eligible, m.measurable, m.reoffenders, m.reoffences, m.reconviction_events, m.ogrs_sum,
  m.conviction_only_reoffenders, m.conviction_only_events,
  b.baseline_measurable, b.baseline_reoffenders, b.baseline_reoffences, b.baseline_ogrs_sum,
  b.baseline_binary_rate, b.baseline_expected_rate, b.baseline_frequency_rate, b.baseline_source,
  b.bl_b_num, b.bl_b_den, b.bl_e_num, b.bl_e_den, b.bl_f_num, b.bl_f_den,
  CASE WHEN NOT m.is_all THEN coalesce(te.lower, ts.lower) END AS fixed_lower,
  CASE WHEN NOT m.is_all THEN coalesce(te.upper, ts.upper) END AS fixed_upper,
  $significance::VARCHAR = 'fixed' AND NOT m.is_all AND te.cpa IS NULL AND ts.cpa IS NULL AS threshold_missing
FROM m_area_period m
LEFT JOIN m_baselines b ON b.area = m.area AND b.is_all = m.is_all
LEFT JOIN thr te ON NOT m.is_all AND te.cpa = m.area AND te.period = m.period
LEFT JOIN thr ts ON NOT m.is_all AND ts.cpa = m.area AND ts.period = '*'
WHERE m.in_cohort OR m.is_annual;
