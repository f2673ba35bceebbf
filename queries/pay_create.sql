-- name: pay_create
-- params: (none)
-- returns: empty tables `payments` (one row per statement line) and `pay_outcomes` (one row per
--   area and results period: what the statement says about the result, paid or not).
-- payments.amount is DECIMAL(18,2), already rounded by pence() (pay_macros.sql); every total in
-- any output is a SUM of these rounded lines. `section` is 'results' (payment by results) or 'fee'
-- (fee for service); `line_order` orders the lines inside one statement; `year_label` is the
-- contract year (FROM/TO) a line belongs to in the contract-year summary (pay_finish.sql); `detail`
-- gives the unrounded inputs and the exact amount (6 decimals) so an auditor can redo the rounding.
CREATE OR REPLACE TABLE payments (
  area VARCHAR, period VARCHAR, component VARCHAR, basis VARCHAR, amount DECIMAL(18,2), rule VARCHAR,
  area_order INTEGER, period_start DATE, period_end DATE, status VARCHAR, section VARCHAR,
  line_order INTEGER, year_label VARCHAR, detail VARCHAR);
CREATE OR REPLACE TABLE pay_outcomes (
  area VARCHAR, area_order INTEGER, period VARCHAR, period_start DATE, period_end DATE,
  status VARCHAR, final_on DATE, outcome VARCHAR, summary VARCHAR);
