-- name: audit_diff_csv
-- params: (none)
-- returns: the rows of pbr diff --out (one per changed figure or payment amount): area, period,
--          kind (measure | payment), item (column of measures.csv or payment component), old, new
--          (empty: absent from that run), change (payments: new - old), block_impact (payment
--          change of the area and period), ordered as the printed report. Used inside COPY (...) TO.
--
-- Cells people open in a spreadsheet (safe_cell, queries/output_macros.sql): text is made safe;
-- old and new hold numbers and words alike, and a number (-1250.00) stays a number.
SELECT safe_cell(area) AS area, safe_cell(period) AS period, kind, item,
       CASE WHEN TRY_CAST(old AS DECIMAL(38,12)) IS NOT NULL THEN old ELSE safe_cell(old) END AS old,
       CASE WHEN TRY_CAST(new AS DECIMAL(38,12)) IS NOT NULL THEN new ELSE safe_cell(new) END AS new,
       change, CAST(block_impact AS VARCHAR) AS block_impact
FROM (
  SELECT b.area, b.period, 'measure' AS kind, m.measure AS item, m.old, m.new, NULL AS change, b.impact AS block_impact
  FROM diff_blocks b JOIN diff_measure_changes m ON m.area = b.area AND m.period = b.period
  UNION ALL
  SELECT b.area, b.period, 'payment', p.component, CAST(p.old AS VARCHAR), CAST(p.new AS VARCHAR), CAST(p.change AS VARCHAR), b.impact
  FROM diff_blocks b JOIN diff_payment_changes p ON p.area = b.area AND p.period = b.period
)
ORDER BY abs(block_impact) DESC, encode(area), encode(period), kind, encode(item)
