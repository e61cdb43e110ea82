-- rate(), rate_agg(), rollup(rate_summary), accessors, Wilson bounds, lift().
-- Every result is compared with an independent plain-SQL computation.
\i test/regress_helpers.sql
\pset null '(null)'

-- Fixture: 2,000 outcomes over 20 days, some NULL outcomes, some NULL groups.
CREATE TABLE rate_events AS
SELECT i,
       date '2026-01-01' + (i % 20) AS day,
       CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 7919) % 13 < 5 END AS ok,
       CASE WHEN i % 11 = 0 THEN NULL ELSE 'variant_' || (i % 3) END AS variant
FROM generate_series(1, 2000) AS i;

-- One-step rate equals avg(x::int), per group including the NULL group.
SELECT variant,
       rate(ok) = avg(ok::int)::float8 AS same,
       round(rate(ok)::numeric, 6) AS rate
FROM rate_events GROUP BY variant ORDER BY variant;

-- Empty input, all-NULL input and a single row.
SELECT rate(ok) AS empty FROM rate_events WHERE false;
SELECT rate(NULL::boolean) AS all_null FROM generate_series(1, 5);
SELECT rate(true) AS one_true, rate(false) AS one_false;
SELECT rate_agg(ok) AS empty_summary FROM rate_events WHERE false;
SELECT rate_agg(NULL::boolean) AS all_null_summary FROM generate_series(1, 5);

-- Summary and accessors against counts written out in SQL.
SELECT s::text = format('(successes=%s,trials=%s)', x, n) AS text_form_matches,
       successes(s) = x AS successes_ok, trials(s) = n AS trials_ok,
       rate(s) = x::float8 / n AS rate_ok
FROM (SELECT rate_agg(ok) AS s, count(*) FILTER (WHERE ok) AS x, count(ok) AS n
      FROM rate_events) q;

-- Wilson interval against the formula written out in SQL (z for 95% and 99%).
WITH c AS (SELECT count(*) FILTER (WHERE ok)::float8 AS x, count(ok)::float8 AS n,
                  rate_agg(ok) AS s FROM rate_events),
     z(conf, z) AS (VALUES (0.95, 1.959963984540054), (0.99, 2.5758293035489004),
                           (0.6826894921370859, 1.0)),
     w AS (SELECT conf, s,
                  ((x/n + z*z/(2*n)) - z*sqrt((x/n)*(1-x/n)/n + z*z/(4*n*n))) / (1 + z*z/n) AS lo,
                  ((x/n + z*z/(2*n)) + z*sqrt((x/n)*(1-x/n)/n + z*z/(4*n*n))) / (1 + z*z/n) AS hi
           FROM c, z)
SELECT conf,
       abs(ci_lower(s, conf) - lo) < 1e-12 AS lower_ok,
       abs(ci_upper(s, conf) - hi) < 1e-12 AS upper_ok,
       round(ci_lower(s, conf)::numeric, 6) AS lower, round(ci_upper(s, conf)::numeric, 6) AS upper
FROM w ORDER BY conf;
-- The default confidence is 0.95.
SELECT ci_lower(s) = ci_lower(s, 0.95) AND ci_upper(s) = ci_upper(s, 0.95) AS default_is_95
FROM (SELECT rate_agg(ok) AS s FROM rate_events) q;
-- Boundaries: 0 of n and n of n stay inside [0,1]; tiny and huge confidences work.
SELECT ci_lower('(successes=0,trials=10)'::rate_summary) AS lo_zero, round(ci_upper('(successes=0,trials=10)'::rate_summary)::numeric, 6) AS hi_zero,
       round(ci_lower('(successes=10,trials=10)'::rate_summary)::numeric, 6) AS lo_all, ci_upper('(successes=10,trials=10)'::rate_summary) AS hi_all;
SELECT round(ci_lower('(successes=5,trials=10)'::rate_summary, 1e-9)::numeric, 6) AS narrow,
       round(ci_lower('(successes=5,trials=10)'::rate_summary, 0.999999999)::numeric, 6) AS wide;
-- A NULL summary gives NULL accessors.
SELECT rate(NULL::rate_summary), successes(NULL::rate_summary), ci_lower(NULL::rate_summary);

-- Confidence errors.
SELECT kpi_test.error_of($$SELECT ci_lower('(successes=1,trials=2)'::rate_summary, 0)$$);
SELECT kpi_test.error_of($$SELECT ci_upper('(successes=1,trials=2)'::rate_summary, 1)$$);
SELECT kpi_test.error_of($$SELECT ci_lower('(successes=1,trials=2)'::rate_summary, 'NaN')$$);
SELECT kpi_test.error_of($$SELECT ci_upper('(successes=1,trials=2)'::rate_summary, -0.5)$$);
SELECT kpi_test.error_of($$SELECT ci_upper('(successes=1,trials=2)'::rate_summary, 'Infinity')$$);

-- rollup() of per-day summaries equals the summary of all rows.
CREATE TABLE rate_daily AS
SELECT day, variant, rate_agg(ok) AS s FROM rate_events GROUP BY day, variant;
SELECT variant, (SELECT rollup(s)::text FROM rate_daily d WHERE d.variant IS NOT DISTINCT FROM v.variant)
                = (SELECT rate_agg(ok)::text FROM rate_events e WHERE e.variant IS NOT DISTINCT FROM v.variant) AS same
FROM (SELECT DISTINCT variant FROM rate_events) v ORDER BY variant;
SELECT rollup(s) FROM rate_daily;
SELECT rollup(s) AS empty_rollup FROM rate_daily WHERE false;
SELECT rollup(NULL::rate_summary) AS null_rollup;

