-- name: audit_check_compare
-- params: $soft, $hard (VARCHAR: decimals, the rates' tolerances); $count_tol, $money_tol
--         (VARCHAR: decimals, the counts' and the pounds' tolerances)
-- returns: one row per published figure (chk_pub) in table order: line, col_order, area (code),
--          period, measure, published (the cell as written), run (NULL: the run has no such
--          figure; '' = empty field), difference (run - published as a decimal, as text), verdict,
--          kind (count | rate | money | text: a proportion is a rate), tolerance (what the
--          verdict used: the count or money tolerance, soft/hard for rates, '' for text),
--          published_value (the decimal compared: a percentage divided by 100) and area_given
--          (the cell, when the area was published by name). Verdicts:
--            match     rates: |difference| <= soft; counts and pounds: equal; text: equal, case aside
--            rounding  rates: soft < |difference| <= hard; counts and pounds: 0 < |difference| <= tolerance
--            MISMATCH  beyond, text differs, or one side empty and the other not
--            missing   the run has no such area, period and measure (no figure to compare)
WITH j AS (
  SELECT p._line, p.col_order, p.area, p.area_given, p.period, p.measure, p.value AS published, p.number, p.kind,
         f.value AS run, f.measure IS NOT NULL AS found,
         p.value IS NULL OR trim(p.value) = '' AS published_empty
  FROM chk_pub p
  LEFT JOIN chk_figures f ON f.area = p.area AND f.period = p.period AND f.measure = p.measure
),
d AS (
  SELECT *,
    CASE WHEN kind <> 'text' AND found AND run <> '' AND number IS NOT NULL
         THEN CAST(run AS DECIMAL(38,12)) - number END AS difference
  FROM j
)
SELECT _line AS line, col_order, area, period, measure, published, run,
       -- exact decimal text without trailing zeros: 0.000345000000 -> 0.000345, -1.000000000000 -> -1
       rtrim(rtrim(CAST(difference AS VARCHAR), '0'), '.') AS difference,
       CASE
         WHEN NOT found THEN 'missing'
         WHEN kind = 'text' THEN CASE WHEN lower(coalesce(trim(published), '')) = lower(run) THEN 'match' ELSE 'MISMATCH' END
         WHEN published_empty AND run = '' THEN 'match'
         WHEN published_empty OR run = '' THEN 'MISMATCH'
         -- rates: a publication rounds them; soft is a match, hard a rounded publication
         WHEN kind IN ('rate', 'proportion') THEN
           CASE WHEN abs(difference) <= CAST($soft AS DECIMAL(38,12)) THEN 'match'
                WHEN abs(difference) <= CAST($hard AS DECIMAL(38,12)) THEN 'rounding'
                ELSE 'MISMATCH' END
         -- counts and pounds: equal is a match; within the tolerance a rounded publication
         WHEN difference = 0 THEN 'match'
         WHEN abs(difference) <= CAST(CASE WHEN kind = 'count' THEN $count_tol ELSE $money_tol END AS DECIMAL(38,12)) THEN 'rounding'
         ELSE 'MISMATCH'
       END AS verdict,
       CASE WHEN kind = 'proportion' THEN 'rate' ELSE kind END AS kind,
       CASE kind WHEN 'count' THEN $count_tol WHEN 'money' THEN $money_tol WHEN 'text' THEN '' ELSE $soft || '/' || $hard END AS tolerance,
       rtrim(rtrim(CAST(number AS VARCHAR), '0'), '.') AS published_value,
       CASE WHEN area_given IS NOT NULL AND trim(area_given) <> area THEN area_given END AS area_given
FROM d
ORDER BY _line, col_order
