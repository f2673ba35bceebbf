-- name: measure_outcomes
-- params: none (the table macro takes the population and one period label)
-- returns: table macro m_outcomes_for(pop, ps): the offender_outcomes rows of the periods ps, one per
--          person: the index start, measurability, counts and every offence near the window with
--          its reason. src/measure/index.ts fills offender_outcomes one period at a time, so the
--          batch of periods at a time (batches of about 1.5 million listed offences), so the
--          per-person lists of offences never have to be held for every period at once (that
--          aggregation does not spill, and at national scale x10 it would not fit in 2 GB).
--
-- method.md sections 2-3, per person. For a person who is not measurable (not PNC-matched) the
-- reoffending columns (reoffender, reoffences, reconviction_events, first_offence_date,
-- conviction_only_*) are NULL: the person's reoffending is not seen, so it is not zero either.
-- `offences` lists the offences near the window (see measure_offences) ordered by offence_date,
-- then offence_id in byte order; an empty list when there are none.
CREATE OR REPLACE TEMP MACRO m_outcomes_for(pop, ps) AS TABLE
WITH per_person AS (
  SELECT
    period, person_id,
    count(DISTINCT offence_id) FILTER (WHERE counted) AS reoffences,
    count(DISTINCT event_key) FILTER (WHERE counted AND disposal_type = 'CONVICTION') AS reconviction_events,
    min(offence_date) FILTER (WHERE counted) AS first_offence_date,
    count(DISTINCT event_key) FILTER (WHERE conviction_only) AS conviction_only_events,
    -- sorted by (offence_date, offence_id as bytes): list_sort on a struct whose leading fields are
    -- the sort key is much faster than an ordered aggregate; the key is then dropped
    list_transform(
      list_sort(list(struct_pack(
        sort_date := offence_date, sort_id := encode(offence_id),
        offence_id := offence_id, offence_date := offence_date, disposal_date := disposal_date,
        disposal_type := disposal_type, court_event_id := court_event_id, breach := breach,
        counted := counted, reason := reason
      ))),
      x -> struct_pack(
        offence_id := x.offence_id, offence_date := x.offence_date, disposal_date := x.disposal_date,
        disposal_type := x.disposal_type, court_event_id := x.court_event_id, breach := x.breach,
        counted := x.counted, reason := x.reason
      )
    ) AS offences
  FROM m_offences
  WHERE list_contains(ps, period)
  GROUP BY period, person_id
)
SELECT
  CAST(pop AS VARCHAR) AS population,
  i.period, i.period_start, i.period_end,
  i.in_cohort AS is_cohort,
  i.in_baseline AS is_baseline,
  i.area, i.person_id, i.index_start_id, i.index_date,
  i.start_type, i.sentence_length_days, i.allocation, i.sex, i.age, i.ogrs, i."group",
  i.measurable, i.not_measurable_reason,
  i.window_end, i.waiting_end,
  CASE WHEN i.measurable THEN coalesce(pp.reoffences, 0) > 0 END AS reoffender,
  CASE WHEN i.measurable THEN CAST(coalesce(pp.reoffences, 0) AS BIGINT) END AS reoffences,
  CASE WHEN i.measurable THEN CAST(coalesce(pp.reconviction_events, 0) AS BIGINT) END AS reconviction_events,
  CASE WHEN i.measurable THEN pp.first_offence_date END AS first_offence_date,
  CASE WHEN i.measurable THEN coalesce(pp.conviction_only_events, 0) > 0 END AS conviction_only_reoffender,
  CASE WHEN i.measurable THEN CAST(coalesce(pp.conviction_only_events, 0) AS BIGINT) END AS conviction_only_events,
  coalesce(pp.offences, []) AS offences
FROM m_index i
LEFT JOIN per_person pp ON pp.period = i.period AND pp.person_id = i.person_id
WHERE list_contains(ps, i.period);
