-- name: validate_thresholds
-- params: $period_col, $upper_col, $cpa_col (VARCHAR) how rejects name those columns;
--   $kinds (VARCHAR[]) the contract's period kinds (cohort.period, and cohort.top_up when set)
-- reads: raw_thresholds (_file, _src, _line, text columns)
-- returns: inserts into rejects the thresholds rows (method.md section 13) whose period is not a
--   label of the contract's periods nor '*', whose lower bound is above the upper, and repeated
--   (cpa, period) pairs.
INSERT INTO rejects
SELECT _file, _line, $period_col, pbr_shown(period, 200), pbr_bad_period_label(period, $kinds)
FROM raw_thresholds
WHERE pbr_bad_period_label(period, $kinds) IS NOT NULL;

-- bounds compared exactly, only when both are valid decimals 0-1 (else the type rule says why)
INSERT INTO rejects
SELECT _file, _line, $upper_col, upper, 'upper is below lower ' || lower || ': the band must have lower <= upper'
FROM raw_thresholds
WHERE pbr_bad_decimal01(lower) IS NULL AND pbr_bad_decimal01(upper) IS NULL
  AND CAST(upper AS DECIMAL(18,12)) < CAST(lower AS DECIMAL(18,12));

INSERT INTO rejects
SELECT _file, _line, $cpa_col, pbr_shown(cpa, 200), 'duplicate threshold for ' || pbr_shown(cpa, 60) || ' / ' || pbr_shown(period, 60) || ' (first on line ' || first_line || ')'
FROM (SELECT _file, _line, cpa, period, count(*) OVER (PARTITION BY cpa, period) AS n,
             first_value(_line) OVER (PARTITION BY cpa, period ORDER BY _src, _line) AS first_line
      FROM raw_thresholds WHERE cpa IS NOT NULL AND period IS NOT NULL)
WHERE n > 1;
