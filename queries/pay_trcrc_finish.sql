-- name: pay_trcrc_finish
-- params: $cap, $deduction_cap (VARCHAR decimal text or NULL), $adjustment (VARCHAR),
--   $final_months (INTEGER: follow_up.months + follow_up.waiting_months)
-- returns: the cap lines of pay_rl, then the final lines of pay_rl in `payments` (section
--   'results') and one `pay_outcomes` row per area and measured period (contract and annual) with
--   the figures behind its lines (pay_create.sql); interim periods' lines are never paid, their sum
--   is the row's indicative_amount.
-- Caps (method.md section 8), per area and period, on the sums of ROUNDED lines, each its own line:
--   cap_per_period caps the positive total: binary_payment + frequency_payment, and for an annual
--   period its positive top-up lines: a cap line cap - total when the total exceeds it;
--   deduction_cap_per_period caps the deductions: -(binary_deduction), and for an annual period
--   -(its negative top-up lines): a cap line (deductions - cap), positive, when they exceed it.
INSERT INTO pay_rl
WITH t AS (
  SELECT area, any_value(area_order) AS area_order, period, any_value(period_start) AS period_start,
    any_value(period_end) AS period_end, any_value(status) AS status, any_value(period_kind) AS period_kind,
    sum(amount) FILTER (WHERE component IN ('binary_payment', 'frequency_payment')
                           OR (component IN ('binary_top_up', 'frequency_top_up') AND amount > 0)) AS pos,
    -sum(amount) FILTER (WHERE component = 'binary_deduction'
                            OR (component IN ('binary_top_up', 'frequency_top_up') AND amount < 0)) AS ded
  FROM pay_rl GROUP BY area, period
)
SELECT area, area_order, period, period_start, period_end, status, period_kind, 'cap',
  gbp($cap::VARCHAR) || ' - ' || gbp(pos)
  || ': the period''s positive total (' || CASE WHEN period_kind = 'annual' THEN 'positive top-up lines' ELSE 'binary and frequency payments' END
  || ') is capped at payments.cap_per_period',
  qsub(qdec($cap::VARCHAR), qdec(pos)), pence(qsub(qdec($cap::VARCHAR), qdec(pos))), 'payments.cap_per_period', 4, $cap::VARCHAR,
  'exact amount ' || qfix(qsub(qdec($cap::VARCHAR), qdec(pos)), 6)
FROM t WHERE $cap::VARCHAR IS NOT NULL AND pos > CAST($cap::VARCHAR AS DECIMAL(38,12))
UNION ALL
SELECT area, area_order, period, period_start, period_end, status, period_kind, 'cap',
  gbp(ded) || ' - ' || gbp($deduction_cap::VARCHAR)
  || ': the period''s deductions (' || CASE WHEN period_kind = 'annual' THEN 'negative top-up lines' ELSE 'binary deductions' END
  || ') are capped at payments.deduction_cap_per_period',
  qsub(qdec(ded), qdec($deduction_cap::VARCHAR)), pence(qsub(qdec(ded), qdec($deduction_cap::VARCHAR))), 'payments.deduction_cap_per_period', 5, $deduction_cap::VARCHAR,
  'exact amount ' || qfix(qsub(qdec(ded), qdec($deduction_cap::VARCHAR)), 6)
FROM t WHERE $deduction_cap::VARCHAR IS NOT NULL AND ded > CAST($deduction_cap::VARCHAR AS DECIMAL(38,12));
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail, price, exact_amount)
SELECT area, period, component, basis, amount, rule, area_order, period_start, period_end, status, 'results',
  line_order, NULL, detail, price, qtext6(exact)
FROM pay_rl WHERE status = 'final';
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary,
  period_kind, n, r, k, binary_rate, expected_rate, baseline_expected_rate, adjusted_rate, baseline_rate,
  lower_threshold, upper_threshold, frequency_rate, baseline_frequency_rate, frequency_outcome, threshold_source,
  adjustment_text, reason_text, indicative_amount, termination_watch)
