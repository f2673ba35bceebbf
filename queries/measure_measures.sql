-- name: measure_measures
-- params: $population (VARCHAR), $adjustment (VARCHAR: additive | ratio | none),
--         $significance (VARCHAR: baseline-band | two-proportion | fixed), $z (DOUBLE),
--         $term_x (VARCHAR decimal text or NULL: termination.increase_points),
--         $term_k (INTEGER or NULL: termination.consecutive_periods)
-- returns: table measures: the measures.csv columns in order (rates unrounded DOUBLE), then
--          reconviction_events, ogrs_sum, baseline_reoffenders, baseline_reoffences, area_order,
--          is_all, period_type, conviction_only_reoffenders, conviction_only_events, baseline_source,
--          baseline_ogrs_sum, termination_watch, period_kind, threshold_source, threshold_missing,
--          bl_b_num, bl_b_den, bl_e_num, bl_e_den, bl_f_num, bl_f_den (the exact baseline of
--          measure_baselines.sql), from m_decide_in (measure_decide_input.sql, or pbr assess).
--          Needs the rational macros of pay_macros.sql.
--
-- method.md sections 4 (measures), 6 (adjustment), 7 and 13 (significance), 14 (termination watch).
--  * Rates shown are DOUBLE, each from ONE division of exact numbers. n = 0 -> every rate NULL,
--    outcome none.
--  * Every decision is made on exact rationals (pay_macros.sql), never on the DOUBLE rates:
--    b = r/n, e = ogrs_sum/n, B, B_e, B_f from the exact baseline, f = k/r, and
--    additive a = b - (e - B_e); ratio a = b B_e / e (NULL when e = 0: our choice); none a = b.
--    Without a baseline, additive and ratio give no adjusted rate.
--  * Thresholds. fixed: the bounds of the thresholds file (exact DECIMALs): payment when a < lower,
--    deduction when a > upper, compared exactly; no bounds -> none. baseline-band:
--    h = z sqrt(B (1 - B) / n); two-proportion: p = (a n + B B_n) / (n + B_n) (exact),
--    h = z sqrt(p (1 - p) (1/n + 1/B_n)), h = 0 when p <= 0 or p >= 1 (p can leave [0, 1] because an
--    additive a can: our extension of "0 when p is 0 or 1"); needs B_n > 0.
--    With h = 0 exactly (B is 0 or 1, or p as above) the outcome compares a with B exactly: an
--    adjusted rate equal to the baseline is none. Otherwise h is irrational (z comes from
--    Phi^-1, a DOUBLE bound as $z): the difference d = a - B is exact and the comparison
--    |d| > h is made in double precision, so a decision could differ from one made with
--    infinite precision only when |d| and h agree to about 15 significant digits (our tolerance).
--    lower_threshold / upper_threshold show B -/+ h (or the fixed bounds).
--  * frequency outcome: reduced when f < B_f (exact), else not_reduced; NULL when f or B_f is.
--  * termination watch (method.md section 14): with termination configured, a final period is
--    flagged when a - B >= increase_points / 100 (exact) in it and in the consecutive_periods - 1
--    periods before it of the same area and kind (contract periods and annual periods are two
--    separate series; every earlier period is final when this one is, since finality follows the
--    period end). Interim periods are not flagged (false); NULL when termination is not configured.
CREATE OR REPLACE TABLE measures AS
WITH x AS (
  SELECT d.*,
    CASE WHEN d.measurable > 0 THEN q(d.reoffenders, d.measurable) END AS qb,
    q_part(d.bl_b_num, d.bl_b_den) AS qbl,
    q_part(d.bl_e_num, d.bl_e_den) AS qble,
    q_part24(d.bl_f_num, d.bl_f_den) AS qblf,
    CASE WHEN d.reoffenders > 0 THEN q(d.reoffences, d.reoffenders) END AS qf,
    -- termination.increase_points / 100 as a rational
    q(q_scaled12($term_x::VARCHAR), 100000000000000::HUGEINT) AS qterm
  FROM m_decide_in d
),
adjusted AS (
  SELECT *, q_adjusted($adjustment::VARCHAR, measurable, reoffenders, ogrs_sum, qble) AS qa
  FROM x
),
pooled AS (
  SELECT *,
    qsub(qa, qbl) AS qd,
    CAST(qbl.n AS DOUBLE) / CAST(qbl.d AS DOUBLE) AS qbl_d,
    CASE
      WHEN $significance::VARCHAR = 'two-proportion' AND measurable > 0 AND baseline_measurable > 0
        AND qa IS NOT NULL AND qbl IS NOT NULL
      THEN qdiv(qadd(qmul(qa, qint(measurable)), qmul(qbl, qint(baseline_measurable))), qint(measurable + baseline_measurable))
    END AS qp
  FROM adjusted
),
banded AS (
  SELECT *,
    CAST(qp.n AS DOUBLE) / CAST(qp.d AS DOUBLE) AS qp_d,
    CASE
      WHEN measurable = 0 OR qbl IS NULL OR $significance::VARCHAR = 'fixed' THEN NULL
      WHEN $significance::VARCHAR = 'baseline-band' THEN
        -- B (1 - B) is 0 exactly when B is 0 or 1; otherwise only h's DOUBLE needs it
        CASE WHEN qbl.n = 0 OR qbl.n = qbl.d THEN 0.0
             ELSE $z::DOUBLE * sqrt(qbl_d * (1 - qbl_d) / CAST(measurable AS DOUBLE)) END
      WHEN qp IS NULL THEN NULL
      WHEN qp.n <= 0 OR qp.n >= qp.d THEN 0.0
      ELSE $z::DOUBLE * sqrt(qp_d * (1 - qp_d) * (1.0 / CAST(measurable AS DOUBLE) + 1.0 / CAST(baseline_measurable AS DOUBLE)))
    END AS half_width
  FROM pooled
),
decided AS (
  SELECT *,
    CASE
      WHEN measurable = 0 OR qbl IS NULL OR qa IS NULL THEN 'none'
      WHEN $significance::VARCHAR = 'fixed' THEN
        CASE
          WHEN fixed_lower IS NULL OR fixed_upper IS NULL THEN 'none'
          WHEN qlt(qa, qdec(fixed_lower)) THEN 'payment'
          WHEN qlt(qdec(fixed_upper), qa) THEN 'deduction'
          ELSE 'none'
        END
      WHEN half_width IS NULL THEN 'none'
      -- a zero-width band: compared exactly
      WHEN half_width = 0 THEN CASE WHEN qd.n < 0 THEN 'payment' WHEN qd.n > 0 THEN 'deduction' ELSE 'none' END
      WHEN qd.n < 0 AND -(CAST(qd.n AS DOUBLE) / CAST(qd.d AS DOUBLE)) > half_width THEN 'payment'
      WHEN qd.n > 0 AND CAST(qd.n AS DOUBLE) / CAST(qd.d AS DOUBLE) > half_width THEN 'deduction'
      ELSE 'none'
    END AS binary_outcome,
    CASE
      WHEN qf IS NULL OR qblf IS NULL THEN NULL
      WHEN qf.n * qblf.d < qblf.n * qf.d THEN 'reduced'
      ELSE 'not_reduced'
    END AS frequency_outcome,
    -- this period's part of the termination watch: a - B >= increase_points / 100, exactly
    status = 'final' AND qd IS NOT NULL AND qterm IS NOT NULL
      AND qterm.n * qd.d <= qd.n * qterm.d AS term_hit
  FROM banded
),
streaks AS (
  SELECT *, row_number() OVER (PARTITION BY area, is_all, period_kind ORDER BY period_start) AS term_rn
  FROM decided
),
runs AS (
  -- the length of the run of consecutive hits ending at this period
  SELECT *,
    term_rn - coalesce(max(CASE WHEN NOT term_hit THEN term_rn END)
      OVER (PARTITION BY area, is_all, period_kind ORDER BY period_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 0) AS term_run
  FROM streaks
)
SELECT
  $population::VARCHAR AS population,
  area,
  period,
  period_start,
  period_end,
  status,
  eligible,
  measurable,
  reoffenders,
  reoffences,
  CASE WHEN measurable > 0 THEN CAST(reoffenders AS DOUBLE) / CAST(measurable AS DOUBLE) END AS binary_rate,
  CASE WHEN reoffenders > 0 THEN CAST(reoffences AS DOUBLE) / CAST(reoffenders AS DOUBLE) END AS frequency_rate,
  CASE WHEN measurable > 0 THEN CAST(100 * reoffences AS DOUBLE) / CAST(measurable AS DOUBLE) END AS reoffences_per_100,
  CASE WHEN measurable > 0 THEN CAST(100 * reconviction_events AS DOUBLE) / CAST(measurable AS DOUBLE) END AS reconviction_events_per_100,
  CASE WHEN measurable > 0 THEN CAST(ogrs_sum AS DOUBLE) / CAST(measurable AS DOUBLE) END AS expected_rate,
  CAST(baseline_measurable AS BIGINT) AS baseline_measurable,
  CAST(baseline_binary_rate AS DOUBLE) AS baseline_binary_rate,
  CAST(baseline_expected_rate AS DOUBLE) AS baseline_expected_rate,
  CAST(baseline_frequency_rate AS DOUBLE) AS baseline_frequency_rate,
  CAST(qa.n AS DOUBLE) / CAST(qa.d AS DOUBLE) AS adjusted_binary_rate,
  CASE WHEN $significance::VARCHAR = 'fixed' THEN CAST(fixed_lower AS DOUBLE) ELSE qbl_d - half_width END AS lower_threshold,
  CASE WHEN $significance::VARCHAR = 'fixed' THEN CAST(fixed_upper AS DOUBLE) ELSE qbl_d + half_width END AS upper_threshold,
  binary_outcome,
  frequency_outcome,
  reconviction_events,
  CAST(ogrs_sum AS DECIMAL(38,12)) AS ogrs_sum,
  CAST(baseline_reoffenders AS BIGINT) AS baseline_reoffenders,
  CAST(baseline_reoffences AS BIGINT) AS baseline_reoffences,
  area_order,
  is_all,
  period_type,
  conviction_only_reoffenders,
  conviction_only_events,
  baseline_source,
  CAST(baseline_ogrs_sum AS DECIMAL(38,12)) AS baseline_ogrs_sum,
  CASE
    WHEN $term_k::INTEGER IS NULL THEN NULL
    ELSE status = 'final' AND term_run >= $term_k::INTEGER
  END AS termination_watch,
  period_kind,
  $significance::VARCHAR AS threshold_source,
  threshold_missing,
  CAST(bl_b_num AS DECIMAL(38,12)) AS bl_b_num, CAST(bl_b_den AS DECIMAL(38,12)) AS bl_b_den,
  CAST(bl_e_num AS DECIMAL(38,12)) AS bl_e_num, CAST(bl_e_den AS DECIMAL(38,12)) AS bl_e_den,
  CAST(bl_f_num AS DECIMAL(38,24)) AS bl_f_num, CAST(bl_f_den AS DECIMAL(38,12)) AS bl_f_den
FROM runs
ORDER BY is_all, encode(area), period_start, period_end;
