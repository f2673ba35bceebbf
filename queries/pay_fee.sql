-- name: pay_fee
-- params: $allocation (VARCHAR), $min_age (INTEGER), $as_of (VARCHAR date),
--   $bands (VARCHAR: JSON list of {band_idx, start_type, max_len (null = none), weight_txt} in file order),
--   $discount (VARCHAR or NULL: learning_curve_discount), $credit_rate (VARCHAR), $credit_cap (VARCHAR or NULL);
--   needs pay_years_priced (pay_fee_years.sql) and tables starts, cohort, service_levels
-- returns: rows of `payments` (section 'fee') for method.md section 9: fee_for_service (per area and
--   month), volume_reconciliation (per contract year, period FROM/TO), service_credit (per area and month).
-- Rules and the choices where method.md is silent:
--   * Volume: starts of $allocation, not em_only, aged >= $min_age on start_date (completed years;
--     29 February birthdays on 1 March in common years), of a start_type listed in a band. Every
--     start counts. Weight = first band in file order with that start_type and max_length_days empty
--     or >= sentence_length_days; a start of a listed type that no band fits weighs 0.
--   * Year y of an area is its (idx + 1)-th contract year in file order; price_y = annual_price *
--     (1 - discount)^(y - 1), exact.
--   * Monthly payment: price_y / 12 for each calendar month the contract year touches; a month the
--     year covers only in part is paid pro rata by days: price_y / 12 * covered days / days in month.
--   * Every month of every contract year is paid (the fee is contractual, independent of as_of).
--   * Reconciliation: W_year = weighted starts with start_date in from..to (by day, not by month);
--     unit = price_y / ((volume_low + volume_high) / 2) (price_y after the learning discount);
--     above the range +(W - high) * unit, below -(low - W) * unit. A year with volume_low +
--     volume_high = 0 is not reconciled. A year whose `to` is after as_of is reconciled on the
--     volumes known so far and marked provisional (status 'provisional', and in the basis).
--   * Service credits: per area and month, every service_levels row with achieved < target adds
--     service_credit_rate; the month's credit is -min(missed * rate, cap) * that month's payment,
--     where the payment is the exact fee AFTER the learning-curve discount (the sum over contract
--     years touching the month). One line per area and month; months without a fee get no credit.
--     No lines when service_credit_rate is 0.
CREATE OR REPLACE TEMP TABLE pay_bands AS
SELECT band_idx, start_type, max_len, weight_txt
FROM (SELECT unnest(from_json($bands,
  '[{"band_idx":"INTEGER","start_type":"VARCHAR","max_len":"INTEGER","weight_txt":"VARCHAR"}]'), recursive := true));
-- pay_fee_starts: the volume starts counted per area, day and weight. Starts of the same area,
-- day, start_type and length weigh the same, so they are counted first and weighed once.
CREATE OR REPLACE TEMP TABLE pay_fee_starts AS
WITH vol AS (
  SELECT s.cpa, s.start_date, s.start_type, s.sentence_length_days, count(*) AS n
  FROM starts s JOIN cohort c ON c.person_id = s.person_id
  WHERE s.allocation = $allocation AND NOT s.em_only
    AND year(s.start_date) - year(c.date_of_birth)
        - CASE WHEN month(s.start_date) * 100 + day(s.start_date) < month(c.date_of_birth) * 100 + day(c.date_of_birth)
               THEN 1 ELSE 0 END >= $min_age
    AND s.start_type IN (SELECT start_type FROM pay_bands)
  GROUP BY s.cpa, s.start_date, s.start_type, s.sentence_length_days),
weighed AS (
  SELECT v.cpa, v.start_date, any_value(v.n) AS n, coalesce(arg_min(b.weight_txt, b.band_idx), '0') AS weight_txt
  FROM vol v LEFT JOIN pay_bands b
    ON b.start_type = v.start_type AND (b.max_len IS NULL OR b.max_len >= v.sentence_length_days)
  GROUP BY v.cpa, v.start_date, v.start_type, v.sentence_length_days)
SELECT cpa, start_date, weight_txt, CAST(sum(n) AS BIGINT) AS n FROM weighed GROUP BY cpa, start_date, weight_txt;
CREATE OR REPLACE TEMP TABLE pay_fee_months AS
SELECT y.*, CAST(m AS DATE) AS m_start, last_day(CAST(m AS DATE)) AS m_end,
  strftime(CAST(m AS DATE), '%Y-%m') AS month,
  (least(y.y_to, last_day(CAST(m AS DATE))) - greatest(y.y_from, CAST(m AS DATE)) + 1)::BIGINT AS covered,
  day(last_day(CAST(m AS DATE)))::BIGINT AS dim
FROM pay_years_priced y,
  LATERAL (SELECT unnest(generate_series(CAST(date_trunc('month', y.y_from) AS TIMESTAMP),
                                         CAST(y.y_to AS TIMESTAMP), INTERVAL 1 MONTH)) AS m);
CREATE OR REPLACE TEMP TABLE pay_fee_exact AS
SELECT *, qmul(qdiv(price_y, qint(12)), q(covered, dim)) AS fee FROM pay_fee_months;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT area, month, 'fee_for_service',
  price_txt_basis || ' / 12' || CASE WHEN covered = dim THEN '' ELSE ' x ' || covered || '/' || dim || ' days' END
  || ': contract year ' || (idx + 1) || ' (' || year_label || ') annual price'
  || CASE WHEN $discount IS NULL OR idx = 0 THEN '' ELSE ' less the learning-curve discount' END
  || ', one twelfth a month'
  || CASE WHEN covered = dim THEN '' ELSE ', pro rata for the days of the month inside the contract year' END,
  pence(fee), key || '.annual_price', area_order, m_start, m_end, 'final', 'fee', 1, year_label,
  'exact amount ' || qfix(fee, 6)
