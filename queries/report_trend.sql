-- name: report_trend
-- params: (none)
-- returns: long rows (area, period, period_start, status, series, series_order, value) of the binary
--          rate, adjusted binary rate and baseline binary rate per area (ALL included) and period;
--          missing rates are left out
WITH m AS (
  SELECT area, period, CAST(period_start AS DATE) AS ps, status,
         CAST(binary_rate AS DOUBLE) AS b, CAST(adjusted_binary_rate AS DOUBLE) AS a,
         CAST(baseline_binary_rate AS DOUBLE) AS bb
  FROM measures
),
long AS (
  SELECT area, period, ps, status, 'Binary rate' AS series, 1 AS series_order, b AS value FROM m
  UNION ALL
  SELECT area, period, ps, status, 'Adjusted binary rate', 2, a FROM m
  UNION ALL
  SELECT area, period, ps, status, 'Baseline binary rate', 3, bb FROM m
)
SELECT area, period, strftime(ps, '%Y-%m-%d') AS period_start, status, series,
       series_order, round(value, 6) AS value
FROM long
WHERE value IS NOT NULL
ORDER BY area, ps, period, series_order
