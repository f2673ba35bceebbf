-- name: report_payment_lines_empty
-- params: (none)
-- returns: an empty temp table report_payment_lines (the shape report_payment_years makes), for a
--          run that computed no payments
CREATE OR REPLACE TEMP TABLE report_payment_lines (
  area VARCHAR, period VARCHAR, component VARCHAR, amount DECIMAL(18,2), group_name VARCHAR,
  group_order INTEGER, year_label VARCHAR, year_sort DATE, year_from DATE, year_to DATE);
