-- name: measure_baselines
-- params: $has_baselines_file (BOOLEAN), $population (VARCHAR)
-- returns: table m_baselines(area, is_all, baseline_measurable BIGINT, baseline_reoffenders BIGINT,
--          baseline_reoffences BIGINT, baseline_ogrs_sum DECIMAL, baseline_binary_rate DOUBLE,
--          baseline_expected_rate DOUBLE, baseline_frequency_rate DOUBLE, baseline_source VARCHAR,
--          bl_b_num, bl_b_den, bl_e_num, bl_e_den DECIMAL(38,12), bl_f_num DECIMAL(38,24),
--          bl_f_den DECIMAL(38,12))
--
-- The exact baseline (decisions and money use it, never the DOUBLE rates): B = bl_b_num / bl_b_den,
-- B_e = bl_e_num / bl_e_den, B_f = bl_f_num / bl_f_den, each a quotient of exact decimals:
--   computed:    B_r / B_n, B_S / B_n, B_k / B_r (counts and the DECIMAL ogrs sum);
--   file row:    B / 1, B_e / 1, B_f / 1 (the file's DECIMAL(18,12) values);
--   file_pooled: sum(B B_n) / sum B_n, sum(B_e B_n) / sum B_n, sum(B_f B B_n) / sum(B B_n)
--                (products of DECIMALs are exact; B_f's numerator needs 24 places).
-- NULL where the value does not exist (no baseline, or B_f with no reoffender).
--
-- method.md section 5. Computed (no baselines file): the baseline periods are pooled per area,
-- B_n = sum n, B = sum r / sum n, B_e = sum ogrs / sum n, B_f = sum k / sum r (exact integer /
-- DECIMAL numerators and denominators, divided once in DOUBLE). An area with B_n = 0 has no
-- baseline: its counts are 0 and its rates NULL; B_f is NULL when sum r = 0. ALL pools every area the same way.
-- From a baselines file (table baselines_input, rows of population = the contract's allocation):
-- each area's four values are used as given (reoffenders / reoffences unknown = NULL). For ALL the
-- file's row with cpa 'ALL' is used when present; otherwise (our choice) ALL pools the file's area
-- rows with their implied counts: B_n = sum B_n, B = sum(B B_n) / sum B_n,
-- B_e = sum(B_e B_n) / sum B_n, B_f = sum(B_f B B_n) / sum(B B_n) (NULL if an area with
-- B B_n > 0 has no B_f).
CREATE OR REPLACE TABLE m_baselines AS
WITH keys AS (
  SELECT DISTINCT area, is_all FROM m_area_period
),
computed AS (
  SELECT
    area, is_all,
    CAST(sum(measurable) AS BIGINT) AS b_n,
    CAST(sum(reoffenders) AS BIGINT) AS b_r,
    CAST(sum(reoffences) AS BIGINT) AS b_k,
    CAST(sum(ogrs_sum) AS DECIMAL(38,12)) AS b_ogrs
  FROM m_area_period
  WHERE in_baseline
  GROUP BY area, is_all
),
from_computed AS (
  SELECT
    k.area, k.is_all,
    -- counts are counts: an area with nobody in the baseline has B_n = 0 (its rates are empty)
    CAST(coalesce(c.b_n, 0) AS BIGINT) AS baseline_measurable,
    CAST(coalesce(c.b_r, 0) AS BIGINT) AS baseline_reoffenders,
    CAST(coalesce(c.b_k, 0) AS BIGINT) AS baseline_reoffences,
    CAST(coalesce(c.b_ogrs, 0) AS DECIMAL(38,12)) AS baseline_ogrs_sum,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_r AS DOUBLE) / CAST(c.b_n AS DOUBLE) END AS baseline_binary_rate,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_ogrs AS DOUBLE) / CAST(c.b_n AS DOUBLE) END AS baseline_expected_rate,
    CASE WHEN c.b_r > 0 THEN CAST(c.b_k AS DOUBLE) / CAST(c.b_r AS DOUBLE) END AS baseline_frequency_rate,
    'computed' AS baseline_source,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_r AS DECIMAL(38,12)) END AS bl_b_num,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_n AS DECIMAL(38,12)) END AS bl_b_den,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_ogrs AS DECIMAL(38,12)) END AS bl_e_num,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_n AS DECIMAL(38,12)) END AS bl_e_den,
    CASE WHEN c.b_r > 0 THEN CAST(c.b_k AS DECIMAL(38,24)) END AS bl_f_num,
    CASE WHEN c.b_r > 0 THEN CAST(c.b_r AS DECIMAL(38,12)) END AS bl_f_den
  FROM keys k
  LEFT JOIN computed c ON c.area = k.area AND c.is_all = k.is_all
  WHERE NOT $has_baselines_file::BOOLEAN
),
file_rows AS (
  SELECT cpa, baseline_measurable, baseline_binary_rate, baseline_expected_rate, baseline_frequency_rate
  FROM baselines_input
  WHERE population = $population::VARCHAR AND $has_baselines_file::BOOLEAN
),
file_all_pooled AS (
  SELECT
    CAST(sum(f.baseline_measurable) AS BIGINT) AS b_n,
    CAST(sum(f.baseline_binary_rate * f.baseline_measurable) AS DECIMAL(38,12)) AS b_r,
    CAST(sum(f.baseline_expected_rate * f.baseline_measurable) AS DECIMAL(38,12)) AS b_ogrs,
    CAST(sum(CAST(f.baseline_frequency_rate AS DECIMAL(18,12)) * CAST(f.baseline_binary_rate * f.baseline_measurable AS DECIMAL(26,12))) AS DECIMAL(38,24)) AS b_k,
    count(*) FILTER (WHERE f.baseline_frequency_rate IS NULL AND f.baseline_binary_rate * f.baseline_measurable > 0) AS missing_f
  FROM file_rows f
  JOIN areas a ON a.cpa = f.cpa
),
from_file AS (
  SELECT
    k.area, k.is_all,
    CAST(f.baseline_measurable AS BIGINT) AS baseline_measurable,
    CAST(NULL AS BIGINT) AS baseline_reoffenders,
    CAST(NULL AS BIGINT) AS baseline_reoffences,
    CAST(NULL AS DECIMAL(38,12)) AS baseline_ogrs_sum,
    CAST(f.baseline_binary_rate AS DOUBLE) AS baseline_binary_rate,
    CAST(f.baseline_expected_rate AS DOUBLE) AS baseline_expected_rate,
    CAST(f.baseline_frequency_rate AS DOUBLE) AS baseline_frequency_rate,
    'file' AS baseline_source,
    CAST(f.baseline_binary_rate AS DECIMAL(38,12)) AS bl_b_num,
    CASE WHEN f.baseline_binary_rate IS NOT NULL THEN 1::DECIMAL(38,12) END AS bl_b_den,
    CAST(f.baseline_expected_rate AS DECIMAL(38,12)) AS bl_e_num,
    CASE WHEN f.baseline_expected_rate IS NOT NULL THEN 1::DECIMAL(38,12) END AS bl_e_den,
    CAST(f.baseline_frequency_rate AS DECIMAL(38,24)) AS bl_f_num,
    CASE WHEN f.baseline_frequency_rate IS NOT NULL THEN 1::DECIMAL(38,12) END AS bl_f_den
  FROM keys k
  LEFT JOIN file_rows f ON f.cpa = k.area
  WHERE $has_baselines_file::BOOLEAN
    AND (NOT k.is_all OR EXISTS (SELECT 1 FROM file_rows WHERE cpa = 'ALL'))
  UNION ALL
  SELECT
    'ALL', true,
    CASE WHEN p.b_n > 0 THEN p.b_n END,
    CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS DECIMAL(38,12)),
    CASE WHEN p.b_n > 0 THEN CAST(p.b_r AS DOUBLE) / CAST(p.b_n AS DOUBLE) END,
    CASE WHEN p.b_n > 0 THEN CAST(p.b_ogrs AS DOUBLE) / CAST(p.b_n AS DOUBLE) END,
    CASE WHEN p.b_r > 0 AND p.missing_f = 0 THEN CAST(p.b_k AS DOUBLE) / CAST(p.b_r AS DOUBLE) END,
    'file_pooled',
    CASE WHEN p.b_n > 0 THEN p.b_r END,
    CASE WHEN p.b_n > 0 THEN CAST(p.b_n AS DECIMAL(38,12)) END,
    CASE WHEN p.b_n > 0 THEN p.b_ogrs END,
    CASE WHEN p.b_n > 0 THEN CAST(p.b_n AS DECIMAL(38,12)) END,
    CASE WHEN p.b_r > 0 AND p.missing_f = 0 THEN p.b_k END,
    CASE WHEN p.b_r > 0 AND p.missing_f = 0 THEN p.b_r END
  FROM file_all_pooled p
  WHERE $has_baselines_file::BOOLEAN
    AND NOT EXISTS (SELECT 1 FROM file_rows WHERE cpa = 'ALL')
)
SELECT * FROM from_computed
UNION ALL
SELECT * FROM from_file
ORDER BY is_all, area;
