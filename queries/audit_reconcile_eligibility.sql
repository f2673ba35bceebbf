-- name: audit_reconcile_eligibility
-- params: $allocation (VARCHAR), $start_types (VARCHAR[]), $exclude_em_only (BOOLEAN),
--         $min_age (INTEGER), $min_custody_days (INTEGER): the run's population (contract)
-- returns: rec_disagreements updated: for a person the provider counts but who has no cohort row
--          of the run in that period (not_eligible), the explanation names why from the run's own
--          inputs (tables cohort and starts, loaded and validated as pbr run does): unknown
--          person_id, no start in the period, or each start of the period with the first rule of
--          method.md section 2 it fails (in the rule order 1-5); period bounds from measures.csv
--          (table r_measures).
CREATE OR REPLACE TEMP TABLE rec_eligibility AS
WITH periods AS (
  SELECT DISTINCT period, period_start, period_end FROM r_measures
),
targets AS (
  SELECT DISTINCT d.person_id, d.period, p.period_start, p.period_end
  FROM rec_disagreements d
  JOIN periods p ON p.period = d.period
  WHERE d.not_eligible
),
per_start AS (
  SELECT t.person_id, t.period, s.start_id, s.start_date,
    CASE
      WHEN s.allocation <> $allocation::VARCHAR THEN
        'allocation ' || s.allocation || ' (population.allocation ' || $allocation::VARCHAR || ')'
      WHEN NOT list_contains($start_types::VARCHAR[], s.start_type) THEN
        'start type ' || s.start_type || ' not in population.start_types'
      WHEN s.em_only AND $exclude_em_only::BOOLEAN THEN 'EM-only order (population.exclude_em_only)'
      WHEN year(s.start_date) - year(c.date_of_birth)
             - CASE WHEN month(s.start_date) < month(c.date_of_birth)
                      OR (month(s.start_date) = month(c.date_of_birth) AND day(s.start_date) < day(c.date_of_birth))
                    THEN 1 ELSE 0 END < $min_age::INTEGER THEN
        'age ' || (year(s.start_date) - year(c.date_of_birth)
             - CASE WHEN month(s.start_date) < month(c.date_of_birth)
                      OR (month(s.start_date) = month(c.date_of_birth) AND day(s.start_date) < day(c.date_of_birth))
                    THEN 1 ELSE 0 END) || ' < population.min_age ' || $min_age::INTEGER
      WHEN s.start_type = 'CUSTODY_RELEASE' AND s.sentence_length_days < $min_custody_days::INTEGER THEN
        'custody of ' || s.sentence_length_days || ' day(s) < population.min_custody_days ' || $min_custody_days::INTEGER
      ELSE 'eligible (no cohort row: contact the engine''s maintainers)'
    END AS why
  FROM targets t
  JOIN starts s ON s.person_id = t.person_id AND s.start_date BETWEEN t.period_start AND t.period_end
  JOIN cohort c ON c.person_id = s.person_id
)
SELECT t.person_id, t.period,
  CASE
    WHEN NOT EXISTS (SELECT 1 FROM cohort c WHERE c.person_id = t.person_id) THEN
      'person_id ' || t.person_id || ' is not in the cohort extract'
    WHEN count(ps.start_id) = 0 THEN
      'no start in ' || t.period || ' (' || strftime(t.period_start, '%Y-%m-%d') || ' to ' || strftime(t.period_end, '%Y-%m-%d') || ')'
    ELSE
      'no eligible start in ' || t.period || ': '
      || string_agg(ps.start_id || ' on ' || strftime(ps.start_date, '%Y-%m-%d') || ' ' || ps.why, ', '
                    ORDER BY ps.start_date, encode(ps.start_id))
  END AS why
FROM targets t
LEFT JOIN per_start ps ON ps.person_id = t.person_id AND ps.period = t.period
GROUP BY t.person_id, t.period, t.period_start, t.period_end;
UPDATE rec_disagreements d
SET explanation = 'not eligible: ' || e.why || coalesce('; index start in another period: ' || d.other_periods, '')
FROM rec_eligibility e
WHERE e.person_id = d.person_id AND e.period = d.period AND d.not_eligible;
