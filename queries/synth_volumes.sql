-- name: synth_volumes
-- params: $allocation (VARCHAR), $min_age (INTEGER), $year_from (DATE as text), $year_to (DATE as text),
--         $co_max (INTEGER), $sso_max (INTEGER), $cr_max (INTEGER)
-- returns: rows (cpa, contract_year, start_type, is_long, starts): fee-for-service volumes of the
--          written starts (the allocation's, not EM-only, adult on start_date) per area and
--          contract year (0 = the year from $year_from, years of 12 months to $year_to), by type
--          and whether the length is above the type's shorter band ($co_max, $sso_max, $cr_max).
SELECT s.cpa,
       (date_diff('month', $year_from::DATE, s.start_date) // 12)::INTEGER AS contract_year,
       s.start_type,
       s.sentence_length_days > CASE s.start_type WHEN 'CO' THEN $co_max::INTEGER
                                                  WHEN 'SSO' THEN $sso_max::INTEGER
                                                  ELSE $cr_max::INTEGER END AS is_long,
       count(*)::BIGINT AS starts
FROM synth_starts_out s
JOIN synth_cohort_out c USING (person_id)
WHERE s.allocation = $allocation
  AND NOT s.em_only
  AND s.start_date BETWEEN $year_from::DATE AND $year_to::DATE
  AND (s.start_date - to_years($min_age::INTEGER))::DATE >= c.date_of_birth
GROUP BY ALL
ORDER BY ALL;
