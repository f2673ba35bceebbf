-- name: pay_peterborough
-- params: $thr_cohort, $thr_overall (VARCHAR: thresholds.cohort, thresholds.overall),
--   $price (VARCHAR or NULL: price_per_event), $whole_pilot (VARCHAR: pooled | weighted-mean),
--   $payment_cap (VARCHAR or NULL), $final_months (INTEGER)
-- returns: payments lines (component frequency_payment, rule price_per_event; cap, rule
--   payment_cap), pay_outcomes and assess_outcomes for the peterborough scheme (method.md
--   section 10), from assess_input.
-- T = treatment reconviction events / treatment measurable, C = the same for the comparison group
-- (shown per 100 offenders); reduction = 1 - T / C (exact). A cohort (area x period) is paid when
-- final and reduction >= thresholds.cohort: (C - T) * n_treatment * price_per_event.
-- Whole pilot (period 'ALL') = all cohort periods of the area; final when every cohort is; paid when
-- its reduction >= thresholds.overall:
--   whole_pilot pooled (default): events and offenders of all cohorts pooled; the pilot amount is
--     (C - T) * n * price on the pooled figures;
--   whole_pilot weighted-mean: the reduction is the mean of the cohorts' reductions weighted by their
--     treatment n (cohorts without a reduction, no comparison events, left out); the pilot amount
--     (our choice, consistent with it) is the sum over those cohorts of (C_c - T_c) * n_c * price,
--     each cohort against its own comparison group.
-- Choice (method.md is silent): the pilot payment is the fallback for cohorts not paid on their own,
-- so its line is the pilot amount less the area's cohort payments already made (rounded lines),
-- and only when that is positive.
-- payment_cap caps the sum of all the pilot's outcome payments (cohort lines and the pilot line,
-- final ones) per area: a cap line (period ALL) payment_cap - that sum when it exceeds the cap; like
-- the pilot line it is paid once the whole pilot is final (cohort lines paid before are not held back).
CREATE OR REPLACE TEMP TABLE pb_rows AS
SELECT area, period, min(period_start) AS period_start, max(period_end) AS period_end,
  CASE WHEN bool_and(status = 'final') THEN 'final' ELSE 'interim' END AS status,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT AS tn,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT AS te,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT AS cn,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT AS ce,
  false AS pilot, $thr_cohort::VARCHAR AS thr_txt, min(row_order) AS row_order
FROM assess_input WHERE status IS NOT NULL AND NOT is_baseline AND area <> 'ALL' GROUP BY area, period
UNION ALL
SELECT area, 'ALL', min(period_start), max(period_end),
  CASE WHEN bool_and(status = 'final') THEN 'final' ELSE 'interim' END,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT,
  true, $thr_overall::VARCHAR, max(row_order) + 1
FROM assess_input WHERE status IS NOT NULL AND NOT is_baseline AND area <> 'ALL' GROUP BY area;
CREATE OR REPLACE TEMP TABLE pb_cohorts AS
SELECT *, q(te, tn) AS t, q(ce, cn) AS c,
  CASE WHEN tn > 0 AND cn > 0 AND ce > 0 THEN qdiv(qsub(q(ce, cn), q(te, tn)), q(ce, cn)) END AS reduction,
  CASE WHEN tn > 0 AND cn > 0 AND ce > 0 THEN qmul(qsub(q(ce, cn), q(te, tn)), qint(tn)) END AS avoided
FROM pb_rows WHERE NOT pilot;
-- weighted mean over the cohorts with a reduction: sum(reduction_c n_c) / sum(n_c), and the events
-- avoided sum((C_c - T_c) n_c); reduce() folds the exact rationals in period order
CREATE OR REPLACE TEMP TABLE pb_weighted AS
SELECT area,
  list_reduce(list(qmul(reduction, qint(tn)) ORDER BY period_start, period), lambda acc, x: qadd(acc, x)) AS wsum,
  sum(tn)::BIGINT AS wn,
  list_reduce(list(avoided ORDER BY period_start, period), lambda acc, x: qadd(acc, x)) AS avoided
FROM pb_cohorts WHERE reduction IS NOT NULL AND tn > 0 GROUP BY area;
CREATE OR REPLACE TEMP TABLE pb AS
SELECT * FROM pb_cohorts
UNION ALL
SELECT p.*, q(p.te, p.tn) AS t, q(p.ce, p.cn) AS c,
  CASE WHEN $whole_pilot::VARCHAR = 'weighted-mean' THEN CASE WHEN w.wn > 0 THEN qdiv(w.wsum, qint(w.wn)) END
       WHEN p.tn > 0 AND p.cn > 0 AND p.ce > 0 THEN qdiv(qsub(q(p.ce, p.cn), q(p.te, p.tn)), q(p.ce, p.cn)) END,
  CASE WHEN $whole_pilot::VARCHAR = 'weighted-mean' THEN w.avoided
       WHEN p.tn > 0 AND p.cn > 0 AND p.ce > 0 THEN qmul(qsub(q(p.ce, p.cn), q(p.te, p.tn)), qint(p.tn)) END
