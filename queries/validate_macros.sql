-- name: validate_macros
-- params: none
-- returns: macros used by the validation rules (method.md section 11, formats.md section 1).
--   Each pbr_bad_<kind>(v) returns NULL when the text value v is acceptable (or missing) and
--   otherwise the reason it is rejected. Missing values are checked separately (required columns).

CREATE OR REPLACE MACRO pbr_bad_date(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN NOT regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN 'not a date: expected YYYY-MM-DD'
  WHEN try_cast(v AS DATE) IS NULL THEN 'not a real calendar date'
  WHEN v < '1900-01-01' OR v > '2100-12-31' THEN 'date outside 1900-2100'
  ELSE NULL END;

CREATE OR REPLACE MACRO pbr_bad_month(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN NOT regexp_full_match(v, '[0-9]{4}-(0[1-9]|1[0-2])') THEN 'not a month: expected YYYY-MM'
  WHEN v < '1900-01' OR v > '2100-12' THEN 'month outside 1900-2100'
  ELSE NULL END;

CREATE OR REPLACE MACRO pbr_bad_boolean(v) AS CASE
  WHEN v IS NULL OR v IN ('true', 'false') THEN NULL
  ELSE 'not a boolean: expected true or false' END;

CREATE OR REPLACE MACRO pbr_bad_enum(v, allowed) AS CASE
  WHEN v IS NULL OR list_contains(allowed, v) THEN NULL
  ELSE 'not one of ' || array_to_string(allowed, ', ') END;

CREATE OR REPLACE MACRO pbr_bad_integer(v, lo) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN NOT regexp_full_match(v, '-?[0-9]{1,9}') THEN 'not a whole number'
  WHEN CAST(v AS BIGINT) < lo THEN 'must be at least ' || lo
  ELSE NULL END;

CREATE OR REPLACE MACRO pbr_bad_count(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN NOT regexp_full_match(v, '[0-9]{1,18}') THEN 'not a whole number >= 0'
  ELSE NULL END;

CREATE OR REPLACE MACRO pbr_bad_decimal01(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN NOT regexp_full_match(v, '[0-9]*(\.[0-9]*)?') OR NOT regexp_matches(v, '[0-9]') THEN 'not a decimal number'
  WHEN NOT regexp_full_match(v, '[0-9]*(\.[0-9]{0,12})?') THEN 'more than 12 decimal places'
  WHEN CAST(v AS DECIMAL(38,12)) > 1 THEN 'must be between 0 and 1'
  ELSE NULL END;

CREATE OR REPLACE MACRO pbr_bad_decimal(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN NOT regexp_full_match(v, '[0-9]*(\.[0-9]*)?') OR NOT regexp_matches(v, '[0-9]') THEN 'not a decimal number >= 0'
  WHEN NOT regexp_full_match(v, '[0-9]{1,6}(\.[0-9]{0,12})?') THEN 'more than 6 digits before or 12 after the decimal point'
  ELSE NULL END;
