-- name: validate_reconviction_dates
-- params: $col (VARCHAR) how rejects name the disposal_date column
-- reads: raw_reconvictions (_file, _line, text columns)
-- returns: inserts into rejects each offence whose disposal_date is before its offence_date
--   (method.md section 11: date sense). Rows with an unreadable date are reported by the type rule.
INSERT INTO rejects
SELECT _file, _line, $col, disposal_date,
       'disposal_date is before offence_date ' || offence_date
FROM raw_reconvictions
WHERE pbr_bad_date(offence_date) IS NULL AND pbr_bad_date(disposal_date) IS NULL
  AND try_cast(disposal_date AS DATE) < try_cast(offence_date AS DATE);
