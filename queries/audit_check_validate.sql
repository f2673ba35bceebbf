-- name: audit_check_validate
-- params: $measures (VARCHAR[]): every measure name pbr check knows (for the message)
-- returns: every problem of the published table (table chk_pub of audit_check_prepare): line,
--          column, value, reason; ordered by line, then column. Empty when the table is good.
--
-- area and period are required; an area name must belong to one area only; the measure must be a
-- known name (a column of measures.csv or outcomes.csv, payment_total, or a payment component);
-- a number must read as one (audit_check_prepare's problem); an area, period and measure may
-- appear once.
WITH checks AS (
  SELECT _line, 1 AS col_order, 'area' AS "column", area_given AS value,
         CASE
           WHEN area_given IS NULL OR trim(area_given) = '' THEN 'required: the area code or name (or ALL)'
           WHEN ambiguous_area THEN 'an area name that several areas of the contract share; give the area code'
         END AS reason
  FROM chk_pub
  UNION ALL
  SELECT _line, 2, 'period', period,
         CASE WHEN period IS NULL OR period = '' THEN 'required: the period label as in measures.csv or payments.csv' END
  FROM chk_pub
  UNION ALL
  SELECT _line, 3, 'measure', measure_given,
         CASE
           WHEN measure_given IS NULL OR trim(measure_given) = '' THEN 'required: the measure name'
           WHEN kind IS NULL THEN 'unknown measure; one of ' || array_to_string($measures::VARCHAR[], ', ')
         END
  FROM chk_pub
  UNION ALL
  SELECT _line, 4 + col_order, "column", value, problem
  FROM chk_pub
  UNION ALL
  SELECT _line, 0, 'measure', measure,
         'duplicate area, period and measure: ' || n || ' rows share it (first on line ' || first_line || ')'
  FROM (
    SELECT _line, measure, count(*) OVER w AS n, min(_line) OVER w AS first_line
    FROM chk_pub
    WHERE area IS NOT NULL AND period IS NOT NULL AND measure IS NOT NULL AND kind IS NOT NULL
    WINDOW w AS (PARTITION BY area, period, measure)
  )
  WHERE n > 1 AND _line > first_line
)
SELECT _line AS line, "column", value, reason
FROM checks
WHERE reason IS NOT NULL
ORDER BY _line, col_order