WITH tot AS (SELECT area, period, CAST(sum(amount) AS DECIMAL(38,2)) AS total FROM pay_rl GROUP BY area, period),
w AS (
  SELECT p.*, CASE WHEN n > 0 THEN q(r, n) END AS qb, CASE WHEN n > 0 THEN qdiv(qdec(s), qint(n)) END AS qe,
    coalesce(tot.total, 0) AS total
  FROM pay_trcrc_rows p LEFT JOIN tot ON tot.area = p.area AND tot.period = p.period
),
txt AS (
  SELECT *,
    CASE
      WHEN a IS NULL THEN NULL
      WHEN $adjustment::VARCHAR = 'additive' THEN 'a = b - (e - B_e) = ' || qpct1(qb) || ' - (' || qpct1(qe) || ' - ' || qpct1(be) || ') = ' || qpct1(a)
      WHEN $adjustment::VARCHAR = 'ratio' THEN 'a = b x B_e / e = ' || qpct1(qb) || ' x ' || qpct1(be) || ' / ' || qpct1(qe) || ' = ' || qpct1(a)
      ELSE 'a = b = ' || qpct1(a) || ' (no adjustment)'
    END AS adjustment_text,
    CASE
      WHEN n = 0 THEN 'no measurable offenders: no outcome'
      WHEN b IS NULL THEN 'no baseline for the area: no outcome'
      WHEN a IS NULL THEN 'no adjusted rate (expected rate 0 under the ratio adjustment): no outcome'
      WHEN threshold_missing THEN 'no threshold row for this area and period in the thresholds file: no outcome'
      WHEN binary_outcome = 'payment' THEN 'a ' || qpct1(a) || ' is below the lower threshold ' || lower_txt
      WHEN binary_outcome = 'deduction' THEN 'a ' || qpct1(a) || ' is above the upper threshold ' || upper_txt
      ELSE 'a ' || qpct1(a) || ' is within the thresholds ' || lower_txt || ' - ' || upper_txt
    END
    || CASE
         WHEN f IS NULL OR bf IS NULL THEN ''
         WHEN frequency_outcome = 'reduced' THEN '; f ' || qfix(f, 2) || ' is below B_f ' || qfix(bf, 2) || ': reduced'
         ELSE '; f ' || qfix(f, 2) || ' is not below B_f ' || qfix(bf, 2) || ': not reduced'
       END AS reason_text
  FROM w
)
SELECT area, area_order, period, period_start, period_end, status,
  CAST(period_end + to_months($final_months) AS DATE) AS final_on,
  coalesce(binary_outcome, 'none') AS outcome,
  CASE WHEN period_kind = 'annual' THEN 'annual top-up period: ' ELSE '' END
  || 'adjusted binary rate ' || coalesce(qpct1(a), 'n/a') || ' against the baseline ' || coalesce(qpct1(b), 'n/a')
  || ' (' || cnt(n) || ' measurable offenders; thresholds ' || lower_txt || ' - ' || upper_txt || '): '
  || coalesce(binary_outcome, 'none')
  || '; reoffences per reoffender ' || coalesce(qfix(f, 2), 'n/a') || ' against the baseline '
  || coalesce(qfix(bf, 2), 'n/a') || ': ' || coalesce(frequency_outcome, 'n/a')
  || CASE WHEN termination_watch THEN '; on termination watch' ELSE '' END
  || CASE WHEN status = 'final' THEN '' ELSE
       '; interim result (final on ' || coalesce(strftime(CAST(period_end + to_months($final_months) AS DATE), '%Y-%m-%d'), 'n/a')
       || '): shown, never paid' END AS summary,
  period_kind, n, r, k,
  qfix6(qb), qfix6(qe), qfix6(be), qfix6(a), qfix6(b), dfix6(lower), dfix6(upper), qfix6(f), qfix6(bf),
  frequency_outcome, threshold_source, adjustment_text, reason_text,
  CASE WHEN status <> 'final' THEN total END AS indicative_amount,
  termination_watch
FROM txt;
