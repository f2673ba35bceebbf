-- name: pay_alt_input_run
-- params: (none)
-- returns: table assess_input (the shape pbr assess reads from an aggregates file) built from
--   person-level data, for the peterborough and doncaster schemes: one row per area, period and
--   group with the conviction-only counts of method.md section 10.
-- Definitions for person-level data:
--   * cohort = one cohort period of one area (the periods of `measures`; status and dates from there);
--   * whole pilot (peterborough) = all cohort periods of the area pooled (sums of counts), period 'ALL';
--   * baseline (doncaster) = the offender_outcomes rows with is_baseline (the contract's baseline
--     period) of the area, pooled; rows of a baseline-only period (not in measures) are not assessed.
--   measurable = persons with measurable; reoffenders = persons with conviction_only_reoffender;
--   reconviction_events = sum of conviction_only_events (court appearances ending in conviction).
CREATE OR REPLACE TABLE assess_input AS
WITH per AS (
  SELECT area, period, coalesce("group", 'treatment') AS grp,
    count(*) FILTER (WHERE measurable::BOOLEAN) AS measurable,
    coalesce(sum(conviction_only_reoffender::INTEGER) FILTER (WHERE measurable::BOOLEAN), 0) AS reoffenders,
    coalesce(sum(conviction_only_events) FILTER (WHERE measurable::BOOLEAN), 0) AS reconviction_events,
    bool_or(is_baseline::BOOLEAN) AS is_baseline
  FROM offender_outcomes GROUP BY area, period, coalesce("group", 'treatment'))
SELECT per.area, per.period, per.grp AS "group", per.measurable::BIGINT AS measurable,
  per.reoffenders::BIGINT AS reoffenders, NULL::BIGINT AS reoffences,
  per.reconviction_events::BIGINT AS reconviction_events, NULL::DECIMAL(38,12) AS expected_rate,
  NULL::BIGINT AS baseline_measurable, NULL::BIGINT AS baseline_reoffenders,
  NULL::DECIMAL(38,12) AS baseline_binary_rate, NULL::DECIMAL(38,12) AS baseline_expected_rate,
  NULL::DECIMAL(38,12) AS baseline_frequency_rate,
  m.status, m.period_start::DATE AS period_start, m.period_end::DATE AS period_end,
  per.is_baseline AND m.status IS NULL AS is_baseline,
  row_number() OVER (ORDER BY per.area, m.period_start NULLS FIRST, per.period, per.grp) AS row_order
FROM per LEFT JOIN measures m ON m.area = per.area AND m.period = per.period
WHERE m.status IS NOT NULL OR per.is_baseline;
