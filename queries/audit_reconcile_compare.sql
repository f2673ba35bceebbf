-- name: audit_reconcile_compare
-- params: $area (VARCHAR): restrict the engine's cohort to this area (NULL: every area)
-- reads: r_outcomes, r_offences (the run's offender_outcomes.parquet and offender_offences.parquet)
-- returns: tables rec_expected (the provider's file, typed), rec_engine (the run's cohort rows of
--          offender_outcomes: table r_outcomes) and rec_disagreements: one row per person and
--          period where the provider and the engine disagree, with the kind, both views, the
--          engine's explanation, the area whose outcome it moves and the change it would make to
--          that area's measurable cohort (dn) and reoffenders (dr) if the provider's view held.
--
-- Engine's view: a person is in the cohort of a period when the run has a cohort row (is_cohort)
-- for them there, in the area (when $area is given), and they are measurable (PNC-matched): rates
-- use the measurable cohort (method.md section 2). Engine rows are compared only for the periods
-- the provider's file names. One kind per person and period, the first that applies:
--   not_in_provider_file         the engine counts them, the file has no row
--   not_in_engine_cohort         the file says in cohort, the engine does not count them
--   provider_says_not_in_cohort  the file says not in cohort, the engine counts them
--   reoffender_differs           both count them; reoffender differs
--   reoffences_differs           both count them and agree on reoffender; the number differs
CREATE OR REPLACE TEMP TABLE rec_expected AS
SELECT _line, person_id, period,
       in_cohort = 'true' AS in_cohort,
       CAST(reoffender AS BOOLEAN) AS reoffender,
       CAST(reoffences AS BIGINT) AS reoffences
FROM rec_raw;
CREATE OR REPLACE TEMP TABLE rec_all AS
SELECT o.period, o.period_start, o.area, o.person_id, o.index_start_id, o.index_date, o.measurable,
       o.not_measurable_reason, o.reoffender, o.reoffences, l.offences
FROM r_outcomes o
LEFT JOIN (SELECT period, person_id,
                  string_agg(offence_id || ' ' || reason, ', ' ORDER BY offence_date, encode(offence_id)) AS offences
           FROM r_offences GROUP BY period, person_id) l
  ON l.period = o.period AND l.person_id = o.person_id
WHERE o.is_cohort;
CREATE OR REPLACE TEMP TABLE rec_engine AS
SELECT * FROM rec_all
WHERE ($area IS NULL OR area = $area)
  AND period IN (SELECT period FROM rec_expected);
CREATE OR REPLACE TEMP TABLE rec_disagreements AS
WITH joined AS (
  SELECT
    coalesce(p.person_id, e.person_id) AS person_id,
    coalesce(p.period, e.period) AS period,
    p._line,
    p.person_id IS NOT NULL AS in_file,
    coalesce(p.in_cohort, false) AS provider_in_cohort,
    p.reoffender AS provider_reoffender,
    p.reoffences AS provider_reoffences,
    coalesce(e.measurable, false) AS engine_in_cohort,
    e.area AS engine_area,
    e.index_start_id, e.index_date,
    e.reoffender AS engine_reoffender,
    e.reoffences AS engine_reoffences,
    e.offences
  FROM rec_expected p
  FULL JOIN rec_engine e ON e.person_id = p.person_id AND e.period = p.period
),
kinds AS (
  SELECT *,
    CASE
      WHEN NOT in_file AND engine_in_cohort THEN 'not_in_provider_file'
      WHEN provider_in_cohort AND NOT engine_in_cohort THEN 'not_in_engine_cohort'
      WHEN in_file AND NOT provider_in_cohort AND engine_in_cohort THEN 'provider_says_not_in_cohort'
      WHEN provider_in_cohort AND engine_in_cohort AND provider_reoffender <> engine_reoffender THEN 'reoffender_differs'
      WHEN provider_in_cohort AND engine_in_cohort AND provider_reoffences <> engine_reoffences THEN 'reoffences_differs'
    END AS kind
  FROM joined
),
-- the person's cohort rows of this run in any area and period (for "why not in the cohort")
elsewhere AS (
  SELECT k.person_id, k.period,
    -- same period, any area (at most one: one index start per person and period)
    max(a.area) FILTER (WHERE a.period = k.period) AS same_area,
    bool_or(a.measurable) FILTER (WHERE a.period = k.period) AS same_measurable,
    max(coalesce(a.not_measurable_reason, 'not_pnc_matched')) FILTER (WHERE a.period = k.period) AS same_reason,
    max(a.index_start_id) FILTER (WHERE a.period = k.period) AS same_start,
    max(a.index_date) FILTER (WHERE a.period = k.period) AS same_date,
    string_agg(a.period || ' (area ' || a.area || ', start ' || a.index_start_id || ' on ' || strftime(a.index_date, '%Y-%m-%d') || ')', ', '
               ORDER BY a.period_start) FILTER (WHERE a.period <> k.period) AS other_periods
  FROM kinds k
  LEFT JOIN rec_all a ON a.person_id = k.person_id
  WHERE k.kind = 'not_in_engine_cohort'
  GROUP BY k.person_id, k.period
)
SELECT
  k.person_id, k.period, k._line AS line, k.kind,
  k.provider_in_cohort, k.provider_reoffender, k.provider_reoffences,
  k.engine_in_cohort, k.engine_reoffender, k.engine_reoffences,
  CASE
    WHEN k.kind = 'not_in_engine_cohort' THEN
      CASE
        WHEN x.same_area IS NOT NULL AND $area IS NOT NULL AND x.same_area <> $area THEN
          'index start in another area: ' || x.same_area || ' (start ' || x.same_start || ' on ' || strftime(x.same_date, '%Y-%m-%d') || ')'
        WHEN x.same_area IS NOT NULL AND NOT x.same_measurable THEN
          'eligible (area ' || x.same_area || ', start ' || x.same_start || ') but not measurable: ' || x.same_reason
        WHEN k.period NOT IN (SELECT period FROM rec_all) THEN
          'period ' || k.period || ' is not a cohort period of this run'
        WHEN x.other_periods IS NOT NULL THEN
          'not eligible in ' || k.period || '; index start in another period: ' || x.other_periods
        ELSE 'not eligible: no eligible start in ' || k.period || ' (and in no other cohort period of this run)'
      END
    WHEN k.kind IN ('not_in_provider_file', 'provider_says_not_in_cohort') THEN
      'eligible and measurable: index start ' || k.index_start_id || ' on ' || strftime(k.index_date, '%Y-%m-%d') || ' in area ' || k.engine_area
    ELSE
      coalesce(k.offences, 'no offence of the person near the follow-up window')
  END AS explanation,
  -- no cohort row in the period in any area, the period is the run's: the inputs can say why
  -- (audit_reconcile_eligibility refines the explanation when the run's data is still there)
  k.kind = 'not_in_engine_cohort' AND x.same_area IS NULL AND k.period IN (SELECT period FROM rec_all) AS not_eligible,
  x.other_periods,
  CASE
    WHEN k.engine_in_cohort THEN k.engine_area
    WHEN $area IS NOT NULL THEN $area
    ELSE x.same_area
  END AS effect_area,
  CASE k.kind
    WHEN 'not_in_engine_cohort' THEN 1
    WHEN 'not_in_provider_file' THEN -1
    WHEN 'provider_says_not_in_cohort' THEN -1
    ELSE 0
  END AS dn,
  CASE k.kind
    WHEN 'not_in_engine_cohort' THEN CASE WHEN k.provider_reoffender THEN 1 ELSE 0 END
    WHEN 'reoffender_differs' THEN CASE WHEN k.provider_reoffender THEN 1 ELSE -1 END
    WHEN 'reoffences_differs' THEN 0
    ELSE CASE WHEN k.engine_reoffender THEN -1 ELSE 0 END
  END AS dr
FROM kinds k
LEFT JOIN elsewhere x ON x.person_id = k.person_id AND x.period = k.period
WHERE k.kind IS NOT NULL;
