-- pg_kpi.min_group_size (SPEC §11, issue 13 §1): the setting itself, who may
-- change it (a real non-superuser role is refused, whether the library is
-- loaded yet or not), ALTER ROLE / ALTER DATABASE SET, and the suppression it
-- causes seen through rate() (the other families: sql/privacy_suppress_*.sql).
\i test/regress_helpers.sql
\pset null '(null)'
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_kpi_privacy_db;
DROP ROLE IF EXISTS regress_kpi_privacy_analyst;
DROP ROLE IF EXISTS regress_kpi_privacy_viewer;
RESET client_min_messages;
SELECT current_database() AS regress_db, current_user AS regress_su \gset

-- The setting: an integer, superuser context, default 0 (off), minimum 0.
SELECT rate('(successes=1,trials=2)'::rate_summary) AS loads_the_library;
SELECT name, setting, vartype, context, min_val, max_val, boot_val, reset_val
FROM pg_settings WHERE name = 'pg_kpi.min_group_size';
SELECT kpi_test.error_of($$SET pg_kpi.min_group_size = -1$$);
SELECT kpi_test.error_of($$SET pg_kpi.min_group_size = 'eleven'$$);
SELECT kpi_test.error_of($$SET pg_kpi.min_group_size = 2147483648$$);
-- The prefix is reserved: a misspelt pg_kpi setting is an error, not a placeholder.
SELECT kpi_test.error_of($$SET pg_kpi.min_group_sise = 5$$);

-- Suppression as seen through rate(): groups of 1..6 trials with k = 4.
CREATE TABLE privacy_rate_groups AS
SELECT g, i, (i * 37) % 5 < 2 AS ok
FROM generate_series(1, 6) AS g, generate_series(1, g) AS i;
SET pg_kpi.min_group_size = 4;
-- Against plain SQL: a value exactly when the group has >= 4 trials.
SELECT g, count(ok) AS n,
       rate(ok) IS NOT DISTINCT FROM CASE WHEN count(ok) >= 4 THEN avg(ok::int)::float8 END AS rate_ok,
       successes(rate_agg(ok)) IS NOT DISTINCT FROM CASE WHEN count(ok) >= 4 THEN count(*) FILTER (WHERE ok) END AS successes_ok,
       trials(rate_agg(ok)) IS NOT DISTINCT FROM CASE WHEN count(ok) >= 4 THEN count(ok) END AS trials_ok,
       (ci_lower(rate_agg(ok)) IS NULL) = (count(ok) < 4) AS ci_lower_ok,
       (ci_upper(rate_agg(ok)) IS NULL) = (count(ok) < 4) AS ci_upper_ok,
       rate(ok) AS rate
FROM privacy_rate_groups GROUP BY g ORDER BY g;
-- The summary itself is raw data and is not suppressed.
SELECT rate_agg(ok)::text AS summary FROM privacy_rate_groups WHERE g = 2;
-- Boundary: exactly k contributors gives a value, k - 1 gives NULL.
SELECT rate('(successes=1,trials=4)'::rate_summary) AS k_trials,
       rate('(successes=1,trials=3)'::rate_summary) AS k_minus_1_trials,
       trials('(successes=0,trials=0)'::rate_summary) AS empty_trials;
-- A rollup over small groups is judged by its merged size (4 + 5 + 6 = 15 >= 4;
-- 1 + 2 = 3 < 4).
SELECT rate(rollup(s)) IS NOT NULL AS big_rollup_shown FROM
  (SELECT g, rate_agg(ok) AS s FROM privacy_rate_groups GROUP BY g) q WHERE g >= 4;
SELECT rate(rollup(s)) IS NULL AS small_rollup_hidden FROM
  (SELECT g, rate_agg(ok) AS s FROM privacy_rate_groups GROUP BY g) q WHERE g <= 2;
-- A moving window: each frame is a group (frames of 1..3 rows < 4: NULL).
SELECT i, rate(ok) OVER (ORDER BY i ROWS 3 PRECEDING) IS NULL AS hidden,
       i < 4 AS expected_hidden
FROM privacy_rate_groups WHERE g = 6 ORDER BY i;
-- lift(): each arm is a group; the smaller arm decides.
SELECT lift(ok, g = 6) IS NULL AS arm_of_3_hidden FROM privacy_rate_groups WHERE g IN (3, 6);
SELECT lift(ok, g = 6) IS NOT NULL AS arms_of_5_and_6_shown FROM privacy_rate_groups WHERE g IN (5, 6);
-- k = 0 turns it off again.
SET pg_kpi.min_group_size = 0;
SELECT rate(ok) = avg(ok::int)::float8 AS one_row_shown FROM privacy_rate_groups WHERE g = 1;

-- A forced parallel plan: the workers apply the leader's setting.
CREATE TABLE privacy_rate_big AS
SELECT i % 100 AS g, i % 3 = 0 AS ok FROM generate_series(1, 200000) AS i;
INSERT INTO privacy_rate_big SELECT 100 + i, true FROM generate_series(1, 5) AS i;
ANALYZE privacy_rate_big;
SET pg_kpi.min_group_size = 1000;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT g, rate(ok) FROM privacy_rate_big GROUP BY g;
SELECT count(*) FILTER (WHERE r IS NULL) AS hidden, count(*) FILTER (WHERE r IS NOT NULL) AS shown,
       bool_and(r IS NULL = (n < 1000)) AS matches_sql
FROM (SELECT g, rate(ok) AS r, count(ok) AS n FROM privacy_rate_big GROUP BY g) q;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET pg_kpi.min_group_size;

