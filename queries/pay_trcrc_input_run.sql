-- name: pay_trcrc_input_run
-- params: $has_baselines_file (BOOLEAN), $population (VARCHAR), $adjustment (VARCHAR: additive|ratio|none)
-- returns: table pay_trcrc_input: one row per area (not ALL) and cohort period of `measures`, with
--   the exact rationals a payment needs (pay_macros.sql) and the outcomes decided by the measure
--   stage (binary_outcome, frequency_outcome, thresholds), so payments always agree with measures.csv.
-- Exactness: the measure stage's rates may be DOUBLE, so the money uses the counts instead:
--   n, r, k from measures; S = sum of OGRS (DECIMAL) of the period's measurable persons and the
--   pooled baseline sums (B_n, B_r, B_k, B_S over offender_outcomes rows with is_baseline) from
--   offender_outcomes; with a baselines file, its DECIMAL rates (baselines_input) are exact already.
--   B = B_r/B_n, B_e = B_S/B_n, B_f = B_k/B_r; a = r/n - (S/n - B_e) (additive), r B_e / S (ratio),
--   r/n (none).
CREATE OR REPLACE TEMP TABLE pay_period_ogrs AS
SELECT area, period, sum(ogrs) FILTER (WHERE measurable::BOOLEAN) AS s
FROM offender_outcomes GROUP BY area, period;
CREATE OR REPLACE TEMP TABLE pay_base AS
WITH pooled AS (
  SELECT area, count(*) AS bn, sum(reoffender::INTEGER) AS br, sum(reoffences) AS bk, sum(ogrs) AS bs
  FROM offender_outcomes WHERE is_baseline::BOOLEAN AND measurable::BOOLEAN GROUP BY area)
SELECT area, bn, q(br, bn) AS b, qdiv(qdec(bs), qint(bn)) AS be, q(bk, br) AS bf
FROM pooled WHERE NOT $has_baselines_file
UNION ALL
SELECT cpa, baseline_measurable, qdec(baseline_binary_rate), qdec(baseline_expected_rate),
       qdec(baseline_frequency_rate)
FROM baselines_input WHERE $has_baselines_file AND population = $population;
CREATE OR REPLACE TABLE pay_trcrc_input AS
SELECT m.area, m.area_order::INTEGER AS area_order, m.period, m.period_start::DATE AS period_start,
  m.period_end::DATE AS period_end, m.status,
  m.measurable::BIGINT AS n, m.reoffenders::BIGINT AS r, m.reoffences::BIGINT AS k,
  o.s, b.bn, b.b, b.be, b.bf,
  CASE WHEN m.measurable = 0 THEN NULL
       WHEN $adjustment = 'additive' THEN qadd(qsub(q(m.reoffenders, m.measurable), qdiv(qdec(o.s), qint(m.measurable))), b.be)
       WHEN $adjustment = 'ratio' THEN qdiv(qmul(qint(m.reoffenders), b.be), qdec(o.s))
       ELSE q(m.reoffenders, m.measurable) END AS a,
  m.lower_threshold::DOUBLE AS lower, m.upper_threshold::DOUBLE AS upper,
  m.binary_outcome, m.frequency_outcome
FROM measures m
LEFT JOIN pay_period_ogrs o ON o.area = m.area AND o.period = m.period
LEFT JOIN pay_base b ON b.area = m.area
WHERE m.area <> 'ALL';
