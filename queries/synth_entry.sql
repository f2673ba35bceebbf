-- name: synth_entry
-- params: $seed (BIGINT), $n_entries (BIGINT), $entry_from (DATE as text), $entry_days (INTEGER)
-- returns: table synth_area_pick(area_pick, area_no), table synth_entry(pid, entry_date, area_no, sex, dob, pnc_matched, r0) - one row per
--          person entering the probation caseload (their first start), uniformly over
--          $entry_days days from $entry_from. r0 is the person's underlying risk (OGRS scale).
-- Salts 1-9 (person level).
-- (an equality join on a pick table: far faster than a range join on the cumulative weights)
CREATE OR REPLACE TABLE synth_area_pick AS
SELECT t.i AS area_pick, a.area_no
FROM range((SELECT max(total_weight) FROM synth_area)) t(i)
JOIN synth_area a ON t.i >= a.cum_lo AND t.i < a.cum_hi;
CREATE OR REPLACE TABLE synth_entry AS
WITH p AS (
  SELECT i AS pid,
         $entry_from::DATE + floor(su($seed, i, 0, 1) * $entry_days::INTEGER)::INTEGER AS entry_date,
         floor(su($seed, i, 0, 2) * (SELECT max(total_weight) FROM synth_area))::BIGINT AS area_pick,
         su($seed, i, 0, 3) AS u_sex,
         su($seed, i, 0, 4) AS u_age,
         floor(su($seed, i, 0, 5) * 365)::INTEGER AS dob_offset,
         su($seed, i, 0, 6) AS u_pnc,
         su($seed, i, 0, 7) AS u_r1,
         su($seed, i, 0, 8) AS u_r2
  FROM range($n_entries::BIGINT) t(i)
), q AS (
  SELECT p.*, a.area_no, a.risk_shift,
         CASE WHEN u_sex < 0.155 THEN 'F' WHEN u_sex < 0.158 THEN 'U' ELSE 'M' END AS sex,
         -- a few percent start aged 17; the rest 18 to 72, most in their twenties and thirties
         CASE WHEN u_age < 0.03 THEN 17 ELSE 18 + floor(55 * ((u_age - 0.03) / 0.97) * ((u_age - 0.03) / 0.97))::INTEGER END AS age
  FROM p JOIN synth_area_pick k USING (area_pick) JOIN synth_area a USING (area_no)
)
SELECT pid, entry_date, area_no, sex,
       (entry_date - to_years(age))::DATE - dob_offset AS dob,
       u_pnc >= 0.03 AS pnc_matched,
       -- triangular around the middle, shifted by the area's mix, lower for women, higher when young
       0.05 + 0.78 * (u_r1 + u_r2) / 2 + risk_shift
         - CASE WHEN sex = 'F' THEN 0.06 ELSE 0 END
         + 0.004 * (30 - least(greatest(age, 18), 55)) AS r0
FROM q
ORDER BY pid;
