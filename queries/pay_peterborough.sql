-- name: pay_peterborough
-- params: $thr_cohort, $thr_overall (VARCHAR: thresholds.cohort, thresholds.overall),
--   $price (VARCHAR or NULL: price_per_event), $final_months (INTEGER)
-- returns: payments lines (component frequency_payment, rule price_per_event), pay_outcomes and
--   assess_outcomes for the peterborough scheme (method.md section 10), from assess_input.
-- T = treatment reconviction events / treatment measurable, C = the same for the comparison group
-- (shown per 100 offenders); reduction = 1 - T / C (exact). A cohort (area x period) is paid when
-- final and reduction >= thresholds.cohort: (C - T) * n_treatment * price_per_event.
-- Whole pilot (period 'ALL') = all cohort periods of the area pooled; final when every cohort is;
-- paid when the pooled reduction >= thresholds.overall. Choice (method.md is silent): the pilot
-- payment is the fallback for cohorts not paid on their own, so it is
-- max(0, pooled (C - T) * n * price - the area's cohort payments already made, as rounded), one line.
CREATE OR REPLACE TEMP TABLE pb_rows AS
SELECT area, period, min(period_start) AS period_start, max(period_end) AS period_end,
  CASE WHEN bool_and(status = 'final') THEN 'final' ELSE 'interim' END AS status,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT AS tn,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT AS te,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT AS cn,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT AS ce,
  false AS pilot, $thr_cohort AS thr_txt, min(row_order) AS row_order
FROM assess_input WHERE status IS NOT NULL AND NOT is_baseline AND area <> 'ALL' GROUP BY area, period
UNION ALL
SELECT area, 'ALL', min(period_start), max(period_end),
  CASE WHEN bool_and(status = 'final') THEN 'final' ELSE 'interim' END,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'treatment'), 0)::BIGINT,
  coalesce(sum(measurable) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT,
  coalesce(sum(reconviction_events) FILTER (WHERE "group" = 'comparison'), 0)::BIGINT,
  true, $thr_overall, max(row_order) + 1
FROM assess_input WHERE status IS NOT NULL AND NOT is_baseline AND area <> 'ALL' GROUP BY area;
CREATE OR REPLACE TEMP TABLE pb AS
SELECT *, q(te, tn) AS t, q(ce, cn) AS c,
  CASE WHEN tn > 0 AND cn > 0 AND ce > 0 THEN qdiv(qsub(q(ce, cn), q(te, tn)), q(ce, cn)) END AS reduction
FROM pb_rows;
CREATE OR REPLACE TEMP TABLE pb_decided AS
SELECT *, reduction IS NOT NULL AND qle(qdec(thr_txt), reduction) AS meets,
  CASE WHEN reduction IS NULL THEN NULL ELSE qmul(qmul(qsub(c, t), qint(tn)), qdec(coalesce($price, '0'))) END AS exact_amount,
  'reconviction events per 100 offenders: treatment ' || coalesce(qfix(qmul(t, qint(100)), 1), 'n/a')
  || ' (' || cnt(tn) || ' offenders) against comparison ' || coalesce(qfix(qmul(c, qint(100)), 1), 'n/a')
  || ' (' || cnt(cn) || ' offenders): a reduction of ' || coalesce(qpct1(reduction), 'n/a') || ', '
  || CASE WHEN reduction IS NOT NULL AND qle(qdec(thr_txt), reduction) THEN 'at or above' ELSE 'below' END
  || ' the ' || CASE WHEN pilot THEN 'whole-pilot threshold ' ELSE 'cohort threshold ' END
  || qpct1(qdec(thr_txt)) AS words
FROM pb;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
SELECT p.area, p.period, 'frequency_payment',
  '(' || qfix(qmul(p.c, qint(100)), 1) || ' - ' || qfix(qmul(p.t, qint(100)), 1) || ') / 100 x ' || cnt(p.tn)
  || ' offenders x ' || gbp($price)
  || ': comparison minus treatment reconviction events per 100 offenders, times the treatment cohort, times price_per_event; '
  || p.words,
  pence(p.exact_amount), 'price_per_event', NULL, p.period_start, p.period_end, p.status, 'results', 1, NULL,
  'unrounded per 100: treatment ' || p.te || ' x 100 / ' || p.tn || ' = ' || qfix(qmul(p.t, qint(100)), 6) || ', comparison ' || p.ce || ' x 100 / ' || p.cn || ' = ' || qfix(qmul(p.c, qint(100)), 6) || '; exact amount ' || qfix(p.exact_amount, 6)
FROM pb_decided p
WHERE NOT p.pilot AND p.meets AND p.status = 'final' AND $price IS NOT NULL;
INSERT INTO payments (area, period, component, basis, amount, rule, area_order, period_start, period_end, status, section, line_order, year_label, detail)
WITH paid AS (SELECT area, sum(amount) AS cohort_paid FROM payments
              WHERE section = 'results' AND component = 'frequency_payment' GROUP BY area)
SELECT p.area, p.period, 'frequency_payment',
  '(' || qfix(qmul(p.c, qint(100)), 1) || ' - ' || qfix(qmul(p.t, qint(100)), 1) || ') / 100 x ' || cnt(p.tn)
  || ' offenders x ' || gbp($price) || ' - ' || gbp(coalesce(paid.cohort_paid, 0))
  || ': whole pilot (all cohorts pooled), comparison minus treatment reconviction events per 100 offenders, times the treatment offenders, times price_per_event, less the cohort payments already made; '
  || p.words,
  pence(qsub(p.exact_amount, qdec(coalesce(paid.cohort_paid, 0)))), 'price_per_event', NULL,
  p.period_start, p.period_end, p.status, 'results', 1, NULL,
  'unrounded per 100: treatment ' || p.te || ' x 100 / ' || p.tn || ' = ' || qfix(qmul(p.t, qint(100)), 6) || ', comparison ' || p.ce || ' x 100 / ' || p.cn || ' = ' || qfix(qmul(p.c, qint(100)), 6) || '; exact amount ' || qfix(qsub(p.exact_amount, qdec(coalesce(paid.cohort_paid, 0))), 6)
FROM pb_decided p LEFT JOIN paid ON paid.area = p.area
WHERE p.pilot AND p.meets AND p.status = 'final' AND $price IS NOT NULL
  AND qlt(qdec(coalesce(paid.cohort_paid, 0)), p.exact_amount);
INSERT INTO pay_outcomes (area, area_order, period, period_start, period_end, status, final_on, outcome, summary)
SELECT area, NULL, period, period_start, period_end, status,
  CAST(period_end + to_months($final_months) AS DATE),
  CASE WHEN reduction IS NULL THEN 'none' WHEN meets THEN 'payment' ELSE 'none' END,
  words || CASE WHEN status = 'final' THEN '' ELSE '; interim result: shown, never paid' END
FROM pb_decided;
CREATE OR REPLACE TABLE assess_outcomes AS
SELECT area, period, status, tn AS treatment_measurable, te AS treatment_events,
  qfix6(qmul(t, qint(100))) AS treatment_events_per_100, cn AS comparison_measurable, ce AS comparison_events,
  qfix6(qmul(c, qint(100))) AS comparison_events_per_100, qfix6(reduction) AS reduction,
  CAST(thr_txt AS DECIMAL(18,6)) AS threshold,
  CASE WHEN reduction IS NULL THEN 'none' WHEN meets THEN 'payment' ELSE 'none' END AS outcome,
  row_order AS _order
FROM pb_decided;
