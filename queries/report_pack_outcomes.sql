-- name: report_pack_outcomes
-- params: (none)
-- returns: per area (not ALL) and results period of `pay_outcomes` that has one: the indicative
--          amount of an interim period (what its lines would sum to were it final now; never
--          paid), exact decimal text
SELECT area, period, CAST(CAST(indicative_amount AS DECIMAL(38, 2)) AS VARCHAR) AS indicative_amount
FROM pay_outcomes
WHERE area <> 'ALL' AND indicative_amount IS NOT NULL
ORDER BY area, period
