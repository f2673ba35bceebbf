-- name: pay_trcrc
-- params: $binary_price, $deduction_price, $frequency_price (VARCHAR decimal text, NULL = not set:
--   the component is not computed), $hurdle (VARCHAR: binary-payment|none), $adjustment (VARCHAR)
-- returns: temp tables pay_trcrc_rows (pay_trcrc_input with f = k/r and the thresholds as text),
--   pay_cand (the section 8 amount of every area and measured period, final or not, contract or
--   annual: what its line would be) and pay_rl (the results lines of the contract periods, every
--   status; pay_top_up.sql adds the annual top-up lines and pay_trcrc_finish.sql the caps, then
--   moves the final ones into `payments`).
-- method.md section 8. Area ALL is never paid (pay_trcrc_input has no ALL row). Each amount is one
-- exact rational (`exact`) rounded once by pence():
--   binary_payment    (B - a) * n * binary_price                      when binary_outcome = payment
--   binary_deduction  -(a - B) * n * deduction_price                  when binary_outcome = deduction
--   frequency_payment (B_f - f) * r * frequency_price, f = k/r        when f < B_f (and, with the
--                     default hurdle binary-payment, binary_outcome = payment)
-- An outcome of none gives no line at all (never a 0.00 line).
CREATE OR REPLACE TEMP TABLE pay_trcrc_rows AS
SELECT *, CASE WHEN r > 0 THEN q(k, r) END AS f,
  coalesce(dpct1(lower), 'n/a') AS lower_txt,
  coalesce(dpct1(upper), 'n/a') AS upper_txt
FROM pay_trcrc_input;
CREATE OR REPLACE TEMP TABLE pay_cand AS
WITH c AS (
  SELECT area, area_order, period, period_start, period_end, status, period_kind, 'binary_payment' AS component,
    '(' || qpct1(b) || ' - ' || qpct1(a) || ') x ' || cnt(n) || ' offenders x ' || gbp($binary_price::VARCHAR)
    || ': baseline binary rate minus the adjusted binary rate (' || $adjustment::VARCHAR
    || ' OGRS adjustment), times the measurable offenders, times the binary price; the adjusted rate is below the lower threshold '
    || lower_txt AS basis,  -- (every text built from a price is typed VARCHAR: with the price NULL it folds to a bare NULL)
    qmul(qmul(qsub(b, a), qint(n)), qdec($binary_price::VARCHAR)) AS exact,
    'payments.binary_price' AS rule, 1 AS line_order, $binary_price::VARCHAR AS price,
    'unrounded: B = ' || qfix(b, 6) || ', a = ' || qfix(a, 6) AS detail
  FROM pay_trcrc_rows
  WHERE $binary_price::VARCHAR IS NOT NULL AND binary_outcome = 'payment' AND a IS NOT NULL AND b IS NOT NULL
  UNION ALL
  SELECT area, area_order, period, period_start, period_end, status, period_kind, 'binary_deduction',
    '-(' || qpct1(a) || ' - ' || qpct1(b) || ') x ' || cnt(n) || ' offenders x ' || gbp($deduction_price::VARCHAR)
    || ': the adjusted binary rate (' || $adjustment::VARCHAR
    || ' OGRS adjustment) minus the baseline binary rate, times the measurable offenders, times the deduction price; the adjusted rate is above the upper threshold '
    || upper_txt,
    qneg(qmul(qmul(qsub(a, b), qint(n)), qdec($deduction_price::VARCHAR))),
    'payments.deduction_price', 2, $deduction_price::VARCHAR,
    'unrounded: B = ' || qfix(b, 6) || ', a = ' || qfix(a, 6)
  FROM pay_trcrc_rows
  WHERE $deduction_price::VARCHAR IS NOT NULL AND binary_outcome = 'deduction' AND a IS NOT NULL AND b IS NOT NULL
  UNION ALL
  SELECT area, area_order, period, period_start, period_end, status, period_kind, 'frequency_payment',
    '(' || qfix(bf, 2) || ' - ' || qfix(f, 2) || ') x ' || cnt(r) || ' reoffenders x ' || gbp($frequency_price::VARCHAR)
    || ': baseline reoffences per reoffender minus this period''s, times the reoffenders, times the frequency price'
    || CASE WHEN $hurdle::VARCHAR = 'binary-payment' THEN ' (hurdle: the binary outcome is a payment)' ELSE ' (no hurdle)' END,
    qmul(qmul(qsub(bf, f), qint(r)), qdec($frequency_price::VARCHAR)),
    'payments.frequency_price', 3, $frequency_price::VARCHAR,
    'unrounded: B_f = ' || qfix(bf, 6) || ', f = ' || k || '/' || r || ' = ' || qfix(f, 6)
  FROM pay_trcrc_rows
  WHERE $frequency_price::VARCHAR IS NOT NULL AND f IS NOT NULL AND bf IS NOT NULL
    AND frequency_outcome = 'reduced' AND qlt(f, bf)
    AND ($hurdle::VARCHAR = 'none' OR binary_outcome = 'payment')
)
SELECT * REPLACE (CAST(basis AS VARCHAR) AS basis, CAST(detail AS VARCHAR) AS detail), pence(exact) AS amount FROM c;
-- the lines of the contract periods (annual periods are paid through their top-up lines)
CREATE OR REPLACE TEMP TABLE pay_rl AS
SELECT area, area_order, period, period_start, period_end, status, period_kind, component, basis,
  exact, amount, rule, line_order, price,
  detail || '; exact amount ' || qfix(exact, 6) AS detail
FROM pay_cand
WHERE period_kind = 'cohort';
