-- name: validate_macros
-- params: none
-- returns: macros used by the validation rules (method.md section 11, the input formats of the README).
--   Each pbr_bad_<kind>(v) returns NULL when the text value v is acceptable (or missing) and
--   otherwise the reason it is rejected. Missing values are checked separately (required columns).
--   Ids, codes and dates that look like a missing-value marker (method.md section 11, end) are
--   rejected with their own reason: a mapping file's missing_values turns them into missing
--   values before these rules run.

-- It runs on every id, code and date of every row: no marker is longer than four characters, so
-- the length is compared first and an id or a date longer than that costs that one comparison;
-- and two lists, not one of seven, since DuckDB makes a list of five or more constants a join
-- against them (BENCHMARKS.md, "Lists of constants, and the join of volumes.csv").
CREATE OR REPLACE MACRO pbr_is_marker(v) AS
  (strlen(v) <= 4 AND (v IN ('NULL', 'null', 'NA', 'N/A') OR v IN ('#N/A', 'None', '-')));

CREATE OR REPLACE MACRO pbr_marker_reason() AS
  'looks like a missing-value marker; if it means missing, list it under missing_values in a mapping file (--mapping), otherwise correct it';

-- an id or free-text code: only the marker rule
CREATE OR REPLACE MACRO pbr_bad_text(v) AS CASE WHEN pbr_is_marker(v) THEN pbr_marker_reason() ELSE NULL END;

-- an area code: 'ALL' (any case) names all areas together, and codes become file names
CREATE OR REPLACE MACRO pbr_bad_area(v, max_len) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN pbr_is_marker(v) THEN pbr_marker_reason()
  WHEN upper(v) = 'ALL' THEN 'ALL is reserved for all areas together; give the area another code'
  WHEN length(v) > max_len THEN 'an area code has at most ' || max_len || ' characters'
  ELSE NULL END;

-- A value as messages and validation.json show it: control characters written \xHH, at most
-- n characters (the last three '...' when cut).
CREATE OR REPLACE MACRO pbr_escape(v) AS CASE
  WHEN regexp_matches(v, '[\x00-\x1f\x7f-\x9f]')
  THEN array_to_string(list_transform(string_split(v, ''),
         ch -> CASE WHEN ord(ch) < 32 OR ord(ch) BETWEEN 127 AND 159
                    THEN '\x' || lpad(lower(hex(ord(ch))), 2, '0') ELSE ch END), '')
  ELSE v END;

CREATE OR REPLACE MACRO pbr_cut(e, n) AS CASE WHEN length(e) > n THEN left(e, n - 3) || '...' ELSE e END;

CREATE OR REPLACE MACRO pbr_shown(v, n) AS pbr_cut(pbr_escape(v), n);

CREATE OR REPLACE MACRO pbr_bad_date(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN pbr_is_marker(v) THEN pbr_marker_reason()
  WHEN NOT regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN 'not a date: expected YYYY-MM-DD'
  WHEN try_cast(v AS DATE) IS NULL THEN 'not a real calendar date'
  WHEN v < '1900-01-01' OR v > '2100-12-31' THEN 'date outside 1900-2100'
  ELSE NULL END;

-- A date read through a mapping's date_formats: the scan wrote the dates it could read as
-- YYYY-MM-DD (pbr_map_date), so a value still in another form matched no format, or had a time
-- of day other than midnight (method.md section 1: dates are calendar dates).
CREATE OR REPLACE MACRO pbr_bad_date_in(v, fmts) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN pbr_is_marker(v) THEN pbr_marker_reason()
  WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN pbr_bad_date(v)
  WHEN try_strptime(v, fmts) IS NULL THEN 'not a date in any of the date_formats ' || array_to_string(fmts, ', ')
  ELSE 'has a time of day other than midnight: dates are calendar dates' END;

-- The scan's reading of a date under date_formats: YYYY-MM-DD when a format reads it at
-- midnight, else the value as it is (and pbr_bad_date_in says why).
CREATE OR REPLACE MACRO pbr_map_date(v, fmts) AS coalesce(
  CASE WHEN CAST(try_strptime(v, fmts) AS TIME) = TIME '00:00:00' THEN strftime(try_strptime(v, fmts), '%Y-%m-%d') END, v);

CREATE OR REPLACE MACRO pbr_bad_month(v) AS CASE
  WHEN v IS NULL THEN NULL
  WHEN pbr_is_marker(v) THEN pbr_marker_reason()
  WHEN NOT regexp_full_match(v, '[0-9]{4}-(0[1-9]|1[0-2])') THEN 'not a month: expected YYYY-MM'
  WHEN v < '1900-01' OR v > '2100-12' THEN 'month outside 1900-2100'
  ELSE NULL END;

CREATE OR REPLACE MACRO pbr_bad_boolean(v) AS CASE
  WHEN v IS NULL OR v IN ('true', 'false') THEN NULL
  ELSE 'not a boolean: expected true or false' END;

CREATE OR REPLACE MACRO pbr_bad_enum(v, allowed) AS CASE
  WHEN v IS NULL OR list_contains(allowed, v) THEN NULL
  WHEN pbr_is_marker(v) THEN pbr_marker_reason()
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

-- thresholds.period: a label of the contract's periods (its cohort.period, and cohort.top_up's
-- annual periods when set) or '*' for every period (method.md section 13).
CREATE OR REPLACE MACRO pbr_bad_period_label(v, kinds) AS CASE
  WHEN v IS NULL OR v = '*' THEN NULL
  WHEN pbr_is_marker(v) THEN pbr_marker_reason()
  WHEN list_contains(kinds, 'quarter') AND regexp_full_match(v, '[0-9]{4}Q[1-4]') THEN NULL
  WHEN list_contains(kinds, 'year') AND regexp_full_match(v, '[0-9]{4}') THEN NULL
  WHEN list_contains(kinds, 'financial-year') AND regexp_full_match(v, '[0-9]{4}-[0-9]{2}')
       AND (CAST(left(v, 4) AS INTEGER) + 1) % 100 = CAST(right(v, 2) AS INTEGER) THEN NULL
  ELSE 'not a period label of the contract (' || array_to_string(list_transform(kinds, k ->
         CASE k WHEN 'quarter' THEN 'quarters such as 2019Q3' WHEN 'year' THEN 'years such as 2019'
                ELSE 'financial years such as 2019-20' END), ', ') || ') nor *' END;
