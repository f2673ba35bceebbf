-- name: report_breakdowns
-- params: $limit (INTEGER): at most this many rows
-- returns: the first $limit rows of `breakdowns` (its own columns, whatever they are), sorted by
--          every column in order, with the total row count in `_total`
SELECT *, CAST(count(*) OVER () AS INTEGER) AS _total
FROM breakdowns
ORDER BY ALL
LIMIT $limit
