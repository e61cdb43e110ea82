-- Differentially private releases (issue 13 §2): rate(s, epsilon),
-- nps(s, epsilon), active_users(s, epsilon, during), dau_mau(s, epsilon,
-- during).  Results are random, so this file checks what holds for every draw
-- (ranges, errors, catalog properties), that repeated calls differ, and that
-- with a huge epsilon (noise other than 0 has probability about e^-1000000)
-- the answer is the exact KPI computed in plain SQL.  The distribution
-- itself is tested by the privacy_dp tier (test/tiers/privacy_dp.sh).
\i test/regress_helpers.sql
\pset null '(null)'

-- Catalog: VOLATILE (random), PARALLEL SAFE (no seed or shared state), STRICT.
SELECT p.oid::regprocedure AS func, p.provolatile, p.proparallel, p.proisstrict
FROM pg_proc p
WHERE p.oid IN ('rate(rate_summary, float8)'::regprocedure, 'nps(nps_summary, float8)'::regprocedure,
                'active_users(user_activity, float8, daterange)'::regprocedure,
                'dau_mau(user_activity, float8, daterange)'::regprocedure,
                'retention(user_activity, text, integer, text, text, text, boolean, integer[], date, boolean, float8)'::regprocedure)
ORDER BY 1::text;

-- Fixtures: 1,000 rated rows, 500 NPS answers, 300 users over January 2026.
CREATE TABLE dp_rate AS SELECT i, (i * 7) % 10 < 3 AS ok FROM generate_series(1, 1000) AS i;
CREATE TABLE dp_nps AS SELECT i, (i * 13) % 11 AS score FROM generate_series(1, 500) AS i;
CREATE TABLE dp_events AS
SELECT u, date '2026-01-01' + (u * 7 + d * 5) % 31 AS day
FROM generate_series(1, 300) AS u, generate_series(0, u % 5) AS d;

-- Huge epsilon: the exact KPI, against plain SQL.
SELECT rate(rate_agg(ok), 1e6) = avg(ok::int)::float8 AS rate_exact FROM dp_rate;
SELECT nps(nps_agg(score), 1e6) = 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*)
       AS nps_exact FROM dp_nps;
SELECT active_users(activity_agg(u, day), 1e6, '(,)') = count(DISTINCT u) AS all_users_exact,
       active_users(activity_agg(u, day), 1e6, '[2026-01-10,2026-01-20)')
         = count(DISTINCT u) FILTER (WHERE day >= '2026-01-10' AND day < '2026-01-20') AS during_exact,
       active_users(activity_agg(u, day), 1e6, 'empty') AS empty_range
FROM dp_events;
-- DAU/MAU over the 10 days [2026-01-10, 2026-01-20): mean DAU / users active in the range.
SELECT dau_mau((SELECT activity_agg(u, day) FROM dp_events), 1e6, '[2026-01-10,2026-01-20)')
       = (SELECT count(DISTINCT (u, day))::float8 / 10 / count(DISTINCT u)
          FROM dp_events WHERE day >= '2026-01-10' AND day < '2026-01-20') AS dau_mau_exact;
-- retention(..., epsilon => ...): with a huge epsilon the exact table (the same
-- rows as without epsilon), and its cohort sizes against plain SQL.
WITH s AS (SELECT activity_agg(u, day) AS s FROM dp_events),
     a AS (SELECT r.* FROM s, retention(s, 'week', 3) r),
     b AS (SELECT r.* FROM s, retention(s, 'week', 3, 'on', epsilon => 1e6) r)
SELECT (SELECT count(*) FROM a) AS cells,
       NOT EXISTS (SELECT * FROM a EXCEPT ALL SELECT * FROM b)
       AND NOT EXISTS (SELECT * FROM b EXCEPT ALL SELECT * FROM a) AS same_table;
WITH firsts AS (SELECT u, date_trunc('week', min(day))::date AS cohort FROM dp_events GROUP BY u),
     sql AS (SELECT cohort, count(*) AS size FROM firsts GROUP BY cohort)
SELECT bool_and(r.cohort_size = coalesce(sql.size, 0)) AS sizes_match_sql, count(DISTINCT r.cohort) AS cohorts
FROM retention((SELECT activity_agg(u, day) FROM dp_events), 'week', 3, epsilon => 1e6) r
LEFT JOIN sql USING (cohort);
-- Random draws: counts >= 0, rates in [0, 1]; repeated tables differ.
SELECT bool_and(non_negative) AS counts_non_negative, bool_and(in_range) AS rates_in_range,
       bool_and(draws = 20) AND bool_and(distinct_values > 1) AS every_cell_varies
FROM (SELECT cohort, period, count(*) AS draws, count(DISTINCT retained) AS distinct_values,
             bool_and(least(cohort_size, retained) >= 0) AS non_negative,
             bool_and(rate IS NULL OR rate BETWEEN 0 AND 1) AS in_range
      FROM generate_series(1, 20) AS g,
           LATERAL retention((SELECT activity_agg(u, day) FROM dp_events), 'week', 3, epsilon => 0.1 + 0 * g) r
      GROUP BY cohort, period) cells;

-- Empty input: the summaries are NULL, so are the (STRICT) releases.
SELECT rate(rate_agg(ok), 1) AS rate_of_nothing FROM dp_rate WHERE false;

