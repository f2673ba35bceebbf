-- name: pay_finish
-- params: (none)
-- returns: `payments` completed: each results line is assigned to the contract year (of the same
--   area, pay_years_priced) whose from..to contains the cohort period's end date (NULL: outside any
--   contract year); areas' display order filled from table areas.
UPDATE payments SET year_label = (
  SELECT min(y.year_label) FROM pay_years_priced y
  WHERE y.area = payments.area AND payments.period_end BETWEEN y.y_from AND y.y_to)
WHERE section = 'results';
UPDATE payments SET area_order = coalesce((SELECT a.area_order FROM areas a WHERE a.cpa = payments.area), 2147483647)
WHERE area_order IS NULL;
UPDATE pay_outcomes SET area_order = coalesce((SELECT a.area_order FROM areas a WHERE a.cpa = pay_outcomes.area), 2147483647)
WHERE area_order IS NULL;
