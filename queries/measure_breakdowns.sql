-- name: measure_breakdowns
-- params: $population (VARCHAR)
-- returns: table breakdowns(population, area, period, period_start, period_end, status, dimension,
--          band, band_order, eligible, measurable, reoffenders, reoffences, binary_rate,
--          frequency_rate, reoffences_per_100, expected_rate, top_reoffenders, top_reoffences,
--          share_of_reoffences, is_all, area_order)
--
-- Breakdowns of the cohort periods (not the baseline periods, nor the annual top-up periods of
-- method.md section 12), per area and ALL:
--  * dimension start_type (band = the index start's type), sex (M/F/U), age_band (age at the
--    index date: under_18, 18-20, 21-24, 25-29, 30-39, 40-49, 50+), ogrs_band (the index start's
--    OGRS: 0-25% = [0, 0.25), 25-50% = [0.25, 0.5), 50-75% = [0.5, 0.75), 75-100% = [0.75, 1]).
--    Only bands with at least one eligible person have a row (our choice). Rates as in
--    measure_measures (measurable cohort; NULL when n = 0 / r = 0).
--  * dimension concentration, band top_10pct_reoffenders: the measurable reoffenders ranked by
--    counted reoffences (most first; ties by person_id in byte order); the top ceil(r / 10) of
--    them (top_reoffenders) committed top_reoffences; share_of_reoffences = top_reoffences / k
--    (NULL when k = 0). One row per area and cohort period, also when r = 0.
CREATE OR REPLACE TABLE breakdowns AS
WITH people AS (
  SELECT o.*,
    CASE
      WHEN age < 18 THEN 'under_18' WHEN age <= 20 THEN '18-20' WHEN age <= 24 THEN '21-24'
      WHEN age <= 29 THEN '25-29' WHEN age <= 39 THEN '30-39' WHEN age <= 49 THEN '40-49'
      ELSE '50+'
    END AS age_band,
    CASE
      WHEN age < 18 THEN 0 WHEN age <= 20 THEN 1 WHEN age <= 24 THEN 2 WHEN age <= 29 THEN 3
      WHEN age <= 39 THEN 4 WHEN age <= 49 THEN 5 ELSE 6
    END AS age_band_order,
    CASE WHEN ogrs < 0.25 THEN '0-25%' WHEN ogrs < 0.5 THEN '25-50%' WHEN ogrs < 0.75 THEN '50-75%' ELSE '75-100%' END AS ogrs_band,
    CASE WHEN ogrs < 0.25 THEN 1 WHEN ogrs < 0.5 THEN 2 WHEN ogrs < 0.75 THEN 3 ELSE 4 END AS ogrs_band_order
  FROM offender_outcomes o
  WHERE o.is_cohort
),
long AS (
  SELECT period_start, area, person_id, measurable, reoffender, reoffences, ogrs,
         u.dimension, u.dim_order, u.band, u.band_order
  FROM people,
  LATERAL (
    SELECT * FROM (VALUES
      ('start_type', 1, start_type, CASE start_type WHEN 'CO' THEN 1 WHEN 'SSO' THEN 2 ELSE 3 END),
      ('sex', 2, sex, CASE sex WHEN 'M' THEN 1 WHEN 'F' THEN 2 ELSE 3 END),
      ('age_band', 3, age_band, age_band_order),
      ('ogrs_band', 4, ogrs_band, ogrs_band_order)
    ) AS v(dimension, dim_order, band, band_order)
  ) AS u
),
grouped AS (
  SELECT
    period_start,
    CASE WHEN GROUPING(area) = 1 THEN 'ALL' ELSE area END AS area,
    GROUPING(area) = 1 AS is_all,
    dimension, dim_order, band, band_order,
    count(*) AS eligible,
    count(*) FILTER (WHERE measurable) AS measurable,
    count(*) FILTER (WHERE measurable AND reoffender) AS reoffenders,
    CAST(coalesce(sum(reoffences) FILTER (WHERE measurable), 0) AS BIGINT) AS reoffences,
    CAST(coalesce(sum(ogrs) FILTER (WHERE measurable), 0) AS DECIMAL(38,12)) AS ogrs_sum
  FROM long
  GROUP BY GROUPING SETS ((period_start, area, dimension, dim_order, band, band_order),
                          (period_start, dimension, dim_order, band, band_order))
),
ranked AS (
  SELECT period_start, area, false AS is_all, reoffences,
         row_number() OVER (PARTITION BY period_start, area ORDER BY reoffences DESC, encode(person_id)) AS rnk,
         count(*) OVER (PARTITION BY period_start, area) AS r_total
  FROM people WHERE measurable AND reoffender
  UNION ALL
  SELECT period_start, 'ALL', true, reoffences,
         row_number() OVER (PARTITION BY period_start ORDER BY reoffences DESC, encode(person_id)),
         count(*) OVER (PARTITION BY period_start)
  FROM people WHERE measurable AND reoffender
),
top AS (
  SELECT period_start, area, is_all,
         count(*) AS top_reoffenders,
         CAST(sum(reoffences) AS BIGINT) AS top_reoffences
  FROM ranked
  WHERE rnk <= (r_total + 9) // 10
  GROUP BY period_start, area, is_all
),
concentration AS (
  SELECT
    m.period_start, m.area, m.is_all,
    'concentration' AS dimension, 5 AS dim_order, 'top_10pct_reoffenders' AS band, 1 AS band_order,
    m.eligible, m.measurable, m.reoffenders, m.reoffences, m.ogrs_sum,
    CAST(coalesce(t.top_reoffenders, 0) AS BIGINT) AS top_reoffenders,
    CAST(coalesce(t.top_reoffences, 0) AS BIGINT) AS top_reoffences
  FROM m_area_period m
  LEFT JOIN top t ON t.period_start = m.period_start AND t.area = m.area AND t.is_all = m.is_all
  WHERE m.in_cohort
),
unioned AS (
  SELECT period_start, area, is_all, dimension, dim_order, band, band_order,
         CAST(eligible AS BIGINT) AS eligible, CAST(measurable AS BIGINT) AS measurable,
         CAST(reoffenders AS BIGINT) AS reoffenders, reoffences, ogrs_sum,
         CAST(NULL AS BIGINT) AS top_reoffenders, CAST(NULL AS BIGINT) AS top_reoffences
  FROM grouped
  UNION ALL
  SELECT period_start, area, is_all, dimension, dim_order, band, band_order,
         eligible, measurable, reoffenders, reoffences, ogrs_sum, top_reoffenders, top_reoffences
  FROM concentration
)
SELECT
  $population::VARCHAR AS population,
  u.area, p.period, u.period_start, p.period_end, ms.status,
  u.dimension, u.band, u.dim_order, u.band_order,
  u.eligible, u.measurable, u.reoffenders, u.reoffences,
  CASE WHEN u.measurable > 0 THEN CAST(u.reoffenders AS DOUBLE) / CAST(u.measurable AS DOUBLE) END AS binary_rate,
  CASE WHEN u.reoffenders > 0 THEN CAST(u.reoffences AS DOUBLE) / CAST(u.reoffenders AS DOUBLE) END AS frequency_rate,
  CASE WHEN u.measurable > 0 THEN CAST(100 * u.reoffences AS DOUBLE) / CAST(u.measurable AS DOUBLE) END AS reoffences_per_100,
  CASE WHEN u.measurable > 0 THEN CAST(u.ogrs_sum AS DOUBLE) / CAST(u.measurable AS DOUBLE) END AS expected_rate,
  u.top_reoffenders, u.top_reoffences,
  CASE WHEN u.dimension = 'concentration' AND u.reoffences > 0
       THEN CAST(u.top_reoffences AS DOUBLE) / CAST(u.reoffences AS DOUBLE) END AS share_of_reoffences,
  u.is_all, ms.area_order
FROM unioned u
JOIN m_periods p ON p.period_start = u.period_start AND p.in_cohort
JOIN measures ms ON ms.period_start = u.period_start AND ms.area = u.area AND ms.is_all = u.is_all AND ms.period_kind = 'cohort'
ORDER BY u.is_all, encode(u.area), u.period_start, u.dim_order, u.band_order;
