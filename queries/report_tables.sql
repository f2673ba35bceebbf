-- name: report_tables
-- params: (none)
-- returns: the names of the tables the report may read that exist in this run's database
SELECT table_name
FROM duckdb_tables()
WHERE table_name IN ('measures', 'payments', 'pay_outcomes', 'offender_outcomes', 'breakdowns', 'areas', 'rejects')
ORDER BY table_name
