-- name: report_payment_table
-- params: (none)
-- returns: payment sums by component group, wide, exact text: level 'year' per area and contract
--          year, level 'area' per area over all years, level 'total' over every area
SELECT
  CASE WHEN GROUPING(area) = 1 THEN 'total' WHEN GROUPING(year_label) = 1 THEN 'area' ELSE 'year' END AS level,
  area, year_label,
  strftime(min(year_sort), '%Y-%m-%d') AS year_sort,
  strftime(min(year_from), '%Y-%m-%d') AS year_from,
  strftime(max(year_to), '%Y-%m-%d') AS year_to,
  CAST(coalesce(sum(amount) FILTER (WHERE group_order = 1), 0) AS VARCHAR) AS fee,
  CAST(coalesce(sum(amount) FILTER (WHERE group_order = 2), 0) AS VARCHAR) AS credits,
  CAST(coalesce(sum(amount) FILTER (WHERE group_order = 3), 0) AS VARCHAR) AS reconciliation,
  CAST(coalesce(sum(amount) FILTER (WHERE group_order = 4), 0) AS VARCHAR) AS results,
  CAST(coalesce(sum(amount) FILTER (WHERE group_order = 5), 0) AS VARCHAR) AS deductions,
  CAST(coalesce(sum(amount) FILTER (WHERE group_order = 6), 0) AS VARCHAR) AS caps,
  CAST(coalesce(sum(amount) FILTER (WHERE group_order = 7), 0) AS VARCHAR) AS other,
  CAST(sum(amount) AS VARCHAR) AS net,
  CAST(sum(amount) AS DOUBLE) AS net_value
FROM report_payment_lines
GROUP BY GROUPING SETS ((area, year_label), (area), ())
ORDER BY GROUPING(area), area, GROUPING(year_label), min(year_sort), year_label
