-- mean_summary: mean_agg(), rollup(), accessors, t interval, Welch comparisons,
-- the moving-aggregate mode, text and binary forms.  Results are checked
-- against PostgreSQL's own avg/var_samp over numeric, published t tables,
-- R's published Welch test of the sleep data, and an independent numerical
-- integration of the t distribution written in SQL.
\i test/regress_helpers.sql
\pset null '(null)'

-- Two-sided t tail P(|T| >= |t|) = I_x(df/2, 1/2), x = df/(df+t^2), by Simpson's rule
-- on 2 * integral of (1-w^2)^(df/2-1) over [|t|/sqrt(df+t^2), 1] (u = 1 - w^2), divided by
-- the same integral over [0, 1].  Smooth for df >= 4; used here with df >= 9.
CREATE FUNCTION pg_temp.pow0(base float8, e float8) RETURNS float8 LANGUAGE sql AS
$$ SELECT CASE WHEN base <= 0 OR e * ln(base) < -700 THEN 0 ELSE exp(e * ln(base)) END $$;
CREATE FUNCTION pg_temp.t_two_sided(t float8, df float8) RETURNS float8 LANGUAGE sql AS $$
  SELECT sum(wt * pg_temp.pow0(1 - (w0 + (1 - w0) * i / 20000.0::float8) ^ 2, df / 2 - 1)) * (1 - w0)
       / sum(wt * pg_temp.pow0(1 - (i / 20000.0::float8) ^ 2, df / 2 - 1))
  FROM (SELECT abs(t) / sqrt(df + t * t) AS w0) lim,
       LATERAL (SELECT i, CASE WHEN i = 0 OR i = 20000 THEN 1 WHEN i % 2 = 1 THEN 4 ELSE 2 END AS wt
                FROM generate_series(0, 20000) i) g
  GROUP BY w0
$$;

-- Fixture: ratings (1-5), resolution hours and turns, some NULLs, NULL groups.
CREATE TABLE mean_events AS
SELECT i, date '2026-02-01' + (i % 10) AS day,
       CASE WHEN i % 13 = 0 THEN NULL ELSE 'team_' || (i % 3) END AS team,
       CASE WHEN i % 17 = 0 THEN NULL ELSE 1 + (i * 7919) % 5 END::float8 AS stars,
       CASE WHEN i % 19 = 0 THEN NULL ELSE ((i * 104729) % 4801) / 100.0 END::float8 AS hours
FROM generate_series(1, 3000) i;

-- Accessors against avg / var_samp / stddev_samp over exact numeric, per group
-- (the NULL team is a group too).
SELECT team, num_values(s) = n AS n_ok,
       abs(mean(s) - m) <= 1e-15 * abs(m) AS mean_ok,
       abs(variance(s) - v) <= 1e-14 * v AS var_ok,
       abs(stddev(s) - sd) <= 1e-14 * sd AS sd_ok,
       min_value(s) = mn AND max_value(s) = mx AS minmax_ok,
       n, round(mean(s)::numeric, 6) AS mean, round(stddev(s)::numeric, 6) AS sd
FROM (SELECT team, mean_agg(hours) AS s, count(hours) AS n, avg(hours::numeric)::float8 AS m,
             var_samp(hours::numeric)::float8 AS v, stddev_samp(hours::numeric)::float8 AS sd,
             min(hours) AS mn, max(hours) AS mx
      FROM mean_events GROUP BY team) q
ORDER BY team;
-- The same for the star ratings (a 1-5 CSAT scale).
SELECT num_values(s) = count AS n_ok, mean(s) = m AS mean_ok, abs(variance(s) - v) <= 1e-15 * v AS var_ok,
       round(mean(s)::numeric, 6) AS mean_stars
FROM (SELECT mean_agg(stars) AS s, count(stars), avg(stars::numeric)::float8 AS m,
             var_samp(stars::numeric)::float8 AS v FROM mean_events) q;

