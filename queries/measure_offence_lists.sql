-- name: measure_offence_lists
-- params: none (the table macro takes a list of period labels, the first and last of their
--         period_start dates, and a share of the persons: part of parts, by hash of person_id)
-- returns: table macro m_offence_lists_for(ps, from_start, to_start, parts, part): for the
--          periods ps (whose period_start lie in from_start..to_start) and the persons with
--          hash(person_id) % parts = part, one row per person and period
--          that has offences near the window: (period, person_id, offences), `offences` the list
--          of STRUCT(offence_id, offence_date, disposal_date, disposal_type, court_event_id,
--          breach, counted, reason) ordered by offence_date, then offence_id in byte order.
--
-- src/measure/index.ts fills table m_offence_lists a batch at a time (at most about 750,000
-- listed offences: several periods, or a share of one period's persons): building lists is an
-- aggregation that does not spill, and its memory is not all within DuckDB's limit (at national
-- scale x10 with 2 GB, batches of a whole period, 2.6 million offences, took the process to 3.3 GB).
-- The lists are sorted by list_sort on a struct whose leading fields are the sort key (much
-- faster than an ordered aggregate); VARCHAR order is byte order (no collation is ever set).
CREATE OR REPLACE TEMP MACRO m_offence_lists_for(ps, from_start, to_start, parts, part) AS TABLE
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
-- the range lets the scan skip other periods' row groups (m_offences is in period_start order);
-- list_contains decides
WHERE period_start BETWEEN CAST(from_start AS DATE) AND CAST(to_start AS DATE) AND list_contains(ps, period)
  AND hash(person_id) % CAST(parts AS UBIGINT) = CAST(part AS UBIGINT)
GROUP BY period, person_id;
