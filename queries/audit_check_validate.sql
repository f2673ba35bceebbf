-- name: audit_check_validate
-- params: $measures (VARCHAR[]): every measure name pbr check knows; $numeric (VARCHAR[]): those
--         whose value is a number
-- returns: every problem of the published table (table chk_raw: _line, area, period, measure,
--          value as text): line, column, value, reason; ordered by line, then column. Empty when
--          the file is good.
--
-- area, period and measure are required; measure must be a known name (a column of measures.csv,
-- payment_total, or a payment component); the value of a numeric measure is a plain decimal
-- (digits, optional sign and point: rates as decimals, 0.4561 not 45.61%) or empty (no figure);
-- an area, period and measure may appear once.
WITH checks AS (
  SELECT _line, 1 AS col_order, 'area' AS "column", area AS value,
         CASE WHEN area IS NULL OR trim(area) = '' THEN 'required: the area code (or ALL)' END AS reason
  FROM chk_raw
  UNION ALL
  SELECT _line, 2, 'period', period,
         CASE WHEN period IS NULL OR trim(period) = '' THEN 'required: the period label as in measures.csv or payments.csv' END
  FROM chk_raw
  UNION ALL
  SELECT _line, 3, 'measure', measure,
         CASE
           WHEN measure IS NULL OR trim(measure) = '' THEN 'required: the measure name'
           WHEN NOT list_contains($measures::VARCHAR[], measure) THEN
             'unknown measure; one of ' || array_to_string($measures::VARCHAR[], ', ')
         END
  FROM chk_raw
  UNION ALL
  SELECT _line, 4, 'value', value,
         CASE
           WHEN list_contains($numeric::VARCHAR[], measure) AND value IS NOT NULL
                AND NOT regexp_full_match(trim(value), '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)')
             THEN 'expected a plain decimal number (rates as decimals: 0.4561, not 45.61%) or an empty field'
         END
  FROM chk_raw
  UNION ALL
  SELECT _line, 0, 'measure', measure,
         'duplicate area, period and measure: ' || n || ' rows share it (first on line ' || first_line || ')'
  FROM (
    SELECT _line, measure, count(*) OVER w AS n, min(_line) OVER w AS first_line
    FROM chk_raw
    WHERE area IS NOT NULL AND period IS NOT NULL AND measure IS NOT NULL
    WINDOW w AS (PARTITION BY area, period, measure)
  )
  WHERE n > 1 AND _line > first_line
)
SELECT _line AS line, "column", value, reason
FROM checks
WHERE reason IS NOT NULL
ORDER BY _line, col_order