-- Empty input, all-NULL input, one value, two values.
SELECT mean_agg(hours) AS empty FROM mean_events WHERE false;
SELECT mean_agg(NULL::float8) AS all_null FROM generate_series(1, 5);
SELECT num_values(s), mean(s), variance(s), stddev(s), min_value(s), max_value(s), ci_lower(s), ci_upper(s)
FROM (SELECT mean_agg(4.5) AS s) q;
SELECT num_values(s), mean(s), variance(s), stddev(s), min_value(s), max_value(s)
FROM (SELECT mean_agg(x) AS s FROM (VALUES (2.0::float8), (5.0)) v(x)) q;
-- A summary of no values (possible through its text form): only num_values is defined.
SELECT num_values(s), mean(s), variance(s), stddev(s), min_value(s), max_value(s), ci_lower(s), ci_upper(s)
FROM (SELECT '(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)'::mean_summary AS s) q;
-- Zero variance: the interval collapses to the mean.
SELECT variance(s), ci_lower(s), ci_upper(s) FROM (SELECT mean_agg(3.0::float8) AS s FROM generate_series(1, 5)) q;

-- The t interval uses the t quantile with n - 1 degrees of freedom, computed, not looked up:
-- recover the multiplier (ci_upper - mean) / (s / sqrt(n)) for samples 1..n and compare
-- with published t tables (6 decimals).
CREATE TEMP TABLE t_table (conf float8, df int, published numeric);
INSERT INTO t_table VALUES
  (0.95, 1, 12.706205), (0.95, 2, 4.302653), (0.95, 5, 2.570582), (0.95, 9, 2.262157),
  (0.95, 10, 2.228139), (0.95, 30, 2.042272), (0.99, 10, 3.169273), (0.90, 20, 1.724718),
  (0.99, 2, 9.924843), (0.95, 120, 1.979930);
SELECT conf, df, published,
       round(((ci_upper(s, conf) - mean(s)) / (stddev(s) / sqrt(df + 1)))::numeric, 6) AS computed,
       round(((ci_upper(s, conf) - mean(s)) / (stddev(s) / sqrt(df + 1)))::numeric, 6) = published AS matches,
       abs((ci_upper(s, conf) - mean(s)) - (mean(s) - ci_lower(s, conf))) < 1e-12 AS symmetric
FROM t_table, LATERAL (SELECT mean_agg(i) AS s FROM generate_series(1, df + 1) i) q
ORDER BY conf, df;
-- The interval's tail probability is 1 - confidence by the independent integral.
SELECT abs(pg_temp.t_two_sided((ci_upper(s, 0.9) - mean(s)) / (stddev(s) / sqrt(num_values(s))),
                               num_values(s) - 1) - 0.1) < 1e-10 AS tail_ok
FROM (SELECT mean_agg(stars) AS s FROM mean_events WHERE i <= 25) q;

-- Welch: R's t.test(extra ~ group, data = sleep) prints t = -1.8608, df = 17.776,
-- p-value = 0.07939, 95 percent CI -3.3654832 0.2054832, means 0.75 and 2.33.
CREATE TEMP TABLE sleep (grp int, extra float8);
INSERT INTO sleep SELECT 1, unnest('{0.7,-1.6,-0.2,-1.2,-0.1,3.4,3.7,0.8,0.0,2.0}'::float8[]);
INSERT INTO sleep SELECT 2, unnest('{1.9,0.8,1.1,0.1,-0.1,4.4,5.5,1.6,4.6,3.4}'::float8[]);
CREATE TEMP TABLE sleep_s AS
SELECT (SELECT mean_agg(extra) FROM sleep WHERE grp = 1) AS a, (SELECT mean_agg(extra) FROM sleep WHERE grp = 2) AS b;
SELECT round(mean(a)::numeric, 2) AS mean_a, round(mean(b)::numeric, 2) AS mean_b,
       round(difference(a, b)::numeric, 2) AS diff,
       round(p_value(a, b)::numeric, 5) AS p, round(difference_ci_lower(a, b)::numeric, 7) AS lo,
       round(difference_ci_upper(a, b)::numeric, 7) AS hi
FROM sleep_s;
-- The same by the formulas in SQL: Welch-Satterthwaite df, t statistic, the
-- independent t tail, and the interval's bounds having tail probability 0.05.
WITH v AS (SELECT grp, avg(extra) AS m, var_samp(extra) / count(*) AS v, count(*) - 1 AS dfi FROM sleep GROUP BY grp),
     w AS (SELECT a.m - b.m AS d, a.v + b.v AS se2, (a.v + b.v)^2 / (a.v^2 / a.dfi + b.v^2 / b.dfi) AS df
           FROM v a, v b WHERE a.grp = 1 AND b.grp = 2)