FROM pay_fee_exact;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
WITH w AS (
  SELECT y.area, y.idx, coalesce(sum(CAST(d.weight_txt AS DECIMAL(38,12)) * d.n), 0) AS w_sum,
    CAST(coalesce(sum(d.n), 0) AS BIGINT) AS starts_n
  FROM pay_years_priced y LEFT JOIN pay_fee_starts d
    ON d.cpa = y.area AND d.start_date BETWEEN y.y_from AND y.y_to
  GROUP BY y.area, y.idx),
r AS (
  SELECT y.*, qdec(w.w_sum) AS wq, w.starts_n, qdec(y.low_txt) AS lo, qdec(y.high_txt) AS hi,
    qdiv(y.price_y, qdiv(qadd(qdec(y.low_txt), qdec(y.high_txt)), qint(2))) AS unit
  FROM pay_years_priced y JOIN w ON w.area = y.area AND w.idx = y.idx
  WHERE CAST(y.low_txt AS DECIMAL(38,12)) + CAST(y.high_txt AS DECIMAL(38,12)) > 0)
SELECT area, year_label, 'volume_reconciliation',
  CASE WHEN qlt(hi, wq)
    THEN '(' || qfix(wq, 2) || ' - ' || qfix(hi, 2) || ') x ' || gbpq(unit)
      || ': weighted volume (' || cnt(starts_n) || ' starts) above volume_high, times the unit price '
    ELSE '-(' || qfix(lo, 2) || ' - ' || qfix(wq, 2) || ') x ' || gbpq(unit)
      || ': weighted volume (' || cnt(starts_n) || ' starts) below volume_low, times the unit price ' END
  || gbpq(price_y) || ' / ((' || qfix(lo, 2) || ' + ' || qfix(hi, 2) || ') / 2) of contract year ' || (idx + 1)
  || CASE WHEN y_to > CAST($as_of AS DATE) THEN '; provisional: the contract year had not ended at as_of ' || $as_of ELSE '' END,
  CASE WHEN qlt(hi, wq) THEN pence(qmul(qsub(wq, hi), unit)) ELSE pence(qneg(qmul(qsub(lo, wq), unit))) END,
  key || CASE WHEN qlt(hi, wq) THEN '.volume_high' ELSE '.volume_low' END,
  area_order, y_from, y_to, CASE WHEN y_to > CAST($as_of AS DATE) THEN 'provisional' ELSE 'final' END,
  'fee', 1, year_label,
  'unrounded: W = ' || qfix(wq, 6) || ', unit = ' || qfix(unit, 6) || '; exact amount '
  || qfix(CASE WHEN qlt(hi, wq) THEN qmul(qsub(wq, hi), unit) ELSE qneg(qmul(qsub(lo, wq), unit)) END, 6)
FROM r WHERE qlt(hi, wq) OR qlt(wq, lo);
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
WITH fm AS (
  SELECT area, month, any_value(area_order) AS area_order, any_value(m_start) AS m_start, any_value(m_end) AS m_end,
    min(year_label) AS year_label, list_reduce(list(fee), (x, y) -> qadd(x, y)) AS fee
  FROM pay_fee_exact GROUP BY area, month),
missed AS (
  SELECT cpa, month, count(*) AS missed_n,
    string_agg(measure || ' ' || qfix(qdec(achieved), 3) || ' < ' || qfix(qdec(target), 3), '; ' ORDER BY measure, _line) AS what
  FROM service_levels WHERE achieved < target GROUP BY cpa, month),
c AS (
  SELECT fm.*, missed.missed_n, missed.what, qmul(qint(missed.missed_n), qdec($credit_rate)) AS share_raw,
    $credit_cap IS NOT NULL AND qlt(qdec($credit_cap), qmul(qint(missed.missed_n), qdec($credit_rate))) AS capped
  FROM fm JOIN missed ON missed.cpa = fm.area AND missed.month = fm.month)
SELECT area, month, 'service_credit',
  CASE WHEN capped
    THEN '-min(' || missed_n || ' x ' || qfix(qmul(qdec($credit_rate), qint(100)), 2) || '%, '
      || qfix(qmul(qdec($credit_cap), qint(100)), 2) || '%) x ' || gbpq(fee)
    ELSE '-' || missed_n || ' x ' || qfix(qmul(qdec($credit_rate), qint(100)), 2) || '% x ' || gbpq(fee) END
  || ': ' || missed_n || ' service level' || CASE WHEN missed_n = 1 THEN '' ELSE 's' END || ' below target ('
  || what || '), service_credit_rate of the month''s fee for each'
  || CASE WHEN capped THEN ', capped at service_credit_cap' ELSE '' END,
  pence(qneg(qmul(CASE WHEN capped THEN qdec($credit_cap) ELSE share_raw END, fee))),
  CASE WHEN capped THEN 'fee_for_service.service_credit_cap' ELSE 'fee_for_service.service_credit_rate' END,
  area_order, m_start, m_end, 'final', 'fee', 2, year_label,
  'unrounded: month fee ' || qfix(fee, 6) || '; exact amount ' || qfix(qneg(qmul(CASE WHEN capped THEN qdec($credit_cap) ELSE share_raw END, fee)), 6)
FROM c WHERE CAST($credit_rate AS DECIMAL(38,12)) > 0;
