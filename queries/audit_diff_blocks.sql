-- name: audit_diff_blocks
-- params: (none)
-- returns: the areas and periods that changed (table diff_blocks of audit_diff_changes), money as
--          text with 2 decimals, ordered by absolute payment impact (largest first), then area and
--          period in byte order
SELECT area, period,
       CAST(payment_a AS VARCHAR) AS payment_a,
       CAST(payment_b AS VARCHAR) AS payment_b,
       CAST(impact AS VARCHAR) AS impact
FROM diff_blocks
ORDER BY abs(impact) DESC, encode(area), encode(period)
