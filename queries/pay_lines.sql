-- name: pay_lines
-- params: $clauses (VARCHAR: JSON list of {key, label}, the contract's `clauses`)
-- returns: every statement line (payments, area other than ALL) in statement order, amounts as text,
--   with the clause label of the contract key that priced it: the label of the line's own key
--   (`fee_for_service.areas.CPA01[0].annual_price`) when the contract gives one, else the label of
--   the generic key (`fee_for_service.annual_price`), else NULL.
WITH clauses AS (
  SELECT key, label
  FROM (SELECT unnest(from_json($clauses, '[{"key":"VARCHAR","label":"VARCHAR"}]'), recursive := true))),
l AS (
  SELECT *,
    CASE WHEN starts_with(rule, 'fee_for_service.areas.')
         THEN 'fee_for_service.' || regexp_extract(rule, '\.([a-z_]+)$', 1) ELSE rule END AS generic_rule
  FROM payments WHERE area <> 'ALL')
SELECT l.area, l.period, l.component, l.basis, CAST(l.amount AS VARCHAR) AS amount, l.rule, l.status,
  l.section, l.detail, l.price, l.exact_amount, l.year_label,
  -- a specific key's label wins over the generic key's
  coalesce(own.label, generic.label) AS clause
FROM l LEFT JOIN clauses own ON own.key = l.rule
LEFT JOIN clauses generic ON generic.key = l.generic_rule
ORDER BY l.area_order, l.area, l.period, l.line_order, l.component, l.basis;
