-- name: pay_assess_load
-- params: $as_of (VARCHAR date or NULL), $final_months (INTEGER), $scheme (VARCHAR),
--   $baseline_from, $baseline_to (VARCHAR dates), $contract_areas (VARCHAR: JSON list of
--   {cpa, name, ord} from the contract's areas, may be empty), $top_up (VARCHAR: cohort.top_up)
-- returns: table assess_input (typed aggregates; see pay_alt_input_run.sql for the shape) and table
--   areas(cpa, name, area_order) for pbr assess, from agg_raw (checked by pay_assess_check.sql).
-- Period labels `2015Q4`, `2011` and `2019-20` give the period's dates (method.md section 1); a
-- row's status is its `status` column when given, else `final` when as_of is known and
-- as_of >= add_months(period_end, follow_up.months + waiting_months), `interim` when as_of is known
-- and earlier, and `final` when as_of is not known or the label is not one of those forms
-- (published counts are final results). Rows without a group are the treatment group.
-- doncaster: a row without baseline columns whose period lies inside the contract's baseline
-- (baseline.from .. baseline.to) is a baseline row (pooled per area), not a cohort.
-- period_type: quarter, year or financial-year from the label's form (NULL for other labels);
-- period_kind 'annual' for a label of the form cohort.top_up names (2019 for year, 2019-20 for
-- financial-year: an annual top-up period, method.md section 12), else 'cohort'.
-- The exact numerators of measures.csv (ogrs_sum, baseline_reoffenders, baseline_reoffences,
-- baseline_ogrs_sum), eligible and the fixed bounds (lower_threshold, upper_threshold) are read
-- when present (NULL when the file has no such column or the field is empty).
CREATE OR REPLACE TABLE assess_input AS
WITH t AS (
  SELECT *, trim(period) AS p,
    CASE
      WHEN regexp_full_match(trim(period), '[0-9]{4}Q[1-4]') THEN
        make_date(CAST(left(trim(period), 4) AS INTEGER), (CAST(right(trim(period), 1) AS INTEGER) - 1) * 3 + 1, 1)
      WHEN regexp_full_match(trim(period), '[0-9]{4}') THEN make_date(CAST(trim(period) AS INTEGER), 1, 1)
      WHEN regexp_full_match(trim(period), '[0-9]{4}-[0-9]{2}')
        AND (CAST(left(trim(period), 4) AS INTEGER) + 1) % 100 = CAST(right(trim(period), 2) AS INTEGER) THEN
        make_date(CAST(left(trim(period), 4) AS INTEGER), 4, 1)
    END AS ps
  FROM agg_raw),
d AS (
  SELECT *,
    CASE
      WHEN regexp_full_match(p, '[0-9]{4}Q[1-4]') THEN last_day(ps + INTERVAL 2 MONTH)
      WHEN regexp_full_match(p, '[0-9]{4}') THEN make_date(year(ps), 12, 31)
      WHEN ps IS NOT NULL THEN make_date(year(ps) + 1, 3, 31)
    END::DATE AS pe
  FROM t)
SELECT trim(area) AS area, p AS period, coalesce(nullif(trim("group"), ''), 'treatment') AS "group",
  CAST(trim(measurable) AS BIGINT) AS measurable, CAST(trim(reoffenders) AS BIGINT) AS reoffenders,
  CAST(trim(reoffences) AS BIGINT) AS reoffences, CAST(trim(reconviction_events) AS BIGINT) AS reconviction_events,
  CAST(trim(expected_rate) AS DECIMAL(38,12)) AS expected_rate,
  CAST(trim(baseline_measurable) AS BIGINT) AS baseline_measurable,
  CAST(nullif(trim(baseline_reoffenders), '') AS BIGINT) AS baseline_reoffenders,
  CAST(trim(baseline_binary_rate) AS DECIMAL(38,12)) AS baseline_binary_rate,
  CAST(trim(baseline_expected_rate) AS DECIMAL(38,12)) AS baseline_expected_rate,
  CAST(trim(baseline_frequency_rate) AS DECIMAL(38,12)) AS baseline_frequency_rate,
  coalesce(nullif(trim(status), ''),
    CASE WHEN $as_of IS NULL OR pe IS NULL THEN 'final'
         WHEN CAST($as_of AS DATE) >= CAST(pe + to_months($final_months) AS DATE) THEN 'final'
         ELSE 'interim' END) AS status,
  ps::DATE AS period_start, pe AS period_end,
  CASE WHEN regexp_full_match(p, '[0-9]{4}Q[1-4]') THEN 'quarter'
       WHEN regexp_full_match(p, '[0-9]{4}') THEN 'year'
       WHEN ps IS NOT NULL THEN 'financial-year' END AS period_type,
  CASE WHEN ps IS NOT NULL AND $top_up <> 'none'
         AND $top_up = CASE WHEN regexp_full_match(p, '[0-9]{4}') THEN 'year'
                            WHEN regexp_full_match(p, '[0-9]{4}-[0-9]{2}') THEN 'financial-year' END
       THEN 'annual' ELSE 'cohort' END AS period_kind,
  CAST(nullif(trim(eligible), '') AS BIGINT) AS eligible,
  CAST(nullif(trim(ogrs_sum), '') AS DECIMAL(38,12)) AS ogrs_sum,
  CAST(nullif(trim(baseline_reoffences), '') AS BIGINT) AS baseline_reoffences,
  CAST(nullif(trim(baseline_ogrs_sum), '') AS DECIMAL(38,12)) AS baseline_ogrs_sum,
  CAST(nullif(trim(lower_threshold), '') AS DECIMAL(18,12)) AS lower_threshold,
  CAST(nullif(trim(upper_threshold), '') AS DECIMAL(18,12)) AS upper_threshold,
  ($scheme = 'doncaster' AND nullif(trim(baseline_binary_rate), '') IS NULL AND ps IS NOT NULL
     AND ps >= CAST($baseline_from AS DATE) AND pe <= CAST($baseline_to AS DATE)) AS is_baseline,
  _line AS row_order
FROM d;
CREATE OR REPLACE TABLE areas AS
WITH c AS (
  SELECT cpa, name, ord FROM (SELECT unnest(from_json($contract_areas,
    '[{"cpa":"VARCHAR","name":"VARCHAR","ord":"INTEGER"}]'), recursive := true))),
f AS (SELECT area, min(row_order) AS first_line FROM assess_input GROUP BY area)
SELECT coalesce(c.cpa, f.area) AS cpa, coalesce(c.name, f.area) AS name,
  CAST(row_number() OVER (ORDER BY c.ord NULLS LAST, f.first_line, f.area) AS INTEGER) AS area_order
FROM c FULL JOIN f ON f.area = c.cpa;
