-- name: audit_extract
-- params: $area (VARCHAR): the area's code; $period (VARCHAR, NULL for every period)
-- returns: tables ext_outcomes (the rows of offender_outcomes.parquet, table x_outcomes, of the
--          area: one per person and period, cohort and baseline periods alike) and ext_offences
--          (the rows of offender_offences.parquet, table x_offences, of those persons and periods:
--          one per listed offence with whether it counted and why), for pbr extract. Old runs'
--          offences (a nested list, unnested by loadRunOutcomes) have no area of their own: an
--          offence belongs to the area of its person's row in that period.
CREATE OR REPLACE TEMP TABLE ext_outcomes AS
SELECT *
FROM x_outcomes
WHERE area = $area AND ($period IS NULL OR period = $period);
CREATE OR REPLACE TEMP TABLE ext_offences AS
SELECT u.population, o.period, u.period_start, u.area, o.person_id,
       o.offence_id, o.offence_date, o.disposal_date, o.disposal_type, o.court_event_id, o.breach,
       o.counted, o.reason
FROM x_offences o
JOIN ext_outcomes u ON u.period = o.period AND u.person_id = o.person_id;
