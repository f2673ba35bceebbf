-- name: report_payment_years
-- params: $cy_area (VARCHAR[]), $cy_from (VARCHAR[]), $cy_to (VARCHAR[]): the contract's
--         fee_for_service contract years, one list element per (area, year), in parallel
-- returns: temp tables report_contract_years(area, year_no, year_from, year_to) and
--          report_payment_lines(area, period, component, amount, group_name, group_order,
--          year_label, year_sort): every payment line with the contract year it belongs to.
--          Annual top-up lines (binary_top_up, frequency_top_up; method.md section 12) are results
--          payments (they may be negative).
-- Rule (report choice): a monthly line (fee_for_service, service_credit; period YYYY-MM) belongs to
-- the contract year of its area that the month overlaps (the earliest if two do); a
-- volume_reconciliation line (period FROM/TO) to the year starting on FROM; a results line
-- (binary_payment, binary_deduction, frequency_payment, cap; period = cohort label) to the contract
-- year containing the cohort period's last day. A line no contract year of its area contains is
-- grouped by the financial year (1 April - 31 March) containing that date, labelled 'FY 2019/20'.
CREATE OR REPLACE TEMP TABLE report_contract_years AS
SELECT area, CAST(row_number() OVER (PARTITION BY area ORDER BY year_from, year_to) AS INTEGER) AS year_no,
       year_from, year_to
FROM (
  SELECT unnest($cy_area) AS area, CAST(unnest($cy_from) AS DATE) AS year_from,
         CAST(unnest($cy_to) AS DATE) AS year_to
);
CREATE OR REPLACE TEMP TABLE report_payment_lines AS
WITH period_ends AS (
  SELECT period, max(CAST(period_end AS DATE)) AS pe FROM measures GROUP BY period
),
lines AS (
  SELECT
    p.area, p.period, p.component, CAST(p.amount AS DECIMAL(18, 2)) AS amount,
    row_number() OVER (ORDER BY p.area, p.component, p.period, p.basis, p.amount, p.rule) AS line_id,
    CASE
      WHEN p.component IN ('fee_for_service', 'service_credit') THEN CAST(p.period || '-01' AS DATE)
      WHEN p.component = 'volume_reconciliation' THEN CAST(split_part(p.period, '/', 1) AS DATE)
      ELSE pe.pe
    END AS d_from,
    CASE
      WHEN p.component IN ('fee_for_service', 'service_credit') THEN last_day(CAST(p.period || '-01' AS DATE))
      WHEN p.component = 'volume_reconciliation' THEN CAST(split_part(p.period, '/', 1) AS DATE)
      ELSE pe.pe
    END AS d_to
  FROM payments p
  LEFT JOIN period_ends pe ON pe.period = p.period
),
matched AS (
  SELECT l.*, cy.year_no, cy.year_from, cy.year_to
  FROM lines l
  LEFT JOIN report_contract_years cy
    ON cy.area = l.area AND cy.year_from <= l.d_to AND l.d_from <= cy.year_to
  QUALIFY row_number() OVER (PARTITION BY l.line_id ORDER BY cy.year_from NULLS LAST, cy.year_to) = 1
),
labelled AS (
  SELECT *, year(d_from) - CASE WHEN month(d_from) < 4 THEN 1 ELSE 0 END AS fy FROM matched
)
SELECT
  area, period, component, amount,
  CASE component
    WHEN 'fee_for_service' THEN 'Fee for service'
    WHEN 'service_credit' THEN 'Service credits'
    WHEN 'volume_reconciliation' THEN 'Volume reconciliation'
    WHEN 'binary_payment' THEN 'Results payments'
    WHEN 'frequency_payment' THEN 'Results payments'
    WHEN 'binary_top_up' THEN 'Results payments'
    WHEN 'frequency_top_up' THEN 'Results payments'
    WHEN 'binary_deduction' THEN 'Deductions'
    WHEN 'cap' THEN 'Caps'
    ELSE 'Other'
  END AS group_name,
  CASE component
    WHEN 'fee_for_service' THEN 1 WHEN 'service_credit' THEN 2 WHEN 'volume_reconciliation' THEN 3
    WHEN 'binary_payment' THEN 4 WHEN 'frequency_payment' THEN 4 WHEN 'binary_top_up' THEN 4
    WHEN 'frequency_top_up' THEN 4 WHEN 'binary_deduction' THEN 5
    WHEN 'cap' THEN 6 ELSE 7
  END AS group_order,
  CASE
    WHEN year_no IS NOT NULL THEN
      'Y' || year_no || ' ' || strftime(year_from, '%Y')
        || CASE WHEN year(year_to) <> year(year_from) THEN '/' || strftime(year_to, '%y') ELSE '' END
    WHEN fy IS NOT NULL THEN 'FY ' || fy || '/' || lpad(CAST((fy + 1) % 100 AS VARCHAR), 2, '0')
    ELSE 'Unassigned'
  END AS year_label,
  CASE
    WHEN year_no IS NOT NULL THEN year_from
    WHEN fy IS NOT NULL THEN make_date(fy, 4, 1)
    ELSE DATE '9999-12-31'
  END AS year_sort,
  year_from, year_to
FROM labelled
