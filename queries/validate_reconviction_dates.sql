-- name: validate_reconviction_dates
-- params: $file (VARCHAR) the reconvictions file name
-- reads: raw_reconvictions (text columns, _line)
-- returns: inserts into rejects each offence whose disposal_date is before its offence_date
--   (method.md section 11: date sense). Rows with an unreadable date are reported by the type rule.
INSERT INTO rejects
SELECT $file, _line, 'disposal_date', disposal_date,
       'disposal_date is before offence_date ' || offence_date
FROM raw_reconvictions
WHERE pbr_bad_date(offence_date) IS NULL AND pbr_bad_date(disposal_date) IS NULL
  AND try_cast(disposal_date AS DATE) < try_cast(offence_date AS DATE);
