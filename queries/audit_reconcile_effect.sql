-- name: audit_reconcile_effect
-- params: $binary_price (VARCHAR: a decimal, NULL when the contract sets none),
--         $deduction_price (VARCHAR: a decimal or NULL)
-- returns: per area and period with a disagreement (table rec_disagreements, area known; area ALL
--          never): the run's measurable n, reoffenders r, binary rate and binary outcome (from
--          measures.csv, table r_measures), the same if the provider's view held
--          (n' = n + dn, r' = r + dr, b' = r'/n'), the outcome that would follow, and an ESTIMATE of
--          the binary payment both ways and its difference. Money as text with 2 decimals.
--
-- The estimate (our choice; the spec leaves it open): the adjusted rate moves by as much as the
-- binary rate (a' = a + r'/n' - r/n, rounded to 6 places), the baseline B and the thresholds of
-- measures.csv are held fixed, and method.md section 8 is applied to both sides alike:
-- payment (a < lower) (B - a) n binary_price, deduction (a > upper) -(a - B) n deduction_price,
-- rounded half away from zero to pence. Interim periods are never paid (0.00); a price the
-- contract does not set gives no estimate (NULL). Frequency payments and caps are left out.
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
         m.measurable + e.dn AS n2, m.reoffenders + e.dr AS r2
  FROM eff e
  LEFT JOIN r_measures m ON m.area = e.area AND m.period = e.period
),
est AS (
  SELECT *,
    CASE WHEN n2 > 0 THEN CAST(round(CAST(r2 AS DECIMAL(38,12)) / n2, 6) AS DECIMAL(18,6)) END AS b2,
    CASE WHEN n2 > 0 AND n > 0 AND a IS NOT NULL THEN
      CAST(round(a + CAST(r2 AS DECIMAL(38,12)) / n2 - CAST(r AS DECIMAL(38,12)) / n, 6) AS DECIMAL(18,6))
    END AS a2
  FROM joined
),
outc AS (
  SELECT *,
    CASE
      WHEN a2 IS NULL OR bb IS NULL OR lo IS NULL OR hi IS NULL THEN 'none'
      WHEN a2 < lo THEN 'payment'
      WHEN a2 > hi THEN 'deduction'
      ELSE 'none'
    END AS binary_outcome2
  FROM est
),
money AS (
  SELECT *,
    CASE
      WHEN status IS DISTINCT FROM 'final' THEN CAST(0 AS DECIMAL(38,2))
      WHEN binary_outcome = 'payment' THEN CAST(round((bb - a) * n * CAST($binary_price AS DECIMAL(18,6)), 2) AS DECIMAL(38,2))
      WHEN binary_outcome = 'deduction' THEN CAST(round(-(a - bb) * n * CAST($deduction_price AS DECIMAL(18,6)), 2) AS DECIMAL(38,2))
      ELSE CAST(0 AS DECIMAL(38,2))
    END AS pay_engine,
    CASE
      WHEN status IS DISTINCT FROM 'final' THEN CAST(0 AS DECIMAL(38,2))
      WHEN binary_outcome2 = 'payment' THEN CAST(round((bb - a2) * n2 * CAST($binary_price AS DECIMAL(18,6)), 2) AS DECIMAL(38,2))
      WHEN binary_outcome2 = 'deduction' THEN CAST(round(-(a2 - bb) * n2 * CAST($deduction_price AS DECIMAL(18,6)), 2) AS DECIMAL(38,2))
      ELSE CAST(0 AS DECIMAL(38,2))
    END AS pay_provider
  FROM outc
)
SELECT area, period, status, disagreements,
       n, r, CAST(b AS VARCHAR) AS binary_rate, CAST(a AS VARCHAR) AS adjusted_binary_rate, binary_outcome,
       n2 AS n_provider, r2 AS r_provider, CAST(b2 AS VARCHAR) AS binary_rate_provider,
       CAST(a2 AS VARCHAR) AS adjusted_binary_rate_provider, binary_outcome2 AS binary_outcome_provider,
       binary_outcome2 IS DISTINCT FROM binary_outcome AS outcome_changes,
       CAST(pay_engine AS VARCHAR) AS payment_estimate_engine,
       CAST(pay_provider AS VARCHAR) AS payment_estimate_provider,
       CAST(pay_provider - pay_engine AS VARCHAR) AS payment_difference_estimate
FROM money
ORDER BY encode(area), encode(period)
