-- name: validate_baselines
-- params: $file (VARCHAR) the baselines file name; $check_areas (BOOLEAN) the contract lists areas
-- reads: raw_baselines, areas
-- returns: inserts into rejects baseline rows for an area that is neither ALL nor an area of the
--   contract (when it lists areas), and duplicate (cpa, population) pairs.
INSERT INTO rejects
SELECT $file, _line, 'cpa', cpa, 'baseline for area ''' || cpa || ''' which is neither ALL nor an area of the contract'
FROM raw_baselines
WHERE cpa IS NOT NULL AND cpa <> 'ALL' AND $check_areas AND cpa NOT IN (SELECT cpa FROM areas);

INSERT INTO rejects
SELECT $file, _line, 'cpa', cpa, 'duplicate baseline for ' || cpa || ' / ' || population || ' (first on line ' || first_line || ')'
FROM (SELECT _line, cpa, population, count(*) OVER w AS n, min(_line) OVER w AS first_line
      FROM raw_baselines WHERE cpa IS NOT NULL AND population IS NOT NULL WINDOW w AS (PARTITION BY cpa, population))
WHERE n > 1;
