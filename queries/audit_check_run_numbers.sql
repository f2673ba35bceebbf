-- name: audit_check_run_numbers
-- params: (none)
-- returns: the first figure of the run's file (table c_figs: _line, area, period and every other
--          column as text, '' = empty) that should be a number (its kind in chk_kinds is not
--          text) and is not: line, measure, value. No row when the file is sound.
WITH cells AS (
  UNPIVOT c_figs ON COLUMNS(* EXCLUDE (_line, area, period)) INTO NAME measure VALUE value
)
SELECT CAST(c._line AS VARCHAR) AS line, c.measure, c.value
FROM cells c
JOIN chk_kinds k ON k.measure = c.measure
WHERE k.kind <> 'text' AND c.value <> '' AND TRY_CAST(c.value AS DECIMAL(38,12)) IS NULL
ORDER BY c._line, c.measure
LIMIT 1
