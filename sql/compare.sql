-- Comparisons of two rate or NPS summaries: difference() and its Newcombe
-- interval, p_value(), lift() and its Katz interval, sequential_p_value().
-- Each is checked against the formula written out in plain SQL on the same
-- counts, and against Newcombe's published worked examples.
\i test/regress_helpers.sql
\pset null '(null)'

-- An independent normal CDF: Phi(z) = 1/2 + phi(z) * sum z^(2k+1) / (1*3*...*(2k+1)),
-- summed in numeric until the terms vanish (converges for every z).
CREATE FUNCTION pg_temp.norm_cdf(z float8) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    zz numeric := z::numeric;
    term numeric := z::numeric;
    total numeric := 0;
    k int := 0;
BEGIN
    WHILE abs(term) > 1e-40 AND k < 2000 LOOP
        total := total + term;
        k := k + 1;
        term := term * zz * zz / (2 * k + 1);
    END LOOP;
    RETURN (0.5 + exp(-zz * zz / 2) / sqrt(2 * pi()::numeric) * total)::float8;
END $$;
-- The 95% two-sided z (the rate tests check kpi's quantile against it).
CREATE TEMP TABLE cmp_z AS SELECT 1.959963984540054::float8 AS z95, 2.5758293035489004::float8 AS z99;
-- Rate summaries from counts.
CREATE FUNCTION pg_temp.rs(x bigint, n bigint) RETURNS rate_summary LANGUAGE sql AS
$$ SELECT format('(successes=%s,trials=%s)', x, n)::rate_summary $$;

-- Newcombe (1998), Table II, method 10 (hybrid score, no continuity correction):
-- the published limits to 4 decimals.
CREATE TEMP TABLE newcombe (x1 int, n1 int, x2 int, n2 int, lo numeric, hi numeric);
INSERT INTO newcombe VALUES
  (56, 70, 48, 80,  0.0524, 0.3339),
  ( 9, 10,  3, 10,  0.1705, 0.8090),
  ( 6,  7,  2,  7,  0.0582, 0.8062),
  ( 5, 56,  0, 29, -0.0381, 0.1926),
  ( 0, 10,  0, 20, -0.1611, 0.2775),
  ( 0, 10,  0, 10, -0.2775, 0.2775),
  (10, 10,  0, 20,  0.6791, 1.0000),
  (10, 10,  0, 10,  0.6075, 1.0000);
SELECT x1, n1, x2, n2,
       round(difference(pg_temp.rs(x1, n1), pg_temp.rs(x2, n2))::numeric, 4) AS diff,
       round(difference_ci_lower(pg_temp.rs(x1, n1), pg_temp.rs(x2, n2))::numeric, 4) = lo AS lower_matches,
       round(difference_ci_upper(pg_temp.rs(x1, n1), pg_temp.rs(x2, n2))::numeric, 4) = hi AS upper_matches
FROM newcombe;

-- Fixture: two variants over 14 days with different true rates.
CREATE TABLE cmp_events AS
SELECT i, date '2026-03-01' + (i % 14) AS day,
       CASE WHEN i % 2 = 0 THEN 'treatment' ELSE 'control' END AS arm,
       CASE WHEN i % 37 = 0 THEN NULL
            WHEN i % 2 = 0 THEN (i * 7919) % 100 < 31
            ELSE (i * 7919) % 100 < 27 END AS ok,
       CASE WHEN i % 53 = 0 THEN NULL ELSE ((i * 104729) % 11)::int END AS score
FROM generate_series(1, 6000) i;
CREATE TABLE cmp_daily AS
SELECT day, arm, rate_agg(ok) AS r, nps_agg(score) AS n FROM cmp_events GROUP BY day, arm;

-- Rates: every function against the formula in SQL on the same counts.
CREATE TEMP TABLE cmp_counts AS
SELECT count(*) FILTER (WHERE arm = 'treatment' AND ok)::float8 AS xa,
       count(ok) FILTER (WHERE arm = 'treatment')::float8 AS na,
       count(*) FILTER (WHERE arm = 'control' AND ok)::float8 AS xb,
       count(ok) FILTER (WHERE arm = 'control')::float8 AS nb
FROM cmp_events;
CREATE TEMP TABLE cmp_rates AS
SELECT (SELECT rollup(r) FROM cmp_daily WHERE arm = 'treatment') AS a,
       (SELECT rollup(r) FROM cmp_daily WHERE arm = 'control') AS b;
SELECT xa, na, xb, nb FROM cmp_counts;
-- Wilson bounds written out, then Newcombe's combination and the other formulas.
WITH w AS (
  SELECT c.*, z.z95 AS z,
         ((xa/na + z95*z95/(2*na)) - z95*sqrt((xa/na)*(1-xa/na)/na + z95*z95/(4*na*na))) / (1 + z95*z95/na) AS la,
         ((xa/na + z95*z95/(2*na)) + z95*sqrt((xa/na)*(1-xa/na)/na + z95*z95/(4*na*na))) / (1 + z95*z95/na) AS ua,
         ((xb/nb + z95*z95/(2*nb)) - z95*sqrt((xb/nb)*(1-xb/nb)/nb + z95*z95/(4*nb*nb))) / (1 + z95*z95/nb) AS lb,
         ((xb/nb + z95*z95/(2*nb)) + z95*sqrt((xb/nb)*(1-xb/nb)/nb + z95*z95/(4*nb*nb))) / (1 + z95*z95/nb) AS ub
  FROM cmp_counts c, cmp_z z),
f AS (
  SELECT w.*, xa/na AS pa, xb/nb AS pb, (xa+xb)/(na+nb) AS pool FROM w),
e AS (
  SELECT f.*, pa - pb AS d,
         pa - pb - sqrt((pa-la)^2 + (ub-pb)^2) AS d_lo,
         pa - pb + sqrt((ua-pa)^2 + (pb-lb)^2) AS d_hi,
         (pa - pb) / sqrt(pool*(1-pool)*(1/na + 1/nb)) AS zstat,
         pa / pb - 1 AS lift,
         exp(ln(pa/pb) - z*sqrt(1/xa - 1/na + 1/xb - 1/nb)) - 1 AS lift_lo,
         exp(ln(pa/pb) + z*sqrt(1/xa - 1/na + 1/xb - 1/nb)) - 1 AS lift_hi
  FROM f)
SELECT abs(difference(a, b) - d) < 1e-15 AS difference_ok,
       abs(difference_ci_lower(a, b) - d_lo) < 1e-12 AS lower_ok,
       abs(difference_ci_upper(a, b) - d_hi) < 1e-12 AS upper_ok,
       abs(p_value(a, b) - 2 * pg_temp.norm_cdf(-abs(zstat))) < 1e-12 AS p_value_ok,
       abs(lift(a, b) - lift) < 1e-12 AS lift_ok,
       abs(lift_ci_lower(a, b) - lift_lo) < 1e-12 AS lift_lower_ok,
       abs(lift_ci_upper(a, b) - lift_hi) < 1e-12 AS lift_upper_ok,
       round(d::numeric, 6) AS diff, round(d_lo::numeric, 6) AS diff_lo, round(d_hi::numeric, 6) AS diff_hi,
       round(zstat::numeric, 6) AS z, round(p_value(a, b)::numeric, 6) AS p,
       round(lift::numeric, 6) AS lift, round(lift_lo::numeric, 6) AS lift_lo, round(lift_hi::numeric, 6) AS lift_hi
FROM e, cmp_rates;
-- The lift of two summaries equals the lift() aggregate over the same rows.
SELECT lift(a, b) = (SELECT lift(ok, arm = 'treatment') FROM cmp_events) AS same_as_aggregate FROM cmp_rates;
-- The default confidence is 0.95; 99% widens both intervals.
SELECT difference_ci_lower(a, b) = difference_ci_lower(a, b, 0.95) AS d_default,
       lift_ci_upper(a, b) = lift_ci_upper(a, b, 0.95) AS l_default,
       difference_ci_lower(a, b, 0.99) < difference_ci_lower(a, b)
         AND difference_ci_upper(a, b, 0.99) > difference_ci_upper(a, b) AS d_wider,
       lift_ci_lower(a, b, 0.99) < lift_ci_lower(a, b) AND lift_ci_upper(a, b, 0.99) > lift_ci_upper(a, b) AS l_wider
FROM cmp_rates;
-- Katz at 99% against SQL.
SELECT abs(lift_ci_lower(pg_temp.rs(30, 200), pg_temp.rs(20, 210), 0.99)
           - (exp(ln((30/200.0)/(20/210.0)) - z99*sqrt(1/30.0 - 1/200.0 + 1/20.0 - 1/210.0)) - 1)) < 1e-12 AS katz_99
FROM cmp_z;

-- Sequential p-value against the mixture likelihood ratio written out:
-- rho2 = (-2 ln 0.05 + ln(1 - 2 ln 0.05)) / N*, r = rho2 * (n_a + n_b),
-- Lambda = (1+r)^(-1/2) exp(z^2/2 * r/(1+r)) with z from the pooled variance, p = min(1, 1/Lambda).
WITH c AS (SELECT xa/na - xb/nb AS d, (xa+xb)/(na+nb) AS pool, na, nb FROM cmp_counts),
     s AS (SELECT d, d*d / (pool*(1-pool)*(1/na + 1/nb)) AS z2, na + nb AS n, t.tuning
           FROM c, (VALUES (5000.0::float8), (100.0), (1e6)) t(tuning)),
     l AS (SELECT tuning, z2, n * (-2*ln(0.05) + ln(1 - 2*ln(0.05))) / tuning AS r FROM s)
SELECT tuning,
       abs(sequential_p_value(a, b, tuning)
           - least(1, 1 / (power(1 + r, -0.5) * exp(z2 / 2 * r / (1 + r))))) < 1e-12 AS seq_ok,
       round(sequential_p_value(a, b, tuning)::numeric, 6) AS seq_p
FROM l, cmp_rates ORDER BY tuning;
SELECT sequential_p_value(a, b) = sequential_p_value(a, b, 5000) AS default_is_5000 FROM cmp_rates;
-- The sequential p-value is never below the fixed-horizon one here (it pays for peeking).
SELECT sequential_p_value(a, b) >= p_value(a, b) AS more_conservative FROM cmp_rates;
-- A large real difference gives a small sequential p-value.
SELECT sequential_p_value(pg_temp.rs(600, 2000), pg_temp.rs(500, 2000)) < 0.05 AS detects;

-- Edge cases of rates.
SELECT p_value(pg_temp.rs(7, 20), pg_temp.rs(7, 20)) AS identical_p,
       sequential_p_value(pg_temp.rs(7, 20), pg_temp.rs(7, 20)) AS identical_seq,
       difference(pg_temp.rs(7, 20), pg_temp.rs(7, 20)) AS identical_diff;
SELECT p_value(pg_temp.rs(0, 20), pg_temp.rs(0, 30)) AS both_zero_p,
       p_value(pg_temp.rs(20, 20), pg_temp.rs(30, 30)) AS both_one_p,
       sequential_p_value(pg_temp.rs(0, 20), pg_temp.rs(0, 30)) AS both_zero_seq;
-- An empty side (a summary of no trials, as rollup of nothing would be NULL).
SELECT difference(pg_temp.rs(0, 0), pg_temp.rs(1, 2)) AS d, difference_ci_lower(pg_temp.rs(1, 2), pg_temp.rs(0, 0)) AS lo,
       difference_ci_upper(pg_temp.rs(0, 0), pg_temp.rs(1, 2)) AS hi, p_value(pg_temp.rs(1, 2), pg_temp.rs(0, 0)) AS p,
       sequential_p_value(pg_temp.rs(0, 0), pg_temp.rs(1, 2)) AS seq, lift(pg_temp.rs(1, 2), pg_temp.rs(0, 0)) AS lift;
-- Control rate 0: lift and its interval are NULL; treatment rate 0: lift -1, interval NULL.
SELECT lift(pg_temp.rs(5, 10), pg_temp.rs(0, 10)) AS lift_c0, lift_ci_lower(pg_temp.rs(5, 10), pg_temp.rs(0, 10)) AS lo_c0,
       lift(pg_temp.rs(0, 10), pg_temp.rs(5, 10)) AS lift_t0, lift_ci_upper(pg_temp.rs(0, 10), pg_temp.rs(5, 10)) AS hi_t0;
-- All successes on both sides: Katz's SE is 0, the interval is the point.
SELECT lift(pg_temp.rs(10, 10), pg_temp.rs(20, 20)) AS lift, lift_ci_lower(pg_temp.rs(10, 10), pg_temp.rs(20, 20)) AS lo,
       lift_ci_upper(pg_temp.rs(10, 10), pg_temp.rs(20, 20)) AS hi;
-- NULL summaries give NULL (strict), as does rate_agg over no rows.
SELECT difference(NULL::rate_summary, pg_temp.rs(1, 2)) AS d, p_value(pg_temp.rs(1, 2), NULL) AS p,
       lift((SELECT rate_agg(ok) FROM cmp_events WHERE false), pg_temp.rs(1, 2)) AS lift;
-- Swapping a and b negates the difference and mirrors the interval.
SELECT difference(a, b) = -difference(b, a) AS antisymmetric,
       abs(difference_ci_lower(a, b) + difference_ci_upper(b, a)) < 1e-15 AS mirrored,
       p_value(a, b) = p_value(b, a) AS symmetric_p
FROM cmp_rates;

-- Errors: confidence out of range, tuning out of range.
SELECT kpi_test.error_of($$SELECT difference_ci_lower(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 0)$$);
SELECT kpi_test.error_of($$SELECT difference_ci_upper(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 1)$$);
SELECT kpi_test.error_of($$SELECT lift_ci_lower(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 'NaN')$$);
SELECT kpi_test.error_of($$SELECT lift_ci_upper(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 1.5)$$);
SELECT kpi_test.error_of($$SELECT sequential_p_value(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 0)$$);
SELECT kpi_test.error_of($$SELECT sequential_p_value(pg_temp.rs(1, 2), pg_temp.rs(1, 3), -5)$$);
SELECT kpi_test.error_of($$SELECT sequential_p_value(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 0.5)$$);
SELECT sequential_p_value(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 1) IS NOT NULL AS tuning_1_ok;
SELECT kpi_test.error_of($$SELECT sequential_p_value(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 'Infinity')$$);
SELECT kpi_test.error_of($$SELECT sequential_p_value(pg_temp.rs(1, 2), pg_temp.rs(1, 3), 'NaN')$$);
-- Confidence is checked even when a side is empty.
SELECT kpi_test.error_of($$SELECT difference_ci_lower(pg_temp.rs(0, 0), pg_temp.rs(1, 3), 2)$$);

-- NPS: difference, interval and z-test against SQL (SE of SPEC section 4).
CREATE TEMP TABLE cmp_nps_counts AS
SELECT arm, count(score)::float8 AS n,
       count(*) FILTER (WHERE score >= 9)::float8 AS prom,
       count(*) FILTER (WHERE score <= 6)::float8 AS det
FROM cmp_events GROUP BY arm;
CREATE TEMP TABLE cmp_nps AS
SELECT (SELECT rollup(n) FROM cmp_daily WHERE arm = 'treatment') AS a,
       (SELECT rollup(n) FROM cmp_daily WHERE arm = 'control') AS b;
WITH s AS (SELECT arm, n, 100 * (prom - det) / n AS nps,
                  10000 * (prom/n + det/n - (prom/n - det/n)^2) / n AS se2 FROM cmp_nps_counts),
     d AS (SELECT a.nps - b.nps AS diff, a.se2 + b.se2 AS se2, a.n + b.n AS n
           FROM s a, s b WHERE a.arm = 'treatment' AND b.arm = 'control')
SELECT abs(difference(a, b) - diff) < 1e-12 AS diff_ok,
       abs(difference_ci_lower(a, b) - (diff - z95 * sqrt(d.se2))) < 1e-12 AS lower_ok,
       abs(difference_ci_upper(a, b, 0.99) - (diff + z99 * sqrt(d.se2))) < 1e-12 AS upper99_ok,
       abs(p_value(a, b) - 2 * pg_temp.norm_cdf(-abs(diff / sqrt(d.se2)))) < 1e-12 AS p_ok,
       abs(sequential_p_value(a, b) - least(1, 1 / (power(1 + n * (-2*ln(0.05) + ln(1 - 2*ln(0.05))) / 5000, -0.5)
           * exp(diff*diff/d.se2 / 2 * (n * (-2*ln(0.05) + ln(1 - 2*ln(0.05))) / 5000)
                 / (1 + n * (-2*ln(0.05) + ln(1 - 2*ln(0.05))) / 5000))))) < 1e-12 AS seq_ok,
       round(diff::numeric, 4) AS diff, round(difference_ci_lower(a, b)::numeric, 4) AS lo,
       round(difference_ci_upper(a, b)::numeric, 4) AS hi, round(p_value(a, b)::numeric, 6) AS p
FROM d, cmp_z, cmp_nps;
-- NPS edge cases: identical all-promoter summaries (SE 0): p = 1; all promoters vs all
-- detractors (SE 0, different NPS): undefined, NULL; an empty side: NULL.
SELECT p_value('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=3,10=2)'::nps_summary,
               '(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=1,10=9)') AS same_p,
       p_value('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=3,10=2)'::nps_summary,
               '(0=4,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)') AS opposite_p,
       sequential_p_value('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=3,10=2)'::nps_summary,
               '(0=4,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)') AS opposite_seq,
       difference('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=3,10=2)'::nps_summary,
               '(0=4,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)') AS opposite_diff,
       difference_ci_lower('(0=0,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)'::nps_summary,
               '(0=4,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)') AS empty_lo;
SELECT kpi_test.error_of($$SELECT difference_ci_upper('(0=1,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)'::nps_summary,
               '(0=4,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)', 0)$$);
SELECT kpi_test.error_of($$SELECT sequential_p_value('(0=1,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)'::nps_summary,
               '(0=4,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)', 0)$$);

-- Period over period on rolled-up daily summaries, as a dashboard writes it:
-- last 7 days vs the 7 before, per arm.
SELECT arm,
       round(difference(cur, prev)::numeric, 4) AS change,
       round(p_value(cur, prev)::numeric, 4) AS p
FROM (SELECT arm,
             rollup(r) FILTER (WHERE day >= date '2026-03-08') AS cur,
             rollup(r) FILTER (WHERE day <  date '2026-03-08') AS prev
      FROM cmp_daily GROUP BY arm) q ORDER BY arm;
WITH c AS (SELECT arm, day >= date '2026-03-08' AS cur, count(*) FILTER (WHERE ok)::float8 AS x, count(ok)::float8 AS n
           FROM cmp_events GROUP BY 1, 2)
SELECT a.arm, round((a.x/a.n - b.x/b.n)::numeric, 4) AS change_sql
FROM c a JOIN c b ON a.arm = b.arm AND a.cur AND NOT b.cur ORDER BY a.arm;

-- pg_kpi.min_group_size: a comparison is NULL when either side has fewer than k
-- trials (responses), and unchanged otherwise.
CREATE TEMP TABLE cmp_priv AS
SELECT n, pg_temp.rs(n / 2, n) AS r,
       format('(0=%s,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=%s)', n / 3, n - n / 3)::nps_summary AS s
FROM generate_series(1, 7) n;
SET pg_kpi.min_group_size = 0;
CREATE TEMP TABLE cmp_priv_k0 AS
SELECT n, difference(c.r, big.r) AS d, difference_ci_lower(c.r, big.r) AS lo, p_value(big.r, c.r) AS p,
       sequential_p_value(c.r, big.r) AS sp, lift(c.r, big.r) AS l, lift_ci_upper(big.r, c.r) AS lhi,
       difference(c.s, big.s) AS nd, difference_ci_upper(c.s, big.s) AS nhi, p_value(c.s, big.s) AS np,
       sequential_p_value(c.s, big.s) AS nsp
FROM cmp_priv c, (SELECT pg_temp.rs(40, 100) AS r,
                       '(0=10,1=0,2=0,3=0,4=0,5=0,6=0,7=5,8=0,9=0,10=20)'::nps_summary AS s) big;
SET pg_kpi.min_group_size = 4;
SELECT c.n,
       difference(c.r, big.r) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN d END
       AND difference_ci_lower(c.r, big.r) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN lo END
       AND p_value(big.r, c.r) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN k0.p END
       AND sequential_p_value(c.r, big.r) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN sp END
       AND lift(c.r, big.r) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN l END
       AND lift_ci_upper(big.r, c.r) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN lhi END AS rates_ok,
       difference(c.s, big.s) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN nd END
       AND difference_ci_upper(c.s, big.s) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN nhi END
       AND p_value(c.s, big.s) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN np END
       AND sequential_p_value(c.s, big.s) IS NOT DISTINCT FROM CASE WHEN c.n >= 4 THEN nsp END AS nps_ok,
       difference(c.r, big.r) IS NULL AS hidden
FROM cmp_priv c JOIN cmp_priv_k0 k0 USING (n),
     (SELECT pg_temp.rs(40, 100) AS r, '(0=10,1=0,2=0,3=0,4=0,5=0,6=0,7=5,8=0,9=0,10=20)'::nps_summary AS s) big
ORDER BY c.n;
RESET pg_kpi.min_group_size;
