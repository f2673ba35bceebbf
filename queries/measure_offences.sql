-- name: measure_offences
-- params: $disposals (VARCHAR[]), $exclude_breaches (BOOLEAN), $as_of (DATE)
-- returns: table m_offences: one row per (person, period) and offence of that person "near the
--          window", with whether it counted and the reason (the rows of offender_offences.parquet)
--
-- method.md section 3. "Near the window" (our choice, the spec is silent): offence_date from
-- add_months(index_date, -follow_up.months) to add_months(index_date, months + waiting_months)
-- inclusive; offences further away can never count and are not listed.
-- Each offence gets ONE reason: the first rule it fails, in this order:
--   before_index (offence_date < index_date), on_index_date (offence_date = index_date),
--   after_window (offence_date > add_months(i, months)), not_proven (disposal_type not in
--   proven.disposals, e.g. OTHER; CAUTION when only CONVICTION is proven), breach (breach and
--   proven.exclude_breaches), after_waiting_period (disposal_date > add_months(i, months +
--   waiting_months)), after_as_of (disposal_date > as_of), not_measurable (the person is not
--   PNC-matched: would otherwise have counted, but the person is outside the measurable cohort),
--   else counted.
-- conviction_only: the offence passes every rule except the disposals list and its disposal is
-- a CONVICTION (for the Peterborough / Doncaster schemes, which count conviction-only disposals).
-- event_key groups CONVICTION offences into reconviction events: by court_event_id, or by
-- disposal_date when court_event_id is empty (prefixes keep the two kinds apart).
CREATE OR REPLACE TABLE m_offences AS
WITH joined AS (
  SELECT
    i.period, i.period_start, i.area, i.person_id, i.index_date, i.window_end, i.waiting_end, i.measurable,
    r.offence_id, r.offence_date, r.disposal_date, r.disposal_type, r.court_event_id, r.breach
  FROM m_index i
  JOIN reconvictions r
    ON r.person_id = i.person_id
   AND r.offence_date BETWEEN i.near_from AND i.waiting_end
),
reasoned AS (
  SELECT *,
    CASE
      WHEN offence_date < index_date THEN 'before_index'
      WHEN offence_date = index_date THEN 'on_index_date'
      WHEN offence_date > window_end THEN 'after_window'
      WHEN NOT list_contains($disposals::VARCHAR[], disposal_type) THEN 'not_proven'
      WHEN breach AND $exclude_breaches::BOOLEAN THEN 'breach'
      WHEN disposal_date > waiting_end THEN 'after_waiting_period'
      WHEN disposal_date > $as_of::DATE THEN 'after_as_of'
      WHEN NOT measurable THEN 'not_measurable'
      ELSE 'counted'
    END AS reason,
    measurable
      AND offence_date > index_date AND offence_date <= window_end
      AND disposal_type = 'CONVICTION'
      AND NOT (breach AND $exclude_breaches::BOOLEAN)
      AND disposal_date <= waiting_end AND disposal_date <= $as_of::DATE AS conviction_only,
    CASE
      WHEN court_event_id IS NOT NULL THEN 'E:' || court_event_id
      ELSE 'D:' || strftime(disposal_date, '%Y-%m-%d')
    END AS event_key
  FROM joined
)
SELECT
  period, period_start, area, person_id, offence_id, offence_date, disposal_date, disposal_type,
  court_event_id, breach, reason = 'counted' AS counted, reason, conviction_only, event_key
FROM reasoned;
