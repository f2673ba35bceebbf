-- name: audit_reconcile_effect
-- params: $binary_price (VARCHAR: a decimal, NULL when the contract sets none),
--         $deduction_price (VARCHAR: a decimal or NULL), $adjustment (VARCHAR: the run's
--         adjustment.method)
-- reads: rec_disagreements, r_measures (measures.csv) and r_exact (measures.csv's exact numerators
--        as text: area, period, ogrs_sum, baseline_reoffenders, baseline_ogrs_sum; empty for a run
--        written before they existed); the rational macros of pay_macros.sql
-- returns: per area and period with a disagreement (table rec_disagreements, area known; area ALL
--          never): the run's measurable n, reoffenders r, binary rate and binary outcome (from
--          measures.csv, table r_measures), the same if the provider's view held
--          (n' = n + dn, r' = r + dr, b' = r'/n'), the outcome that would follow, and an ESTIMATE of
--          the binary payment both ways and its difference. Money as text with 2 decimals.
--
-- The estimate (our choice; the spec leaves it open): the adjusted rate moves by as much as the
-- binary rate (a' = a + r'/n' - r/n), the baseline B and the thresholds of measures.csv are held
-- fixed, and method.md section 8 is applied to both sides alike: payment (a < lower)
-- (B - a) n binary_price, deduction (a > upper) -(a - B) n deduction_price, rounded half away
-- from zero to pence. Exact figures: a and B are the run's own exact values, from n, r and the
-- exact numerators of measures.csv (a = q_adjusted as in the run, B = baseline_reoffenders /
-- baseline_measurable), so the engine's side of an area-period equals its statement line to the
-- penny; a run without them (older, or with a baselines file) falls back on the 6-place rates.
-- The engine's outcome is measures.csv's; the provider's compares a' with the 6-place thresholds
-- of measures.csv exactly, except that when n' = n and r' = r (the disagreements cancel out) it is
-- the engine's own. Interim periods are never paid (0.00); a price the contract does not set gives
-- no estimate (NULL). Frequency payments and caps are left out.
WITH eff AS (
  SELECT effect_area AS area, period, CAST(sum(dn) AS BIGINT) AS dn, CAST(sum(dr) AS BIGINT) AS dr,
         CAST(count(*) AS BIGINT) AS disagreements
  FROM rec_disagreements
  WHERE effect_area IS NOT NULL AND effect_area <> 'ALL'
  GROUP BY effect_area, period
),
joined AS (
  SELECT e.area, e.period, e.disagreements, e.dn, e.dr,
         m.status, m.measurable AS n, m.reoffenders AS r, m.binary_rate AS b, m.adjusted_binary_rate AS a,
         m.baseline_binary_rate AS bb, m.lower_threshold AS lo, m.upper_threshold AS hi, m.binary_outcome,
         m.baseline_measurable AS bn,
         m.measurable + e.dn AS n2, m.reoffenders + e.dr AS r2,
         CAST(nullif(x.ogrs_sum, '') AS DECIMAL(38,12)) AS s,
         CAST(nullif(x.baseline_reoffenders, '') AS DECIMAL(38,12)) AS b_r,
         CAST(nullif(x.baseline_ogrs_sum, '') AS DECIMAL(38,12)) AS b_s
  FROM eff e
  LEFT JOIN r_measures m ON m.area = e.area AND m.period = e.period
  LEFT JOIN r_exact x ON x.area = e.area AND x.period = e.period
),
exact AS (
  SELECT *,
    -- the run's exact a and B when measures.csv holds the numerators, else its 6-place rates
    CASE WHEN s IS NOT NULL AND b_r IS NOT NULL AND b_s IS NOT NULL AND bn > 0 AND n > 0
         THEN q_adjusted($adjustment, n, r, s, q_part(b_s, bn)) ELSE qdec(a) END AS qa,
    CASE WHEN s IS NOT NULL AND b_r IS NOT NULL AND b_s IS NOT NULL AND bn > 0 AND n > 0
         THEN q_part(b_r, bn) ELSE qdec(bb) END AS qbl
  FROM joined
),
est AS (
  SELECT *,
    CASE WHEN n2 > 0 THEN CAST(round(CAST(r2 AS DECIMAL(38,12)) / n2, 6) AS DECIMAL(18,6)) END AS b2,
    CASE WHEN n2 > 0 AND n > 0 AND qa IS NOT NULL THEN qadd(qa, qsub(q(r2, n2), q(r, n))) END AS qa2
  FROM exact
),
outc AS (
  SELECT *,
    CASE
      WHEN qa2 IS NULL OR qbl IS NULL OR lo IS NULL OR hi IS NULL THEN 'none'
      WHEN n2 = n AND r2 = r THEN coalesce(binary_outcome, 'none')
      WHEN qlt(qa2, qdec(lo)) THEN 'payment'
      WHEN qlt(qdec(hi), qa2) THEN 'deduction'
      ELSE 'none'
    END AS binary_outcome2
  FROM est
),
money AS (
  SELECT *,
    CASE
      WHEN status IS DISTINCT FROM 'final' THEN CAST(0 AS DECIMAL(38,2))
      WHEN binary_outcome = 'payment' THEN pence(qmul(qmul(qsub(qbl, qa), qint(n)), qdec($binary_price)))
      WHEN binary_outcome = 'deduction' THEN pence(qneg(qmul(qmul(qsub(qa, qbl), qint(n)), qdec($deduction_price))))
      ELSE CAST(0 AS DECIMAL(38,2))
    END AS pay_engine,
    CASE
      WHEN status IS DISTINCT FROM 'final' THEN CAST(0 AS DECIMAL(38,2))
      WHEN binary_outcome2 = 'payment' THEN pence(qmul(qmul(qsub(qbl, qa2), qint(n2)), qdec($binary_price)))
      WHEN binary_outcome2 = 'deduction' THEN pence(qneg(qmul(qmul(qsub(qa2, qbl), qint(n2)), qdec($deduction_price))))
      ELSE CAST(0 AS DECIMAL(38,2))
    END AS pay_provider
  FROM outc
)
SELECT area, period, status, disagreements,
       n, r, CAST(b AS VARCHAR) AS binary_rate, CAST(a AS VARCHAR) AS adjusted_binary_rate, binary_outcome,
       n2 AS n_provider, r2 AS r_provider, CAST(b2 AS VARCHAR) AS binary_rate_provider,
       CAST(qfix6(qa2) AS VARCHAR) AS adjusted_binary_rate_provider, binary_outcome2 AS binary_outcome_provider,
       binary_outcome2 IS DISTINCT FROM binary_outcome AS outcome_changes,
       CAST(pay_engine AS VARCHAR) AS payment_estimate_engine,
       CAST(pay_provider AS VARCHAR) AS payment_estimate_provider,
       CAST(pay_provider - pay_engine AS VARCHAR) AS payment_difference_estimate
FROM money
ORDER BY encode(area), encode(period)
