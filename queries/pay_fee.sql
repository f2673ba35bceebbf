-- name: pay_fee
-- params: $allocation (VARCHAR), $min_age (INTEGER), $as_of (VARCHAR date),
--   $bands (VARCHAR: JSON list of {band_idx, start_type, max_len (null = none), weight_txt} in file order),
--   $discount (VARCHAR or NULL: learning_curve_discount), $credit_rate (VARCHAR), $credit_cap (VARCHAR or NULL),
--   $rounding (VARCHAR: fee_for_service.rounding, per-month | balance-last-month);
--   needs pay_years_priced (pay_fee_years.sql) and tables starts, cohort, service_levels
-- returns: rows of `payments` (section 'fee') for method.md section 9: fee_for_service (per area and
--   month), volume_reconciliation (per contract year, period FROM/TO), service_credit (per area and
--   month); table `fee_volumes` (per area, contract year and band: starts and weighted volume, the
--   figures behind each reconciliation); temp tables `pay_bands` and
--   `pay_fee_classified` (every start with its band and, when it does not count,
--   why), which volumes_starts.sql reads to write volumes.csv.
-- `price` of a line: the contract year's price after the learning-curve discount (fee_for_service),
-- the unit price (volume_reconciliation), NULL for service credits (a share, not a price), as plain
-- decimal text (at most 6 places, no trailing zeros); `exact_amount` the amount before rounding,
-- decimal text with 6 places.
-- Rules and the choices where method.md is silent:
--   * Volume: starts of $allocation, not em_only, aged >= $min_age on start_date (completed years;
--     29 February birthdays on 1 March in common years), of a start_type listed in a band. Every
--     start counts. Weight = first band in file order with that start_type and max_length_days empty
--     or >= sentence_length_days; a start of a listed type that no band fits counts with weight 0
--     (band empty).
--   * Year y of an area is its (idx + 1)-th contract year in file order; price_y = annual_price *
--     (1 - discount)^(y - 1), exact.
--   * Monthly payment: price_y / 12 for each calendar month the contract year touches; a month the
--     year covers only in part is paid pro rata by days: price_y / 12 * covered days / days in month.
--   * Rounding (fee_for_service.rounding): per-month rounds each month to pence on its own.
--     balance-last-month rounds every month but the last of the contract year the same way, and the
--     last month takes the balance: the year's fee total less the earlier months' rounded fees. The
--     year's fee total is price_y rounded to pence for a year of twelve months (to = from + 12
--     months - 1 day, the usual case), so its fees sum to its price exactly; for a shorter or longer
--     year it is the sum of its exact monthly fees (pro rata as above) rounded to pence.
--   * Every month of every contract year is paid (the fee is contractual, independent of as_of).
--   * Reconciliation: W_year = weighted starts with start_date in from..to (by day, not by month);
--     unit = price_y / ((volume_low + volume_high) / 2) (price_y after the learning discount);
--     above the range +(W - high) * unit, below -(low - W) * unit. A year with volume_low +
--     volume_high = 0 is not reconciled. A year whose `to` is after as_of is reconciled on the
--     volumes known so far and marked provisional (status 'provisional', and in the basis).
--   * Service credits: per area and month, every service_levels row with achieved < target adds
--     service_credit_rate; the month's credit is -min(missed * rate, cap) * that month's payment,
--     where the payment is the exact fee AFTER the learning-curve discount (the sum over contract
--     years touching the month), whatever the rounding rule. One line per area and month; months
--     without a fee get no credit. No lines when service_credit_rate is 0.
CREATE OR REPLACE MACRO fee_txt6(a) AS
  CAST(CAST(qunits(a, 1000000) AS DECIMAL(38,0)) * 0.000001 AS DECIMAL(38,6))::VARCHAR;
-- a price as plain decimal text, at most 6 places, no trailing zeros (1176000, 980000.0098)
CREATE OR REPLACE MACRO fee_price_txt(a) AS rtrim(rtrim(fee_txt6(a), '0'), '.');
CREATE OR REPLACE TEMP TABLE pay_bands AS
SELECT band_idx, start_type, max_len, weight_txt
FROM (SELECT unnest(from_json($bands,
  '[{"band_idx":"INTEGER","start_type":"VARCHAR","max_len":"INTEGER","weight_txt":"VARCHAR"}]'), recursive := true));
