-- name: pay_assess_summary
-- params: (none)
-- returns: the short table pbr assess prints: one row per area and results period with its
--   status, outcome and the sum of its rounded lines (amount as text), in statement order.
SELECT o.area, o.period, o.status, o.outcome,
  CAST(coalesce(sum(p.amount), 0) AS DECIMAL(38,2))::VARCHAR AS amount
FROM pay_outcomes o
LEFT JOIN payments p ON p.area = o.area AND p.period = o.period
LEFT JOIN areas a ON a.cpa = o.area
WHERE o.area <> 'ALL'
GROUP BY o.area, o.period, o.status, o.outcome, o.period_start, a.area_order
ORDER BY coalesce(a.area_order, 2147483647), o.area, o.period_start NULLS LAST, o.period = 'ALL', o.period;