SELECT round(df::numeric, 3) AS df, round((d / sqrt(se2))::numeric, 4) AS t,
       abs(p_value(a, b) - pg_temp.t_two_sided(d / sqrt(se2), df)) < 1e-10 AS p_ok,
       abs(pg_temp.t_two_sided((difference_ci_upper(a, b) - d) / sqrt(se2), df) - 0.05) < 1e-10 AS upper_ok,
       abs(pg_temp.t_two_sided((d - difference_ci_lower(a, b)) / sqrt(se2), df) - 0.05) < 1e-10 AS lower_ok,
       abs(sequential_p_value(a, b) - least(1, 1 / (power(1 + 20 * (-2*ln(0.05) + ln(1 - 2*ln(0.05))) / 5000, -0.5)
           * exp(d*d/se2 / 2 * (20 * (-2*ln(0.05) + ln(1 - 2*ln(0.05))) / 5000)
                 / (1 + 20 * (-2*ln(0.05) + ln(1 - 2*ln(0.05))) / 5000))))) < 1e-12 AS seq_ok
FROM w, sleep_s;
-- Two teams' resolution hours, Welch against the independent integral.
WITH s AS (SELECT team, mean_agg(hours) AS s, avg(hours) AS m, var_samp(hours) / count(hours) AS v,
                  count(hours) - 1 AS dfi FROM mean_events WHERE team IN ('team_0', 'team_1') GROUP BY team),
     w AS (SELECT a.s AS a, b.s AS b, a.m - b.m AS d, a.v + b.v AS se2,
                  (a.v + b.v)^2 / (a.v^2 / a.dfi + b.v^2 / b.dfi) AS df
           FROM s a, s b WHERE a.team = 'team_0' AND b.team = 'team_1')
SELECT abs(difference(a, b) - d) < 1e-10 AS diff_ok,
       abs(p_value(a, b) - pg_temp.t_two_sided(d / sqrt(se2), df)) < 1e-10 AS p_ok,
       abs(pg_temp.t_two_sided((difference_ci_upper(a, b, 0.9) - difference(a, b)) / sqrt(se2), df) - 0.1) < 1e-9 AS ci90_ok,
       round(p_value(a, b)::numeric, 6) AS p
FROM w;
-- Edge cases: a side with fewer than 2 values or zero variance on both sides:
-- interval, p-value and sequential p-value are NULL (undefined); difference is defined.
SELECT difference(a, b) AS diff, difference_ci_lower(a, b) AS lo, p_value(a, b) AS p, sequential_p_value(a, b) AS seq
FROM (SELECT mean_agg(4.0::float8) AS a, (SELECT mean_agg(i) FROM generate_series(1, 5) i) AS b) q;
SELECT difference(a, a) AS diff, difference_ci_upper(a, a) AS hi, p_value(a, a) AS p, sequential_p_value(a, a) AS seq
FROM (SELECT mean_agg(3.0::float8) AS a FROM generate_series(1, 5)) q;
-- One side constant, the other not: Welch is defined (df from the varying side).
SELECT round(p_value(a, b)::numeric, 6) AS p,
       abs(p_value(a, b) - pg_temp.t_two_sided((3 - 5.5) / sqrt(var_samp_b / 10), 9)) < 1e-10 AS p_ok
FROM (SELECT mean_agg(3.0::float8) AS a FROM generate_series(1, 5)) q,
     (SELECT mean_agg(i) AS b, var_samp(i) AS var_samp_b FROM generate_series(1, 10) i) r;
-- Identical summaries with spread: difference 0, p-value 1.
SELECT difference(s, s) AS diff, p_value(s, s) AS p, sequential_p_value(s, s) AS seq
FROM (SELECT mean_agg(stars) AS s FROM mean_events) q;

-- Exact sums: values around 1e9 with a spread of 0.25 steps, where a float8 sum of
-- squares would lose the variance to cancellation; compare with numeric.
SELECT abs(variance(s) - v) <= 1e-15 * v AS variance_exact, abs(mean(s) - m) <= 1e-15 * m AS mean_exact,
       round(v::numeric, 10) AS var_numeric
