-- name: pay_assess_trcrc
-- params: $significance (VARCHAR: baseline-band | two-proportion | fixed)
-- returns: table m_decide_in (the shape measure_decide_input.sql gives the measure stage) for tr-crc
--   from the treatment rows of assess_input, so that measure_measures.sql decides published counts
--   exactly as it decides a run's, and pay prices them through the same queries.
-- Exact figures, best first (method.md sections 4-5):
--   ogrs sum S: the ogrs_sum column (measures.csv's exact numerator), else expected_rate x measurable
--     (exact product of the published decimal); a row with measurable 0 has S = 0 and no rates:
--     a published expected rate is never passed through for it;
--   baseline B = baseline_reoffenders / baseline_measurable, B_e = baseline_ogrs_sum /
--     baseline_measurable, B_f = baseline_reoffences / baseline_reoffenders when those counts are
--     given (measures.csv of a run with a computed baseline), else the published decimal rates
--     (baseline_binary_rate, baseline_expected_rate, baseline_frequency_rate) over 1;
--   fixed bounds: lower_threshold and upper_threshold (significance.method fixed); a row (not ALL)
--     without both is threshold_missing and its outcome none.
-- Area ALL is the all-areas row of a published table: kept (outcome shown) and never paid.
CREATE OR REPLACE TABLE m_decide_in AS
SELECT
  i.area, i.area = 'ALL' AS is_all, coalesce(ar.area_order, 2147483647) AS area_order,
  i.period, i.period_start, i.period_end, i.period_type, i.period_kind, i.status,
  i.eligible, i.measurable, i.reoffenders, i.reoffences, i.reconviction_events,
  CASE WHEN i.measurable = 0 THEN 0::DECIMAL(38,12)
       ELSE CAST(coalesce(i.ogrs_sum, i.expected_rate * i.measurable) AS DECIMAL(38,12)) END AS ogrs_sum,
  NULL::BIGINT AS conviction_only_reoffenders, NULL::BIGINT AS conviction_only_events,
  i.baseline_measurable, i.baseline_reoffenders, i.baseline_reoffences, i.baseline_ogrs_sum,
  CASE WHEN i.baseline_reoffenders IS NOT NULL AND i.baseline_measurable > 0
       THEN CAST(i.baseline_reoffenders AS DOUBLE) / i.baseline_measurable
       ELSE CAST(i.baseline_binary_rate AS DOUBLE) END AS baseline_binary_rate,
  CASE WHEN i.baseline_ogrs_sum IS NOT NULL AND i.baseline_measurable > 0
       THEN CAST(i.baseline_ogrs_sum AS DOUBLE) / i.baseline_measurable
       ELSE CAST(i.baseline_expected_rate AS DOUBLE) END AS baseline_expected_rate,
  CASE WHEN i.baseline_reoffences IS NOT NULL AND i.baseline_reoffenders > 0
       THEN CAST(i.baseline_reoffences AS DOUBLE) / i.baseline_reoffenders
       ELSE CAST(i.baseline_frequency_rate AS DOUBLE) END AS baseline_frequency_rate,
  CASE WHEN i.baseline_reoffenders IS NOT NULL THEN 'counts' ELSE 'published' END AS baseline_source,
  CASE WHEN i.baseline_reoffenders IS NOT NULL AND i.baseline_measurable > 0 THEN CAST(i.baseline_reoffenders AS DECIMAL(38,12))
       ELSE CAST(i.baseline_binary_rate AS DECIMAL(38,12)) END AS bl_b_num,
  CASE WHEN i.baseline_reoffenders IS NOT NULL AND i.baseline_measurable > 0 THEN CAST(i.baseline_measurable AS DECIMAL(38,12))
       WHEN i.baseline_binary_rate IS NOT NULL THEN 1::DECIMAL(38,12) END AS bl_b_den,
  CASE WHEN i.baseline_ogrs_sum IS NOT NULL AND i.baseline_measurable > 0 THEN CAST(i.baseline_ogrs_sum AS DECIMAL(38,12))
       ELSE CAST(i.baseline_expected_rate AS DECIMAL(38,12)) END AS bl_e_num,
  CASE WHEN i.baseline_ogrs_sum IS NOT NULL AND i.baseline_measurable > 0 THEN CAST(i.baseline_measurable AS DECIMAL(38,12))
       WHEN i.baseline_expected_rate IS NOT NULL THEN 1::DECIMAL(38,12) END AS bl_e_den,
  CASE WHEN i.baseline_reoffences IS NOT NULL AND i.baseline_reoffenders > 0 THEN CAST(i.baseline_reoffences AS DECIMAL(38,24))
       ELSE CAST(i.baseline_frequency_rate AS DECIMAL(38,24)) END AS bl_f_num,
  CASE WHEN i.baseline_reoffences IS NOT NULL AND i.baseline_reoffenders > 0 THEN CAST(i.baseline_reoffenders AS DECIMAL(38,12))
       WHEN i.baseline_frequency_rate IS NOT NULL THEN 1::DECIMAL(38,12) END AS bl_f_den,
  CASE WHEN i.area <> 'ALL' THEN i.lower_threshold END AS fixed_lower,
  CASE WHEN i.area <> 'ALL' THEN i.upper_threshold END AS fixed_upper,
  $significance = 'fixed' AND i.area <> 'ALL' AND (i.lower_threshold IS NULL OR i.upper_threshold IS NULL) AS threshold_missing
FROM assess_input i
LEFT JOIN areas ar ON ar.cpa = i.area
WHERE i."group" = 'treatment';
