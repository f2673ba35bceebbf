-- name: report_breakdowns
-- params: (none)
-- returns: the national (area ALL) breakdowns of one cohort period, the latest final one (the
--          latest interim one when none is final), by dimension and band (the concentration rows
--          are left out: the concentration chart shows them); rates rounded to 6 places
WITH pick AS (
  SELECT period FROM breakdowns
  WHERE area = 'ALL'
  ORDER BY (status = 'final') DESC, CAST(period_start AS DATE) DESC, period
  LIMIT 1
)
SELECT
  b.period, b.status, b.dimension, b.band,
  CAST(b.eligible AS INTEGER) AS eligible,
  CAST(b.measurable AS INTEGER) AS measurable,
  CAST(b.reoffenders AS INTEGER) AS reoffenders,
  round(CAST(b.binary_rate AS DOUBLE), 6) AS binary_rate,
  round(CAST(b.frequency_rate AS DOUBLE), 6) AS frequency_rate,
  round(CAST(b.expected_rate AS DOUBLE), 6) AS expected_rate
FROM breakdowns b
JOIN pick p ON p.period = b.period
WHERE b.area = 'ALL' AND b.dimension <> 'concentration'
ORDER BY b.dimension, b.band_order, b.band
