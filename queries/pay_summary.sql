-- name: pay_summary
-- params: (none)
-- returns: the contract-year summaries: per area (every area with a contract year, a line or a
--   results outcome, not ALL) one row per contract year (row_kind 'contract_year', from
--   pay_years_priced; results lines belong to the year containing their cohort period's end,
--   pay_finish.sql), a row 'outside contract years' (row_kind 'outside') when lines lie in no year,
--   and a total row (row_kind 'total'); money is a SUM of rounded lines, so the total row's net is
--   the sum of the area's statement totals. Each contract year also has its counted starts and
--   weighted volume (fee_volumes, pay_fee.sql) and its volume range.
WITH ar AS (
  SELECT area FROM pay_years_priced
  UNION SELECT area FROM payments WHERE area <> 'ALL'
  UNION SELECT area FROM pay_outcomes WHERE area <> 'ALL'),
l AS (
  SELECT area, year_label,
    sum(amount) FILTER (WHERE component = 'fee_for_service') AS fees,
    sum(amount) FILTER (WHERE component = 'service_credit') AS credits,
    sum(amount) FILTER (WHERE component = 'volume_reconciliation') AS reconciliation,
    sum(amount) FILTER (WHERE section = 'results') AS results,
    sum(amount) AS net
  FROM payments WHERE area <> 'ALL' GROUP BY area, year_label),
v AS (
  SELECT area, idx, sum(starts)::BIGINT AS starts, sum(weighted) AS weighted FROM fee_volumes GROUP BY area, idx),
rows AS (
  SELECT y.area, 1 AS kind_order, 'contract_year' AS row_kind, y.year_label, y.y_from, y.y_to,
    l.fees, l.credits, l.reconciliation, l.results, l.net,
    coalesce(v.starts, 0) AS starts, coalesce(v.weighted, 0) AS weighted, y.low_txt, y.high_txt
  FROM pay_years_priced y LEFT JOIN l ON l.area = y.area AND l.year_label = y.year_label
  LEFT JOIN v ON v.area = y.area AND v.idx = y.idx
  UNION ALL
  SELECT area, 2, 'outside', 'outside contract years', NULL, NULL, fees, credits, reconciliation, results, net,
    NULL, NULL, NULL, NULL
  FROM l WHERE year_label IS NULL
  UNION ALL
  -- the area's total: every line of the area once, every contract year's volume once
  SELECT ar.area, 3, 'total', 'total', NULL, NULL,
    (SELECT sum(fees) FROM l WHERE l.area = ar.area), (SELECT sum(credits) FROM l WHERE l.area = ar.area),
    (SELECT sum(reconciliation) FROM l WHERE l.area = ar.area), (SELECT sum(results) FROM l WHERE l.area = ar.area),
    (SELECT sum(net) FROM l WHERE l.area = ar.area),
    (SELECT coalesce(sum(starts), 0) FROM v WHERE v.area = ar.area), (SELECT coalesce(sum(weighted), 0) FROM v WHERE v.area = ar.area),
    NULL, NULL
  FROM ar)
SELECT r.area, coalesce(a.name, r.area) AS area_name, r.row_kind, r.year_label AS contract_year,
  strftime(r.y_from, '%Y-%m-%d') AS year_from, strftime(r.y_to, '%Y-%m-%d') AS year_to,
  CAST(coalesce(r.fees, 0) AS DECIMAL(38,2))::VARCHAR AS fee_for_service,
  CAST(coalesce(r.credits, 0) AS DECIMAL(38,2))::VARCHAR AS service_credit,
  CAST(coalesce(r.reconciliation, 0) AS DECIMAL(38,2))::VARCHAR AS volume_reconciliation,
  CAST(coalesce(r.results, 0) AS DECIMAL(38,2))::VARCHAR AS results,
  CAST(coalesce(r.net, 0) AS DECIMAL(38,2))::VARCHAR AS net,
  r.starts::VARCHAR AS starts, st_dectext(r.weighted) AS weighted_volume,
  st_dectext(CAST(r.low_txt AS DECIMAL(38,12))) AS volume_low, st_dectext(CAST(r.high_txt AS DECIMAL(38,12))) AS volume_high
FROM rows r LEFT JOIN areas a ON a.cpa = r.area
ORDER BY coalesce(a.area_order, 2147483647), r.area, r.kind_order, r.y_from NULLS LAST, r.year_label;
