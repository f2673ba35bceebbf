-- name: statements_prepare
-- params: $bands (VARCHAR: JSON list of {band_idx, start_type, max_len (null = none), weight_txt}, the
--   contract's fee_for_service.bands in file order)
-- returns: what the statement queries read besides the pay tables: macro st_dectext(x) (an exact
--   DECIMAL as plain text without trailing zeros: 542.900000000000 -> '542.9'), temp table st_bands
--   (the bands with a description), and an empty fee_volumes when pay_fee.sql did not run (pbr assess
--   has no starts, so no volumes).
CREATE OR REPLACE MACRO st_dectext(x) AS
  CASE WHEN x IS NULL THEN NULL
       WHEN contains(CAST(x AS VARCHAR), '.') THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.')
       ELSE CAST(x AS VARCHAR) END;
CREATE OR REPLACE TEMP TABLE st_bands AS
SELECT band_idx, start_type, max_len, weight_txt,
  start_type || CASE WHEN max_len IS NULL THEN ', any length' ELSE ', up to ' || max_len || ' days' END AS description
FROM (SELECT unnest(from_json($bands,
  '[{"band_idx":"INTEGER","start_type":"VARCHAR","max_len":"INTEGER","weight_txt":"VARCHAR"}]'), recursive := true));
CREATE TABLE IF NOT EXISTS fee_volumes (
  area VARCHAR, idx INTEGER, year_label VARCHAR, band_idx INTEGER, weight_txt VARCHAR, starts BIGINT,
  weighted DECIMAL(38,12));
