-- name: measure_index
-- params: $period_type (VARCHAR), $top_up (VARCHAR: none | year | financial-year), $allocation (VARCHAR), $start_types (VARCHAR[]), $exclude_em_only (BOOLEAN),
--         $min_age (INTEGER), $min_custody_days (INTEGER), $months (INTEGER),
--         $waiting_months (INTEGER)
-- returns: table m_index: one row per person and period (cohort and baseline periods) with the
--          index start, the person's area, age, measurability and the follow-up dates
--
-- method.md section 2 (who is in a cohort) and section 1 (ages, add_months).
--  * Age in completed years from year/month/day parts: the birthday of someone born on
--    29 February is reached on 1 March in common years (the (month, day) comparison does it).
--  * A start is eligible when every rule 1-6 holds; the index start is the earliest ELIGIBLE
--    start of the person in the period, ties broken by start_id in byte order (compared as BLOB,
--    so no collation setting can change it).
--  * window_end = add_months(index_date, months); waiting_end = add_months(index_date,
--    months + waiting_months); DuckDB's DATE + INTERVAL n MONTH clamps to the month end.
CREATE OR REPLACE TABLE m_index AS
WITH starts_in_periods AS (
  -- aligned periods: equi-join on the first day of the start's period (macro from measure_periods),
  -- the same as start_date BETWEEN period_start AND period_end and much faster than a range join;
  -- the (rare) unaligned baseline period: a range join. m_periods is a few dozen rows.
  SELECT s.*, p.period, p.period_start, p.period_end, p.in_cohort, p.in_baseline, p.is_annual
  FROM starts s JOIN m_periods p ON p.aligned AND NOT p.is_annual AND p.period_start = m_period_first_day(s.start_date, $period_type::VARCHAR)
  UNION ALL
  SELECT s.*, p.period, p.period_start, p.period_end, p.in_cohort, p.in_baseline, p.is_annual
  FROM starts s JOIN m_periods p ON NOT p.aligned AND s.start_date BETWEEN p.period_start AND p.period_end
  UNION ALL
  -- annual top-up periods (method.md section 12): the same equi-join on the first day of the
  -- start's year (empty when cohort.top_up is none)
  SELECT s.*, p.period, p.period_start, p.period_end, p.in_cohort, p.in_baseline, p.is_annual
  FROM starts s JOIN m_periods p ON p.is_annual AND p.period_start = m_period_first_day(s.start_date, $top_up::VARCHAR)
),
aged AS (
  SELECT
    s.period, s.period_start, s.period_end, s.in_cohort, s.in_baseline, s.is_annual,
    s.start_id, s.person_id, s.start_date, s.start_type, s.sentence_length_days, s.cpa,
    s.allocation, s.em_only, s.ogrs,
    c.date_of_birth, c.sex, c.pnc_matched, c."group",
    year(s.start_date) - year(c.date_of_birth)
      - CASE
          WHEN month(s.start_date) < month(c.date_of_birth)
            OR (month(s.start_date) = month(c.date_of_birth) AND day(s.start_date) < day(c.date_of_birth))
          THEN 1 ELSE 0
        END AS age
  FROM starts_in_periods s
  JOIN cohort c ON c.person_id = s.person_id
),
eligible AS (
  SELECT *
  FROM aged
  WHERE allocation = $allocation::VARCHAR
    AND list_contains($start_types::VARCHAR[], start_type)
    AND NOT (em_only AND $exclude_em_only::BOOLEAN)
    AND age >= $min_age::INTEGER
    AND (start_type <> 'CUSTODY_RELEASE' OR sentence_length_days >= $min_custody_days::INTEGER)
),
ranked AS (
  SELECT *
  FROM eligible
  QUALIFY row_number() OVER (PARTITION BY period, person_id ORDER BY start_date, encode(start_id)) = 1
)
SELECT
  period, period_start, period_end, in_cohort, in_baseline, is_annual,
  cpa AS area,
  person_id,
  start_id AS index_start_id,
  start_date AS index_date,
  start_type, sentence_length_days, allocation, em_only,
  sex, date_of_birth, CAST(age AS INTEGER) AS age, ogrs, "group",
  pnc_matched AS measurable,
  CASE WHEN NOT pnc_matched THEN 'not_pnc_matched' END AS not_measurable_reason,
  CAST(start_date + to_months($months::INTEGER) AS DATE) AS window_end,
  CAST(start_date + to_months($months::INTEGER + $waiting_months::INTEGER) AS DATE) AS waiting_end,
  -- offences listed in offender_outcomes ("near the window"): offence_date from
  -- add_months(index_date, -months) to waiting_end
  CAST(start_date - to_months($months::INTEGER) AS DATE) AS near_from
FROM ranked;
