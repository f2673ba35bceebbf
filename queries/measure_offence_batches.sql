-- name: measure_offence_batches
-- params: $batch_rows (INTEGER) at most this many listed offences a batch
-- reads: m_periods, m_offences
-- returns: the batches in which src/measure/index.ts builds m_offence_lists (memory, not results),
--          in period order: (periods VARCHAR[], from_start, to_start 'YYYY-MM-DD' (the first and
--          last period_start of the batch), parts INTEGER). Consecutive periods that together list
--          at most $batch_rows offences are one batch (parts = 1); a period that lists more is a
--          batch of its own, built in `parts` shares of its persons (by hash of person_id).
WITH counts AS (
  SELECT p.period, p.period_start, coalesce(o.n, 0) AS n,
         CAST(greatest(1, ceil(coalesce(o.n, 0) / $batch_rows)) AS INTEGER) AS parts
  FROM m_periods p LEFT JOIN (SELECT period, count(*) AS n FROM m_offences GROUP BY period) o USING (period)
),
grouped AS (
  SELECT period, period_start, parts,
         CASE WHEN parts = 1
              THEN 'g' || ((sum(CASE WHEN parts = 1 THEN n ELSE 0 END) OVER (ORDER BY period_start, period) - n) // $batch_rows)
              ELSE 'p' || period END AS grp
  FROM counts
)
SELECT list(period ORDER BY period_start, period) AS periods,
       strftime(min(period_start), '%Y-%m-%d') AS from_start, strftime(max(period_start), '%Y-%m-%d') AS to_start,
       max(parts) AS parts
FROM grouped
GROUP BY grp
ORDER BY min(period_start), grp
