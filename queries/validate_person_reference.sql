-- name: validate_person_reference
-- params: $file (VARCHAR) the file being checked, e.g. starts.csv; $cohort_file (VARCHAR) e.g. cohort.csv
-- reads: _ref(_line, person_id), a view over the file being checked; raw_cohort; rejects
-- returns: inserts into rejects one row per reference to a person who is not a valid cohort row
--   (method.md section 11: "references to unknown persons").
INSERT INTO rejects
SELECT $file, r._line, 'person_id', r.person_id,
       CASE WHEN c.first_line IS NULL
            THEN 'unknown person_id: not in ' || $cohort_file
            ELSE 'person_id refers to a rejected row of ' || $cohort_file || ' (line ' || c.first_line || ')' END
FROM _ref r
LEFT JOIN (SELECT person_id, min(_line) AS first_line FROM raw_cohort WHERE person_id IS NOT NULL GROUP BY person_id) c
  ON c.person_id = r.person_id
WHERE r.person_id IS NOT NULL
  AND r.person_id NOT IN (SELECT person_id FROM cohort);
