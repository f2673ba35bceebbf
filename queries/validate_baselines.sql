-- name: validate_baselines
-- params: $col (VARCHAR) how rejects name the cpa column; $check_areas (BOOLEAN) the contract lists areas
-- reads: raw_baselines (_file, _src, _line, text columns), areas
-- returns: inserts into rejects baseline rows for an area that is neither ALL nor an area of the
--   contract (when it lists areas), and duplicate (cpa, population) pairs.
INSERT INTO rejects
SELECT _file, _line, $col, pbr_shown(cpa, 200), 'baseline for area ''' || pbr_shown(cpa, 60) || ''' which is neither ALL nor an area of the contract'
FROM raw_baselines
WHERE cpa IS NOT NULL AND cpa <> 'ALL' AND $check_areas AND cpa NOT IN (SELECT cpa FROM areas);

-- the first row of a pair is the one of the earliest source and line
INSERT INTO rejects
SELECT _file, _line, $col, pbr_shown(cpa, 200), 'duplicate baseline for ' || pbr_shown(cpa, 60) || ' / ' || population || ' (first on line ' || first_line || ')'
FROM (SELECT _file, _line, cpa, population, count(*) OVER (PARTITION BY cpa, population) AS n,
             first_value(_line) OVER (PARTITION BY cpa, population ORDER BY _src, _line) AS first_line
      FROM raw_baselines WHERE cpa IS NOT NULL AND population IS NOT NULL)
WHERE n > 1;
