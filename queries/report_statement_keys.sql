-- name: report_statement_keys
-- params: (none)
-- returns: every (area, period) that may have a statement, with what it is: 'results' (a period of
--          `measures`), 'fee' (a monthly fee or service-credit line, or a contract year's volume
--          reconciliation) or 'other' (any other line's period, e.g. Peterborough's whole pilot,
--          period ALL), the contract year the report groups a fee statement under
--          (report_payment_lines) and a sort date. The report links only the keys whose statement
--          file exists.
WITH results AS (
  SELECT area, period, min(CAST(period_start AS DATE)) AS d
  FROM measures WHERE area <> 'ALL' GROUP BY area, period
),
fee AS (
  SELECT area, period, any_value(year_label) AS year_label, min(year_sort) AS year_sort,
         -- a reconciliation sorts at its year's end, after the year's months
         min(CASE WHEN component = 'volume_reconciliation' THEN CAST(split_part(period, '/', 2) AS DATE)
                  ELSE CAST(period || '-01' AS DATE) END) AS d
  FROM report_payment_lines
  WHERE component IN ('fee_for_service', 'service_credit', 'volume_reconciliation')
  GROUP BY area, period
),
other AS (
  SELECT DISTINCT l.area, l.period FROM report_payment_lines l
  WHERE l.area <> 'ALL'
    AND NOT EXISTS (SELECT 1 FROM results r WHERE r.area = l.area AND r.period = l.period)
    AND NOT EXISTS (SELECT 1 FROM fee f WHERE f.area = l.area AND f.period = l.period)
)
SELECT area, period, 'results' AS kind, NULL AS year_label, NULL AS year_sort, strftime(d, '%Y-%m-%d') AS d FROM results
UNION ALL
SELECT area, period, 'fee', year_label, strftime(year_sort, '%Y-%m-%d'), strftime(d, '%Y-%m-%d') FROM fee
UNION ALL
SELECT area, period, 'other', NULL, NULL, NULL FROM other
ORDER BY area, kind DESC, d NULLS LAST, period
