-- name: report_outcome_counts
-- params: (none)
-- returns: per cohort period: status and how many areas (ALL excluded) had each binary outcome
--          and a reduced frequency
SELECT
  period,
  strftime(min(CAST(period_start AS DATE)), '%Y-%m-%d') AS period_start,
  min(status) AS status,
  CAST(count(*) AS INTEGER) AS areas,
  CAST(count(*) FILTER (WHERE binary_outcome = 'payment') AS INTEGER) AS payment,
  CAST(count(*) FILTER (WHERE binary_outcome = 'deduction') AS INTEGER) AS deduction,
  CAST(count(*) FILTER (WHERE coalesce(binary_outcome, 'none') = 'none') AS INTEGER) AS none,
  CAST(count(*) FILTER (WHERE frequency_outcome = 'reduced') AS INTEGER) AS frequency_reduced
FROM measures
WHERE area <> 'ALL'
GROUP BY period
ORDER BY min(CAST(period_start AS DATE)), period
