-- name: audit_diff_measures
-- params: $figures (VARCHAR[]): the figure columns of measures.csv in file order
-- returns: every changed figure of measures.csv (table diff_measure_changes): population, area,
--          period, measure, old, new (NULL: the row is absent from that run; '' = empty field),
--          ordered by area, period, population and the column order of measures.csv
SELECT population, area, period, measure, old, new
FROM diff_measure_changes
ORDER BY encode(area), encode(period), encode(population), list_position($figures::VARCHAR[], measure), encode(measure)
