-- name: statements_volumes
-- params: (none); needs st_bands and st_dectext (statements_prepare.sql), fee_volumes, pay_years_priced
-- returns: the volume behind each contract year's reconciliation, per area, contract year and band
--   (method.md section 9): band (1-based position in fee_for_service.bands; NULL for starts of a
--   listed type that no band fits, weight 0), its description, weight, counted starts and weighted
--   volume (weight x starts, exact, as plain decimal text). Start-level detail is in volumes.csv.
SELECT v.area, v.year_label AS contract_year, strftime(y.y_from, '%Y-%m-%d') AS year_from,
  strftime(y.y_to, '%Y-%m-%d') AS year_to, (v.band_idx + 1)::INTEGER AS band,
  coalesce(b.description, 'no band fits the length') AS description,
  st_dectext(CAST(v.weight_txt AS DECIMAL(38,12))) AS weight, v.starts::VARCHAR AS starts,
  st_dectext(v.weighted) AS weighted_volume
FROM fee_volumes v JOIN pay_years_priced y ON y.area = v.area AND y.idx = v.idx
LEFT JOIN st_bands b ON b.band_idx = v.band_idx
ORDER BY y.area_order, v.area, y.y_from, v.band_idx NULLS LAST;
