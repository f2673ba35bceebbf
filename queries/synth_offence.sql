-- name: synth_offence
-- params: $seed (BIGINT), $starts_from (DATE as text), $starts_to (DATE as text),
--         $offences_from (DATE as text), $as_of (DATE as text)
-- returns: table synth_keep(pid): the people with a start dated $starts_from..$starts_to (the ones
--          written); table synth_offence(pid, k, kind, batch, j, offence_date, disposal_date,
--          disposal_type, breach): every proven offence (kind 0: episode k's court event batch,
--          offence j), breach (kind 1) and OTHER disposal (kind 2)
--          of those people when matched to the PNC (nobody else's offending can be seen),
--          committed from $offences_from and disposed of by $as_of. Salts 31-49.
-- An episode (the time after one start) with a first offence (t1) has court events (batches):
-- a batch opens with an offence, more offences follow while the case waits for court (at a rate
-- that grows with OGRS and the area's frequency), and all are disposed of on the court date, the
-- first offence date plus the batch's lag. When the episode's first conviction led to the next
-- start (chained) the episode has that one batch; otherwise further batches open over the year
-- after the first offence, and a lone offence may be cautioned instead of convicted.
CREATE OR REPLACE TABLE synth_keep AS
SELECT DISTINCT pid FROM synth_chain WHERE start_date BETWEEN $starts_from::DATE AND $starts_to::DATE;
CREATE OR REPLACE TABLE synth_offence AS
WITH ep AS (
  SELECT c.pid, c.k, c.start_date + c.t1 AS first_date, c.lag1, c.chained,
         a.freq_mult * (0.11 + 2.0 * c.ogrs::DOUBLE * c.ogrs::DOUBLE) / 30.0 AS lam
  FROM synth_chain c
  JOIN synth_keep USING (pid)
  JOIN synth_entry e USING (pid)
  JOIN synth_area a ON a.area_no = e.area_no
  WHERE c.t1 IS NOT NULL AND e.pnc_matched
    AND c.start_date + c.t1 <= $as_of::DATE
    AND c.start_date + c.t1 + 730 >= $offences_from::DATE
), ep2 AS (
  SELECT ep.*,
         CASE WHEN chained THEN 1
              ELSE 1 + least(59, floor(4 * lam * 120 * su($seed, pid, k, 31) * su($seed, pid, k, 32) + su($seed, pid, k, 33)))::INTEGER
         END AS n_batch
  FROM ep
), b AS (
  SELECT pid, k, first_date, lag1, chained, lam, unnest(range(n_batch)) AS batch
  FROM ep2
), b2 AS (
  SELECT pid, k, batch, chained, lam,
         CASE WHEN batch = 0 THEN first_date
              ELSE first_date + floor(365 * su($seed, pid, k * 100 + batch, 34))::INTEGER END AS batch_first,
         CASE WHEN batch = 0 THEN lag1
              ELSE 7 + floor(300 * su($seed, pid, k * 100 + batch, 35) * su($seed, pid, k * 100 + batch, 35)
                                 * su($seed, pid, k * 100 + batch, 35))::INTEGER END AS lag
  FROM b
), b3 AS (
  SELECT b2.*,
         1 + least(199, floor(4 * lam * lag * su($seed, pid, k * 100 + batch, 36) * su($seed, pid, k * 100 + batch, 37)
                             + su($seed, pid, k * 100 + batch, 38)))::INTEGER AS n_off
  FROM b2
), b4 AS (
  SELECT b3.*,
         CASE WHEN NOT chained AND n_off = 1 AND su($seed, pid, k * 100 + batch, 39) < 0.6 THEN 'CAUTION'
              ELSE 'CONVICTION' END AS disposal_type
  FROM b3
), o AS (
  SELECT pid, k, batch, batch_first, lag, disposal_type, unnest(range(n_off)) AS j
  FROM b4
), proven AS (
  SELECT pid, k, 0 AS kind, batch, j,
         CASE WHEN j = 0 THEN batch_first
              ELSE batch_first + floor(lag * su($seed, pid, (k * 100 + batch) * 1000 + j, 40))::INTEGER END AS offence_date,
         batch_first + lag AS disposal_date,
         disposal_type,
         false AS breach
  FROM o
), extra AS (
  -- breaches of the order or licence, and offences ending in other (never proven) disposals
  SELECT c.pid, c.k, c.start_date, c.sentence_length_days,
         su($seed, c.pid, c.k, 41) AS u_breach, su($seed, c.pid, c.k, 42) AS u_bdate, su($seed, c.pid, c.k, 43) AS u_blag,
         su($seed, c.pid, c.k, 44) AS u_other, su($seed, c.pid, c.k, 45) AS u_odate, su($seed, c.pid, c.k, 46) AS u_olag
  FROM synth_chain c JOIN synth_keep USING (pid) JOIN synth_entry e USING (pid)
  WHERE e.pnc_matched
), all_rows AS (
  SELECT * FROM proven
  UNION ALL
  SELECT pid, k, 1 AS kind, 0 AS batch, 0 AS j,
         start_date + 14 + floor(u_bdate * least(sentence_length_days, 365))::INTEGER,
         start_date + 14 + floor(u_bdate * least(sentence_length_days, 365))::INTEGER + 14 + floor(70 * u_blag)::INTEGER,
         'CONVICTION', true
  FROM extra WHERE u_breach < 0.10
  UNION ALL
  SELECT pid, k, 2 AS kind, 0 AS batch, 0 AS j,
         start_date + 1 + floor(540 * u_odate)::INTEGER,
         start_date + 1 + floor(540 * u_odate)::INTEGER + 20 + floor(120 * u_olag)::INTEGER,
         'OTHER', false
  FROM extra WHERE u_other < 0.06
)
SELECT pid, k::INTEGER AS k, kind::INTEGER AS kind, batch::INTEGER AS batch, j::INTEGER AS j,
       offence_date, disposal_date, disposal_type, breach
FROM all_rows
WHERE offence_date >= $offences_from::DATE AND disposal_date <= $as_of::DATE;
