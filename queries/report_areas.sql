-- name: report_areas
-- params: (none)
-- returns: the areas (code and name) in area order
SELECT cpa, name FROM areas ORDER BY area_order, cpa
