-- name: report_funnel
-- params: (none)
-- returns: per cohort period and area (not ALL): adjusted binary rate, baseline, significance band
--          and outcome, with `rank` = caterpillar order within the period (furthest below the
--          baseline first; ties and areas without a rate by area order); the counts of people the
--          rates come from (for small-cell suppression)
SELECT
  m.period,
  strftime(CAST(m.period_start AS DATE), '%Y-%m-%d') AS period_start,
  m.status,
  m.area,
  coalesce(a.name, m.area) AS name,
  CAST(m.measurable AS INTEGER) AS measurable,
  CAST(m.reoffenders AS INTEGER) AS reoffenders,
  CAST(m.baseline_measurable AS INTEGER) AS baseline_measurable,
  round(CAST(m.adjusted_binary_rate AS DOUBLE), 6) AS adjusted,
  round(CAST(m.baseline_binary_rate AS DOUBLE), 6) AS baseline,
  round(CAST(m.lower_threshold AS DOUBLE), 6) AS lower,
  round(CAST(m.upper_threshold AS DOUBLE), 6) AS upper,
  coalesce(m.binary_outcome, 'none') AS outcome,
  CAST(row_number() OVER (
    PARTITION BY m.period
    ORDER BY CAST(m.adjusted_binary_rate AS DOUBLE) - CAST(m.baseline_binary_rate AS DOUBLE) NULLS LAST,
             a.area_order NULLS LAST, m.area
  ) AS INTEGER) AS rank
FROM measures m
LEFT JOIN areas a ON a.cpa = m.area
WHERE m.area <> 'ALL'
ORDER BY CAST(m.period_start AS DATE), m.period, rank
