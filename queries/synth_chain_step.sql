-- name: synth_chain_step
-- params: $seed (BIGINT), $k (INTEGER), $horizon (DATE as text)
-- returns: rows of generation $k appended to table synth_chain (created by synth_chain_init).
-- A person's starts form a chain: generation 0 is their entry; a later start follows a conviction
-- of the previous episode (next_trigger, the court date), as a new order that day or as a release
-- from the custody it imposed. Every value comes from su(seed, pid, k, salt), salts 11-29.
-- The 12-month reoffending probability is the start's OGRS (calibrated), changed after mid-2015 by
-- the area's true change (CRC) or a national one (NPS).
INSERT INTO synth_chain
WITH trig AS (
  SELECT pid, entry_date AS trigger_date FROM synth_entry WHERE $k::INTEGER = 0
  UNION ALL
  SELECT pid, next_trigger AS trigger_date FROM synth_chain
  WHERE k = $k::INTEGER - 1 AND next_trigger IS NOT NULL
), u AS (
  SELECT t.pid, t.trigger_date, e.area_no, e.r0,
         su($seed, t.pid, $k, 11) AS u_ogrs,
         su($seed, t.pid, $k, 12) AS u_type,
         su($seed, t.pid, $k, 13) AS u_len,
         su($seed, t.pid, $k, 14) AS u_alloc,
         su($seed, t.pid, $k, 15) AS u_em,
         su($seed, t.pid, $k, 16) AS u_reoff,
         su($seed, t.pid, $k, 17) AS u_lag,
         su($seed, t.pid, $k, 18) AS u_next
  FROM trig t JOIN synth_entry e USING (pid)
), o AS (
  SELECT u.*,
         -- OGRS of this start: the person's risk, creeping up with each new start, plus noise
         round(least(0.98, greatest(0.01, r0 + 0.02 * least($k::INTEGER, 5) + 0.12 * (u_ogrs - 0.5))), 4) AS ogrs_d
  FROM u
), ty AS (
  SELECT o.*,
         0.04 + 0.34 * ogrs_d AS p_short,
         0.24 - 0.20 * ogrs_d AS p_long
  FROM o
), ty2 AS (
  SELECT ty.*,
         CASE WHEN u_type < p_short THEN 'CUSTODY_RELEASE'
              WHEN u_type < p_short + p_long THEN 'CUSTODY_RELEASE'
              WHEN (u_type - p_short - p_long) / (1 - p_short - p_long) < 0.25 THEN 'SSO'
              ELSE 'CO' END AS start_type,
         CASE WHEN u_type < p_short THEN 'short' WHEN u_type < p_short + p_long THEN 'long' ELSE 'order' END AS kind
  FROM ty
), le AS (
  SELECT ty2.*,
         CASE
           -- releases from under 12 months: one in ten served a one-day sentence
           WHEN kind = 'short' AND u_len < 0.10 THEN 1
           WHEN kind = 'short' THEN 7 + floor(357 * ((u_len - 0.10) / 0.90) * ((u_len - 0.10) / 0.90))::INTEGER
           WHEN kind = 'long' THEN 365 + floor(2190 * u_len * u_len * u_len)::INTEGER
           WHEN start_type = 'SSO' THEN [182, 365, 365, 547, 730][1 + floor(u_len * 5)::INTEGER]
           ELSE [182, 365, 365, 365, 547, 730, 730, 1095][1 + floor(u_len * 8)::INTEGER]
         END AS len
  FROM ty2
), st AS (
  SELECT le.*,
         -- a release comes after serving half the sentence; an order starts on the court date
         CASE WHEN $k::INTEGER > 0 AND start_type = 'CUSTODY_RELEASE' THEN trigger_date + len // 2
              ELSE trigger_date END AS start_date,
         -- the public service takes the high-risk-of-harm cases: more of the long sentences
         CASE WHEN u_alloc < (CASE kind WHEN 'order' THEN 0.05 WHEN 'short' THEN 0.145 ELSE 0.335 END) * (1.5 - ogrs_d)
              THEN 'NPS' ELSE 'CRC' END AS allocation,
         CASE WHEN start_type = 'CO' THEN u_em < 0.06 WHEN start_type = 'SSO' THEN u_em < 0.03 ELSE false END AS em_only
  FROM le
), pr AS (
  SELECT st.*,
         least(0.97, ogrs_d * (1 + (CASE WHEN allocation = 'CRC' THEN a.change ELSE n.change END)
                 * least(1.0, greatest(0.0, (start_date - DATE '2015-06-01') / 365.0)))) AS p12
  FROM st JOIN synth_area a USING (area_no)
          CROSS JOIN (SELECT -0.05 + 0.10 * su($seed, 0, 0, 104) AS change) n
  WHERE start_date <= $horizon::DATE
), t AS (
  SELECT pr.*,
         0.5 * ogrs_d * (1 - p12) AS p_late,
         CASE WHEN u_reoff < p12
                THEN 1 + floor(364 * (u_reoff / p12) * (0.35 + 0.65 * (u_reoff / p12)))::INTEGER
              WHEN u_reoff < p12 + 0.5 * ogrs_d * (1 - p12)
                THEN 366 + floor(900 * (u_reoff - p12) / (0.5 * ogrs_d * (1 - p12)))::INTEGER
         END AS t1,
         -- offence to conviction: a week to ten months, most within three
         7 + floor(300 * u_lag * u_lag * u_lag)::INTEGER AS lag1
  FROM pr
)
SELECT pid, $k::INTEGER AS k, start_date, start_type, len::INTEGER AS sentence_length_days, allocation, em_only,
       ogrs_d::DECIMAL(5,4) AS ogrs, t1, lag1,
       t1 IS NOT NULL AND u_next < 0.72 AS chained,
       CASE WHEN t1 IS NOT NULL AND u_next < 0.72 THEN start_date + t1 + lag1 END AS next_trigger
FROM t;