-- Every draw is in range; repeated calls differ (20 draws at epsilon 0.1 all
-- equal has probability far below 1e-30).
SELECT min(r) >= 0 AND max(r) <= 1 AS rate_in_range, count(DISTINCT r) > 1 AS rate_varies
FROM (SELECT rate(s, 0.1) AS r FROM (SELECT rate_agg(ok) AS s FROM dp_rate) q, generate_series(1, 20)) d;
SELECT min(n) >= -100 AND max(n) <= 100 AS nps_in_range, count(DISTINCT n) > 1 AS nps_varies
FROM (SELECT nps(s, 0.1) AS n FROM (SELECT nps_agg(score) AS s FROM dp_nps) q, generate_series(1, 20)) d;
SELECT min(a) >= 0 AS users_non_negative, count(DISTINCT a) > 1 AS users_vary
FROM (SELECT active_users(s, 0.1, '(,)') AS a FROM (SELECT activity_agg(u, day) AS s FROM dp_events) q,
      generate_series(1, 20)) d;
SELECT min(x) >= 0 AND max(x) <= 1 AS dau_mau_in_range, count(DISTINCT x) > 1 AS dau_mau_varies
FROM (SELECT dau_mau(s, 0.1, '[2026-01-01,2026-02-01)') AS x FROM (SELECT activity_agg(u, day) AS s FROM dp_events) q,
      generate_series(1, 20)) d;
-- Tiny groups clamp at 0: a rate of one row, a count of one user, many draws.
SELECT bool_and(r IS NULL OR r BETWEEN 0 AND 1) AS small_rate_in_range
FROM (SELECT rate('(successes=1,trials=1)'::rate_summary, 0.5) AS r FROM generate_series(1, 200)) d;
SELECT min(a) = 0 AS clamped_at_zero
FROM (SELECT active_users('(first_day=2026-01-01,last_day=2026-01-01,users=1,activity={1:0+01})'::user_activity, 0.5, '(,)') AS a
      FROM generate_series(1, 200)) d;

-- min_group_size applies to the noisy count.
SET pg_kpi.min_group_size = 100000;
SELECT rate(rate_agg(ok), 1e6) AS rate_hidden, nps(nps_agg(score), 1e6) AS nps_hidden
FROM dp_rate, dp_nps WHERE dp_rate.i = dp_nps.i;
SELECT active_users(activity_agg(u, day), 1e6, '(,)') AS users_hidden,
       dau_mau(activity_agg(u, day), 1e6, '[2026-01-01,2026-02-01)') AS dau_mau_hidden FROM dp_events;
SET pg_kpi.min_group_size = 300;
SELECT active_users(activity_agg(u, day), 1e6, '(,)') AS users_shown_at_k FROM dp_events;
RESET pg_kpi.min_group_size;

-- A forced parallel plan runs the releases in workers.
CREATE TABLE dp_many AS SELECT g, format('(successes=%s,trials=%s)', g, 2 * g)::rate_summary AS s
FROM generate_series(1, 20000) AS g;
ANALYZE dp_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM dp_many WHERE rate(s, 1e6) = 0.5;
SELECT count(*) AS all_half FROM dp_many WHERE rate(s, 1e6) = 0.5;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Errors: epsilon must be finite and > 0 (22023); absurd magnitudes are refused.
SELECT kpi_test.error_of($$SELECT rate('(successes=1,trials=2)'::rate_summary, 0)$$);
SELECT kpi_test.error_of($$SELECT rate('(successes=1,trials=2)'::rate_summary, -1)$$);
SELECT kpi_test.error_of($$SELECT nps('(0=1,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)'::nps_summary, 'NaN')$$);
SELECT kpi_test.error_of($$SELECT nps('(0=1,1=0,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)'::nps_summary, 'Infinity')$$);
SELECT kpi_test.error_of($$SELECT active_users(activity_agg(u, day), '-Infinity', '(,)') FROM dp_events$$);
SELECT kpi_test.error_of($$SELECT rate('(successes=1,trials=2)'::rate_summary, 1e-300)$$);
SELECT kpi_test.error_of($$SELECT rate('(successes=1,trials=2)'::rate_summary, 1e300)$$);
-- dau_mau needs a finite, non-empty range (its number of days is public).
SELECT kpi_test.error_of($$SELECT dau_mau(activity_agg(u, day), 1, '[2026-01-01,)') FROM dp_events$$);
SELECT kpi_test.error_of($$SELECT dau_mau(activity_agg(u, day), 1, 'empty') FROM dp_events$$);
-- retention: epsilon is checked, and refused with recurring cohorts (a user
-- would be in many cohort rows).
SELECT kpi_test.error_of($$SELECT r.* FROM (SELECT activity_agg(u, day) AS s FROM dp_events) q,
                                          retention(s, epsilon => 0) r$$);
SELECT kpi_test.error_of($$SELECT r.* FROM (SELECT activity_agg(u, day) AS s FROM dp_events) q,
                                          retention(s, cohort => 'recurring', epsilon => 1) r$$);
-- The 1.0 calls with an untyped range literal still resolve (no ambiguity).
SELECT active_users(activity_agg(u, day), '[2026-01-10,2026-01-20)')
       = count(DISTINCT u) FILTER (WHERE day >= '2026-01-10' AND day < '2026-01-20') AS untyped_literal_ok
FROM dp_events;
