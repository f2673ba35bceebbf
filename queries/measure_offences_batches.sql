-- name: measure_offences_batches
-- params: $batch_rows (INTEGER) about this many index starts a batch
-- reads: m_index
-- returns: the batches in which src/measure/index.ts inserts m_offences (memory, not results), in
--          period order: (from_start, to_start 'YYYY-MM-DD'), disjoint ranges of period_start
--          that together cover every index start. Consecutive period starts are one batch while
--          the batch holds fewer than $batch_rows index starts before them (so a batch is at
--          least one period start, and never splits one). At national scale one batch; at ten
--          times, three: each joins a third of the index starts to the offences and sorts a
--          third of the rows (one join and sort of all of them held about 1 GB outside DuckDB's
--          memory limit).
WITH counts AS (
  SELECT period_start, count(*) AS n FROM m_index GROUP BY period_start
),
grouped AS (
  SELECT period_start, (sum(n) OVER (ORDER BY period_start) - n) // $batch_rows AS grp FROM counts
)
SELECT strftime(min(period_start), '%Y-%m-%d') AS from_start, strftime(max(period_start), '%Y-%m-%d') AS to_start
FROM grouped
GROUP BY grp
ORDER BY grp
