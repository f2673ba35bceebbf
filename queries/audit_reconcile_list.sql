-- name: audit_reconcile_list
-- params: (none)
-- returns: the disagreements (table rec_disagreements) for printing and CSV: kind, person_id,
--          period, area (whose outcome it moves; NULL when unknown), line of the provider's file
--          (NULL: not in it), both views and the engine's explanation; ordered by kind (in the
--          order of audit_reconcile_counts), period, person_id in byte order
SELECT kind, person_id, period, effect_area AS area, line,
       provider_in_cohort, provider_reoffender, provider_reoffences,
       engine_in_cohort, engine_reoffender, engine_reoffences,
       explanation
FROM rec_disagreements
ORDER BY list_position(['not_in_engine_cohort', 'not_in_provider_file', 'provider_says_not_in_cohort',
                        'reoffender_differs', 'reoffences_differs'], kind),
         encode(period), encode(person_id)
