-- name: measure_outcomes_parquet
-- params: (none)
-- reads: offender_outcomes, m_offence_lists
-- returns: the rows of offender_outcomes.parquet, ORDER BY period_start, area, person_id (byte
--          order: no collation is ever set): the columns of offender_outcomes and `offences`
--          (measure_offence_lists; an empty list when the person has no offence near the window).
--          Used inside COPY (...) TO by writeMeasureOutputs.
SELECT
  o.population, o.period, o.period_start, o.period_end, o.is_cohort, o.is_baseline, o.area, o.person_id,
  o.index_start_id, o.index_date, o.start_type, o.sentence_length_days, o.allocation, o.sex, o.age, o.ogrs,
  o."group", o.measurable, o.not_measurable_reason, o.window_end, o.waiting_end, o.reoffender, o.reoffences,
  o.reconviction_events, o.first_offence_date, o.conviction_only_reoffender, o.conviction_only_events,
  coalesce(l.offences, []) AS offences
FROM offender_outcomes o
LEFT JOIN m_offence_lists l ON l.period = o.period AND l.person_id = o.person_id
ORDER BY o.period_start, o.area, o.person_id
