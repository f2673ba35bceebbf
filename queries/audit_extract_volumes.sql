-- name: audit_extract_volumes
-- params: $area (VARCHAR): the area's code; $period (VARCHAR, NULL for every period)
-- reads: x_volumes (volumes.csv as text, in the file's order: its rowid, loadRunVolumes), ext_outcomes
-- returns: tables ext_volumes_text (the area's rows of volumes.csv, as the text the run wrote, for
--          volumes.csv) and ext_volumes (the same rows typed, for volumes.xlsx: dates as dates,
--          counts, bands and weights as numbers), for pbr extract. The file's area column went
--          through safe_cell, so it is compared with safe_cell($area). With $period, the starts
--          whose start_date lies in that period (its period_start to period_end, from
--          ext_outcomes, which holds only that period then).
CREATE OR REPLACE TEMP TABLE ext_volumes_text AS
SELECT v.*, v.rowid AS _n
FROM x_volumes v
WHERE v.area = safe_cell($area)
  AND ($period IS NULL OR CAST(v.start_date AS DATE) BETWEEN
        (SELECT min(CAST(period_start AS DATE)) FROM ext_outcomes) AND (SELECT max(CAST(period_end AS DATE)) FROM ext_outcomes));
CREATE OR REPLACE TEMP TABLE ext_volumes AS
SELECT start_id, area, CAST(start_date AS DATE) AS start_date, month, start_type,
  CAST(sentence_length_days AS INTEGER) AS sentence_length_days, CAST(counted AS BOOLEAN) AS counted,
  CAST(band AS INTEGER) AS band, CAST(weight AS DECIMAL(18,6)) AS weight, contract_year, reason, _n
FROM ext_volumes_text;
