-- name: measure_outcomes
-- params: $population (VARCHAR)
-- returns: table offender_outcomes: one row per person and period of m_index: the index start,
--          measurability and the counts (the flat columns of offender_outcomes.parquet; the
--          per-person offence lists are added when the file is written, measure_offence_lists)
--
-- method.md sections 2-3, per person. For a person who is not measurable (not PNC-matched) the
-- reoffending columns (reoffender, reoffences, reconviction_events, first_offence_date,
-- conviction_only_*) are NULL: the person's reoffending is not seen, so it is not zero either.
-- reoffences counts distinct offence_ids: the validator rejects a repeated offence_id, and should
-- one reach us (--allow-rejects keeps neither row, but a baseline file or a future reader might)
-- it still counts once.
CREATE OR REPLACE TABLE offender_outcomes AS
WITH per_person AS (
  SELECT
    period, person_id,
    count(DISTINCT offence_id) FILTER (WHERE counted) AS reoffences,
    count(DISTINCT event_key) FILTER (WHERE counted AND disposal_type = 'CONVICTION') AS reconviction_events,
    min(offence_date) FILTER (WHERE counted) AS first_offence_date,
    count(DISTINCT event_key) FILTER (WHERE conviction_only) AS conviction_only_events
  FROM m_offences
  GROUP BY period, person_id
)
SELECT
  CAST($population AS VARCHAR) AS population,
  i.period, i.period_start, i.period_end,
  i.in_cohort AS is_cohort,
  i.in_baseline AS is_baseline,
  -- an annual top-up period (method.md section 12): neither a cohort nor a baseline period
  i.is_annual,
  i.area, i.person_id, i.index_start_id, i.index_date,
  i.start_type, i.sentence_length_days, i.allocation, i.sex, i.age, i.ogrs, i."group",
  i.measurable, i.not_measurable_reason,
  i.window_end, i.waiting_end,
  CASE WHEN i.measurable THEN coalesce(pp.reoffences, 0) > 0 END AS reoffender,
  CASE WHEN i.measurable THEN CAST(coalesce(pp.reoffences, 0) AS BIGINT) END AS reoffences,
  CASE WHEN i.measurable THEN CAST(coalesce(pp.reconviction_events, 0) AS BIGINT) END AS reconviction_events,
  CASE WHEN i.measurable THEN pp.first_offence_date END AS first_offence_date,
  CASE WHEN i.measurable THEN coalesce(pp.conviction_only_events, 0) > 0 END AS conviction_only_reoffender,
  CASE WHEN i.measurable THEN CAST(coalesce(pp.conviction_only_events, 0) AS BIGINT) END AS conviction_only_events
FROM m_index i
LEFT JOIN per_person pp ON pp.period = i.period AND pp.person_id = i.person_id;
