-- name: pay_trcrc
-- params: $binary_price, $deduction_price, $frequency_price (VARCHAR decimal text, NULL = not set:
--   the component is not computed), $hurdle (VARCHAR: binary-payment|none), $cap, $deduction_cap
--   (VARCHAR decimal text or NULL), $adjustment (VARCHAR), $final_months (INTEGER: follow_up.months
--   + follow_up.waiting_months)
-- returns: rows of `payments` (section 'results') for method.md section 8, and `pay_outcomes`,
--   from pay_trcrc_input (pay_trcrc_input_run.sql or pay_assess_trcrc.sql).
-- Area ALL is never paid (nor shown on a statement). Only final periods are paid; interim periods get an outcome row (shown on their statement) and
-- no line. Each line is one exact rational rounded once by pence():
--   binary_payment    (B - a) * n * binary_price                      when binary_outcome = payment
--   binary_deduction  -(a - B) * n * deduction_price                  when binary_outcome = deduction
--   frequency_payment (B_f - f) * r * frequency_price, f = k/r        when f < B_f (and, with the
--                     default hurdle binary-payment, binary_outcome = payment)
--   cap               cap_per_period - (binary_payment + frequency_payment), when that sum of
--                     ROUNDED lines exceeds the cap; deduction cap: (deductions - cap), positive,
--                     when the rounded deductions exceed deduction_cap_per_period. Own lines.
CREATE OR REPLACE TEMP TABLE pay_trcrc_rows AS
SELECT *, q(k, r) AS f,
  coalesce(format('{:.1f}%', lower * 100), 'n/a') AS lower_txt,
  coalesce(format('{:.1f}%', upper * 100), 'n/a') AS upper_txt
FROM pay_trcrc_input WHERE area <> 'ALL';
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT area, period, 'binary_payment',
  '(' || qpct1(b) || ' - ' || qpct1(a) || ') x ' || cnt(n) || ' offenders x ' || gbp($binary_price)
  || ': baseline binary rate minus the adjusted binary rate (' || $adjustment
  || ' OGRS adjustment), times the measurable offenders, times the binary price; the adjusted rate is below the lower threshold '
  || lower_txt,
  pence(qmul(qmul(qsub(b, a), qint(n)), qdec($binary_price))),
  'payments.binary_price', area_order, period_start, period_end, status, 'results', 1, NULL,
  'unrounded: B = ' || qfix(b, 6) || ', a = ' || qfix(a, 6) || '; exact amount ' || qfix(qmul(qmul(qsub(b, a), qint(n)), qdec($binary_price)), 6)
FROM pay_trcrc_rows
WHERE status = 'final' AND $binary_price IS NOT NULL AND binary_outcome = 'payment' AND a IS NOT NULL AND b IS NOT NULL;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT area, period, 'binary_deduction',
  '-(' || qpct1(a) || ' - ' || qpct1(b) || ') x ' || cnt(n) || ' offenders x ' || gbp($deduction_price)
  || ': the adjusted binary rate (' || $adjustment
  || ' OGRS adjustment) minus the baseline binary rate, times the measurable offenders, times the deduction price; the adjusted rate is above the upper threshold '
  || upper_txt,
  pence(qneg(qmul(qmul(qsub(a, b), qint(n)), qdec($deduction_price)))),
  'payments.deduction_price', area_order, period_start, period_end, status, 'results', 2, NULL,
  'unrounded: B = ' || qfix(b, 6) || ', a = ' || qfix(a, 6) || '; exact amount ' || qfix(qneg(qmul(qmul(qsub(a, b), qint(n)), qdec($deduction_price))), 6)
FROM pay_trcrc_rows
WHERE status = 'final' AND $deduction_price IS NOT NULL AND binary_outcome = 'deduction' AND a IS NOT NULL AND b IS NOT NULL;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT area, period, 'frequency_payment',
  '(' || qfix(bf, 2) || ' - ' || qfix(f, 2) || ') x ' || cnt(r) || ' reoffenders x ' || gbp($frequency_price)
  || ': baseline reoffences per reoffender minus this period''s, times the reoffenders, times the frequency price'
  || CASE WHEN $hurdle = 'binary-payment' THEN ' (hurdle: the binary outcome is a payment)' ELSE ' (no hurdle)' END,
  pence(qmul(qmul(qsub(bf, f), qint(r)), qdec($frequency_price))),
  'payments.frequency_price', area_order, period_start, period_end, status, 'results', 3, NULL,
  'unrounded: B_f = ' || qfix(bf, 6) || ', f = ' || k || '/' || r || ' = ' || qfix(f, 6) || '; exact amount ' || qfix(qmul(qmul(qsub(bf, f), qint(r)), qdec($frequency_price)), 6)
FROM pay_trcrc_rows
WHERE status = 'final' AND $frequency_price IS NOT NULL AND f IS NOT NULL AND bf IS NOT NULL
  AND frequency_outcome = 'reduced' AND qlt(f, bf)
  AND ($hurdle = 'none' OR binary_outcome = 'payment');
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT area, period, 'cap',
  gbp($cap) || ' - ' || gbp(pos)
  || ': the period''s positive total (binary and frequency payments) is capped at payments.cap_per_period',
  pence(qsub(qdec($cap), qdec(pos))),
  'payments.cap_per_period', area_order, period_start, period_end, status, 'results', 4, NULL, NULL
FROM (SELECT area, period, any_value(area_order) AS area_order, any_value(period_start) AS period_start,
        any_value(period_end) AS period_end, any_value(status) AS status, sum(amount) AS pos
      FROM payments WHERE section = 'results' AND component IN ('binary_payment', 'frequency_payment')
      GROUP BY area, period)
WHERE $cap IS NOT NULL AND pos > CAST($cap AS DECIMAL(38,12));
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT area, period, 'cap',
  gbp(ded) || ' - ' || gbp($deduction_cap)
  || ': the period''s deductions are capped at payments.deduction_cap_per_period',
  pence(qsub(qdec(ded), qdec($deduction_cap))),
  'payments.deduction_cap_per_period', area_order, period_start, period_end, status, 'results', 5, NULL, NULL
FROM (SELECT area, period, any_value(area_order) AS area_order, any_value(period_start) AS period_start,
        any_value(period_end) AS period_end, any_value(status) AS status, -sum(amount) AS ded
      FROM payments WHERE section = 'results' AND component = 'binary_deduction'
      GROUP BY area, period)
WHERE $deduction_cap IS NOT NULL AND ded > CAST($deduction_cap AS DECIMAL(38,12));
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary)
SELECT area, area_order, period, period_start, period_end, status,
  CAST(period_end + to_months($final_months) AS DATE),
  coalesce(binary_outcome, 'none'),
  'adjusted binary rate ' || coalesce(qpct1(a), 'n/a') || ' against the baseline ' || coalesce(qpct1(b), 'n/a')
  || ' (' || cnt(n) || ' measurable offenders; thresholds ' || lower_txt || ' - ' || upper_txt || '): '
  || coalesce(binary_outcome, 'none')
  || '; reoffences per reoffender ' || coalesce(qfix(f, 2), 'n/a') || ' against the baseline '
  || coalesce(qfix(bf, 2), 'n/a') || ': ' || coalesce(frequency_outcome, 'n/a')
  || CASE WHEN status = 'final' THEN '' ELSE
       '; interim result (final on ' || coalesce(strftime(CAST(period_end + to_months($final_months) AS DATE), '%Y-%m-%d'), 'n/a')
       || '): shown, never paid' END
FROM pay_trcrc_rows;
