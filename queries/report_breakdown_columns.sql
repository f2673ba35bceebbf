-- name: report_breakdown_columns
-- params: (none)
-- returns: the column names of table breakdowns (to check its shape before reading it)
SELECT column_name FROM duckdb_columns() WHERE table_name = 'breakdowns' ORDER BY column_index
