-- name: measure_offences_parquet
-- params: $population (VARCHAR)
-- reads: m_offences
-- returns: the rows of offender_offences.parquet (the outputs listed in the README): one row per person,
--          period and offence listed for them, that is every offence of the person from
--          add_months(index_date, -follow_up.months) to the end of the waiting period, with
--          whether it counted and the reason (measure_offences). A person with no such offence
--          has no row here (their row of offender_outcomes.parquet says 0 reoffences).
--          ORDER BY period_start, area, person_id, period, offence_date, offence_id (byte order;
--          period parts an annual top-up period from the quarter starting the same day).
--          Used inside COPY (...) TO by writeOutcomesParquet.
SELECT
  CAST($population AS VARCHAR) AS population, period, period_start, area, person_id,
  offence_id, offence_date, disposal_date, disposal_type, court_event_id, breach, counted, reason
FROM m_offences
ORDER BY period_start, area, person_id, period, offence_date, offence_id
