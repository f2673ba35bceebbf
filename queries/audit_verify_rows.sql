-- name: audit_verify_rows
-- params: $limit (INTEGER): how many differing rows to return
-- returns: the rows of a CSV output that differ between the run's file (table vfy_a) and the
--          recomputation's (table vfy_b), at most $limit, ordered by line: key (VARCHAR[]: the
--          values of the file's key columns), line_run, line_recomputed (NULL: no such row on that
--          side), values (the first 3 differing fields, in column order: column, run, recomputed),
--          more_values (how many further fields differ) and total (how many rows differ in all).
--          Used by pbr verify (issue 13: a differing output names its differing rows).
--
-- vfy_a / vfy_b (made by src/audit/verifyRows.ts): _line, _key, _k (the row's number among rows
-- sharing its key, in line order: rows with a repeated key pair up in order), then every column
-- of the file as text ('' = empty field); vfy_cols(name, ord): the columns in file order.
-- Rows pair up on (_key, _k); a paired row differs when any field's text differs.
CREATE OR REPLACE TEMP TABLE vfy_long_a AS
UNPIVOT vfy_a ON COLUMNS(* EXCLUDE (_line, _key, _k)) INTO NAME "column" VALUE value;
CREATE OR REPLACE TEMP TABLE vfy_long_b AS
UNPIVOT vfy_b ON COLUMNS(* EXCLUDE (_line, _key, _k)) INTO NAME "column" VALUE value;
WITH pairs AS (
  SELECT coalesce(a._key, b._key) AS _key, coalesce(a._k, b._k) AS _k, a._line AS line_run, b._line AS line_recomputed
  FROM (SELECT _key, _k, _line FROM vfy_a) a
  FULL JOIN (SELECT _key, _k, _line FROM vfy_b) b ON a._key = b._key AND a._k = b._k
),
cells AS (
  -- fields of rows present on both sides whose text differs
  SELECT a._key, a._k, c.ord, a."column", a.value AS run, b.value AS recomputed
  FROM vfy_long_a a
  JOIN vfy_long_b b ON a._key = b._key AND a._k = b._k AND a."column" = b."column"
  JOIN vfy_cols c ON c.name = a."column"
  WHERE a.value <> b.value
),
per_row AS (
  SELECT _key, _k,
         list({'column': "column", 'run': run, 'recomputed': recomputed} ORDER BY ord) AS all_values
  FROM cells
  GROUP BY _key, _k
),
differing AS (
  -- a row on one side only, or a paired row with a differing field
  SELECT p._key, p.line_run, p.line_recomputed,
         coalesce(r.all_values, []) AS all_values
  FROM pairs p
  LEFT JOIN per_row r ON r._key = p._key AND r._k = p._k
  WHERE p.line_run IS NULL OR p.line_recomputed IS NULL OR r._key IS NOT NULL
)
SELECT _key AS key, line_run, line_recomputed,
       all_values[1:3] AS "values",
       greatest(len(all_values) - 3, 0) AS more_values,
       count(*) OVER () AS total
FROM differing
ORDER BY coalesce(line_run, line_recomputed), line_run IS NULL, line_recomputed, encode(array_to_string(_key, chr(31)))
LIMIT $limit
