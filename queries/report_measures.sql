-- name: report_measures
-- params: $cohort_period (VARCHAR): the contract's cohort.period
-- returns: every row of `measures` (areas in area order, ALL last; periods by start) with the
--          area name, counts as INTEGER and rates rounded to 6 places as DOUBLE, for the report
--          tables; `termination_watch` (method.md section 14; NULL when not configured or when the
--          measures table has no such column) and `is_annual` (an annual top-up period, method.md
--          section 12: a period_type other than the contract's own cohort period)
-- The measures table may lack the v2 columns (an older run's cached table): UNION ALL BY NAME with
-- an empty row of them gives NULL where they are missing and the table's own values where not.
WITH m AS (
  FROM measures
  UNION ALL BY NAME
  SELECT CAST(NULL AS BOOLEAN) AS termination_watch, CAST(NULL AS VARCHAR) AS period_type WHERE false
)
SELECT
  m.area,
  CASE WHEN m.area = 'ALL' THEN 'All areas' ELSE coalesce(a.name, m.area) END AS name,
  m.period,
  strftime(CAST(m.period_start AS DATE), '%Y-%m-%d') AS period_start,
  strftime(CAST(m.period_end AS DATE), '%Y-%m-%d') AS period_end,
  m.status,
  CAST(m.eligible AS INTEGER) AS eligible,
  CAST(m.measurable AS INTEGER) AS measurable,
  CAST(m.reoffenders AS INTEGER) AS reoffenders,
  CAST(m.reoffences AS INTEGER) AS reoffences,
  round(CAST(m.binary_rate AS DOUBLE), 6) AS binary_rate,
  round(CAST(m.frequency_rate AS DOUBLE), 6) AS frequency_rate,
  round(CAST(m.reoffences_per_100 AS DOUBLE), 6) AS reoffences_per_100,
  round(CAST(m.reconviction_events_per_100 AS DOUBLE), 6) AS reconviction_events_per_100,
  round(CAST(m.expected_rate AS DOUBLE), 6) AS expected_rate,
  CAST(m.baseline_measurable AS INTEGER) AS baseline_measurable,
  round(CAST(m.baseline_binary_rate AS DOUBLE), 6) AS baseline_binary_rate,
  round(CAST(m.baseline_expected_rate AS DOUBLE), 6) AS baseline_expected_rate,
  round(CAST(m.baseline_frequency_rate AS DOUBLE), 6) AS baseline_frequency_rate,
  round(CAST(m.adjusted_binary_rate AS DOUBLE), 6) AS adjusted_binary_rate,
  round(CAST(m.lower_threshold AS DOUBLE), 6) AS lower_threshold,
  round(CAST(m.upper_threshold AS DOUBLE), 6) AS upper_threshold,
  -- the difference a - B as the report prints it: from the same rounded values, so that the
  -- table's columns agree with each other to the shown digit
  round(round(CAST(m.adjusted_binary_rate AS DOUBLE), 6) - round(CAST(m.baseline_binary_rate AS DOUBLE), 6), 6) AS difference,
  m.binary_outcome,
  m.frequency_outcome,
  CAST(m.termination_watch AS BOOLEAN) AS termination_watch,
  coalesce(CAST(m.period_type AS VARCHAR), $cohort_period) <> $cohort_period AS is_annual
FROM m
LEFT JOIN areas a ON a.cpa = m.area
ORDER BY (m.area = 'ALL'), a.area_order NULLS LAST, m.area, CAST(m.period_start AS DATE), m.period
