-- name: audit_diff_attribution
-- params: $mode (VARCHAR): 'both' (table m_payments holds the mixed run: data of B, contract of A),
--         'data' (only the data differs) or 'contract' (only the contract differs)
-- returns: per area whose payment total changed: total of A, of B, of the mixed run (NULL unless
--          'both'), data_effect and contract_effect (they add up to B - A), as text with 2
--          decimals; ordered by absolute change (largest first), then area; then two total rows
--          (area NULL), marked in column total:
--            changed_areas  the sums over the areas listed (those whose payment changed)
--            all_areas      the grand totals of A, B (and the mixed run) over every area; its
--                           effects equal the changed areas' (an unchanged area has none), but
--                           its totals include the areas whose payments did not change
--
-- With both differing: data effect = mixed - A (same contract A, data A -> B), contract effect =
-- B - mixed (same data B, contract A -> B). With one differing, all of B - A goes to it.
WITH ta AS (SELECT area, sum(amount) AS t FROM a_payments GROUP BY area),
tb AS (SELECT area, sum(amount) AS t FROM b_payments GROUP BY area),
tm AS (SELECT area, sum(amount) AS t FROM m_payments GROUP BY area),
areas AS (SELECT area FROM ta UNION SELECT area FROM tb UNION SELECT area FROM tm),
per_area AS (
  SELECT
    x.area,
    CAST(coalesce(ta.t, 0) AS DECIMAL(38,2)) AS total_a,
    CAST(coalesce(tb.t, 0) AS DECIMAL(38,2)) AS total_b,
    CASE WHEN $mode = 'both' THEN CAST(coalesce(tm.t, 0) AS DECIMAL(38,2)) END AS total_mixed
  FROM areas x
  LEFT JOIN ta ON ta.area = x.area
  LEFT JOIN tb ON tb.area = x.area
  LEFT JOIN tm ON tm.area = x.area
),
effects AS (
  SELECT area, total_a, total_b, total_mixed,
    CAST(CASE $mode WHEN 'both' THEN total_mixed - total_a WHEN 'data' THEN total_b - total_a ELSE 0 END AS DECIMAL(38,2)) AS data_effect,
    CAST(CASE $mode WHEN 'both' THEN total_b - total_mixed WHEN 'contract' THEN total_b - total_a ELSE 0 END AS DECIMAL(38,2)) AS contract_effect
  FROM per_area
  -- an area is listed when its payment changed, or (both differing) its effects cancel out
  WHERE total_a <> total_b OR ($mode = 'both' AND total_mixed <> total_a)
),
with_total AS (
  SELECT 0 AS grp, area, NULL AS total, total_a, total_b, total_mixed, data_effect, contract_effect FROM effects
  UNION ALL
  -- labelled for what it is: the sum over the changed areas only
  SELECT 1, NULL, 'changed_areas', sum(total_a), sum(total_b), sum(total_mixed), sum(data_effect), sum(contract_effect) FROM effects HAVING count(*) > 0
  UNION ALL
  -- the grand totals of every area (shown only beside a changed area)
  SELECT 2, NULL, 'all_areas', sum(total_a), sum(total_b), sum(total_mixed),
         (SELECT sum(data_effect) FROM effects), (SELECT sum(contract_effect) FROM effects)
  FROM per_area
  HAVING (SELECT count(*) FROM effects) > 0
)
SELECT area, total,
       CAST(total_a AS VARCHAR) AS total_a, CAST(total_b AS VARCHAR) AS total_b,
       CAST(total_mixed AS VARCHAR) AS total_mixed,
       CAST(data_effect AS VARCHAR) AS data_effect, CAST(contract_effect AS VARCHAR) AS contract_effect
FROM with_total
ORDER BY grp, abs(total_b - total_a) DESC, encode(area)
