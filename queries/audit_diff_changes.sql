-- name: audit_diff_changes
-- params: (none)
-- returns: tables diff_measure_changes(population, area, period, measure, measure_order, old, new),
--          diff_payment_changes(area, period, component, old, new, change) and
--          diff_blocks(area, period, payment_a, payment_b, impact): what differs between two runs
--          loaded as a_measures / b_measures / a_payments / b_payments (src/audit/diffRunFiles.ts)
--
-- measures.csv is compared figure by figure on its text form ('' = empty field), so a figure
-- differs exactly when the two files differ there; a row present in one run only has NULL on the
-- other side. payments.csv is summed per area, period and component (DECIMAL, exact). A block is
-- an area and period with any change; its payment impact is B's total minus A's total there.
CREATE OR REPLACE TEMP TABLE diff_long_a AS
UNPIVOT (
  SELECT population, area, period,
         coalesce(CAST(COLUMNS(* EXCLUDE (population, area, period, period_start)) AS VARCHAR), '')
  FROM a_measures
) ON COLUMNS(* EXCLUDE (population, area, period)) INTO NAME measure VALUE value;
CREATE OR REPLACE TEMP TABLE diff_long_b AS
UNPIVOT (
  SELECT population, area, period,
         coalesce(CAST(COLUMNS(* EXCLUDE (population, area, period, period_start)) AS VARCHAR), '')
  FROM b_measures
) ON COLUMNS(* EXCLUDE (population, area, period)) INTO NAME measure VALUE value;
CREATE OR REPLACE TEMP TABLE diff_measure_changes AS
SELECT
  coalesce(a.population, b.population) AS population,
  coalesce(a.area, b.area) AS area,
  coalesce(a.period, b.period) AS period,
  coalesce(a.measure, b.measure) AS measure,
  a.value AS old,
  b.value AS new
FROM diff_long_a a
FULL JOIN diff_long_b b
  ON a.population = b.population AND a.area = b.area AND a.period = b.period AND a.measure = b.measure
WHERE a.value IS DISTINCT FROM b.value;
CREATE OR REPLACE TEMP TABLE diff_pay_a AS
SELECT area, period, component, sum(amount) AS amount FROM a_payments GROUP BY area, period, component;
CREATE OR REPLACE TEMP TABLE diff_pay_b AS
SELECT area, period, component, sum(amount) AS amount FROM b_payments GROUP BY area, period, component;
CREATE OR REPLACE TEMP TABLE diff_payment_changes AS
SELECT
  coalesce(a.area, b.area) AS area,
  coalesce(a.period, b.period) AS period,
  coalesce(a.component, b.component) AS component,
  a.amount AS old,
  b.amount AS new,
  CAST(coalesce(b.amount, 0) - coalesce(a.amount, 0) AS DECIMAL(38,2)) AS change
FROM diff_pay_a a
FULL JOIN diff_pay_b b ON a.area = b.area AND a.period = b.period AND a.component = b.component
WHERE a.amount IS DISTINCT FROM b.amount;
CREATE OR REPLACE TEMP TABLE diff_blocks AS
WITH keys AS (
  SELECT area, period FROM diff_measure_changes
  UNION
  SELECT area, period FROM diff_payment_changes
),
tot_a AS (SELECT area, period, sum(amount) AS total FROM a_payments GROUP BY area, period),
tot_b AS (SELECT area, period, sum(amount) AS total FROM b_payments GROUP BY area, period)
SELECT
  k.area, k.period,
  CAST(coalesce(ta.total, 0) AS DECIMAL(38,2)) AS payment_a,
  CAST(coalesce(tb.total, 0) AS DECIMAL(38,2)) AS payment_b,
  CAST(coalesce(tb.total, 0) - coalesce(ta.total, 0) AS DECIMAL(38,2)) AS impact
FROM keys k
LEFT JOIN tot_a ta ON ta.area = k.area AND ta.period = k.period
LEFT JOIN tot_b tb ON tb.area = k.area AND tb.period = k.period;
