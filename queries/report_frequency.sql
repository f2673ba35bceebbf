-- name: report_frequency
-- params: (none)
-- returns: long rows (area, period, period_start, status, series, series_order, value) of the
--          frequency rate (reoffences per reoffender) and its baseline per area (ALL included) and
--          period; missing rates are left out
WITH m AS (
  SELECT area, period, CAST(period_start AS DATE) AS ps, status,
         CAST(frequency_rate AS DOUBLE) AS f, CAST(baseline_frequency_rate AS DOUBLE) AS bf
  FROM measures
),
long AS (
  SELECT area, period, ps, status, 'Frequency rate' AS series, 1 AS series_order, f AS value FROM m
  UNION ALL
  SELECT area, period, ps, status, 'Baseline frequency rate', 2, bf FROM m
)
SELECT area, period, strftime(ps, '%Y-%m-%d') AS period_start, status, series,
       series_order, round(value, 6) AS value
FROM long
WHERE value IS NOT NULL
ORDER BY area, ps, period, series_order
