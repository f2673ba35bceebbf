-- name: report_pack_lines
-- params: $focus (VARCHAR): the pack's cohort period
-- returns: every payments line of the focus period (not ALL), in area order and, inside an area,
--          in the order a statement lists them (binary payment, deduction, frequency payment, cap,
--          then any other component by name); amounts as exact decimal text
SELECT
  p.area, p.component, p.basis, CAST(CAST(p.amount AS DECIMAL(38, 2)) AS VARCHAR) AS amount, p.rule
FROM payments p
LEFT JOIN areas a ON a.cpa = p.area
WHERE p.period = $focus AND p.area <> 'ALL'
ORDER BY a.area_order NULLS LAST, p.area,
  CASE p.component WHEN 'binary_payment' THEN 1 WHEN 'binary_deduction' THEN 2 WHEN 'frequency_payment' THEN 3
                   WHEN 'cap' THEN 4 ELSE 5 END,
  p.component, p.basis, p.amount
