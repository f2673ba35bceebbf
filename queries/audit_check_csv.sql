-- name: audit_check_csv
-- params: (none)
-- returns: the rows of pbr check --out (table chk_result of audit_check_compare, in table order):
--          line, area, period, measure, published, run, difference, verdict, kind, tolerance,
--          published_value, area_given. Used inside COPY (...) TO.
--
-- Cells people open in a spreadsheet (safe_cell, queries/output_macros.sql): text is made safe;
-- published and run hold numbers and words alike, and a number (-1250.00) stays a number.
SELECT line, safe_cell(area) AS area, safe_cell(period) AS period, measure,
       CASE WHEN TRY_CAST(published AS DECIMAL(38,12)) IS NOT NULL THEN published ELSE safe_cell(published) END AS published,
       CASE WHEN TRY_CAST(run AS DECIMAL(38,12)) IS NOT NULL THEN run ELSE safe_cell(run) END AS run,
       difference, verdict, kind, nullif(tolerance, '') AS tolerance, published_value, safe_cell(area_given) AS area_given
FROM chk_result
ORDER BY line, col_order