FROM (SELECT mean_agg(1e9 + (i % 10) * 0.25) AS s, var_samp((1e9 + (i % 10) * 0.25)::numeric)::float8 AS v,
             avg((1e9 + (i % 10) * 0.25)::numeric)::float8 AS m FROM generate_series(1, 100000) i) q;
-- Order independence: any order of the same values gives the identical summary.
SELECT count(DISTINCT s::text) AS distinct_summaries
FROM (SELECT mean_agg(hours ORDER BY i) AS s FROM mean_events
      UNION ALL SELECT mean_agg(hours ORDER BY i DESC) FROM mean_events
      UNION ALL SELECT mean_agg(hours ORDER BY hours) FROM mean_events
      UNION ALL SELECT mean_agg(hours ORDER BY md5(i::text)) FROM mean_events) q;
-- Negative values and mixed signs.
SELECT abs(mean(s) - m) <= 1e-15 * abs(m) AS mean_ok, abs(variance(s) - v) <= 1e-14 * v AS var_ok,
       min_value(s), max_value(s)
FROM (SELECT mean_agg(x) AS s, avg(x::numeric)::float8 AS m, var_samp(x::numeric)::float8 AS v
      FROM (SELECT (i - 700) * 1.5e-3 AS x FROM generate_series(1, 1000) i) v) q;
-- The range limit: magnitudes below 2^62 are accepted (the largest float8 below 2^62 here).
SELECT mean(mean_agg(x)) = 4611686018427387392 AS largest_ok
FROM (VALUES (4611686018427387392::float8), (-4611686018427387392), (4611686018427387392)) v(x)
WHERE x > 0;

-- Errors: non-finite and out-of-range values, bad confidence, bad tuning.
SELECT kpi_test.error_of($$SELECT mean_agg(x) FROM (VALUES (1.0::float8), ('NaN')) v(x)$$);
SELECT kpi_test.error_of($$SELECT mean_agg(x) FROM (VALUES (1.0::float8), ('Infinity')) v(x)$$);
SELECT kpi_test.error_of($$SELECT mean_agg('-Infinity'::float8)$$);
SELECT kpi_test.error_of($$SELECT mean_agg(4611686018427387904::float8)$$);
SELECT kpi_test.error_of($$SELECT mean_agg(-1e300::float8)$$);
SELECT kpi_test.error_of($$SELECT mean_agg(x) OVER (ROWS 2 PRECEDING) FROM (VALUES (1.0::float8), ('NaN')) v(x)$$);
SELECT kpi_test.error_of($$SELECT ci_lower(mean_agg(i), 0) FROM generate_series(1, 3) i$$);
SELECT kpi_test.error_of($$SELECT ci_upper(mean_agg(i), 1) FROM generate_series(1, 3) i$$);
SELECT kpi_test.error_of($$SELECT ci_upper(mean_agg(i), 'NaN') FROM generate_series(1, 3) i$$);
SELECT kpi_test.error_of($$SELECT ci_upper(mean_agg(4.0::float8), 1.2)$$);
SELECT kpi_test.error_of($$SELECT difference_ci_lower(a, a, -0.1) FROM (SELECT mean_agg(i) AS a FROM generate_series(1, 3) i) q$$);
SELECT kpi_test.error_of($$SELECT sequential_p_value(a, a, 0) FROM (SELECT mean_agg(i) AS a FROM generate_series(1, 3) i) q$$);

-- Rollup of daily summaries equals the direct summary, bit for bit.
CREATE TABLE mean_daily AS SELECT day, team, mean_agg(hours) AS s FROM mean_events GROUP BY day, team;
SELECT (SELECT rollup(s) FROM mean_daily)::text = (SELECT mean_agg(hours) FROM mean_events)::text AS rollup_identical,
       (SELECT rollup(s) FROM mean_daily WHERE team = 'team_1')::text
         = (SELECT mean_agg(hours) FROM mean_events WHERE team = 'team_1')::text AS rollup_group_identical;
SELECT rollup(s) AS rollup_nothing FROM mean_daily WHERE false;