-- the band of each start type and length that occurs: the first band in file order that fits
-- (NULL: the type is in a band but no band fits the length, or the type is in no band)
CREATE OR REPLACE TEMP TABLE pay_band_of AS
WITH combos AS (SELECT DISTINCT start_type, sentence_length_days FROM starts)
SELECT c.start_type, c.sentence_length_days, min(b.band_idx) AS band_idx
FROM combos c LEFT JOIN pay_bands b
  ON b.start_type = c.start_type AND (b.max_len IS NULL OR b.max_len >= c.sentence_length_days)
GROUP BY c.start_type, c.sentence_length_days;
-- every start with its band and, when it is not in the volume, the first reason in this order
-- (the order of method.md section 9), as a code (volumes.csv lists it for every start):
-- allocation (not the contract's), em_only, not_in_cohort (no cohort row), under_age (under
-- min_age on the start date), type_in_no_band
-- (a table, not a macro: pay_fee_starts and volumes.csv both read it, and the join to the cohort
-- is the costly part)
CREATE OR REPLACE TEMP TABLE pay_fee_classified AS
SELECT s.start_id, s.cpa, s.start_date, s.start_type, s.sentence_length_days, bo.band_idx,
  CASE
    WHEN s.allocation <> $allocation THEN 'allocation'
    WHEN s.em_only THEN 'em_only'
    WHEN c.person_id IS NULL THEN 'not_in_cohort'
    WHEN year(s.start_date) - year(c.date_of_birth)
         - CASE WHEN month(s.start_date) * 100 + day(s.start_date) < month(c.date_of_birth) * 100 + day(c.date_of_birth)
                THEN 1 ELSE 0 END < $min_age THEN 'under_age'
    WHEN s.start_type NOT IN (SELECT start_type FROM pay_bands) THEN 'type_in_no_band'
  END AS excluded
FROM starts s LEFT JOIN cohort c ON c.person_id = s.person_id
LEFT JOIN pay_band_of bo ON bo.start_type = s.start_type AND bo.sentence_length_days = s.sentence_length_days;
-- pay_fee_starts: the volume starts counted per area, day and band
CREATE OR REPLACE TEMP TABLE pay_fee_starts AS
SELECT f.cpa, f.start_date, f.band_idx, coalesce(any_value(b.weight_txt), '0') AS weight_txt, count(*)::BIGINT AS n
FROM pay_fee_classified f LEFT JOIN pay_bands b ON b.band_idx = f.band_idx
WHERE f.excluded IS NULL
GROUP BY f.cpa, f.start_date, f.band_idx;
-- fee_volumes: per area, contract year and band (band_idx NULL: no band fits, weight 0) the starts
-- and the weighted volume (weight x starts, exact); W_year is their sum
CREATE OR REPLACE TABLE fee_volumes AS
SELECT y.area, y.idx, y.year_label, d.band_idx, any_value(d.weight_txt) AS weight_txt,
  sum(d.n)::BIGINT AS starts, sum(CAST(d.weight_txt AS DECIMAL(38,12)) * d.n) AS weighted
FROM pay_years_priced y JOIN pay_fee_starts d ON d.cpa = y.area AND d.start_date BETWEEN y.y_from AND y.y_to
GROUP BY y.area, y.idx, y.year_label, d.band_idx;
CREATE OR REPLACE TEMP TABLE pay_fee_months AS
SELECT y.*, CAST(m AS DATE) AS m_start, last_day(CAST(m AS DATE)) AS m_end,
  strftime(CAST(m AS DATE), '%Y-%m') AS month,
  (least(y.y_to, last_day(CAST(m AS DATE))) - greatest(y.y_from, CAST(m AS DATE)) + 1)::BIGINT AS covered,
  day(last_day(CAST(m AS DATE)))::BIGINT AS dim
FROM pay_years_priced y,
  LATERAL (SELECT unnest(generate_series(CAST(date_trunc('month', y.y_from) AS TIMESTAMP),
                                         CAST(y.y_to AS TIMESTAMP), INTERVAL 1 MONTH)) AS m);
