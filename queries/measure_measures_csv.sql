-- name: measure_measures_csv
-- params: (none)
-- returns: the rows of measures.csv (the outputs listed in the README), every value as text, in file order:
--          population, area (ALL last, areas in byte order of their code), period_start (then
--          period_end: a quarter before the annual top-up period starting the same day).
--          Used inside COPY (...) TO by writeMeasureOutputs; needs macro m_fmt6 (measure_macros).
--          v2, appended: the exact numerators (ogrs_sum and baseline_ogrs_sum as exact decimal
--          text with 12 places, baseline_reoffenders and baseline_reoffences counts; all four
--          empty when the baseline comes from a baselines file, whose rates are given, not counted)
--          and termination_watch (true / false, empty when termination is not configured).
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
  frequency_outcome,
  CAST(ogrs_sum AS VARCHAR) AS ogrs_sum,
  CAST(baseline_reoffenders AS VARCHAR) AS baseline_reoffenders,
  CAST(baseline_reoffences AS VARCHAR) AS baseline_reoffences,
  CAST(baseline_ogrs_sum AS VARCHAR) AS baseline_ogrs_sum,
  CAST(termination_watch AS VARCHAR) AS termination_watch
FROM measures
ORDER BY population, is_all, encode(area), period_start, period_end
