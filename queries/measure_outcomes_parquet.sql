-- name: measure_outcomes_parquet
-- params: (none)
-- reads: offender_outcomes
-- returns: the rows of offender_outcomes.parquet (the outputs listed in the README): one row per person and
--          period, flat columns only, ORDER BY period_start, area, person_id, period (byte
--          order: no collation is ever set; period parts an annual top-up period from the quarter
--          starting the same day). is_annual (appended, v2): the row is of an annual top-up
--          period (method.md section 12). Used inside COPY (...) TO by writeOutcomesParquet.
SELECT
  population, period, period_start, period_end, is_cohort, is_baseline, area, person_id,
  index_start_id, index_date, start_type, sentence_length_days, allocation, sex, age, ogrs,
  "group", measurable, not_measurable_reason, window_end, waiting_end, reoffender, reoffences,
  reconviction_events, first_offence_date, conviction_only_reoffender, conviction_only_events, is_annual
FROM offender_outcomes
ORDER BY period_start, area, person_id, period
