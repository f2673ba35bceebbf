-- name: measure_periods
-- params: $period_type (VARCHAR: quarter | year | financial-year), $cohort_from (DATE),
--         $cohort_to (DATE or NULL), $baseline_from (DATE), $baseline_to (DATE),
--         $top_up (VARCHAR: none | year | financial-year)
-- returns: table m_periods(period VARCHAR, period_start DATE, period_end DATE, period_type VARCHAR,
--          in_cohort BOOLEAN, in_baseline BOOLEAN, aligned BOOLEAN, is_annual BOOLEAN), one row per
--          distinct period
--
-- method.md section 1 (cohort periods), section 5 (the baseline periods) and section 12 (the
-- annual top-up periods).
-- Choices where the spec is silent (documented for the lead):
--  * Cohort periods run from the period CONTAINING cohort.from to the period CONTAINING cohort.to
--    (whole periods; cohort.from/to need not be aligned). cohort.to NULL = through the period
--    containing the latest start_date of the starts extract (any allocation). If that is before
--    cohort.from there is no cohort period.
--  * Baseline periods are the periods of the same type (cohort.period) lying wholly inside
--    baseline.from .. baseline.to (default 2011 -> 2011Q1..2011Q4 when quarterly).
--  * When no period of the cohort type lies wholly inside the baseline range (e.g. financial-year
--    cohorts with the default calendar-2011 baseline), the baseline range itself is ONE baseline
--    period, labelled FROM/TO (2011-01-01/2011-12-31), aligned = false (our choice).
--  * A period can be both a cohort and a baseline period (flags in_cohort, in_baseline).
--  * Periods are keyed by their label `period` (unique) everywhere downstream.
--  * Labels: quarter 2015Q4, year 2011, financial-year 2019-20 (end year's last two digits).
--  * Annual top-up periods (cohort.top_up year | financial-year): every whole year of that kind
--    lying inside cohort.from .. cohort.to (cohort.to NULL: the end of the last cohort period),
--    a part year is not formed; is_annual = true, in_cohort = in_baseline = false. Their labels
--    (2019, 2019-20) never equal a cohort period's label: the measure stage refuses top_up unless
--    cohort.period is quarter (labels 2019Q1), and a baseline range label has a '/'.
CREATE OR REPLACE TEMP MACRO m_period_first_day(d, pt) AS
  CASE pt
    WHEN 'quarter' THEN CAST(date_trunc('quarter', d) AS DATE)
    WHEN 'year' THEN CAST(date_trunc('year', d) AS DATE)
    ELSE make_date(CAST(year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END AS BIGINT), 4, 1)
  END;
CREATE OR REPLACE TEMP MACRO m_period_months(pt) AS CASE pt WHEN 'quarter' THEN 3 ELSE 12 END;
CREATE OR REPLACE TABLE m_periods AS
WITH bounds AS (
  SELECT
    m_period_first_day($cohort_from::DATE, $period_type::VARCHAR) AS c_first,
    m_period_first_day(coalesce($cohort_to::DATE, (SELECT max(start_date) FROM starts)), $period_type::VARCHAR) AS c_last,
    m_period_first_day($baseline_from::DATE, $period_type::VARCHAR) AS b_first,
    m_period_first_day($baseline_to::DATE, $period_type::VARCHAR) AS b_last,
    m_period_months($period_type::VARCHAR) AS step
),
cohort_starts AS (
  SELECT CAST(g.ts AS DATE) AS period_start
  FROM bounds, generate_series(CAST(bounds.c_first AS TIMESTAMP), CAST(bounds.c_last AS TIMESTAMP), to_months(bounds.step)) AS g(ts)
  WHERE bounds.c_last IS NOT NULL
),
baseline_starts AS (
  SELECT CAST(g.ts AS DATE) AS period_start
  FROM bounds, generate_series(CAST(bounds.b_first AS TIMESTAMP), CAST(bounds.b_last AS TIMESTAMP), to_months(bounds.step)) AS g(ts)
),
all_starts AS (
  SELECT period_start,
         bool_or(is_cohort) AS in_cohort,
         bool_or(is_baseline) AS in_baseline
  FROM (
    SELECT period_start, true AS is_cohort, false AS is_baseline FROM cohort_starts
    UNION ALL
    SELECT period_start, false, true FROM baseline_starts
  )
  GROUP BY period_start
),
shaped AS (
  SELECT a.period_start,
         CAST(a.period_start + to_months(b.step) AS DATE) - 1 AS period_end,
         a.in_cohort, a.in_baseline
  FROM all_starts a, bounds b
)
SELECT
  CASE $period_type::VARCHAR
    WHEN 'quarter' THEN CAST(year(period_start) AS VARCHAR) || 'Q' || CAST(quarter(period_start) AS VARCHAR)
    WHEN 'year' THEN CAST(year(period_start) AS VARCHAR)
    ELSE CAST(year(period_start) AS VARCHAR) || '-' || lpad(CAST((year(period_start) + 1) % 100 AS VARCHAR), 2, '0')
  END AS period,
  period_start,
  period_end,
  $period_type::VARCHAR AS period_type,
  in_cohort,
  -- a baseline period must lie wholly inside baseline.from .. baseline.to
  in_baseline AND period_start >= $baseline_from::DATE AND period_end <= $baseline_to::DATE AS in_baseline,
  true AS aligned,
  false AS is_annual
FROM shaped
WHERE in_cohort OR (in_baseline AND period_start >= $baseline_from::DATE AND period_end <= $baseline_to::DATE)
ORDER BY period_start;
INSERT INTO m_periods
SELECT
  strftime($baseline_from::DATE, '%Y-%m-%d') || '/' || strftime($baseline_to::DATE, '%Y-%m-%d'),
  $baseline_from::DATE, $baseline_to::DATE, $period_type::VARCHAR, false, true, false, false
WHERE NOT EXISTS (SELECT 1 FROM m_periods WHERE in_baseline);
-- annual top-up periods: whole years of type $top_up inside cohort.from .. cohort.to
INSERT INTO m_periods
WITH span AS (
  SELECT $cohort_from::DATE AS s_from,
         coalesce($cohort_to::DATE, (SELECT max(period_end) FROM m_periods WHERE in_cohort)) AS s_to
),
years AS (
  SELECT CAST(g.ts AS DATE) AS period_start
  FROM span, generate_series(CAST(m_period_first_day(span.s_from, $top_up::VARCHAR) AS TIMESTAMP),
                             CAST(m_period_first_day(span.s_to, $top_up::VARCHAR) AS TIMESTAMP), INTERVAL 12 MONTH) AS g(ts)
  WHERE $top_up::VARCHAR <> 'none' AND span.s_to IS NOT NULL
)
SELECT
  CASE $top_up::VARCHAR
    WHEN 'year' THEN CAST(year(y.period_start) AS VARCHAR)
    ELSE CAST(year(y.period_start) AS VARCHAR) || '-' || lpad(CAST((year(y.period_start) + 1) % 100 AS VARCHAR), 2, '0')
  END,
  y.period_start, CAST(y.period_start + INTERVAL 12 MONTH AS DATE) - 1, $top_up::VARCHAR,
  false, false, true, true
FROM years y, span
-- a whole year only: it must start on or after cohort.from and end on or before cohort.to
WHERE y.period_start >= span.s_from AND CAST(y.period_start + INTERVAL 12 MONTH AS DATE) - 1 <= span.s_to
ORDER BY y.period_start;
