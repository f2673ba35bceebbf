-- name: synth_output
-- params: $starts_from (DATE as text), $starts_to (DATE as text)
-- returns: macros synth_pid, synth_k; tables synth_cohort_out, synth_starts_out and view synth_reconvictions_out: the extracts in the
--          column order of the input formats (README). Starts are those dated $starts_from..$starts_to (the chain's
--          earlier and later generations only shape reoffending); people are those with a start
--          (synth_keep); offences are theirs (synth_offence keeps only those). Each keeps its
--          numeric sort key (pid, k, ...), whose order is the byte order of its id.
-- Ids are zero-padded numbers: substr((10^w + n)::VARCHAR, 2) is n in w digits (faster than printf).
CREATE OR REPLACE TEMP MACRO synth_pid(p) AS substr((1000000000 + p)::VARCHAR, 2);
CREATE OR REPLACE TEMP MACRO synth_k(x) AS substr((1000 + x)::VARCHAR, 2);
CREATE OR REPLACE TABLE synth_starts_out AS
SELECT 'S' || synth_pid(c.pid) || '-' || synth_k(c.k) AS start_id,
       'P' || synth_pid(c.pid) AS person_id,
       c.start_date, c.start_type, c.sentence_length_days, a.cpa, c.allocation, c.em_only, c.ogrs,
       c.pid, c.k
FROM synth_chain c
JOIN synth_entry e USING (pid)
JOIN synth_area a ON a.area_no = e.area_no
WHERE c.start_date BETWEEN $starts_from::DATE AND $starts_to::DATE;
CREATE OR REPLACE TABLE synth_cohort_out AS
SELECT 'P' || synth_pid(e.pid) AS person_id, e.dob AS date_of_birth, e.sex, e.pnc_matched, e.pid
FROM synth_entry e
JOIN synth_keep USING (pid);
CREATE OR REPLACE VIEW synth_reconvictions_out AS
SELECT 'R' || synth_pid(o.pid) || '-' || synth_k(o.k) || '-'
         || CASE o.kind WHEN 0 THEN substr((100 + o.batch)::VARCHAR, 2) || '-' || synth_k(o.j)
                        WHEN 1 THEN 'BR' ELSE 'OT' END AS offence_id,
       'P' || synth_pid(o.pid) AS person_id, o.offence_date, o.disposal_date, o.disposal_type,
       CASE WHEN o.kind = 0 AND o.disposal_type = 'CONVICTION'
              THEN 'C' || synth_pid(o.pid) || '-' || synth_k(o.k) || '-' || substr((100 + o.batch)::VARCHAR, 2)
            WHEN o.kind = 1 THEN 'C' || synth_pid(o.pid) || '-' || synth_k(o.k) || '-BR' END AS court_event_id,
       o.breach,
       o.pid, o.k, o.kind, o.batch, o.j
FROM synth_offence o;
