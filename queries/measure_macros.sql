-- name: measure_macros
-- params: (none)
-- returns: macro m_fmt6(x): a DOUBLE rate as text with exactly 6 decimals, or NULL
--
-- Number format of measures.csv and breakdowns.csv (our choice, the spec says only "rounded to
-- 6 places"): the DOUBLE is first cast to DECIMAL(38,12) (rounded at the 12th place, which absorbs
-- binary floating-point noise such as 0.1234565 stored as 0.12345649999999...), then rounded HALF
-- AWAY FROM ZERO to 6 places (as money is), and printed with exactly 6 decimals, trailing zeros
-- kept: 0.75 -> 0.750000, 5/3 -> 1.666667, 125 -> 125.000000, 1/128 -> 0.007813. Never scientific
-- notation, never -0.000000 (DECIMAL has no negative zero). NULL stays NULL (an empty field).
CREATE OR REPLACE TEMP MACRO m_fmt6(x) AS
  CAST(CAST(round(CAST(x AS DECIMAL(38,12)), 6) AS DECIMAL(38,6)) AS VARCHAR);