CREATE OR REPLACE TEMP TABLE pay_fee_exact AS
SELECT *, qmul(qmul(price_y, q(1, 12)), q(covered, dim)) AS fee,
  m_start = max(m_start) OVER (PARTITION BY area, idx) AS is_last,
  count(*) OVER (PARTITION BY area, idx) AS months_n
FROM pay_fee_months;
-- the balance of each contract year's last month (balance-last-month): the year's fee total less
-- the rounded fees of its earlier months
CREATE OR REPLACE TEMP TABLE pay_fee_balance AS
SELECT area, idx,
  CAST(any_value(y_from) + INTERVAL 12 MONTH AS DATE) - 1 = any_value(y_to) AS twelve_months,
  CASE WHEN CAST(any_value(y_from) + INTERVAL 12 MONTH AS DATE) - 1 = any_value(y_to) THEN pence(any_value(price_y))
       ELSE pence(list_reduce(list(fee), (x, y) -> qadd(x, y))) END AS year_total,
  coalesce(sum(pence(fee)) FILTER (WHERE NOT is_last), 0) AS earlier
FROM pay_fee_exact GROUP BY area, idx;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail, price, exact_amount)
SELECT e.area, e.month, 'fee_for_service',
  CASE WHEN $rounding = 'balance-last-month' AND e.is_last THEN
    gbp(b.year_total) || ' - ' || gbp(b.earlier) || ': '
    || CASE WHEN b.twelve_months
         THEN 'the price of contract year ' || (e.idx + 1) || ' (' || e.year_label || '), ' || e.price_txt_basis
              || CASE WHEN $discount IS NULL OR e.idx = 0 THEN '' ELSE ' = GBP ' || qfix(e.price_y, 6) || ' after the learning-curve discount' END
              || ', rounded to pence'
         ELSE 'the fees of contract year ' || (e.idx + 1) || ' (' || e.year_label || '), the sum of its ' || e.months_n
              || ' exact monthly fees (' || e.price_txt_basis || ' / 12, pro rata for part months), rounded to pence' END
    || ', less the rounded fees of the ' || CASE WHEN e.months_n = 1 THEN 'no earlier month' WHEN e.months_n = 2 THEN 'earlier month' ELSE (e.months_n - 1) || ' earlier months' END
    || ': the last month of the contract year takes the balance, so that the year''s fees sum to '
    || CASE WHEN b.twelve_months THEN 'its price' ELSE 'that total' END || ' exactly (fee_for_service.rounding balance-last-month)'
  ELSE
    e.price_txt_basis || ' / 12' || CASE WHEN e.covered = e.dim THEN '' ELSE ' x ' || e.covered || '/' || e.dim || ' days' END
    || ': contract year ' || (e.idx + 1) || ' (' || e.year_label || ') annual price'
    || CASE WHEN $discount IS NULL OR e.idx = 0 THEN '' ELSE ' less the learning-curve discount' END
    || ', one twelfth a month'
    || CASE WHEN e.covered = e.dim THEN '' ELSE ', pro rata for the days of the month inside the contract year' END
  END,
  CASE WHEN $rounding = 'balance-last-month' AND e.is_last THEN CAST(b.year_total - b.earlier AS DECIMAL(38,2)) ELSE pence(e.fee) END,
  e.key || '.annual_price', e.area_order, e.m_start, e.m_end, 'final', 'fee', 1, e.year_label,
  CASE WHEN $rounding = 'balance-last-month' AND e.is_last
    THEN 'balance of the year; one twelfth' || CASE WHEN e.covered = e.dim THEN '' ELSE ' pro rata' END || ' would be ' || qfix(e.fee, 6)
    ELSE 'exact amount ' || qfix(e.fee, 6) END,
  fee_price_txt(e.price_y),
  CASE WHEN $rounding = 'balance-last-month' AND e.is_last THEN fee_txt6(qdec(b.year_total - b.earlier)) ELSE fee_txt6(e.fee) END
