-- name: measure_measures_csv
-- params: (none)
-- returns: the rows of measures.csv (formats.md section 4), every value as text, in file order:
--          population, area (ALL last, areas in byte order of their code), period_start.
--          Used inside COPY (...) TO by writeMeasureOutputs; needs macro m_fmt6 (measure_macros).
SELECT
  population, area, period,
  strftime(period_start, '%Y-%m-%d') AS period_start,
  strftime(period_end, '%Y-%m-%d') AS period_end,
  status,
  CAST(eligible AS VARCHAR) AS eligible,
  CAST(measurable AS VARCHAR) AS measurable,
  CAST(reoffenders AS VARCHAR) AS reoffenders,
  CAST(reoffences AS VARCHAR) AS reoffences,
  m_fmt6(binary_rate) AS binary_rate,
  m_fmt6(frequency_rate) AS frequency_rate,
  m_fmt6(reoffences_per_100) AS reoffences_per_100,
  m_fmt6(reconviction_events_per_100) AS reconviction_events_per_100,
  m_fmt6(expected_rate) AS expected_rate,
  CAST(baseline_measurable AS VARCHAR) AS baseline_measurable,
  m_fmt6(baseline_binary_rate) AS baseline_binary_rate,
  m_fmt6(baseline_expected_rate) AS baseline_expected_rate,
  m_fmt6(baseline_frequency_rate) AS baseline_frequency_rate,
  m_fmt6(adjusted_binary_rate) AS adjusted_binary_rate,
  m_fmt6(lower_threshold) AS lower_threshold,
  m_fmt6(upper_threshold) AS upper_threshold,
  binary_outcome,
  frequency_outcome
FROM measures
ORDER BY population, is_all, encode(area), period_start
