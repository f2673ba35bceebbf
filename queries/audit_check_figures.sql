-- name: audit_check_figures
-- params: $components (VARCHAR[]): the payment components (the outputs listed in the README)
-- returns: table chk_figures(area, period, measure, value): every figure of the run as text
--          ('' = empty field) from its figures file (table c_figs: measures.csv of a run,
--          outcomes.csv of a pbr assess folder; every column but area and period) and payments.csv
--          (table c_payments): payment_total (the sum of the amounts of the area and period) and
--          each component's sum, for every area and period of either file (0.00 when it has no
--          such line); area ALL sums every area of the period.
CREATE OR REPLACE TEMP TABLE chk_figures AS
WITH m AS (
  UNPIVOT (SELECT * EXCLUDE (_line) FROM c_figs) ON COLUMNS(* EXCLUDE (area, period)) INTO NAME measure VALUE value
),
keys AS (
  SELECT area, period FROM c_figs
  UNION
  SELECT area, period FROM c_payments
),
lines AS (
  SELECT area, period, component, amount FROM c_payments
  UNION ALL
  SELECT 'ALL', period, component, amount FROM c_payments WHERE area <> 'ALL'
),
names AS (
  SELECT unnest(list_concat(['payment_total'], $components::VARCHAR[])) AS measure
),
pay AS (
  SELECT k.area, k.period, n.measure,
         CAST(CAST(coalesce(sum(l.amount), 0) AS DECIMAL(38,2)) AS VARCHAR) AS value
  FROM keys k
  CROSS JOIN names n
  LEFT JOIN lines l ON l.area = k.area AND l.period = k.period AND (n.measure = 'payment_total' OR l.component = n.measure)
  GROUP BY k.area, k.period, n.measure
)
SELECT area, period, measure, value FROM m
UNION ALL
SELECT area, period, measure, value FROM pay;
