-- name: pay_lines
-- params: (none)
-- returns: every statement line (payments, area other than ALL) in statement order, amounts as text.
SELECT area, period, component, basis, CAST(amount AS VARCHAR) AS amount, rule, status, detail
FROM payments WHERE area <> 'ALL'
ORDER BY area_order, area, period, line_order, component, basis;
