-- name: audit_diff_payments
-- params: (none)
-- returns: every changed payment amount (table diff_payment_changes) summed per area, period and
--          component: old, new (NULL: no such line in that run) and change = new - old, as text
--          with 2 decimals, ordered by area, period, absolute change (largest first), component
SELECT area, period, component,
       CAST(old AS VARCHAR) AS old, CAST(new AS VARCHAR) AS new, CAST(change AS VARCHAR) AS change
FROM diff_payment_changes
ORDER BY encode(area), encode(period), abs(change) DESC, encode(component)
