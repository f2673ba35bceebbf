-- name: measure_aggregate
-- params: (none)
-- returns: table m_area_period: counts per area (every area of `areas`, and ALL) and period
--          (cohort, baseline and annual top-up periods), zero rows included
--
-- method.md section 4 (counts). n = measurable persons, r = reoffenders, k = counted offences,
-- events = reconviction events, ogrs_sum = exact DECIMAL sum of ogrs over the measurable cohort.
-- ALL is computed from the same person rows (so areas sum to ALL by construction).
CREATE OR REPLACE TABLE m_area_period AS
WITH grid AS (
  SELECT p.period, p.period_start, p.period_end, p.period_type, p.in_cohort, p.in_baseline, p.is_annual,
         a.cpa AS area, false AS is_all, a.area_order
  FROM m_periods p CROSS JOIN areas a
  UNION ALL
  SELECT p.period, p.period_start, p.period_end, p.period_type, p.in_cohort, p.in_baseline, p.is_annual,
         'ALL' AS area, true AS is_all,
         CAST(coalesce((SELECT max(area_order) FROM areas), 0) + 1 AS INTEGER) AS area_order
  FROM m_periods p
),
counts AS (
  SELECT
    period,
    area,
    GROUPING(area) = 1 AS is_all,
    count(*) AS eligible,
    count(*) FILTER (WHERE measurable) AS measurable,
    count(*) FILTER (WHERE measurable AND reoffender) AS reoffenders,
    CAST(coalesce(sum(reoffences) FILTER (WHERE measurable), 0) AS BIGINT) AS reoffences,
    CAST(coalesce(sum(reconviction_events) FILTER (WHERE measurable), 0) AS BIGINT) AS reconviction_events,
    CAST(coalesce(sum(ogrs) FILTER (WHERE measurable), 0) AS DECIMAL(38,12)) AS ogrs_sum,
    count(*) FILTER (WHERE measurable AND conviction_only_reoffender) AS conviction_only_reoffenders,
    CAST(coalesce(sum(conviction_only_events) FILTER (WHERE measurable), 0) AS BIGINT) AS conviction_only_events
  FROM offender_outcomes
  GROUP BY GROUPING SETS ((period, area), (period))
)
SELECT
  g.period, g.period_start, g.period_end, g.period_type, g.in_cohort, g.in_baseline, g.is_annual,
  g.area, g.is_all, g.area_order,
  CAST(coalesce(c.eligible, 0) AS BIGINT) AS eligible,
  CAST(coalesce(c.measurable, 0) AS BIGINT) AS measurable,
  CAST(coalesce(c.reoffenders, 0) AS BIGINT) AS reoffenders,
  CAST(coalesce(c.reoffences, 0) AS BIGINT) AS reoffences,
  CAST(coalesce(c.reconviction_events, 0) AS BIGINT) AS reconviction_events,
  CAST(coalesce(c.ogrs_sum, 0) AS DECIMAL(38,12)) AS ogrs_sum,
  CAST(coalesce(c.conviction_only_reoffenders, 0) AS BIGINT) AS conviction_only_reoffenders,
  CAST(coalesce(c.conviction_only_events, 0) AS BIGINT) AS conviction_only_events
FROM grid g
LEFT JOIN counts c
  ON c.period = g.period AND c.is_all = g.is_all AND (g.is_all OR c.area = g.area)
ORDER BY g.period_start, g.period_end, g.is_all, g.area_order, g.area;
