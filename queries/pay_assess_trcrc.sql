-- name: pay_assess_trcrc
-- params: $z (DOUBLE: Phi^-1 of the significance level, computed once in TypeScript),
--   $significance (VARCHAR: baseline-band|two-proportion), $adjustment (VARCHAR), $population (VARCHAR)
-- returns: table pay_trcrc_input (the shape pay_trcrc.sql prices) and table assess_outcomes (the
--   columns of measures.csv) for tr-crc from assess_input (treatment rows): method.md sections 4-7
--   on published counts.
-- Exact: b = r/n, e = expected_rate (DECIMAL as published), B, B_e, B_f as published, so
--   a = b - (e - B_e) | b B_e / e | b is an exact rational and the payment is exact. The thresholds
--   involve a square root, so they are DOUBLE: the outcome compares a (as DOUBLE) with them.
--   baseline-band: B -/+ z sqrt(B (1 - B) / n); two-proportion: p = (a n + B B_n) / (n + B_n),
--   se = sqrt(p (1 - p) (1/n + 1/B_n)) (0 when p is 0 or 1), B -/+ z se.
CREATE OR REPLACE TEMP TABLE pay_at AS
SELECT i.*, coalesce(ar.area_order, 2147483647) AS area_order, qdec(baseline_binary_rate) AS b,
  qdec(baseline_expected_rate) AS be, qdec(baseline_frequency_rate) AS bf,
  CASE WHEN measurable = 0 THEN NULL
       WHEN $adjustment = 'additive' THEN qadd(qsub(q(reoffenders, measurable), qdec(expected_rate)), qdec(baseline_expected_rate))
       WHEN $adjustment = 'ratio' THEN
         CASE WHEN expected_rate > 0 THEN qdiv(qmul(q(reoffenders, measurable), qdec(baseline_expected_rate)), qdec(expected_rate)) END
       ELSE q(reoffenders, measurable) END AS a
FROM assess_input i LEFT JOIN areas ar ON ar.cpa = i.area
WHERE i."group" = 'treatment';
CREATE OR REPLACE TEMP TABLE pay_at2 AS
SELECT *, qdbl(b) AS bd, qdbl(a) AS ad,
  CASE WHEN b IS NULL OR a IS NULL OR measurable = 0 THEN NULL
       WHEN $significance = 'two-proportion' THEN
         CASE WHEN baseline_measurable IS NULL OR baseline_measurable = 0 THEN NULL ELSE
           list_transform([(qdbl(a) * measurable + qdbl(b) * baseline_measurable) / (measurable + baseline_measurable)],
             lambda pp: CASE WHEN pp <= 0 OR pp >= 1 THEN 0.0
                             ELSE sqrt(pp * (1 - pp) * (1.0 / measurable + 1.0 / baseline_measurable)) END)[1] * $z END
       ELSE $z * sqrt(qdbl(b) * (1 - qdbl(b)) / measurable) END AS h
FROM pay_at;
CREATE OR REPLACE TABLE pay_trcrc_input AS
SELECT area, area_order, period, period_start, period_end, status, measurable AS n, reoffenders AS r,
  reoffences AS k, baseline_measurable AS bn, b, be, bf, a,
  bd - h AS lower, bd + h AS upper,
  CASE WHEN h IS NULL THEN 'none' WHEN ad < bd - h THEN 'payment' WHEN ad > bd + h THEN 'deduction' ELSE 'none' END AS binary_outcome,
  CASE WHEN reoffences IS NULL OR reoffenders = 0 OR bf IS NULL THEN NULL
       WHEN qlt(q(reoffences, reoffenders), bf) THEN 'reduced' ELSE 'not_reduced' END AS frequency_outcome,
  reconviction_events, expected_rate, row_order
FROM pay_at2;
CREATE OR REPLACE TABLE assess_outcomes AS
SELECT $population AS population, area, period, strftime(period_start, '%Y-%m-%d') AS period_start,
  strftime(period_end, '%Y-%m-%d') AS period_end, status, NULL::BIGINT AS eligible, n AS measurable,
  r AS reoffenders, k AS reoffences, qfix6(q(r, n)) AS binary_rate, qfix6(q(k, r)) AS frequency_rate,
  qfix6(q(100 * k, n)) AS reoffences_per_100, qfix6(q(100 * reconviction_events, n)) AS reconviction_events_per_100,
  CAST(expected_rate AS DECIMAL(18,6)) AS expected_rate, bn AS baseline_measurable,
  qfix6(b) AS baseline_binary_rate, qfix6(be) AS baseline_expected_rate, qfix6(bf) AS baseline_frequency_rate,
  qfix6(a) AS adjusted_binary_rate, CAST(round(lower, 6) AS DECIMAL(18,6)) AS lower_threshold,
  CAST(round(upper, 6) AS DECIMAL(18,6)) AS upper_threshold, binary_outcome, frequency_outcome,
  row_order AS _order
FROM pay_trcrc_input;
