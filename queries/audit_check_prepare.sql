-- name: audit_check_prepare
-- params: $percent (BOOLEAN): every proportion (a rate of 0-1) of the table is given in percent
-- returns: table chk_pub: one row per published figure, read as it is published:
--          _line, col_order, column (the published column holding the figure), area_given (the
--          cell), area (the code: a contract area's name resolves to its code; All, All areas
--          or Total, case aside, to ALL), ambiguous_area
--          (a name that several areas share), period, measure_given, measure (normalised),
--          value (the cell), kind (chk_kinds; NULL: not a figure pbr check knows), number (the
--          figure as the decimal compared, DECIMAL(38,12); NULL when empty, text or unreadable)
--          and problem (why the cell cannot be read, NULL when it can).
--
-- Inputs: chk_cells (_line, col_order, column, area_given, period, measure_given, value),
-- chk_kinds (measure, kind: count | proportion | rate | money | text), chk_areas (cpa, name).
CREATE OR REPLACE TEMP TABLE chk_pub AS
WITH c AS (
  SELECT _line, col_order, "column", area_given, trim(period) AS period, measure_given, value,
         -- a measure is named as measures.csv names it; case, spaces and hyphens aside
         lower(regexp_replace(trim(measure_given), '[\s-]+', '_', 'g')) AS measure,
         lower(regexp_replace(trim(area_given), '\s+', ' ', 'g')) AS area_key
  FROM chk_cells
),
names AS (
  -- the contract's area names, compared without regard to case or repeated spaces
  SELECT lower(regexp_replace(trim(name), '\s+', ' ', 'g')) AS area_key, min(cpa) AS cpa, count(DISTINCT cpa) AS n
  FROM chk_areas
  GROUP BY 1
),
a AS (
  SELECT c.*,
         -- a code first (the codes and ALL), then a name shared by no other area, then the words
         -- publications use for all areas together
         CASE
           WHEN trim(c.area_given) IN (SELECT cpa FROM chk_areas) OR trim(c.area_given) = 'ALL' THEN trim(c.area_given)
           WHEN nm.n = 1 THEN nm.cpa
           WHEN nm.n IS NULL AND c.area_key IN ('all', 'all areas', 'total') THEN 'ALL'
           ELSE trim(c.area_given)
         END AS area,
         coalesce(nm.n, 0) > 1 AND trim(c.area_given) NOT IN (SELECT cpa FROM chk_areas) AS ambiguous_area
  FROM c
  LEFT JOIN names nm ON nm.area_key = c.area_key
),
k AS (
  SELECT a.*, k.kind, trim(a.value) AS t, ends_with(trim(a.value), '%') AS is_pct
  FROM a
  LEFT JOIN chk_kinds k ON k.measure = a.measure
),
parsed AS (
  SELECT *,
         -- the number's text: the % dropped, then a sign, a pound sign or GBP, digits (thousands
         -- commas allowed), decimals
         regexp_replace(rtrim(CASE WHEN is_pct THEN t[1:-2] ELSE t END), '^([+-]?)\s*(£|GBP)?\s*', '\1') AS body,
         regexp_matches(t, '^[+-]?\s*(£|GBP)') AS has_pound
  FROM k
),
judged AS (
  SELECT *,
         CASE
           WHEN kind IS NULL OR kind = 'text' OR value IS NULL OR t = '' THEN NULL
           WHEN is_pct AND kind <> 'proportion' THEN
             'a percentage, but ' || measure || ' is not a rate of 0-1; give it as a plain number'
           WHEN has_pound AND kind <> 'money' THEN
             'a pound sign, but ' || measure || ' is not an amount in pounds'
           WHEN NOT regexp_full_match(body, '[+-]?(([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|\.[0-9]+)') THEN
             'expected a number (a decimal such as 0.417 or 1,412; a rate may be 41.7%; pounds may be £1,234.56) or an empty field'
         END AS problem
  FROM parsed
)
SELECT _line, col_order, "column", area_given, area, ambiguous_area, period, measure_given, measure, value, kind,
       CASE WHEN problem IS NULL AND kind IS NOT NULL AND kind <> 'text' AND t <> '' THEN
         CASE
           -- a percentage (a % sign, or --percent for a proportion) is its decimal: 41.7% is 0.417, exactly
           WHEN is_pct OR ($percent AND kind = 'proportion')
             THEN CAST(CAST(replace(body, ',', '') AS DECIMAL(38,12)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(38,12))
           ELSE CAST(replace(body, ',', '') AS DECIMAL(38,12))
         END
       END AS number,
       problem
FROM judged;
