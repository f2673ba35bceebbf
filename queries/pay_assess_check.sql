-- name: pay_assess_check
-- params: $required (VARCHAR[]: columns whose value may not be empty), $columns (VARCHAR[]: the
--   file's header in order, for the report's column order), $areas (VARCHAR[]: the contract's area
--   codes; empty = any area), $fixed (BOOLEAN: significance.method is fixed, so lower_threshold and
--   upper_threshold are the bounds and are checked; otherwise they are read past, as measures.csv's
--   computed thresholds may leave 0-1)
-- returns: the problems of an aggregates file read as text into agg_raw(_line, area, period, group,
--   measurable, reoffenders, reoffences, reconviction_events, expected_rate, baseline_measurable,
--   baseline_binary_rate, baseline_expected_rate, baseline_frequency_rate, status, eligible,
--   ogrs_sum, baseline_reoffenders, baseline_reoffences, baseline_ogrs_sum, lower_threshold,
--   upper_threshold): line, column, value, reason; first by line, then by column position. Counts
--   are whole numbers >= 0, rates and thresholds decimals 0-1 (baseline_frequency_rate >= 0),
--   ogrs sums decimals >= 0, group treatment|comparison, status final|interim, reoffenders <=
--   measurable, one row per area, period and group, and an area of the contract (or ALL) when the
--   contract lists areas.
WITH cells AS (
  SELECT _line, col, value
  FROM (SELECT _line, area, period, "group", measurable, reoffenders, reoffences, reconviction_events,
          expected_rate, baseline_measurable, baseline_binary_rate, baseline_expected_rate,
          baseline_frequency_rate, status, eligible, ogrs_sum, baseline_reoffenders, baseline_reoffences,
          baseline_ogrs_sum, lower_threshold, upper_threshold FROM agg_raw)
  UNPIVOT INCLUDE NULLS (value FOR col IN (area, period, "group", measurable, reoffenders, reoffences,
    reconviction_events, expected_rate, baseline_measurable, baseline_binary_rate, baseline_expected_rate,
    baseline_frequency_rate, status, eligible, ogrs_sum, baseline_reoffenders, baseline_reoffences,
    baseline_ogrs_sum, lower_threshold, upper_threshold))),
cell_problems AS (
  SELECT _line, col, value,
    CASE
      WHEN (value IS NULL OR trim(value) = '') AND list_contains($required, col) THEN 'a value is required'
      WHEN value IS NULL OR trim(value) = '' THEN NULL
      WHEN col IN ('lower_threshold', 'upper_threshold') AND NOT $fixed THEN NULL
      WHEN col IN ('measurable', 'reoffenders', 'reoffences', 'reconviction_events', 'baseline_measurable',
                   'eligible', 'baseline_reoffenders', 'baseline_reoffences')
        AND coalesce(try_cast(trim(value) AS BIGINT) < 0, true) THEN 'expected a whole number >= 0'
      WHEN col IN ('ogrs_sum', 'baseline_ogrs_sum')
        AND coalesce(try_cast(trim(value) AS DECIMAL(38,12)) < 0, true) THEN 'expected a decimal >= 0 (the sum of OGRS over the measurable offenders)'
      WHEN col IN ('expected_rate', 'baseline_binary_rate', 'baseline_expected_rate', 'lower_threshold', 'upper_threshold')
        AND coalesce(NOT (try_cast(trim(value) AS DECIMAL(38,12)) BETWEEN 0 AND 1), true)
        THEN 'expected a decimal between 0 and 1 (0.456, not 45.6)'
      WHEN col = 'baseline_frequency_rate' AND coalesce(try_cast(trim(value) AS DECIMAL(38,12)) < 0, true)
        THEN 'expected a decimal >= 0'
      WHEN col = 'group' AND trim(value) NOT IN ('treatment', 'comparison') THEN 'expected treatment or comparison'
      WHEN col = 'status' AND trim(value) NOT IN ('final', 'interim') THEN 'expected final or interim'
    END AS reason
  FROM cells),
row_problems AS (
  SELECT _line, 'reoffenders' AS col, reoffenders AS value, 'reoffenders exceeds measurable' AS reason
  FROM agg_raw
  WHERE try_cast(trim(reoffenders) AS BIGINT) > try_cast(trim(measurable) AS BIGINT)
  UNION ALL
  SELECT _line, 'baseline_reoffenders', baseline_reoffenders, 'baseline_reoffenders exceeds baseline_measurable'
  FROM agg_raw
  WHERE try_cast(trim(baseline_reoffenders) AS BIGINT) > try_cast(trim(baseline_measurable) AS BIGINT)
  UNION ALL
  SELECT _line, 'area', area, 'not an area of the contract file (its areas: ' || array_to_string($areas, ', ') || ')'
  FROM agg_raw
  WHERE len($areas) > 0 AND trim(area) <> '' AND trim(area) <> 'ALL' AND NOT list_contains($areas, trim(area))
  UNION ALL
  SELECT _line, 'period', period, 'the same area, period and group appears on line ' || first_line || ' already'
  FROM (SELECT _line, period, min(_line) OVER (PARTITION BY trim(area), trim(period), coalesce(trim("group"), 'treatment')) AS first_line
        FROM agg_raw)
  WHERE _line > first_line)
SELECT _line AS line, col AS "column", value, reason
FROM (SELECT * FROM cell_problems WHERE reason IS NOT NULL UNION ALL SELECT * FROM row_problems)
ORDER BY _line, coalesce(list_position($columns, col), 999), reason
LIMIT 100;
