-- name: volumes_starts
-- params: none; needs pay_fee_classified and pay_bands
--   (pay_fee.sql), pay_years_priced, safe_cell (output_macros.sql)
-- returns: the rows of volumes.csv, every start of the starts table once per contract year it counts
--   in (normally one), or once with the reason it does not count, a code: allocation, em_only,
--   not_in_cohort, under_age, type_in_no_band (pay_fee.sql), then no_contract_years (its area has
--   none) or outside_contract_years (in none of its area's). A start of a listed type that no band
--   fits counts with weight 0 and the reason no_band_fits. Codes, not sentences: at national scale
--   the file has one row per start (docs/statements.md explains each code).
--   `counted` true exactly for the starts behind fee_volumes, so the weights of a contract year's
--   rows sum to its weighted volume. Text columns through safe_cell; sorted by area, date, start.
WITH c AS (
  SELECT f.*, b.weight_txt FROM pay_fee_classified f
  LEFT JOIN pay_bands b ON b.band_idx = f.band_idx),
has_years AS (SELECT DISTINCT area FROM pay_years_priced)
SELECT safe_cell(c.start_id) AS start_id, safe_cell(c.cpa) AS area,
  strftime(c.start_date, '%Y-%m-%d') AS start_date, strftime(c.start_date, '%Y-%m') AS month,
  safe_cell(c.start_type) AS start_type, c.sentence_length_days,
  y.year_label IS NOT NULL AS counted,
  CASE WHEN y.year_label IS NOT NULL THEN c.band_idx + 1 END AS band,
  CASE WHEN y.year_label IS NOT NULL THEN coalesce(c.weight_txt, '0') END AS weight,
  y.year_label AS contract_year,
  safe_cell(CASE
    WHEN c.excluded IS NOT NULL THEN c.excluded
    WHEN y.year_label IS NULL AND h.area IS NULL THEN 'no_contract_years'
    WHEN y.year_label IS NULL THEN 'outside_contract_years'
    WHEN c.band_idx IS NULL THEN 'no_band_fits'
  END) AS reason
-- an excluded start matches no year: its area is NULL in the join key, not a condition of its own,
-- so that DuckDB joins on the key by hash (a condition on one side alone made it compare every
-- start with every year block by block: BENCHMARKS.md, "Lists of constants,
-- and the join of volumes.csv")
FROM c LEFT JOIN pay_years_priced y
  ON y.area = CASE WHEN c.excluded IS NULL THEN c.cpa END AND c.start_date BETWEEN y.y_from AND y.y_to
LEFT JOIN has_years h ON h.area = c.cpa
ORDER BY c.cpa, c.start_date, c.start_id, y.y_from
