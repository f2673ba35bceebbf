-- name: pay_macros
-- params: (none)
-- returns: macros used by every pay_*.sql query: exact rational arithmetic and THE one rounding rule.
--
-- Money is computed exactly. A quantity is a rational STRUCT(n HUGEINT, d HUGEINT), d > 0, kept
-- in lowest terms. Counts enter as integers, DECIMAL inputs (OGRS, rates, contract prices) enter
-- through their exact decimal text (qdec), so no binary floating point ever touches a pound.
-- `pence(x)` is the only place a payment line is rounded: half away from zero, to pence, once
-- per line. HUGEINT overflow (|value| > 1.7e38) raises an error rather than a wrong penny.
-- Display helpers (qpct1, qfix) round exactly too, so a basis shows the same digits every run.
-- Each macro binds its arguments once through a one-element list_transform (lambda), so nested
-- calls do not copy their argument expressions (plain macro substitution would grow exponentially).
CREATE OR REPLACE MACRO qnorm(x) AS
  list_transform([x], lambda qn_v:
    CASE WHEN qn_v.n = 0 THEN {'n': 0::HUGEINT, 'd': 1::HUGEINT}
         ELSE {'n': qn_v.n // gcd(abs(qn_v.n), qn_v.d), 'd': qn_v.d // gcd(abs(qn_v.n), qn_v.d)} END)[1];
-- (one qnorm, the sign moved to the numerator first: each macro call is bound anew in every
-- statement, and a second qnorm made q half as dear again to bind)
CREATE OR REPLACE MACRO q(num, den) AS
  list_transform([{'n': num::HUGEINT, 'd': den::HUGEINT}], lambda q_v:
    CASE WHEN q_v.d IS NULL OR q_v.n IS NULL OR q_v.d = 0 THEN NULL
         ELSE qnorm({'n': sign(q_v.d) * q_v.n, 'd': abs(q_v.d)}) END)[1];
CREATE OR REPLACE MACRO qint(i) AS q(i, 1);
-- exact value of a DECIMAL (or decimal text): its 12-place text without the point, over 10^12
CREATE OR REPLACE MACRO qdec(x) AS
  q(replace(CAST(CAST(x AS DECIMAL(38,12)) AS VARCHAR), '.', '')::HUGEINT, 1000000000000::HUGEINT);
-- the same for a value with up to 24 decimal places (a product of two 12-place DECIMALs)
CREATE OR REPLACE MACRO qdec24(x) AS
  q(replace(CAST(CAST(x AS DECIMAL(38,24)) AS VARCHAR), '.', '')::HUGEINT, 1000000000000000000000000::HUGEINT);
CREATE OR REPLACE MACRO qneg(a) AS
  list_transform([a], lambda qg_v: CASE WHEN qg_v IS NULL THEN NULL ELSE {'n': -qg_v.n, 'd': qg_v.d} END)[1];
CREATE OR REPLACE MACRO qadd(a, b) AS
  list_transform([{'a': a, 'b': b}], lambda qa_v:
    CASE WHEN qa_v.a IS NULL OR qa_v.b IS NULL THEN NULL ELSE
    qnorm({'n': qa_v.a.n * (qa_v.b.d // gcd(qa_v.a.d, qa_v.b.d)) + qa_v.b.n * (qa_v.a.d // gcd(qa_v.a.d, qa_v.b.d)),
           'd': (qa_v.a.d // gcd(qa_v.a.d, qa_v.b.d)) * qa_v.b.d}) END)[1];
CREATE OR REPLACE MACRO qsub(a, b) AS qadd(a, qneg(b));
CREATE OR REPLACE MACRO qmul(a, b) AS
  list_transform([{'a': a, 'b': b}], lambda qm_v:
    CASE WHEN qm_v.a IS NULL OR qm_v.b IS NULL THEN NULL ELSE
    qnorm({'n': (qm_v.a.n // gcd(abs(qm_v.a.n), qm_v.b.d)) * (qm_v.b.n // gcd(abs(qm_v.b.n), qm_v.a.d)),
           'd': (qm_v.a.d // gcd(abs(qm_v.b.n), qm_v.a.d)) * (qm_v.b.d // gcd(abs(qm_v.a.n), qm_v.b.d))}) END)[1];
CREATE OR REPLACE MACRO qinv(a) AS
  list_transform([a], lambda qi_v:
    CASE WHEN qi_v IS NULL OR qi_v.n = 0 THEN NULL WHEN qi_v.n < 0 THEN {'n': -qi_v.d, 'd': -qi_v.n}
         ELSE {'n': qi_v.d, 'd': qi_v.n} END)[1];
CREATE OR REPLACE MACRO qdiv(a, b) AS qmul(a, qinv(b));
CREATE OR REPLACE MACRO qlt(a, b) AS
  list_transform([{'a': a, 'b': b}], lambda ql_v: ql_v.a.n * ql_v.b.d < ql_v.b.n * ql_v.a.d)[1];
CREATE OR REPLACE MACRO qle(a, b) AS
  list_transform([{'a': a, 'b': b}], lambda qe_v: qe_v.a.n * qe_v.b.d <= qe_v.b.n * qe_v.a.d)[1];
CREATE OR REPLACE MACRO qmin(a, b) AS
  list_transform([{'a': a, 'b': b}], lambda qx_v: CASE WHEN qx_v.a.n * qx_v.b.d <= qx_v.b.n * qx_v.a.d THEN qx_v.a ELSE qx_v.b END)[1];
CREATE OR REPLACE MACRO qmax(a, b) AS
  list_transform([{'a': a, 'b': b}], lambda qy_v: CASE WHEN qy_v.a.n * qy_v.b.d <= qy_v.b.n * qy_v.a.d THEN qy_v.b ELSE qy_v.a END)[1];
CREATE OR REPLACE MACRO qdbl(a) AS list_transform([a], lambda qd_v: qd_v.n::DOUBLE / qd_v.d::DOUBLE)[1];
-- x rounded half away from zero to an integer number of (1/m) units
CREATE OR REPLACE MACRO qunits(a, m) AS
  list_transform([{'a': a, 'm': m::HUGEINT}], lambda qu_v:
    sign(qu_v.a.n)::HUGEINT * ((abs(qu_v.a.n) * 2 * qu_v.m + qu_v.a.d) // (2 * qu_v.a.d)))[1];
-- THE rounding rule for money: exact rational pounds -> DECIMAL(38,2), half away from zero.
CREATE OR REPLACE MACRO pence(a) AS
  CAST(CAST(qunits(a, 100) AS DECIMAL(38,0)) * 0.01 AS DECIMAL(38,2));
-- a rate as DECIMAL(18,6) (rounded half away from zero), for CSV outputs
CREATE OR REPLACE MACRO qfix6(a) AS
  CAST(CAST(qunits(a, 1000000) AS DECIMAL(38,0)) * 0.000001 AS DECIMAL(18,6));
-- an exact amount as plain decimal text with 6 places (no separators), for exact_amount columns
CREATE OR REPLACE MACRO qtext6(a) AS
  CAST(CAST(CAST(qunits(a, 1000000) AS DECIMAL(38,0)) * 0.000001 AS DECIMAL(38,6)) AS VARCHAR);
-- text of an integer number u of units of 10^-k (k >= 1), with thousands separators
CREATE OR REPLACE MACRO unitstext(u, k) AS
  list_transform([{'u': u::HUGEINT, 'p': (10::HUGEINT ** k)::HUGEINT, 'k': k}], lambda ut_v:
    CASE WHEN ut_v.u < 0 THEN '-' ELSE '' END
    || format('{:,}', abs(ut_v.u) // ut_v.p)
    || '.' || lpad((abs(ut_v.u) % ut_v.p)::VARCHAR, ut_v.k, '0'))[1];
-- 0.4991 -> '49.9%'
CREATE OR REPLACE MACRO qpct1(a) AS unitstext(qunits(a, 1000), 1) || '%';
-- a plain number with k decimals and thousands separators: qfix(q(314,100), 2) -> '3.14'
CREATE OR REPLACE MACRO qfix(a, k) AS unitstext(qunits(a, (10::HUGEINT ** k)::HUGEINT), k);
-- pounds: 'GBP 3,200.00'
CREATE OR REPLACE MACRO gbpq(a) AS 'GBP ' || qfix(a, 2);
CREATE OR REPLACE MACRO gbp(x) AS 'GBP ' || qfix(qdec(x), 2);
CREATE OR REPLACE MACRO cnt(i) AS format('{:,}', i::BIGINT);
-- a DECIMAL (or decimal text) times 10^12, as an integer
CREATE OR REPLACE MACRO q_scaled12(x) AS replace(CAST(CAST(x AS DECIMAL(38,12)) AS VARCHAR), '.', '')::HUGEINT;
-- method.md section 6 on exact figures: the adjusted binary rate from n, r, the ogrs sum S (a
-- DECIMAL) and the baseline's B_e (a rational): additive r/n - (S/n - B_e), ratio r B_e / S (NULL
-- when S = 0), none r/n; NULL when n = 0.
-- (r/n - S/n = (r 10^12 - S 10^12) / (n 10^12) is formed in one step; ratio r B_e / S likewise.)
CREATE OR REPLACE MACRO q_adjusted(method, n, r, s, be) AS
  CASE WHEN n = 0 THEN NULL
       WHEN method = 'additive' THEN qadd(q(r::HUGEINT * 1000000000000::HUGEINT - q_scaled12(s), n::HUGEINT * 1000000000000::HUGEINT), be)
       WHEN method = 'ratio' THEN CASE WHEN s <> 0 THEN qmul(q(r::HUGEINT * 1000000000000::HUGEINT, q_scaled12(s)), be) END
       ELSE q(r, n) END;
-- a quotient of two exact DECIMALs (the parts of an exact baseline), NULL unless den > 0: both
-- scaled to integers (12 places; 24 for the numerator of q_part24) and normalised once
CREATE OR REPLACE MACRO q_part(num, den) AS CASE WHEN den > 0 THEN q(q_scaled12(num), q_scaled12(den)) END;
CREATE OR REPLACE MACRO q_part24(num, den) AS
  CASE WHEN den > 0 THEN q(replace(CAST(CAST(num AS DECIMAL(38,24)) AS VARCHAR), '.', '')::HUGEINT,
                           q_scaled12(den) * 1000000000000::HUGEINT) END;
-- a DOUBLE shown as a percentage with one decimal, rounded exactly from its 12-place decimal
CREATE OR REPLACE MACRO dpct1(x) AS qpct1(qdec(CAST(x AS DECIMAL(38,12))));
-- a DOUBLE as DECIMAL(18,6), rounded half away from zero from its 12-place decimal
CREATE OR REPLACE MACRO dfix6(x) AS CAST(round(CAST(x AS DECIMAL(38,12)), 6) AS DECIMAL(18,6));
