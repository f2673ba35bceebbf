-- name: pay_statements
-- params: (none)
-- returns: one row per statement (area other than ALL, and period) with its outcome sentence and its
--   total (the SUM of its rounded lines), in display order; statements exist for every area-period
--   with a line in `payments` and every results period of `pay_outcomes` (interim ones included).
WITH keys AS (
  SELECT area, period, area_order, period_start, period_end, status, section FROM payments
  UNION ALL
  SELECT area, period, area_order, period_start, period_end, status, 'results' FROM pay_outcomes),
k AS (
  SELECT area, period, min(area_order) AS area_order, min(period_start) AS period_start,
    max(period_end) AS period_end, min(section) AS section,
    CASE WHEN bool_or(status = 'interim') THEN 'interim' WHEN bool_or(status = 'provisional') THEN 'provisional'
         ELSE 'final' END AS status
  FROM keys WHERE area <> 'ALL' GROUP BY area, period),
t AS (SELECT area, period, sum(amount) AS total, count(*) AS lines FROM payments GROUP BY area, period)
SELECT k.area, coalesce(a.name, k.area) AS area_name, k.period,
  strftime(k.period_start, '%Y-%m-%d') AS period_start, strftime(k.period_end, '%Y-%m-%d') AS period_end,
  k.status, k.section, o.outcome, o.summary, strftime(o.final_on, '%Y-%m-%d') AS final_on,
  CAST(coalesce(t.total, 0) AS DECIMAL(38,2))::VARCHAR AS total, coalesce(t.lines, 0)::INTEGER AS lines
FROM k LEFT JOIN pay_outcomes o ON o.area = k.area AND o.period = k.period
LEFT JOIN t ON t.area = k.area AND t.period = k.period
LEFT JOIN areas a ON a.cpa = k.area
ORDER BY k.area_order, k.area, k.section DESC, k.period_start NULLS LAST, k.period;
