-- name: report_pack_periods
-- params: $final_months (INTEGER): follow_up.months + follow_up.waiting_months
-- returns: every period of `measures` in order with its status, dates and the date it becomes (or
--          became) final: add_months(period_end, $final_months) (method.md section 3; the same
--          date pay_outcomes.final_on gives)
SELECT
  period,
  min(status) AS status,
  strftime(min(CAST(period_start AS DATE)), '%Y-%m-%d') AS period_start,
  strftime(max(CAST(period_end AS DATE)), '%Y-%m-%d') AS period_end,
  strftime(CAST(max(CAST(period_end AS DATE)) + to_months($final_months) AS DATE), '%Y-%m-%d') AS final_on
FROM measures
GROUP BY period
ORDER BY min(CAST(period_start AS DATE)), period