FROM pb_rows p LEFT JOIN pb_weighted w ON w.area = p.area
WHERE p.pilot;
CREATE OR REPLACE TEMP TABLE pb_decided AS
SELECT *, reduction IS NOT NULL AND qle(qdec(thr_txt), reduction) AS meets,
  CASE WHEN reduction IS NULL THEN NULL ELSE qmul(avoided, qdec(coalesce($price::VARCHAR, '0'))) END AS exact_amount,
  'reconviction events per 100 offenders: treatment ' || coalesce(qfix(qmul(t, qint(100)), 1), 'n/a')
  || ' (' || cnt(tn) || ' offenders) against comparison ' || coalesce(qfix(qmul(c, qint(100)), 1), 'n/a')
  || ' (' || cnt(cn) || ' offenders): a reduction of ' || coalesce(qpct1(reduction), 'n/a')
  || CASE WHEN pilot AND $whole_pilot::VARCHAR = 'weighted-mean' THEN ' (the cohorts'' reductions weighted by their treatment offenders)' ELSE '' END
  || ', ' || CASE WHEN reduction IS NOT NULL AND qle(qdec(thr_txt), reduction) THEN 'at or above' ELSE 'below' END
  || ' the ' || CASE WHEN pilot THEN 'whole-pilot threshold ' ELSE 'cohort threshold ' END
  || qpct1(qdec(thr_txt)) AS words
FROM pb;
-- every line as if final (interim ones give the indicative amounts), then the final ones are paid
CREATE OR REPLACE TEMP TABLE pb_lines (area VARCHAR, period VARCHAR, period_start DATE, period_end DATE, status VARCHAR,
  component VARCHAR, basis VARCHAR, exact STRUCT(n HUGEINT, d HUGEINT), rule VARCHAR, line_order INTEGER, price VARCHAR, detail VARCHAR);
INSERT INTO pb_lines
SELECT p.area, p.period, p.period_start, p.period_end, p.status, 'frequency_payment' AS component,
  '(' || qfix(qmul(p.c, qint(100)), 1) || ' - ' || qfix(qmul(p.t, qint(100)), 1) || ') / 100 x ' || cnt(p.tn)
  || ' offenders x ' || gbp($price::VARCHAR)
  || ': comparison minus treatment reconviction events per 100 offenders, times the treatment cohort, times price_per_event; '
  || p.words AS basis,
  p.exact_amount AS exact, 'price_per_event' AS rule, 1 AS line_order, $price::VARCHAR AS price,
  'unrounded per 100: treatment ' || p.te || ' x 100 / ' || p.tn || ' = ' || qfix(qmul(p.t, qint(100)), 6) || ', comparison ' || p.ce || ' x 100 / ' || p.cn || ' = ' || qfix(qmul(p.c, qint(100)), 6) AS detail
FROM pb_decided p
WHERE NOT p.pilot AND p.meets AND $price::VARCHAR IS NOT NULL;
INSERT INTO pb_lines
WITH paid AS (SELECT area, sum(pence(exact)) AS cohort_paid FROM pb_lines GROUP BY area)
SELECT p.area, p.period, p.period_start, p.period_end, p.status, 'frequency_payment',
  CASE WHEN $whole_pilot::VARCHAR = 'weighted-mean'
       THEN 'sum over the cohorts of (comparison - treatment) / 100 x treatment offenders x ' || gbp($price::VARCHAR)
       ELSE '(' || qfix(qmul(p.c, qint(100)), 1) || ' - ' || qfix(qmul(p.t, qint(100)), 1) || ') / 100 x ' || cnt(p.tn)
            || ' offenders x ' || gbp($price::VARCHAR) END
  || ' - ' || gbp(coalesce(paid.cohort_paid, 0))
  || CASE WHEN $whole_pilot::VARCHAR = 'weighted-mean'
       THEN ': whole pilot, each cohort''s comparison minus treatment reconviction events per 100 offenders, times its treatment offenders, times price_per_event, less the cohort payments already made; '
       ELSE ': whole pilot (all cohorts pooled), comparison minus treatment reconviction events per 100 offenders, times the treatment offenders, times price_per_event, less the cohort payments already made; ' END
  || p.words,
  qsub(p.exact_amount, qdec(coalesce(paid.cohort_paid, 0))), 'price_per_event', 1, $price::VARCHAR,
  'unrounded per 100 (pooled): treatment ' || p.te || ' x 100 / ' || p.tn || ' = ' || coalesce(qfix(qmul(p.t, qint(100)), 6), 'n/a') || ', comparison ' || p.ce || ' x 100 / ' || p.cn || ' = ' || coalesce(qfix(qmul(p.c, qint(100)), 6), 'n/a')
