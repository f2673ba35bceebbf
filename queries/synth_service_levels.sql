-- name: synth_service_levels
-- params: $seed (BIGINT), $from_month (DATE as text, first day), $months (INTEGER)
-- returns: table synth_service_levels(cpa, month, measure, achieved, target): one return per area,
--          month and measure for $months months from $from_month; about four in five meet the
--          target. Salt 51.
CREATE OR REPLACE TABLE synth_service_levels AS
WITH m(measure, measure_no, target) AS (
  VALUES ('induction_on_time', 1, 0.90), ('sentence_plan_on_time', 2, 0.85), ('orders_completed', 3, 0.75)
), mo AS (
  SELECT i AS month_no, strftime($from_month::DATE + to_months(i::INTEGER), '%Y-%m') AS month
  FROM range($months::BIGINT) t(i)
)
SELECT a.cpa, mo.month, m.measure,
       least(1.0, m.target - 0.025 + 0.12 * su($seed, a.area_no * 1000 + mo.month_no, m.measure_no, 51))::DECIMAL(5,4) AS achieved,
       m.target::DECIMAL(5,4) AS target
FROM synth_area a CROSS JOIN mo CROSS JOIN m;
