-- name: synth_setup
-- params: $seed (BIGINT)
-- returns: macro su(seed, a, b, salt) (a uniform number in [0,1) from a hash, never random()),
--          table synth_area(area_no, cpa, name, weight, cum_lo, cum_hi, total_weight, risk_shift,
--          freq_mult, change) - the 21 contract package areas and their seeded characteristics.
-- The weights are relative sizes of the areas' caseloads (London the largest, Durham Tees Valley
-- about a sixth of it); risk_shift moves the area's OGRS mix, freq_mult its offending frequency,
-- change is the true relative change in the 12-month reoffending probability after 2015.
-- DuckDB's hash of several values only XORs the last one in, so two salts of one entity would give
-- strongly correlated numbers: hashing the combined hash again mixes every bit (corr ~ 0).
-- The top 53 bits over 2^53 give an exact double in [0,1). Parameter names are unusual so that no
-- column or alias of a calling query can capture them.
CREATE OR REPLACE TEMP MACRO su(su_seed, su_id, su_sub, su_salt) AS
  ((hash(hash(su_seed::BIGINT, su_id::BIGINT, su_sub::BIGINT, su_salt::BIGINT)) >> 11)::DOUBLE / 9007199254740992.0);
CREATE OR REPLACE TABLE synth_area AS
WITH a(area_no, cpa, name, weight) AS (
  VALUES
    (1, 'CPA01', 'Cumbria and Lancashire', 70),
    (2, 'CPA02', 'Northumbria', 55),
    (3, 'CPA03', 'Durham Tees Valley', 34),
    (4, 'CPA04', 'Cheshire and Greater Manchester', 120),
    (5, 'CPA05', 'Merseyside', 52),
    (6, 'CPA06', 'West Yorkshire', 85),
    (7, 'CPA07', 'South Yorkshire', 50),
    (8, 'CPA08', 'Humberside, Lincolnshire and North Yorkshire', 72),
    (9, 'CPA09', 'Derbyshire, Leicestershire, Nottinghamshire and Rutland', 92),
    (10, 'CPA10', 'Staffordshire and West Midlands', 115),
    (11, 'CPA11', 'Warwickshire and West Mercia', 42),
    (12, 'CPA12', 'Wales', 95),
    (13, 'CPA13', 'Bristol, Gloucestershire, Somerset and Wiltshire', 62),
    (14, 'CPA14', 'Dorset, Devon and Cornwall', 50),
    (15, 'CPA15', 'Hampshire and Isle of Wight', 48),
    (16, 'CPA16', 'Thames Valley', 58),
    (17, 'CPA17', 'Bedfordshire, Northamptonshire, Cambridgeshire and Hertfordshire', 72),
    (18, 'CPA18', 'Norfolk and Suffolk', 42),
    (19, 'CPA19', 'Essex', 45),
    (20, 'CPA20', 'London', 200),
    (21, 'CPA21', 'Kent, Surrey and Sussex', 90)
), c AS (
  SELECT area_no, cpa, name, weight::BIGINT AS weight,
         (sum(weight) OVER (ORDER BY area_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))::BIGINT - weight AS cum_lo,
         (sum(weight) OVER (ORDER BY area_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))::BIGINT AS cum_hi,
         (sum(weight) OVER ())::BIGINT AS total_weight
  FROM a
)
SELECT area_no, cpa, name, weight, cum_lo, cum_hi, total_weight,
       -- Northumbria has the highest-risk caseload and the most prolific offenders (the published figures).
       CASE WHEN cpa = 'CPA02' THEN 0.06 ELSE -0.05 + 0.09 * su($seed, area_no, 0, 101) END AS risk_shift,
       CASE WHEN cpa = 'CPA02' THEN 1.15 ELSE 0.85 + 0.25 * su($seed, area_no, 0, 102) END AS freq_mult,
       -- from 30% fewer reoffenders to 12% more: most areas improve, some worsen, some stay put
       -0.30 + 0.42 * su($seed, area_no, 0, 103) AS change
FROM c
ORDER BY area_no;
