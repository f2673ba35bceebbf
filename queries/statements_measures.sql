-- name: statements_measures
-- params: (none); needs table measures (pbr run)
-- returns: the measures rows of every area (not the all-areas rows) for the Measures sheet of the
--   area workbooks, rates as decimal text rounded half away from zero to 6 places (as measures.csv).
SELECT area, period, strftime(period_start, '%Y-%m-%d') AS period_start, strftime(period_end, '%Y-%m-%d') AS period_end,
  status, eligible::VARCHAR AS eligible, measurable::VARCHAR AS measurable, reoffenders::VARCHAR AS reoffenders,
  reoffences::VARCHAR AS reoffences,
  CAST(round(CAST(binary_rate AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS binary_rate,
  CAST(round(CAST(frequency_rate AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS frequency_rate,
  CAST(round(CAST(reoffences_per_100 AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS reoffences_per_100,
  CAST(round(CAST(reconviction_events_per_100 AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS reconviction_events_per_100,
  CAST(round(CAST(expected_rate AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS expected_rate,
  baseline_measurable::VARCHAR AS baseline_measurable,
  CAST(round(CAST(baseline_binary_rate AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS baseline_binary_rate,
  CAST(round(CAST(baseline_expected_rate AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS baseline_expected_rate,
  CAST(round(CAST(baseline_frequency_rate AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS baseline_frequency_rate,
  CAST(round(CAST(adjusted_binary_rate AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS adjusted_binary_rate,
  CAST(round(CAST(lower_threshold AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS lower_threshold,
  CAST(round(CAST(upper_threshold AS DECIMAL(38,12)), 6) AS DECIMAL(38,6))::VARCHAR AS upper_threshold,
  binary_outcome, frequency_outcome
FROM measures
WHERE NOT is_all
ORDER BY area, period_start, period;
