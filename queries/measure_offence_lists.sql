-- name: measure_offence_lists
-- params: none (the table macro takes a list of period labels)
-- returns: table macro m_offence_lists_for(ps): for the periods ps, one row per person and period
--          that has offences near the window: (period, person_id, offences), `offences` the list
--          of STRUCT(offence_id, offence_date, disposal_date, disposal_type, court_event_id,
--          breach, counted, reason) ordered by offence_date, then offence_id in byte order.
--
-- src/measure/index.ts fills table m_offence_lists a batch of periods at a time (about 1.5
-- million listed offences a batch): building lists is an aggregation that does not spill, so at
-- national scale x10 all periods at once would not fit in 2 GB.
-- The lists are sorted by list_sort on a struct whose leading fields are the sort key (much
-- faster than an ordered aggregate); VARCHAR order is byte order (no collation is ever set).
CREATE OR REPLACE TEMP MACRO m_offence_lists_for(ps) AS TABLE
SELECT
  period, person_id,
  list_transform(
    list_sort(list(struct_pack(
      sort_date := offence_date, sort_id := offence_id,
      r := struct_pack(
        offence_id := offence_id, offence_date := offence_date, disposal_date := disposal_date,
        disposal_type := disposal_type, court_event_id := court_event_id, breach := breach,
        counted := counted, reason := reason
      )
    ))),
    x -> x.r
  ) AS offences
FROM m_offences
WHERE list_contains(ps, period)
GROUP BY period, person_id;
