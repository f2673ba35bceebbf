-- name: pay_statements
-- params: (none)
-- returns: one row per statement (area other than ALL, and period) in display order, with its total
--   (the SUM of its rounded lines) and, for a results period, what pay_outcomes says behind it: the
--   outcome sentence, the date it becomes final (final_on: payable from), the counts and rates (rates
--   as decimal text with 6 places), the adjustment written out, the reason for the outcome and, for an
--   interim period, the indicative amount (never paid). Statements exist for every area-period with a
--   line in `payments` and every results period of `pay_outcomes` (interim ones included).
--   contract_years: the contract years (FROM/TO labels) the statement belongs to.
WITH keys AS (
  SELECT area, period, area_order, period_start, period_end, status, section FROM payments
  UNION ALL
  SELECT area, period, area_order, period_start, period_end, status, 'results' FROM pay_outcomes),
k AS (
  SELECT area, period, min(area_order) AS area_order, min(period_start) AS period_start,
    max(period_end) AS period_end, min(section) AS section,
    -- a statement is interim (or provisional) when any of its parts is
    CASE WHEN bool_or(status = 'interim') THEN 'interim' WHEN bool_or(status = 'provisional') THEN 'provisional'
         ELSE 'final' END AS status
  FROM keys WHERE area <> 'ALL' GROUP BY area, period),
t AS (SELECT area, period, sum(amount) AS total, count(*) AS lines FROM payments GROUP BY area, period),
-- the contract years a statement belongs to (its contract-year summary lists it there): the year of
-- each of its lines, and for a results period the year containing its end (as pay_finish.sql)
yl AS (
  SELECT area, period, list(DISTINCT year_label ORDER BY year_label) AS contract_years
  FROM (SELECT area, period, year_label FROM payments WHERE year_label IS NOT NULL
        UNION SELECT o.area, o.period, y.year_label FROM pay_outcomes o
        JOIN pay_years_priced y ON y.area = o.area AND o.period_end BETWEEN y.y_from AND y.y_to)
  GROUP BY area, period)
SELECT k.area, coalesce(a.name, k.area) AS area_name, k.period,
  strftime(k.period_start, '%Y-%m-%d') AS period_start, strftime(k.period_end, '%Y-%m-%d') AS period_end,
  k.status, k.section, o.area IS NOT NULL AS has_outcome, o.outcome, o.summary,
  strftime(o.final_on, '%Y-%m-%d') AS final_on,
  CAST(coalesce(t.total, 0) AS DECIMAL(38,2))::VARCHAR AS total, coalesce(t.lines, 0)::INTEGER AS lines,
  o.period_kind, o.n::VARCHAR AS n, o.r::VARCHAR AS r, o.k::VARCHAR AS k,
  o.binary_rate::VARCHAR AS binary_rate, o.expected_rate::VARCHAR AS expected_rate,
  o.baseline_expected_rate::VARCHAR AS baseline_expected_rate, o.adjusted_rate::VARCHAR AS adjusted_rate,
  o.baseline_rate::VARCHAR AS baseline_rate, o.lower_threshold::VARCHAR AS lower_threshold,
  o.upper_threshold::VARCHAR AS upper_threshold, o.frequency_rate::VARCHAR AS frequency_rate,
  o.baseline_frequency_rate::VARCHAR AS baseline_frequency_rate, o.frequency_outcome, o.threshold_source,
  o.adjustment_text, o.reason_text, o.indicative_amount::VARCHAR AS indicative_amount, o.termination_watch,
  coalesce(yl.contract_years, []::VARCHAR[]) AS contract_years
FROM k LEFT JOIN pay_outcomes o ON o.area = k.area AND o.period = k.period
LEFT JOIN t ON t.area = k.area AND t.period = k.period
LEFT JOIN yl ON yl.area = k.area AND yl.period = k.period
LEFT JOIN areas a ON a.cpa = k.area
-- by end date; a longer period ending on the same day (a whole pilot, an annual top-up period, a
-- contract year after its last month) comes after the shorter ones inside it; a whole pilot last
ORDER BY k.area_order, k.area, k.section DESC, coalesce(o.period_kind = 'pilot', false), k.period_end NULLS LAST,
  k.period_start DESC, k.period;