FROM pay_fee_exact e JOIN pay_fee_balance b ON b.area = e.area AND b.idx = e.idx;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail, price, exact_amount)
WITH w AS (
  SELECT y.area, y.idx, coalesce(sum(v.weighted), 0) AS w_sum, CAST(coalesce(sum(v.starts), 0) AS BIGINT) AS starts_n
  FROM pay_years_priced y LEFT JOIN fee_volumes v ON v.area = y.area AND v.idx = y.idx
  GROUP BY y.area, y.idx),
r AS (
  SELECT y.*, qdec(w.w_sum) AS wq, w.starts_n, qdec(y.low_txt) AS lo, qdec(y.high_txt) AS hi,
    qdiv(y.price_y, qdiv(qadd(qdec(y.low_txt), qdec(y.high_txt)), qint(2))) AS unit
  FROM pay_years_priced y JOIN w ON w.area = y.area AND w.idx = y.idx
  WHERE CAST(y.low_txt AS DECIMAL(38,12)) + CAST(y.high_txt AS DECIMAL(38,12)) > 0),
x AS (
  SELECT *, CASE WHEN qlt(hi, wq) THEN qmul(qsub(wq, hi), unit) ELSE qneg(qmul(qsub(lo, wq), unit)) END AS exact
  FROM r WHERE qlt(hi, wq) OR qlt(wq, lo))
SELECT area, year_label, 'volume_reconciliation',
  CASE WHEN qlt(hi, wq)
    THEN '(' || qfix(wq, 2) || ' - ' || qfix(hi, 2) || ') x ' || gbpq(unit)
      || ': weighted volume (' || cnt(starts_n) || ' starts) above volume_high, times the unit price '
    ELSE '-(' || qfix(lo, 2) || ' - ' || qfix(wq, 2) || ') x ' || gbpq(unit)
      || ': weighted volume (' || cnt(starts_n) || ' starts) below volume_low, times the unit price ' END
  || gbpq(price_y) || ' / ((' || qfix(lo, 2) || ' + ' || qfix(hi, 2) || ') / 2) of contract year ' || (idx + 1)
  || CASE WHEN y_to > CAST($as_of AS DATE) THEN '; provisional: the contract year had not ended at as_of ' || $as_of ELSE '' END,
  pence(exact),
  key || CASE WHEN qlt(hi, wq) THEN '.volume_high' ELSE '.volume_low' END,
  area_order, y_from, y_to, CASE WHEN y_to > CAST($as_of AS DATE) THEN 'provisional' ELSE 'final' END,
  'fee', 1, year_label,
  'unrounded: W = ' || qfix(wq, 6) || ', unit = ' || qfix(unit, 6) || '; exact amount ' || qfix(exact, 6),
  fee_price_txt(unit), fee_txt6(exact)
FROM x;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail, price, exact_amount)
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
  FROM fm JOIN missed ON missed.cpa = fm.area AND missed.month = fm.month),
x AS (
  SELECT *, qneg(qmul(CASE WHEN capped THEN qdec($credit_cap) ELSE share_raw END, fee)) AS exact FROM c)
SELECT area, month, 'service_credit',
  CASE WHEN capped
    THEN '-min(' || missed_n || ' x ' || qfix(qmul(qdec($credit_rate), qint(100)), 2) || '%, '
      || qfix(qmul(qdec($credit_cap), qint(100)), 2) || '%) x ' || gbpq(fee)
    ELSE '-' || missed_n || ' x ' || qfix(qmul(qdec($credit_rate), qint(100)), 2) || '% x ' || gbpq(fee) END
  || ': ' || missed_n || ' service level' || CASE WHEN missed_n = 1 THEN '' ELSE 's' END || ' below target ('
  || what || '), service_credit_rate of the month''s fee for each'
  || CASE WHEN capped THEN ', capped at service_credit_cap' ELSE '' END,
  pence(exact),
  CASE WHEN capped THEN 'fee_for_service.service_credit_cap' ELSE 'fee_for_service.service_credit_rate' END,
  area_order, m_start, m_end, 'final', 'fee', 2, year_label,
  'unrounded: month fee ' || qfix(fee, 6) || '; exact amount ' || qfix(exact, 6),
  NULL, fee_txt6(exact)
FROM x WHERE CAST($credit_rate AS DECIMAL(38,12)) > 0;