-- A role given k = 11 by the administrator (ALTER ROLE ... SET).
CREATE ROLE regress_kpi_privacy_analyst LOGIN;
CREATE ROLE regress_kpi_privacy_viewer LOGIN;
ALTER ROLE regress_kpi_privacy_analyst SET pg_kpi.min_group_size = 11;
-- A database-wide value for everyone else (ALTER DATABASE ... SET), in a
-- database of its own so the other tests are unaffected.
SET client_min_messages = warning;
CREATE DATABASE regress_kpi_privacy_db;
RESET client_min_messages;
ALTER DATABASE regress_kpi_privacy_db SET pg_kpi.min_group_size = 3;
\c regress_kpi_privacy_db
SET client_min_messages = warning;
CREATE EXTENSION pg_kpi;
\i test/regress_helpers.sql
\pset null '(null)'
GRANT USAGE ON SCHEMA kpi_test TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA kpi_test TO PUBLIC;
CREATE TABLE privacy_sums AS
SELECT n, format('(successes=%s,trials=%s)', n / 2, n)::rate_summary AS s
FROM generate_series(1, 12) AS n;
GRANT SELECT ON privacy_sums TO PUBLIC;

-- The viewer gets the database's 3; the analyst's role value (11) beats it.
\c - regress_kpi_privacy_viewer
\pset null '(null)'
SELECT current_setting('pg_kpi.min_group_size') AS viewer_k,
       min(n) FILTER (WHERE rate(s) IS NOT NULL) AS smallest_shown
FROM privacy_sums;
\c - regress_kpi_privacy_analyst
\pset null '(null)'
SELECT current_setting('pg_kpi.min_group_size') AS analyst_k,
       min(n) FILTER (WHERE rate(s) IS NOT NULL) AS smallest_shown,
       count(rate(s)) AS shown
FROM privacy_sums;
-- Every way the analyst could lower it is refused.
SELECT kpi_test.error_of($$SET pg_kpi.min_group_size = 0$$);
SELECT kpi_test.error_of($$SET LOCAL pg_kpi.min_group_size = 0$$);
SELECT kpi_test.error_of($$SELECT set_config('pg_kpi.min_group_size', '0', false)$$);
SELECT kpi_test.error_of($$RESET pg_kpi.min_group_size$$);
SELECT kpi_test.error_of($$ALTER ROLE regress_kpi_privacy_analyst SET pg_kpi.min_group_size = 0$$);
SELECT kpi_test.error_of($$ALTER ROLE regress_kpi_privacy_analyst RESET pg_kpi.min_group_size$$);
SELECT kpi_test.error_of($$CREATE FUNCTION pg_temp.unsuppressed(rate_summary) RETURNS float8
    LANGUAGE sql SET pg_kpi.min_group_size = 0 AS 'SELECT rate($1)'$$);
SELECT current_setting('pg_kpi.min_group_size') AS still_k;

-- Before the library is loaded in a session, the name is only a placeholder
-- that anyone may SET; loading the library refuses the analyst's value
-- (a WARNING) and the role's 11 is back before any KPI runs.
\c - regress_kpi_privacy_analyst
\pset null '(null)'
SET pg_kpi.min_group_size = 0;
SELECT current_setting('pg_kpi.min_group_size') AS placeholder_value;
SELECT rate(s) AS rate_of_10, current_setting('pg_kpi.min_group_size') AS k_after_load
FROM privacy_sums WHERE n = 10;
-- The same with a startup option (PGOPTIONS='-c pg_kpi.min_group_size=0'),
-- which displaces the role's value at connection time: the library re-reads
-- the role and database settings when it loads.
\set conn 'dbname=regress_kpi_privacy_db user=regress_kpi_privacy_analyst options=-cpg_kpi.min_group_size=0'
\c :conn
\pset null '(null)'
SELECT current_setting('pg_kpi.min_group_size') AS placeholder_value;
SELECT rate(s) AS rate_of_10, current_setting('pg_kpi.min_group_size') AS k_after_load
FROM privacy_sums WHERE n = 10;
SELECT source, setting FROM pg_settings WHERE name = 'pg_kpi.min_group_size';
-- The same for a per-role-and-database value (ALTER ROLE ... IN DATABASE),
-- which beats both the role's and the database's.
\c - :regress_su
ALTER ROLE regress_kpi_privacy_viewer IN DATABASE regress_kpi_privacy_db SET pg_kpi.min_group_size = 7;
\set conn 'dbname=regress_kpi_privacy_db user=regress_kpi_privacy_viewer options=-cpg_kpi.min_group_size=0'
\c :conn
\pset null '(null)'
SELECT rate(s) AS rate_of_6, current_setting('pg_kpi.min_group_size') AS k_after_load
FROM privacy_sums WHERE n = 6;
SELECT source, setting FROM pg_settings WHERE name = 'pg_kpi.min_group_size';

-- A superuser may lower or raise it for a session, and a superuser's startup
-- option is kept.
\c - :regress_su
\pset null '(null)'
SET pg_kpi.min_group_size = 12;
SELECT count(rate(s)) AS shown_with_12 FROM privacy_sums;
SET pg_kpi.min_group_size = 0;
SELECT count(rate(s)) AS shown_with_0 FROM privacy_sums;
\set conn 'dbname=regress_kpi_privacy_db options=-cpg_kpi.min_group_size=5'
\c :conn
SELECT count(rate(s)) AS shown_with_5, current_setting('pg_kpi.min_group_size') AS k
FROM privacy_sums;

\c :regress_db :regress_su
SET client_min_messages = warning;
DROP DATABASE regress_kpi_privacy_db;
DROP ROLE regress_kpi_privacy_analyst;
DROP ROLE regress_kpi_privacy_viewer;
RESET client_min_messages;
