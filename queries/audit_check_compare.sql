-- name: audit_check_compare
-- params: $numeric (VARCHAR[]): measures whose values are numbers; $soft, $hard (VARCHAR:
--         decimals, the absolute tolerances)
-- returns: one row per row of the published table (chk_raw) in file order: line, area, period,
--          measure, published, run (NULL: the run has no such figure; '' = empty field),
--          difference (run - published, as text) and verdict:
--            match     |difference| <= soft (text measures: equal)
--            rounding  soft < |difference| <= hard (a rounded publication)
--            MISMATCH  |difference| > hard, text differs, or one side empty and the other not
--            missing   the run has no such area and period (no figure to compare)
WITH j AS (
  SELECT p._line, p.area, p.period, p.measure, p.value AS published, f.value AS run,
         list_contains($numeric::VARCHAR[], p.measure) AS is_numeric,
         f.measure IS NOT NULL AS found
  FROM chk_raw p
  LEFT JOIN chk_figures f ON f.area = p.area AND f.period = p.period AND f.measure = p.measure
),
d AS (
  SELECT *,
    CASE WHEN is_numeric AND found AND run <> '' AND published IS NOT NULL
         THEN CAST(run AS DECIMAL(38,10)) - CAST(trim(published) AS DECIMAL(38,10)) END AS difference
  FROM j
)
SELECT _line AS line, area, period, measure, published, run,
       -- exact decimal text without trailing zeros: 0.0003450000 -> 0.000345, -1.0000000000 -> -1
       rtrim(rtrim(CAST(difference AS VARCHAR), '0'), '.') AS difference,
       CASE
         WHEN NOT found THEN 'missing'
         WHEN NOT is_numeric THEN CASE WHEN coalesce(published, '') = run THEN 'match' ELSE 'MISMATCH' END
         WHEN published IS NULL AND run = '' THEN 'match'
         WHEN published IS NULL OR run = '' THEN 'MISMATCH'
         WHEN abs(difference) <= CAST($soft AS DECIMAL(38,10)) THEN 'match'
         WHEN abs(difference) <= CAST($hard AS DECIMAL(38,10)) THEN 'rounding'
         ELSE 'MISMATCH'
       END AS verdict
FROM d
ORDER BY _line
