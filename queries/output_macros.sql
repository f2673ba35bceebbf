-- name: output_macros
-- params: (none)
-- returns: macro safe_cell(x): the text x as a CSV cell people may open in a spreadsheet. Text that
--   starts with =, +, -, @, a tab or a carriage return would be read as a formula; it gets a leading
--   apostrophe so that it shows as the text it is (src/core/sheets.ts safeText, the same rule for
--   the CSV and workbook cells written from JavaScript). Apply it to text columns only: numbers
--   (amounts, rates, counts) are never passed through it, so -12.50 stays a number.
-- (a comparison of the first character, not a regular expression: it runs on every start id of
-- volumes.csv; two lists of three, since DuckDB makes a list of five or more constants a join
-- against them, which costs more than the comparisons: BENCHMARKS.md, "Lists of constants,
-- and the join of volumes.csv")
CREATE OR REPLACE MACRO safe_cell(x) AS
  CASE WHEN left(x, 1) IN ('=', '+', '-') OR left(x, 1) IN ('@', chr(9), chr(13)) THEN '''' || x ELSE x END;
