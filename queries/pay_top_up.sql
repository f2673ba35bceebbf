-- name: pay_top_up
-- params: (none)
-- returns: rows of pay_rl (see pay_trcrc.sql): the binary_top_up and frequency_top_up lines of every
--   area and annual top-up period (method.md section 12), final or not (pay_trcrc_finish.sql pays
--   the final ones and shows the others as indicative).
-- For an area and annual period (period_kind 'annual'), with A_b and A_f its section 8 amounts
-- (pay_cand: the annual period measured and decided like any other, each rounded to pence as its
-- own line would be; 0 when the annual outcome gives no line):
--   binary_top_up    = A_b - (sum of the binary_payment and binary_deduction lines of the area's
--                      contract periods lying inside the year)
--   frequency_top_up = A_f - (sum of the frequency_payment lines of those periods)
-- The sums are of rounded lines, so each top-up is exact in pence; it may be negative (paid back).
-- Caps are not part of the sums (pay_trcrc_finish.sql caps the top-up lines as any period's).
-- A top-up of 0.00 gives no line. The periods' lines are taken whatever their status: when the
-- year is final every period inside it is final too, and for an interim year they are what would
-- be paid were everything final now. rule: cohort.top_up (the key that makes the line).
INSERT INTO pay_rl
WITH ann AS (
  SELECT area, area_order, period, period_start, period_end, status, binary_outcome, frequency_outcome
  FROM pay_trcrc_rows WHERE period_kind = 'annual'
),
fam AS (
  SELECT * FROM (VALUES
    ('binary_top_up', 1, ['binary_payment', 'binary_deduction'], 'binary', 'binary_payment and binary_deduction'),
    ('frequency_top_up', 3, ['frequency_payment'], 'frequency', 'frequency_payment')
  ) t(component, line_order, parts, word, parts_text)
),
annual AS (
  -- A_b / A_f: at most one candidate line of the family per annual period
  SELECT a.*, f.component, f.line_order, f.word, f.parts_text, f.parts,
    c.amount AS a_amount, c.exact AS a_exact, c.price AS a_price, c.component AS a_component,
    split_part(c.basis, ':', 1) AS a_arith
  FROM ann a CROSS JOIN fam f
  LEFT JOIN pay_cand c ON c.area = a.area AND c.period = a.period AND list_contains(f.parts, c.component)
),
quarters AS (
  SELECT a.area, a.period, a.component,
    CAST(sum(c.amount) AS DECIMAL(38,2)) AS q_amount,
    string_agg(c.period || ' ' || gbp(c.amount), ', ' ORDER BY c.period_start, c.component) AS q_list
  FROM annual a
  JOIN pay_cand c ON c.area = a.area AND c.period_kind = 'cohort' AND list_contains(a.parts, c.component)
    AND c.period_start >= a.period_start AND c.period_end <= a.period_end
  GROUP BY a.area, a.period, a.component
),
topped AS (
  SELECT a.*, coalesce(a.a_amount, 0) AS a_amt, coalesce(q.q_amount, 0) AS q_amt, q.q_list,
    CAST(coalesce(a.a_amount, 0) - coalesce(q.q_amount, 0) AS DECIMAL(38,2)) AS amount,
    qsub(coalesce(a.a_exact, qint(0)), qdec(coalesce(q.q_amount, 0))) AS exact
  FROM annual a LEFT JOIN quarters q ON q.area = a.area AND q.period = a.period AND q.component = a.component
)
SELECT area, area_order, period, period_start, period_end, status, 'annual', component,
  gbp(a_amt) || ' - ' || gbp(q_amt) || ': the annual ' || word || ' amount of ' || period
  || CASE WHEN a_component IS NULL THEN ' (no ' || word || ' amount: binary outcome ' || coalesce(binary_outcome, 'none')
          || CASE WHEN word = 'frequency' THEN ', frequency outcome ' || coalesce(frequency_outcome, 'n/a') ELSE '' END || ')'
          ELSE ' (' || a_component || ' ' || a_arith || ')' END
  || ' less the ' || parts_text || ' lines of its periods (' || coalesce(q_list, 'none') || ')',
  exact, amount, 'cohort.top_up', line_order, a_price,
  'annual amount ' || gbp(a_amt) || CASE WHEN a_exact IS NOT NULL THEN ' (exact ' || qfix(a_exact, 6) || ')' ELSE '' END
  || ', periods'' lines ' || gbp(q_amt) || '; exact amount ' || qfix(exact, 6)
FROM topped
WHERE amount <> 0;
