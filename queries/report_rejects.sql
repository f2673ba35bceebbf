-- name: report_rejects
-- params: (none)
-- returns: rejected input rows counted per file and reason (most frequent first)
SELECT file, reason, CAST(count(*) AS INTEGER) AS rows
FROM rejects
GROUP BY file, reason
ORDER BY file, count(*) DESC, reason
