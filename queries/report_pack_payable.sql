-- name: report_pack_payable
-- params: $focus (VARCHAR): the pack's cohort period; $focus_start (VARCHAR, YYYY-MM-DD): its first day
-- returns: per area (not ALL, in area order): the results lines (method.md section 8, and the
--          annual top-ups of section 12) of the focus period summed by kind, exact decimal text:
--          payments (binary and frequency), deductions, caps, top-ups and their net; and `to_date`,
--          the net of every results line of a final period starting on or before the focus period
--          (what has become payable up to this publication). Sums of the rounded lines.
WITH periods AS (
  SELECT period, min(status) AS status, min(CAST(period_start AS DATE)) AS ps FROM measures GROUP BY period
),
lines AS (
  SELECT p.area, p.period, p.component, CAST(p.amount AS DECIMAL(38, 2)) AS amount, m.status, m.ps
  FROM payments p JOIN periods m ON m.period = p.period
  WHERE p.area <> 'ALL'
    AND p.component IN ('binary_payment', 'frequency_payment', 'binary_deduction', 'cap', 'binary_top_up', 'frequency_top_up')
)
SELECT
  a.cpa AS area,
  CAST(coalesce(sum(l.amount) FILTER (WHERE l.period = $focus AND l.component IN ('binary_payment', 'frequency_payment')), 0) AS DECIMAL(38, 2))::VARCHAR AS payments,
  CAST(coalesce(sum(l.amount) FILTER (WHERE l.period = $focus AND l.component = 'binary_deduction'), 0) AS DECIMAL(38, 2))::VARCHAR AS deductions,
  CAST(coalesce(sum(l.amount) FILTER (WHERE l.period = $focus AND l.component = 'cap'), 0) AS DECIMAL(38, 2))::VARCHAR AS caps,
  CAST(coalesce(sum(l.amount) FILTER (WHERE l.period = $focus), 0) AS DECIMAL(38, 2))::VARCHAR AS net,
  CAST(count(l.amount) FILTER (WHERE l.period = $focus) AS INTEGER) AS lines,
  -- a final period is payable; one starting after the focus period was not yet final at its publication
  CAST(coalesce(sum(l.amount) FILTER (WHERE l.status = 'final' AND l.ps <= CAST($focus_start AS DATE)), 0) AS DECIMAL(38, 2))::VARCHAR AS to_date
FROM areas a
LEFT JOIN lines l ON l.area = a.cpa
GROUP BY a.cpa, a.area_order
ORDER BY a.area_order, a.cpa