-- Serial and forced-parallel plans give identical summaries.
CREATE TABLE mean_big AS
SELECT i % 5 AS g, ((i * 7919) % 100003) / 997.0 - 30 AS x FROM generate_series(1, 200000) i;
ANALYZE mean_big;
CREATE TEMP TABLE mean_serial AS SELECT g, mean_agg(x)::text AS s FROM mean_big GROUP BY g;
ALTER TABLE mean_big SET (parallel_workers = 2);
ALTER TABLE mean_daily SET (parallel_workers = 2);
ANALYZE mean_daily;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT g, mean_agg(x) FROM mean_big GROUP BY g;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.s = m.s) AS identical
FROM (SELECT g, mean_agg(x)::text AS s FROM mean_big GROUP BY g) p JOIN mean_serial m USING (g);
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM mean_daily;
SELECT rollup(s)::text = (SELECT mean_agg(hours)::text FROM mean_events) AS parallel_rollup FROM mean_daily;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;

-- Window frames (moving-aggregate mode) equal recomputation over the same rows,
-- including NULLs, frames that hold only NULLs, and rising and falling runs that
-- move the frame's minimum and maximum.
CREATE TABLE mean_seq AS
SELECT i, CASE WHEN i % 7 = 3 OR i BETWEEN 40 AND 44 THEN NULL
               WHEN i < 100 THEN i * 0.5
               WHEN i < 200 THEN 500 - i * 1.25
               ELSE ((i * 7919) % 211) / 3.0 END::float8 AS x
FROM generate_series(1, 300) i;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE w4 IS NOT DISTINCT FROM r4) AS frame4_identical,
       count(*) FILTER (WHERE w30 IS NOT DISTINCT FROM r30) AS frame30_identical,
       count(*) FILTER (WHERE wc IS NOT DISTINCT FROM rc) AS centered_identical,
       count(*) FILTER (WHERE w4 IS NULL) AS null_frames
FROM (SELECT i,
             (mean_agg(x) OVER (ORDER BY i ROWS 4 PRECEDING))::text AS w4,
             (SELECT mean_agg(x) FROM mean_seq b WHERE b.i BETWEEN a.i - 4 AND a.i)::text AS r4,
             (mean_agg(x) OVER (ORDER BY i ROWS 30 PRECEDING))::text AS w30,
             (SELECT mean_agg(x) FROM mean_seq b WHERE b.i BETWEEN a.i - 30 AND a.i)::text AS r30,
             (mean_agg(x) OVER (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING))::text AS wc,
             (SELECT mean_agg(x) FROM mean_seq b WHERE b.i BETWEEN a.i - 3 AND a.i + 3)::text AS rc
      FROM mean_seq a) q;
-- A rolling 7-row mean of the ratings, as a dashboard writes it.
SELECT i, round(mean(mean_agg(stars) OVER w)::numeric, 4) AS rolling_mean,
       round(avg(stars) OVER w::numeric, 4) AS avg_sql
FROM mean_events WHERE i <= 10 WINDOW w AS (ORDER BY i ROWS 6 PRECEDING) ORDER BY i;

-- Text form: round trip, blanks, and rejected inputs.
SELECT s::text = s::text::mean_summary::text AS text_roundtrip,
       kpi_test.binary_roundtrip(s::text, 'mean_summary') = s::text AS binary_roundtrip
FROM (SELECT mean_agg(hours) AS s FROM mean_events) q;
SELECT mean_agg(x) FROM (VALUES (1.5::float8), (-2.25), (4)) v(x);
SELECT ' ( count = 3 , min = -2.25 , max = 4 , sum = 0x34000000000000000 , sum_sq = 0x1750000000000000000000000000000000 ) '::mean_summary::text
       = mean_agg(x)::text AS blanks_ok FROM (VALUES (1.5::float8), (-2.25), (4)) v(x);
