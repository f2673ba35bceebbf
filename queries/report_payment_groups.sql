-- name: report_payment_groups
-- params: (none)
-- returns: per area, contract year and component group: the sum of the (already rounded) lines,
--          exact as text and as DOUBLE for the chart; from report_payment_lines (report_payment_years)
SELECT
  area, year_label, strftime(year_sort, '%Y-%m-%d') AS year_sort, group_name, group_order,
  CAST(sum(amount) AS VARCHAR) AS amount_text,
  CAST(sum(amount) AS DOUBLE) AS amount
FROM report_payment_lines
GROUP BY area, year_label, year_sort, group_name, group_order
ORDER BY area, year_sort, year_label, group_order
