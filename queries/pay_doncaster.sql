-- name: pay_doncaster
-- params: $target_points (VARCHAR: target_points), $share (VARCHAR: at_risk_share),
--   $contract_value (VARCHAR decimal text or NULL: one value for every cohort),
--   $contract_values (VARCHAR: JSON list of {label, value_txt}, the per-period map; '[]' when none),
--   $bonus (VARCHAR or NULL: bonus_per_point), $bonus_cap (VARCHAR: bonus_cap_points),
--   $final_months (INTEGER)
-- returns: payments lines (binary_deduction, rule at_risk_share; binary_payment, rule
--   bonus_per_point), pay_outcomes and assess_outcomes for the doncaster scheme (method.md
--   section 10), from assess_input; temp table dn_words (one row per cohort, with `value`, the
--   contract value of its period: pay/index.ts refuses a missed final cohort without one).
-- b = reoffenders / measurable (conviction-only) of the treatment group (rows with no group count
-- as treatment). Baseline B, per row in this order: baseline_reoffenders / baseline_measurable
-- (person-level), baseline_binary_rate (aggregates), else the pooled baseline rows (is_baseline:
-- the contract's baseline period) of the same area. Fall = (B - b) * 100 percentage points, exact.
-- Target met when fall >= target_points: the at-risk share is kept (outcome target_met).
-- Otherwise, for a final cohort, a refund line -at_risk_share * value (outcome target_missed), value
-- = contract_value, or the map's value for the cohort's period label.
-- v2 bonus: with bonus_per_point set, a final cohort whose fall exceeds the target earns
-- bonus_per_point * min(fall - target_points, bonus_cap_points) (pro rata, exact), a binary_payment line.
-- Each cohort period is assessed on its own (each missed cohort refunds the share once).
CREATE OR REPLACE TEMP TABLE dn_base AS
SELECT area, sum(measurable)::BIGINT AS bn, sum(reoffenders)::BIGINT AS br
FROM assess_input WHERE is_baseline AND coalesce("group", 'treatment') = 'treatment' GROUP BY area;
CREATE OR REPLACE TEMP TABLE dn_values AS
SELECT label, value_txt
FROM (SELECT unnest(from_json($contract_values::VARCHAR, '[{"label":"VARCHAR","value_txt":"VARCHAR"}]'), recursive := true));
CREATE OR REPLACE TEMP TABLE dn AS
SELECT a.area, a.period, a.period_start, a.period_end, a.status, a.measurable AS n, a.reoffenders AS r,
  a.row_order, q(a.reoffenders, a.measurable) AS b,
  CASE WHEN a.baseline_reoffenders IS NOT NULL THEN q(a.baseline_reoffenders, a.baseline_measurable)
       WHEN a.baseline_binary_rate IS NOT NULL THEN qdec(a.baseline_binary_rate)
       ELSE q(d.br, d.bn) END AS bl,
  coalesce($contract_value::VARCHAR, v.value_txt) AS value
FROM assess_input a LEFT JOIN dn_base d ON d.area = a.area
LEFT JOIN dn_values v ON v.label = a.period
WHERE a.status IS NOT NULL AND NOT a.is_baseline AND a.area <> 'ALL' AND coalesce(a."group", 'treatment') = 'treatment';
CREATE OR REPLACE TEMP TABLE dn_decided AS
SELECT *, qmul(qsub(bl, b), qint(100)) AS fall,
  CASE WHEN b IS NULL OR bl IS NULL THEN 'none'
       WHEN qle(qdec($target_points::VARCHAR), qmul(qsub(bl, b), qint(100))) THEN 'target_met'
       ELSE 'target_missed' END AS outcome
FROM dn;
CREATE OR REPLACE TEMP TABLE dn_words AS
SELECT *,
  'binary reconviction rate ' || coalesce(qpct1(b), 'n/a') || ' (' || cnt(r) || ' of ' || cnt(n)
  || ' offenders) against the baseline ' || coalesce(qpct1(bl), 'n/a') || ': a change of '
  || coalesce(qfix(qneg(fall), 1), 'n/a') || ' points against a target fall of '
  || qfix(qdec($target_points::VARCHAR), 1) || ' points: '
  || CASE outcome WHEN 'target_met' THEN 'target met, the at-risk share is kept'
                  WHEN 'target_missed' THEN 'target missed, at_risk_share of contract_value is refunded'
                  ELSE 'no result' END AS words,
  -- the further points beyond the target that earn the bonus: min(fall - target, cap), pro rata
  CASE WHEN outcome = 'target_met' AND $bonus::VARCHAR IS NOT NULL AND qlt(qdec($target_points::VARCHAR), fall)
       THEN qmin(qsub(fall, qdec($target_points::VARCHAR)), qdec($bonus_cap::VARCHAR)) END AS bonus_points
FROM dn_decided;
CREATE OR REPLACE TEMP TABLE dn_lines AS
SELECT area, period, period_start, period_end, status, 'binary_deduction' AS component,
  CAST('-' || qpct1(qdec($share::VARCHAR)) || ' x ' || gbp(value) || ': ' || words AS VARCHAR) AS basis,
  qneg(qmul(qdec($share::VARCHAR), qdec(value))) AS exact, 'at_risk_share' AS rule, 1 AS line_order, value AS price,
  CAST('exact: ' || r || ' / ' || n || ' against the baseline ' || qfix(bl, 6) AS VARCHAR) AS detail
FROM dn_words WHERE outcome = 'target_missed' AND value IS NOT NULL
UNION ALL
SELECT area, period, period_start, period_end, status, 'binary_payment',
  qfix(bonus_points, 4) || ' points x ' || gbp($bonus::VARCHAR) || ': the fall beyond the target of '
  || qfix(qdec($target_points::VARCHAR), 1) || ' points (at most ' || qfix(qdec($bonus_cap::VARCHAR), 1)
  || ' further points), times bonus_per_point; ' || words,
  qmul(bonus_points, qdec($bonus::VARCHAR)), 'bonus_per_point', 2, $bonus::VARCHAR,
  'exact: fall ' || qfix(fall, 6) || ' points, ' || r || ' / ' || n || ' against the baseline ' || qfix(bl, 6)
FROM dn_words WHERE bonus_points IS NOT NULL AND qlt(qint(0), bonus_points);
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail, price, exact_amount)
SELECT area, period, component, basis, pence(exact), rule, NULL, period_start, period_end, status, 'results',
  line_order, NULL, detail || '; exact amount ' || qfix(exact, 6), price, qtext6(exact)
