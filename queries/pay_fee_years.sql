-- name: pay_fee_years
-- params: $years (VARCHAR: JSON list, one element per contract year of fee_for_service.areas:
--   {area, idx (0-based position in the area's list), y_from, y_to, price_txt, low_txt, high_txt},
--   numbers as decimal text), $discount (VARCHAR or NULL: learning_curve_discount)
-- returns: table pay_years_priced: the contract years with their exact price after the learning
--   curve discount (price_y = annual_price * (1 - discount)^(y - 1), y = idx + 1, file order), the
--   label FROM/TO used by the volume reconciliation and the contract-year summary, and the contract
--   key; needs table areas (for area_order).
CREATE OR REPLACE TEMP TABLE pay_years AS
SELECT area, idx, CAST(y_from AS DATE) AS y_from, CAST(y_to AS DATE) AS y_to, price_txt, low_txt, high_txt
FROM (SELECT unnest(from_json($years,
  '[{"area":"VARCHAR","idx":"INTEGER","y_from":"VARCHAR","y_to":"VARCHAR","price_txt":"VARCHAR","low_txt":"VARCHAR","high_txt":"VARCHAR"}]'),
  recursive := true));
CREATE OR REPLACE TABLE pay_years_priced AS
WITH RECURSIVE pw(k, f) AS (
  SELECT 0, q(1, 1)
  UNION ALL
  SELECT k + 1, qmul(f, qsub(q(1, 1), qdec(coalesce($discount, '0'))))
  FROM pw WHERE k < (SELECT coalesce(max(idx), 0) FROM pay_years))
SELECT y.*, coalesce(a.area_order, 2147483647)::INTEGER AS area_order,
  strftime(y.y_from, '%Y-%m-%d') || '/' || strftime(y.y_to, '%Y-%m-%d') AS year_label,
  'fee_for_service.areas.' || y.area || '[' || y.idx || ']' AS key,
  qmul(qdec(y.price_txt), pw.f) AS price_y,
  gbp(y.price_txt) || CASE WHEN $discount IS NULL OR y.idx = 0 THEN ''
    ELSE ' x (1 - ' || qfix(qmul(qdec($discount), qint(100)), 2) || '%)^' || y.idx END AS price_txt_basis
FROM pay_years y JOIN pw ON pw.k = y.idx LEFT JOIN areas a ON a.cpa = y.area;
