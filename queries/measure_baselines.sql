-- name: measure_baselines
-- params: $has_baselines_file (BOOLEAN), $population (VARCHAR)
-- returns: table m_baselines(area, is_all, baseline_measurable BIGINT, baseline_reoffenders BIGINT,
--          baseline_reoffences BIGINT, baseline_ogrs_sum DECIMAL, baseline_binary_rate DOUBLE,
--          baseline_expected_rate DOUBLE, baseline_frequency_rate DOUBLE, baseline_source VARCHAR)
--
-- method.md section 5. Computed (no baselines file): the baseline periods are pooled per area,
-- B_n = sum n, B = sum r / sum n, B_e = sum ogrs / sum n, B_f = sum k / sum r (exact integer /
-- DECIMAL numerators and denominators, divided once in DOUBLE). An area with B_n = 0 has no
-- baseline (all NULL); B_f is NULL when sum r = 0. ALL pools every area the same way.
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
    CASE WHEN c.b_n > 0 THEN c.b_n END AS baseline_measurable,
    CASE WHEN c.b_n > 0 THEN c.b_r END AS baseline_reoffenders,
    CASE WHEN c.b_n > 0 THEN c.b_k END AS baseline_reoffences,
    CASE WHEN c.b_n > 0 THEN c.b_ogrs END AS baseline_ogrs_sum,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_r AS DOUBLE) / CAST(c.b_n AS DOUBLE) END AS baseline_binary_rate,
    CASE WHEN c.b_n > 0 THEN CAST(c.b_ogrs AS DOUBLE) / CAST(c.b_n AS DOUBLE) END AS baseline_expected_rate,
    CASE WHEN c.b_r > 0 THEN CAST(c.b_k AS DOUBLE) / CAST(c.b_r AS DOUBLE) END AS baseline_frequency_rate,
    'computed' AS baseline_source
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
    sum(f.baseline_binary_rate * f.baseline_measurable) AS b_r,
    sum(f.baseline_expected_rate * f.baseline_measurable) AS b_ogrs,
    sum(f.baseline_frequency_rate * f.baseline_binary_rate * f.baseline_measurable) AS b_k,
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
    'file' AS baseline_source
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
    'file_pooled'
  FROM file_all_pooled p
  WHERE $has_baselines_file::BOOLEAN
    AND NOT EXISTS (SELECT 1 FROM file_rows WHERE cpa = 'ALL')
)
SELECT * FROM from_computed
UNION ALL
SELECT * FROM from_file
ORDER BY is_all, area;