SELECT kpi_test.binary_roundtrip('(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)', 'mean_summary') AS empty_binary;
SELECT kpi_test.send_bytes('(count=1,min=-1,max=-1,sum=-0x10000000000000000,sum_sq=0x100000000000000000000000000000000)', 'mean_summary') AS bytes;
SELECT kpi_test.error_of($$SELECT '(count=-1,min=0,max=0,sum=0x0,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=2,min=3,max=1,sum=0x0,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=0,min=0,max=0,sum=0x1,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=0,min=1,max=1,sum=0x0,sum_sq=0x0)'::mean_summary$$);
-- sum outside count*[min, max]; sum of squares too small or too large for the sum.
SELECT kpi_test.error_of($$SELECT '(count=3,min=-2.25,max=4,sum=0xd0000000000000000,sum_sq=0x1750000000000000000000000000000000)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=3,min=-2.25,max=4,sum=-0x70000000000000000,sum_sq=0x1750000000000000000000000000000000)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=3,min=-2.25,max=4,sum=0x34000000000000000,sum_sq=0x1)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=3,min=-2.25,max=4,sum=0x34000000000000000,sum_sq=0x310000000000000000000000000000000000)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=5e18,max=5e18,sum=0x0,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=NaN,max=1,sum=0x0,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum=12,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum=0x,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum=0x1,sum_sq=-0x1)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum=0x10000000000000000000000000000000000000000000000000,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum=0x800000000000000000000000000000000000000000000000,sum_sq=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum=0x10000000000000000,sum_sq=0x100000000000000000000000000000000) x'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum_sq=0x0,sum=0x0)'::mean_summary$$);
SELECT kpi_test.error_of($$SELECT '(count=1,min=1,max=1,sum=0x10000000000000000'::mean_summary$$);
-- Binary form: wrong version, truncated, trailing bytes, inconsistent counts.
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x02' || substring(kpi_test.send_bytes('(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)', 'mean_summary') from 2), 'mean_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(substring(kpi_test.send_bytes('(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)', 'mean_summary') from 1 for 80), 'mean_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(kpi_test.send_bytes('(count=0,min=0,max=0,sum=0x0,sum_sq=0x0)', 'mean_summary') || '\x00'::bytea, 'mean_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x01' || int8send(2) || float8send(1) || float8send(1) || int8send(0) || int8send(0) || int8send(0)
                                  || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0), 'mean_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x01' || int8send(1) || float8send('NaN') || float8send(1) || int8send(0) || int8send(0) || int8send(0)
                                  || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0), 'mean_summary')$$);
SELECT kpi_test.recv_text('\x01' || int8send(2) || float8send(1) || float8send(1) || int8send(0) || int8send(2) || int8send(0)
                          || int8send(0) || int8send(0) || int8send(2) || int8send(0) || int8send(0), 'mean_summary') AS two_ones;

-- pg_kpi.min_group_size: accessors hide groups of fewer than k values, comparisons
-- hide a pair whose smaller side has fewer than k values; larger groups are unchanged.
CREATE TEMP TABLE mean_priv AS
SELECT g, mean_agg(i * 1.5) AS s, count(*) AS n FROM generate_series(1, 7) g, generate_series(1, g) i GROUP BY g;
SET pg_kpi.min_group_size = 0;
CREATE TEMP TABLE mean_priv_k0 AS
SELECT g, mean(s) AS m, variance(s) AS v, stddev(s) AS sd, num_values(s) AS nv, min_value(s) AS mn,
       max_value(s) AS mx, ci_lower(s) AS lo, ci_upper(s) AS hi,
       difference(s, (SELECT s FROM mean_priv WHERE g = 7)) AS d,
       p_value(s, (SELECT s FROM mean_priv WHERE g = 7)) AS p,
       difference_ci_lower(s, (SELECT s FROM mean_priv WHERE g = 7)) AS dlo,
       sequential_p_value(s, (SELECT s FROM mean_priv WHERE g = 7)) AS sp
FROM mean_priv;
SET pg_kpi.min_group_size = 4;
SELECT p.g, p.n,
       mean(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN m END
       AND variance(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN v END
       AND stddev(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN sd END
       AND num_values(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN nv END
       AND min_value(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN mn END
       AND max_value(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN mx END
       AND ci_lower(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN lo END
       AND ci_upper(s) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN hi END AS accessors_ok,
       difference(s, (SELECT s FROM mean_priv WHERE g = 7)) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN d END
       AND p_value(s, (SELECT s FROM mean_priv WHERE g = 7)) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN k0.p END
       AND difference_ci_lower(s, (SELECT s FROM mean_priv WHERE g = 7)) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN dlo END
       AND sequential_p_value(s, (SELECT s FROM mean_priv WHERE g = 7)) IS NOT DISTINCT FROM CASE WHEN n >= 4 THEN sp END
       AS comparisons_ok,
       mean(s) IS NULL AS hidden
FROM mean_priv p JOIN mean_priv_k0 k0 USING (g) ORDER BY g;
RESET pg_kpi.min_group_size;
