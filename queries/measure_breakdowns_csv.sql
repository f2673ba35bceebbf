-- name: measure_breakdowns_csv
-- params: (none)
-- returns: the rows of breakdowns.csv, every value as text (rates as in measures.csv), sorted by
--          population, area (ALL last), period_start, dimension, band. Needs macro m_fmt6.
SELECT
  population, area, period,
  strftime(period_start, '%Y-%m-%d') AS period_start,
  strftime(period_end, '%Y-%m-%d') AS period_end,
  status, dimension, band,
  CAST(eligible AS VARCHAR) AS eligible,
  CAST(measurable AS VARCHAR) AS measurable,
  CAST(reoffenders AS VARCHAR) AS reoffenders,
  CAST(reoffences AS VARCHAR) AS reoffences,
  m_fmt6(binary_rate) AS binary_rate,
  m_fmt6(frequency_rate) AS frequency_rate,
  m_fmt6(reoffences_per_100) AS reoffences_per_100,
  m_fmt6(expected_rate) AS expected_rate,
  CAST(top_reoffenders AS VARCHAR) AS top_reoffenders,
  CAST(top_reoffences AS VARCHAR) AS top_reoffences,
  m_fmt6(share_of_reoffences) AS share_of_reoffences
FROM breakdowns
ORDER BY population, is_all, encode(area), period_start, dim_order, band_order
