-- name: measure_measures
-- params: $population (VARCHAR), $as_of (DATE), $months (INTEGER), $waiting_months (INTEGER),
--         $adjustment (VARCHAR: additive | ratio | none),
--         $significance (VARCHAR: baseline-band | two-proportion), $z (DOUBLE)
-- returns: table measures: the measures.csv columns in order (rates unrounded DOUBLE), then
--          reconviction_events, ogrs_sum, baseline_reoffenders, baseline_reoffences, area_order,
--          is_all, period_type, conviction_only_reoffenders, conviction_only_events, baseline_source
--
-- method.md sections 3 (final / interim), 4 (measures), 6 (adjustment), 7 (significance).
--  * Rates are DOUBLE, each computed by ONE division of exact numbers: r/n, k/r, (100 k)/n,
--    (100 events)/n, ogrs_sum (exact DECIMAL)/n. n = 0 -> every rate NULL, outcome none.
--  * z = Phi^-1(...) is computed once in TypeScript (src/measure/normal.ts) and bound as $z.
--  * additive a = b - (e - B_e); ratio a = b * B_e / e (NULL when e = 0: our choice),
--    none a = b. Without a baseline (B NULL) additive / ratio give a NULL adjusted rate.
--  * baseline-band: h = z sqrt(B (1 - B) / n); lower = B - h, upper = B + h.
--  * two-proportion: p = (a n + B B_n) / (n + B_n); se = sqrt(p (1 - p) (1/n + 1/B_n)), and
--    se = 0 when p <= 0 or p >= 1 (the spec says "0 when p is 0 or 1"; p can leave [0, 1]
--    because an additive-adjusted a can, so we extend it: our choice). Needs B_n > 0.
--  * binary outcome: none when n = 0, no baseline, or no adjusted rate; payment when a < lower,
--    deduction when a > upper; else none.
--  * frequency outcome: NULL when f or B_f is NULL; reduced when f < B_f, compared exactly as
--    k * B_r < B_k * r when the baseline counts are known (computed baselines), else in DOUBLE.
--  * status final when as_of >= add_months(period_end, months + waiting_months), else interim.
CREATE OR REPLACE TABLE measures AS
WITH base AS (
  SELECT
    m.*,
    b.baseline_measurable, b.baseline_reoffenders, b.baseline_reoffences, b.baseline_source,
    b.baseline_binary_rate AS bb, b.baseline_expected_rate AS be, b.baseline_frequency_rate AS bf,
    CASE WHEN m.measurable > 0 THEN CAST(m.reoffenders AS DOUBLE) / CAST(m.measurable AS DOUBLE) END AS b_rate,
    CASE WHEN m.reoffenders > 0 THEN CAST(m.reoffences AS DOUBLE) / CAST(m.reoffenders AS DOUBLE) END AS f_rate,
    CASE WHEN m.measurable > 0 THEN CAST(100 * m.reoffences AS DOUBLE) / CAST(m.measurable AS DOUBLE) END AS k100,
    CASE WHEN m.measurable > 0 THEN CAST(100 * m.reconviction_events AS DOUBLE) / CAST(m.measurable AS DOUBLE) END AS ev100,
    CASE WHEN m.measurable > 0 THEN CAST(m.ogrs_sum AS DOUBLE) / CAST(m.measurable AS DOUBLE) END AS e_rate
  FROM m_area_period m
  LEFT JOIN m_baselines b ON b.area = m.area AND b.is_all = m.is_all
  WHERE m.in_cohort
),
adjusted AS (
  SELECT *,
    CASE $adjustment::VARCHAR
      WHEN 'none' THEN b_rate
      WHEN 'additive' THEN b_rate - (e_rate - be)
      WHEN 'ratio' THEN CASE WHEN e_rate <> 0 THEN b_rate * be / e_rate END
    END AS a_rate
  FROM base
),
pooled AS (
  SELECT *,
    CASE
      WHEN $significance::VARCHAR = 'two-proportion' AND measurable > 0 AND baseline_measurable > 0
        AND a_rate IS NOT NULL AND bb IS NOT NULL
      THEN (a_rate * measurable + bb * baseline_measurable) / CAST(measurable + baseline_measurable AS DOUBLE)
    END AS p_pooled
  FROM adjusted
),
banded AS (
  SELECT *,
    CASE
      WHEN measurable = 0 OR bb IS NULL THEN NULL
      WHEN $significance::VARCHAR = 'baseline-band' THEN $z::DOUBLE * sqrt(bb * (1 - bb) / CAST(measurable AS DOUBLE))
      WHEN p_pooled IS NULL THEN NULL
      WHEN p_pooled <= 0 OR p_pooled >= 1 THEN 0.0
      ELSE $z::DOUBLE * sqrt(p_pooled * (1 - p_pooled) * (1.0 / CAST(measurable AS DOUBLE) + 1.0 / CAST(baseline_measurable AS DOUBLE)))
    END AS half_width
  FROM pooled
)
SELECT
  $population::VARCHAR AS population,
  area,
  period,
  period_start,
  period_end,
  CASE
    WHEN $as_of::DATE >= CAST(period_end + to_months($months::INTEGER + $waiting_months::INTEGER) AS DATE) THEN 'final'
    ELSE 'interim'
  END AS status,
  eligible,
  measurable,
  reoffenders,
  reoffences,
  b_rate AS binary_rate,
  f_rate AS frequency_rate,
  k100 AS reoffences_per_100,
  ev100 AS reconviction_events_per_100,
  e_rate AS expected_rate,
  CAST(baseline_measurable AS BIGINT) AS baseline_measurable,
  bb AS baseline_binary_rate,
  be AS baseline_expected_rate,
  bf AS baseline_frequency_rate,
  a_rate AS adjusted_binary_rate,
  bb - half_width AS lower_threshold,
  bb + half_width AS upper_threshold,
  CASE
    WHEN measurable = 0 OR bb IS NULL OR a_rate IS NULL OR half_width IS NULL THEN 'none'
    WHEN a_rate < bb - half_width THEN 'payment'
    WHEN a_rate > bb + half_width THEN 'deduction'
    ELSE 'none'
  END AS binary_outcome,
  CASE
    WHEN f_rate IS NULL OR bf IS NULL THEN NULL
    WHEN baseline_reoffenders IS NOT NULL AND baseline_reoffenders > 0 THEN
      CASE WHEN CAST(reoffences AS HUGEINT) * baseline_reoffenders < CAST(baseline_reoffences AS HUGEINT) * reoffenders
           THEN 'reduced' ELSE 'not_reduced' END
    WHEN f_rate < bf THEN 'reduced'
    ELSE 'not_reduced'
  END AS frequency_outcome,
  reconviction_events,
  ogrs_sum,
  CAST(baseline_reoffenders AS BIGINT) AS baseline_reoffenders,
  CAST(baseline_reoffences AS BIGINT) AS baseline_reoffences,
  area_order,
  is_all,
  period_type,
  conviction_only_reoffenders,
  conviction_only_events,
  baseline_source
FROM banded
ORDER BY is_all, encode(area), period_start;
