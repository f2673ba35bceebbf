-- name: pay_doncaster
-- params: $target_points (VARCHAR: target_points), $share (VARCHAR: at_risk_share),
--   $contract_value (VARCHAR or NULL), $final_months (INTEGER)
-- returns: payments lines (component binary_deduction, rule at_risk_share), pay_outcomes and
--   assess_outcomes for the doncaster scheme (method.md section 10), from assess_input.
-- b = reoffenders / measurable (conviction-only) of the treatment group (rows with no group count
-- as treatment). Baseline B, per row in this order: baseline_reoffenders / baseline_measurable
-- (person-level), baseline_binary_rate (aggregates), else the pooled baseline rows (is_baseline:
-- the contract's baseline period) of the same area. Fall = (B - b) * 100 percentage points, exact.
-- Target met when fall >= target_points: the at-risk share is kept (outcome target_met, no line).
-- Otherwise, for a final cohort, a refund line -at_risk_share * contract_value (outcome target_missed).
-- Each cohort period is assessed on its own (each missed cohort refunds the share once).
CREATE OR REPLACE TEMP TABLE dn_base AS
SELECT area, sum(measurable)::BIGINT AS bn, sum(reoffenders)::BIGINT AS br
FROM assess_input WHERE is_baseline AND coalesce("group", 'treatment') = 'treatment' GROUP BY area;
CREATE OR REPLACE TEMP TABLE dn AS
SELECT a.area, a.period, a.period_start, a.period_end, a.status, a.measurable AS n, a.reoffenders AS r,
  a.row_order, q(a.reoffenders, a.measurable) AS b,
  CASE WHEN a.baseline_reoffenders IS NOT NULL THEN q(a.baseline_reoffenders, a.baseline_measurable)
       WHEN a.baseline_binary_rate IS NOT NULL THEN qdec(a.baseline_binary_rate)
       ELSE q(d.br, d.bn) END AS bl
FROM assess_input a LEFT JOIN dn_base d ON d.area = a.area
WHERE a.status IS NOT NULL AND NOT a.is_baseline AND a.area <> 'ALL' AND coalesce(a."group", 'treatment') = 'treatment';
CREATE OR REPLACE TEMP TABLE dn_decided AS
SELECT *, qmul(qsub(bl, b), qint(100)) AS fall,
  CASE WHEN b IS NULL OR bl IS NULL THEN 'none'
       WHEN qle(qdec($target_points), qmul(qsub(bl, b), qint(100))) THEN 'target_met'
       ELSE 'target_missed' END AS outcome
FROM dn;
CREATE OR REPLACE TEMP TABLE dn_words AS
SELECT *, 'binary reconviction rate ' || coalesce(qpct1(b), 'n/a') || ' (' || cnt(r) || ' of ' || cnt(n)
  || ' offenders) against the baseline ' || coalesce(qpct1(bl), 'n/a') || ': a change of '
  || coalesce(qfix(qneg(fall), 1), 'n/a') || ' points against a target fall of '
  || qfix(qdec($target_points), 1) || ' points: '
  || CASE outcome WHEN 'target_met' THEN 'target met, the at-risk share is kept'
                  WHEN 'target_missed' THEN 'target missed, at_risk_share of contract_value is refunded'
                  ELSE 'no result' END AS words
FROM dn_decided;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT area, period, 'binary_deduction',
  '-' || qpct1(qdec($share)) || ' x ' || gbp($contract_value) || ': ' || words,
  pence(qneg(qmul(qdec($share), qdec($contract_value)))), 'at_risk_share', NULL,
  period_start, period_end, status, 'results', 1, NULL,
  'exact: ' || r || ' / ' || n || ' against the baseline ' || qfix(bl, 6)
FROM dn_words WHERE outcome = 'target_missed' AND status = 'final' AND $contract_value IS NOT NULL;
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary)
SELECT area, NULL, period, period_start, period_end, status,
  CAST(period_end + to_months($final_months) AS DATE), outcome,
  words || CASE WHEN status = 'final' THEN '' ELSE '; interim result: shown, never paid' END
FROM dn_words;
CREATE OR REPLACE TABLE assess_outcomes AS
SELECT area, period, status, n AS measurable, r AS reoffenders, qfix6(b) AS binary_rate,
  qfix6(bl) AS baseline_binary_rate, qfix6(qneg(fall)) AS change_points,
  CAST($target_points AS DECIMAL(18,6)) AS target_points, outcome, row_order AS _order
FROM dn_words;
