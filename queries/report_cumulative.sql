-- name: report_cumulative
-- params: $months (INTEGER): follow_up.months
-- returns: per series (each cohort period of `measures`, and the baseline periods pooled as
--          'Baseline') and month
--          m = 0..$months since the index date: the measurable persons n, those whose first counted
--          offence falls on or before add_months(index_date, m), and that share. A first offence on
--          date f counts from the smallest m with f <= add_months(index_date, m).
WITH measurable AS (
  SELECT period, coalesce(is_baseline, false) AS is_baseline, CAST(index_date AS DATE) AS i,
         CASE WHEN reoffender THEN CAST(first_offence_date AS DATE) END AS f
  FROM offender_outcomes
  WHERE measurable AND area <> 'ALL'
),
persons AS (
  -- a cohort period is one that `measures` reports; a period can also be a baseline period
  SELECT period AS series, false AS is_baseline, i, f FROM measurable
  WHERE period IN (SELECT DISTINCT period FROM measures)
  UNION ALL
  SELECT 'Baseline' AS series, true AS is_baseline, i, f FROM measurable WHERE is_baseline
),
months AS (
  SELECT series, is_baseline, d + CASE WHEN f > CAST(i + to_months(d) AS DATE) THEN 1 ELSE 0 END AS month
  FROM (SELECT *, (year(f) - year(i)) * 12 + month(f) - month(i) AS d FROM persons WHERE f IS NOT NULL)
),
n AS (
  SELECT series, bool_or(is_baseline) AS is_baseline, count(*) AS n FROM persons GROUP BY series
),
counts AS (
  SELECT series, month, count(*) AS c FROM months GROUP BY series, month
),
info AS (
  SELECT period, min(CAST(period_start AS DATE)) AS ps, min(status) AS status FROM measures GROUP BY period
),
grid AS (
  SELECT n.series, n.is_baseline, n.n, t.m
  FROM n CROSS JOIN range(0, $months + 1) AS t(m)
),
cum AS (
  SELECT g.series, g.is_baseline, g.n, g.m,
         sum(coalesce(c.c, 0)) OVER (PARTITION BY g.series ORDER BY g.m) AS reoffenders
  FROM grid g LEFT JOIN counts c ON c.series = g.series AND c.month = g.m
)
SELECT
  cum.series,
  CASE WHEN cum.is_baseline THEN 'baseline' ELSE coalesce(info.status, 'interim') END AS status,
  CASE WHEN cum.is_baseline THEN NULL ELSE strftime(info.ps, '%Y-%m-%d') END AS period_start,
  CAST(cum.m AS INTEGER) AS month,
  CAST(cum.n AS INTEGER) AS measurable,
  CAST(cum.reoffenders AS INTEGER) AS reoffenders,
  round(cum.reoffenders / cum.n, 6) AS share
FROM cum LEFT JOIN info ON info.period = cum.series AND NOT cum.is_baseline
ORDER BY cum.is_baseline DESC, info.ps, cum.series, cum.m
