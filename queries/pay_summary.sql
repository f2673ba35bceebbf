-- name: pay_summary
-- params: (none)
-- returns: the contract-year summary: one row per area and contract year (pay_years_priced; results
--   lines belong to the year containing their cohort period's end, pay_finish.sql), plus a row
--   'outside contract years' for lines in no year; every figure is a SUM of rounded lines.
WITH y AS (
  SELECT area, year_label, y_from FROM pay_years_priced),
l AS (
  SELECT area, year_label,
    sum(amount) FILTER (WHERE component = 'fee_for_service') AS fees,
    sum(amount) FILTER (WHERE component = 'service_credit') AS credits,
    sum(amount) FILTER (WHERE component = 'volume_reconciliation') AS reconciliation,
    sum(amount) FILTER (WHERE section = 'results') AS results,
    sum(amount) AS net
  FROM payments WHERE area <> 'ALL' GROUP BY area, year_label),
rows AS (
  SELECT y.area, y.year_label, y.y_from, l.fees, l.credits, l.reconciliation, l.results, l.net
  FROM y LEFT JOIN l ON l.area = y.area AND l.year_label = y.year_label
  UNION ALL
  SELECT area, 'outside contract years', NULL, fees, credits, reconciliation, results, net
  FROM l WHERE year_label IS NULL)
SELECT r.area, coalesce(a.name, r.area) AS area_name, r.year_label AS contract_year,
  CAST(coalesce(r.fees, 0) AS DECIMAL(38,2))::VARCHAR AS fee_for_service,
  CAST(coalesce(r.credits, 0) AS DECIMAL(38,2))::VARCHAR AS service_credit,
  CAST(coalesce(r.reconciliation, 0) AS DECIMAL(38,2))::VARCHAR AS volume_reconciliation,
  CAST(coalesce(r.results, 0) AS DECIMAL(38,2))::VARCHAR AS results,
  CAST(coalesce(r.net, 0) AS DECIMAL(38,2))::VARCHAR AS net
FROM rows r LEFT JOIN areas a ON a.cpa = r.area
ORDER BY coalesce(a.area_order, 2147483647), r.area, r.y_from NULLS LAST, r.year_label;
