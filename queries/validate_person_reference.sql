-- name: validate_person_reference
-- params: $cohort_file (VARCHAR) how messages name the cohort's file(s), e.g. cohort.csv;
--   $col (VARCHAR) how rejects name the referring column
-- reads: _ref(_file, _line, person_id), a view over the input being checked; raw_cohort; rejects
-- returns: inserts into rejects one row per reference to a person who is not a valid cohort row
--   (method.md section 11: "references to unknown persons").
INSERT INTO rejects
SELECT r._file, r._line, $col, pbr_shown(r.person_id, 200),
       CASE WHEN c.first_line IS NULL
            THEN 'unknown person_id: not in ' || $cohort_file
            ELSE 'person_id refers to a rejected row of ' || c.first_file || ' (line ' || c.first_line || ')' END
FROM _ref r
LEFT JOIN (SELECT person_id, arg_min(_file, (_src, _line)) AS first_file, arg_min(_line, (_src, _line)) AS first_line
           FROM raw_cohort WHERE person_id IS NOT NULL GROUP BY person_id) c
  ON c.person_id = r.person_id
WHERE r.person_id IS NOT NULL
  AND r.person_id NOT IN (SELECT person_id FROM cohort);
