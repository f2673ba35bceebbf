-- name: report_concentration
-- params: $top_a (INTEGER), $top_b (INTEGER): percentages of reoffenders, e.g. 10 and 20
-- returns: per area (and ALL) and scope ('cohort': measurable persons of the final cohort periods,
--          pooled; 'baseline': of the baseline periods): reoffenders r, their reoffences k, and the
--          share of k committed by the ceil(r * top / 100) reoffenders with most reoffences (ties
--          do not matter: tied persons have equal counts).
WITH final_periods AS (
  SELECT DISTINCT period FROM measures WHERE status = 'final'
),
measurable AS (
  SELECT area, period, coalesce(is_baseline, false) AS is_baseline, CAST(reoffences AS BIGINT) AS k
  FROM offender_outcomes
  WHERE measurable AND reoffences > 0 AND area <> 'ALL'
),
units AS (
  SELECT area, 'cohort' AS scope, k FROM measurable WHERE period IN (SELECT period FROM final_periods)
  UNION ALL
  SELECT area, 'baseline' AS scope, k FROM measurable WHERE is_baseline
),
all_units AS (
  SELECT area, scope, k FROM units
  UNION ALL
  SELECT 'ALL', scope, k FROM units
),
ranked AS (
  SELECT area, scope, k,
         row_number() OVER (PARTITION BY area, scope ORDER BY k DESC) AS rn,
         count(*) OVER (PARTITION BY area, scope) AS r
  FROM all_units
)
SELECT
  r.area,
  CASE WHEN r.area = 'ALL' THEN 'All areas' ELSE coalesce(a.name, r.area) END AS name,
  CASE WHEN r.area = 'ALL' THEN 0 ELSE coalesce(a.area_order, 2147483647) END AS area_order,
  r.scope,
  CAST(max(r.r) AS INTEGER) AS reoffenders,
  CAST(sum(r.k) AS INTEGER) AS reoffences,
  CAST(max((r.r * $top_a + 99) // 100) AS INTEGER) AS top_a_count,
  round(sum(r.k) FILTER (WHERE r.rn <= (r.r * $top_a + 99) // 100) / sum(r.k), 6) AS top_a_share,
  CAST(max((r.r * $top_b + 99) // 100) AS INTEGER) AS top_b_count,
  round(sum(r.k) FILTER (WHERE r.rn <= (r.r * $top_b + 99) // 100) / sum(r.k), 6) AS top_b_share
FROM ranked r LEFT JOIN areas a ON a.cpa = r.area
GROUP BY r.area, a.name, a.area_order, r.scope
ORDER BY 3, r.area, r.scope DESC