-- Text round trip and text input checks.
SELECT '(successes=3,trials=10)'::rate_summary;
SELECT ' ( successes = 3 , trials = 10 ) '::rate_summary AS blanks_allowed;
SELECT '(successes=0,trials=0)'::rate_summary AS empty_allowed;
SELECT '(successes=9223372036854775807,trials=9223372036854775807)'::rate_summary AS max_counts;
SELECT kpi_test.error_of($$SELECT '(successes=11,trials=10)'::rate_summary$$);
SELECT kpi_test.error_of($$SELECT '(successes=-1,trials=10)'::rate_summary$$);
SELECT kpi_test.error_of($$SELECT '(successes=1,trials=10'::rate_summary$$);
SELECT kpi_test.error_of($$SELECT '(trials=10,successes=1)'::rate_summary$$);
SELECT kpi_test.error_of($$SELECT '(successes=1,trials=10) x'::rate_summary$$);
SELECT kpi_test.error_of($$SELECT '(successes=1,trials=99999999999999999999)'::rate_summary$$);
SELECT kpi_test.error_of($$SELECT '(successes=x,trials=1)'::rate_summary$$);
SELECT kpi_test.error_of($$SELECT ''::rate_summary$$);

-- Binary round trip through COPY (FORMAT binary), and corrupted binary input.
SELECT kpi_test.binary_roundtrip(rate_agg(ok)::text, 'rate_summary') = rate_agg(ok)::text AS binary_roundtrip
FROM rate_events;
SELECT kpi_test.send_bytes('(successes=3,trials=10)', 'rate_summary') AS wire_format;
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x01000000000000000b000000000000000a', 'rate_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x0100000000000000030000000000000a', 'rate_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x020000000000000003000000000000000a', 'rate_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x01ffffffffffffffff000000000000000a', 'rate_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x010000000000000003000000000000000aff', 'rate_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('', 'rate_summary')$$);

-- Counts that would overflow are an error, not a wrap-around.
SELECT kpi_test.error_of($$SELECT rollup(s) FROM (VALUES ('(successes=0,trials=9223372036854775807)'::rate_summary),
                                                         ('(successes=0,trials=1)')) v(s)$$);

-- Moving window: rate over ROWS 4 PRECEDING equals the same rate computed per
-- frame by a self-join (NULL outcomes included, so some frames hold none).
CREATE TABLE rate_seq AS SELECT i, ok FROM rate_events WHERE i <= 300;
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w.r IS NOT DISTINCT FROM j.r) AS equal
FROM (SELECT i, rate(ok) OVER (ORDER BY i ROWS 4 PRECEDING) AS r FROM rate_seq) w
JOIN (SELECT a.i, avg(b.ok::int)::float8 AS r
      FROM rate_seq a JOIN rate_seq b ON b.i BETWEEN a.i - 4 AND a.i GROUP BY a.i) j USING (i);
SELECT i, ok, rate(ok) OVER (ORDER BY i ROWS 2 PRECEDING) FROM rate_seq WHERE i BETWEEN 5 AND 9 ORDER BY i;

-- Serial and forced-parallel plans give identical results.
CREATE TABLE rate_big AS
SELECT i, CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 31) % 17 < 6 END AS ok, i % 5 AS g,
       (i * 13) % 7 < 3 AS treated
FROM generate_series(1, 100000) i;
ANALYZE rate_big;
CREATE TEMP TABLE rate_serial AS
SELECT g, rate(ok) AS r, rate_agg(ok)::text AS s, lift(ok, treated) AS l FROM rate_big GROUP BY g;
-- Small tables get a fixed worker count, so the plan does not depend on statistics.
ALTER TABLE rate_daily SET (parallel_workers = 2);
ANALYZE rate_daily;
ALTER TABLE rate_big SET (parallel_workers = 2);
ANALYZE rate_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT g, rate(ok), rate_agg(ok), lift(ok, treated) FROM rate_big GROUP BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE p.r = s.r AND p.s = s.s AND p.l = s.l) AS identical
FROM (SELECT g, rate(ok) AS r, rate_agg(ok)::text AS s, lift(ok, treated) AS l FROM rate_big GROUP BY g) p
JOIN rate_serial s USING (g);
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM rate_daily;
SELECT rollup(s)::text = (SELECT rate_agg(ok)::text FROM rate_events) AS parallel_rollup FROM rate_daily;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- lift(): p_treated / p_control - 1 against the same formula in SQL.
SELECT g, abs(lift(ok, treated) - ((avg(ok::int) FILTER (WHERE treated))::float8
                                  / (avg(ok::int) FILTER (WHERE NOT treated))::float8 - 1)) < 1e-12 AS same
FROM rate_big GROUP BY g ORDER BY g;
SELECT lift(ok, t) AS no_control FROM (VALUES (true, true), (false, true)) v(ok, t);
SELECT lift(ok, t) AS no_treated FROM (VALUES (true, false)) v(ok, t);
SELECT lift(ok, t) AS control_rate_zero FROM (VALUES (true, true), (false, false)) v(ok, t);
SELECT lift(ok, t) AS nulls_skipped FROM (VALUES (true, true), (false, true), (true, false), (false, false),
                                                 (NULL, true), (true, NULL)) v(ok, t);
SELECT lift(ok, t) AS empty FROM (VALUES (true, true)) v(ok, t) WHERE false;
SELECT kpi_test.error_of($$SELECT lift_combine('{1,2}', '{1,2,3,4}')$$);
