-- name: audit_reconcile_counts
-- params: (none)
-- returns: the number of disagreements of each kind (every kind listed, zero included), in a
--          fixed order, and the number of rows and persons of the provider's file
WITH kinds AS (
  SELECT unnest(['not_in_engine_cohort', 'not_in_provider_file', 'provider_says_not_in_cohort',
                 'reoffender_differs', 'reoffences_differs']) AS kind,
         unnest(range(1, 6)) AS ord
)
SELECT k.kind, CAST(count(d.kind) AS BIGINT) AS n,
       (SELECT count(*) FROM rec_expected) AS file_rows,
       (SELECT count(DISTINCT person_id) FROM rec_expected) AS file_persons
FROM kinds k
LEFT JOIN rec_disagreements d ON d.kind = k.kind
GROUP BY k.kind, k.ord
ORDER BY k.ord
