-- name: pay_create
-- params: (none)
-- returns: empty tables `payments` (one row per statement line) and `pay_outcomes` (one row per
--   area and results period: what the statement says about the result, paid or not).
-- payments.amount is DECIMAL(38,2), already rounded by pence() (pay_macros.sql); every total in
-- any output is a SUM of these rounded lines. `section` is 'results' (payment by results) or 'fee'
-- (fee for service); `line_order` orders the lines inside one statement; `year_label` is the
-- contract year (FROM/TO) a line belongs to in the contract-year summary (pay_finish.sql); `detail`
-- gives the unrounded inputs and the exact amount (6 decimals) so an auditor can redo the rounding.
-- `price` is the contract price that priced the line (decimal text, NULL where none), `exact_amount`
-- the amount before rounding (decimal text, 6 places).
-- pay_outcomes holds, besides the outcome sentence, the figures a statement shows behind a results
-- line so that a pound can be followed back to a count (NULL where the scheme has no such figure):
--   period_kind   'cohort' (a contract period), 'annual' (a top-up year), 'pilot' (Peterborough ALL)
--   n, r, k       measurable offenders, reoffenders, counted reoffences (Peterborough: treatment
--                 n and events in n and k; Doncaster: n and r)
--   binary_rate, expected_rate, baseline_expected_rate, adjusted_rate, baseline_rate,
--   lower_threshold, upper_threshold, frequency_rate, baseline_frequency_rate
--                 the rates, exact values rounded half away from zero to 6 places
--   threshold_source  tr-crc: 'baseline-band', 'two-proportion' or 'fixed' (the thresholds file);
--                     doncaster: 'target_points' (lower_threshold = B - target/100);
--                     peterborough: 'thresholds.cohort' or 'thresholds.overall'
--   adjustment_text   the adjustment written out with its numbers, e.g.
--                     'a = b - (e - B_e) = 45.3% - (52.1% - 50.0%) = 43.2%'
--   reason_text       why the outcome follows, e.g. 'a 43.2% is below the lower threshold 45.1%'
--   indicative_amount interim periods: what the lines would sum to were the period final now
--                     (never paid; NULL for final periods)
--   termination_watch  method.md section 14 (NULL when not configured)
CREATE OR REPLACE TABLE payments (
  area VARCHAR, period VARCHAR, component VARCHAR, basis VARCHAR, amount DECIMAL(38,2), rule VARCHAR,
  area_order INTEGER, period_start DATE, period_end DATE, status VARCHAR, section VARCHAR,
  line_order INTEGER, year_label VARCHAR, detail VARCHAR, price VARCHAR, exact_amount VARCHAR);
CREATE OR REPLACE TABLE pay_outcomes (
  area VARCHAR, area_order INTEGER, period VARCHAR, period_start DATE, period_end DATE,
  status VARCHAR, final_on DATE, outcome VARCHAR, summary VARCHAR,
  period_kind VARCHAR, n BIGINT, r BIGINT, k BIGINT,
  binary_rate DECIMAL(18,6), expected_rate DECIMAL(18,6), baseline_expected_rate DECIMAL(18,6),
  adjusted_rate DECIMAL(18,6), baseline_rate DECIMAL(18,6), lower_threshold DECIMAL(18,6),
  upper_threshold DECIMAL(18,6), frequency_rate DECIMAL(18,6), baseline_frequency_rate DECIMAL(18,6),
  frequency_outcome VARCHAR, threshold_source VARCHAR, adjustment_text VARCHAR, reason_text VARCHAR,
  indicative_amount DECIMAL(38,2), termination_watch BOOLEAN);
