-- name: statements_measures
-- params: (none); needs table measures (pbr run) and macro m_fmt6 (measure_macros.sql)
-- returns: the measures rows of every area (not the all-areas rows) for the Measures sheet of the
--   area workbooks, rates as decimal text rounded half away from zero to 6 places (m_fmt6, as measures.csv).
SELECT area, period, strftime(period_start, '%Y-%m-%d') AS period_start, strftime(period_end, '%Y-%m-%d') AS period_end,
  status, eligible::VARCHAR AS eligible, measurable::VARCHAR AS measurable, reoffenders::VARCHAR AS reoffenders,
  reoffences::VARCHAR AS reoffences,
  m_fmt6(binary_rate) AS binary_rate,
  m_fmt6(frequency_rate) AS frequency_rate,
  m_fmt6(reoffences_per_100) AS reoffences_per_100,
  m_fmt6(reconviction_events_per_100) AS reconviction_events_per_100,
  m_fmt6(expected_rate) AS expected_rate,
  baseline_measurable::VARCHAR AS baseline_measurable,
  m_fmt6(baseline_binary_rate) AS baseline_binary_rate,
  m_fmt6(baseline_expected_rate) AS baseline_expected_rate,
  m_fmt6(baseline_frequency_rate) AS baseline_frequency_rate,
  m_fmt6(adjusted_binary_rate) AS adjusted_binary_rate,
  m_fmt6(lower_threshold) AS lower_threshold,
  m_fmt6(upper_threshold) AS upper_threshold,
  binary_outcome, frequency_outcome
FROM measures
WHERE NOT is_all
ORDER BY area, period_start, period;