FROM dn_lines WHERE status = 'final';
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary,
  period_kind, n, r, binary_rate, baseline_rate, lower_threshold, threshold_source, adjustment_text, reason_text,
  indicative_amount)
SELECT w.area, NULL, w.period, w.period_start, w.period_end, w.status,
  CAST(w.period_end + to_months($final_months) AS DATE), w.outcome,
  w.words || CASE WHEN w.status = 'final' THEN '' ELSE '; interim result: shown, never paid' END,
  'cohort', w.n, w.r, qfix6(w.b), qfix6(w.bl),
  -- the rate at or below which the target is met: B - target_points / 100
  qfix6(qsub(w.bl, qdiv(qdec($target_points::VARCHAR), qint(100)))),
  'target_points',
  'b = r / n = ' || cnt(w.r) || ' / ' || cnt(w.n) || ' = ' || coalesce(qpct1(w.b), 'n/a') || ' (no case-mix adjustment)',
  CASE w.outcome
    WHEN 'target_met' THEN 'a fall of ' || qfix(w.fall, 1) || ' points is at least the target of ' || qfix(qdec($target_points::VARCHAR), 1) || ' points'
      || CASE WHEN w.bonus_points IS NOT NULL THEN '; ' || qfix(w.bonus_points, 4) || ' points beyond it earn bonus_per_point' ELSE '' END
    WHEN 'target_missed' THEN 'a change of ' || qfix(qneg(w.fall), 1) || ' points falls short of the target fall of ' || qfix(qdec($target_points::VARCHAR), 1) || ' points'
    ELSE CASE WHEN w.n = 0 THEN 'no measurable offenders' ELSE 'no baseline for the area' END || ': no outcome'
  END,
  CASE WHEN w.status <> 'final' THEN (SELECT CAST(coalesce(sum(pence(l.exact)), 0) AS DECIMAL(38,2)) FROM dn_lines l WHERE l.area = w.area AND l.period = w.period) END
FROM dn_words w;
CREATE OR REPLACE TABLE assess_outcomes AS
SELECT area, period, status, n AS measurable, r AS reoffenders, qfix6(b) AS binary_rate,
  qfix6(bl) AS baseline_binary_rate, qfix6(qneg(fall)) AS change_points,
  CAST($target_points::VARCHAR AS DECIMAL(18,6)) AS target_points, outcome, row_order AS _order
FROM dn_words;