FROM pb_decided p LEFT JOIN paid ON paid.area = p.area
WHERE p.pilot AND p.meets AND $price::VARCHAR IS NOT NULL
  AND qlt(qdec(coalesce(paid.cohort_paid, 0)), p.exact_amount);
INSERT INTO pb_lines
WITH total AS (SELECT area, sum(pence(exact)) AS paid, bool_and(status = 'final') AS final FROM pb_lines GROUP BY area)
SELECT p.area, 'ALL', p.period_start, p.period_end, p.status, 'cap',
  gbp($payment_cap::VARCHAR) || ' - ' || gbp(t.paid) || ': the sum of the pilot''s outcome payments is capped at payment_cap',
  qsub(qdec($payment_cap::VARCHAR), qdec(t.paid)), 'payment_cap', 2, $payment_cap::VARCHAR, 'the cohort and whole-pilot payments'
FROM pb_decided p JOIN total t ON t.area = p.area
WHERE p.pilot AND $payment_cap::VARCHAR IS NOT NULL AND t.paid > CAST($payment_cap::VARCHAR AS DECIMAL(38,12));
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail, price, exact_amount)
SELECT area, period, component, basis, pence(exact), rule, NULL, period_start, period_end, status, 'results',
  line_order, NULL, detail || '; exact amount ' || qfix(exact, 6), price, qtext6(exact)
FROM pb_lines WHERE status = 'final';
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary,
  period_kind, n, k, threshold_source, adjustment_text, reason_text, indicative_amount)
SELECT p.area, NULL, p.period, p.period_start, p.period_end, p.status,
  CAST(p.period_end + to_months($final_months) AS DATE),
  CASE WHEN p.reduction IS NULL THEN 'none' WHEN p.meets THEN 'payment' ELSE 'none' END,
  p.words || CASE WHEN p.status = 'final' THEN '' ELSE '; interim result: shown, never paid' END,
  CASE WHEN p.pilot THEN 'pilot' ELSE 'cohort' END, p.tn, p.te,
  CASE WHEN p.pilot THEN 'thresholds.overall' ELSE 'thresholds.cohort' END,
  CASE WHEN p.pilot AND $whole_pilot::VARCHAR = 'weighted-mean'
       THEN 'reduction = sum(reduction_c x n_c) / sum(n_c) over the cohorts = ' || coalesce(qpct1(p.reduction), 'n/a')
       ELSE 'reduction = 1 - T / C = 1 - ' || coalesce(qfix(qmul(p.t, qint(100)), 1), 'n/a') || ' / '
            || coalesce(qfix(qmul(p.c, qint(100)), 1), 'n/a') || ' = ' || coalesce(qpct1(p.reduction), 'n/a') END,
  CASE WHEN p.reduction IS NULL THEN 'no reduction can be computed (no treatment offenders, or no comparison events): no outcome'
       ELSE 'a reduction of ' || qpct1(p.reduction) || ' is ' || CASE WHEN p.meets THEN 'at or above' ELSE 'below' END
            || ' the ' || CASE WHEN p.pilot THEN 'whole-pilot' ELSE 'cohort' END || ' threshold ' || qpct1(qdec(p.thr_txt)) END,
  CASE WHEN p.status <> 'final' THEN (SELECT CAST(coalesce(sum(pence(l.exact)), 0) AS DECIMAL(38,2)) FROM pb_lines l
                                       WHERE l.area = p.area AND l.period = p.period) END
FROM pb_decided p;
CREATE OR REPLACE TABLE assess_outcomes AS
SELECT area, period, status, tn AS treatment_measurable, te AS treatment_events,
  qfix6(qmul(t, qint(100))) AS treatment_events_per_100, cn AS comparison_measurable, ce AS comparison_events,
  qfix6(qmul(c, qint(100))) AS comparison_events_per_100, qfix6(reduction) AS reduction,
  CAST(thr_txt AS DECIMAL(18,6)) AS threshold,
  CASE WHEN reduction IS NULL THEN 'none' WHEN meets THEN 'payment' ELSE 'none' END AS outcome,
  row_order AS _order
FROM pb_decided;
