-- name: audit_reconcile_validate
-- params: (none)
-- returns: every problem of the provider's expected file (table rec_raw: _line and the columns
--          as text), one row per line and column: line, column, value, reason; ordered by line,
--          then column in file order. Empty when the file is good.
--
-- Rules (the input formats of the README conventions: booleans true/false, empty = missing):
-- person_id and period required; in_cohort true or false; reoffender true/false and reoffences a
-- whole number >= 0, both required when in_cohort is true (may be empty when false);
-- reoffender true needs reoffences >= 1 and reoffender false needs reoffences 0; a person_id and
-- period may appear once.
WITH checks AS (
  SELECT _line, 1 AS col_order, 'person_id' AS "column", person_id AS value,
         CASE WHEN person_id IS NULL OR trim(person_id) = '' THEN 'required: the person''s pseudonymised identifier' END AS reason
  FROM rec_raw
  UNION ALL
  SELECT _line, 2, 'period', period,
         CASE WHEN period IS NULL OR trim(period) = '' THEN 'required: the cohort period label (e.g. 2024Q1)' END
  FROM rec_raw
  UNION ALL
  SELECT _line, 3, 'in_cohort', in_cohort,
         CASE WHEN in_cohort IS NULL OR in_cohort NOT IN ('true', 'false') THEN 'expected true or false' END
  FROM rec_raw
  UNION ALL
  SELECT _line, 4, 'reoffender', reoffender,
         CASE
           WHEN reoffender IS NULL AND in_cohort = 'true' THEN 'required when in_cohort is true: true or false'
           WHEN reoffender IS NOT NULL AND reoffender NOT IN ('true', 'false') THEN 'expected true or false'
         END
  FROM rec_raw
  UNION ALL
  SELECT _line, 5, 'reoffences', reoffences,
         CASE
           WHEN reoffences IS NULL AND in_cohort = 'true' THEN 'required when in_cohort is true: a whole number >= 0'
           WHEN reoffences IS NOT NULL AND NOT regexp_full_match(reoffences, '[0-9]{1,9}') THEN 'expected a whole number >= 0'
           WHEN reoffender = 'true' AND regexp_full_match(reoffences, '[0-9]{1,9}') AND CAST(reoffences AS BIGINT) = 0
             THEN 'reoffender is true but reoffences is 0'
           WHEN reoffender = 'false' AND regexp_full_match(reoffences, '[0-9]{1,9}') AND CAST(reoffences AS BIGINT) > 0
             THEN 'reoffender is false but reoffences is above 0'
         END
  FROM rec_raw
  UNION ALL
  SELECT _line, 0, 'person_id', person_id,
         'duplicate person_id and period: ' || n || ' rows share it (first on line ' || first_line || ')'
  FROM (
    SELECT _line, person_id, count(*) OVER w AS n, min(_line) OVER w AS first_line
    FROM rec_raw
    WHERE person_id IS NOT NULL AND period IS NOT NULL
    WINDOW w AS (PARTITION BY person_id, period)
  )
  WHERE n > 1 AND _line > first_line
)
SELECT _line AS line, "column", value, reason
FROM checks
WHERE reason IS NOT NULL
ORDER BY _line, col_order
