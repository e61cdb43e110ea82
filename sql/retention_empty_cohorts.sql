-- retention(..., empty_cohorts): by default (1.1) cohorts with no users between the
-- first and the last are listed with size 0 so a heatmap has no holes;
-- empty_cohorts => false lists only cohorts that have users, as 1.0 did.
\i test/regress_helpers.sql
SET client_min_messages = warning;

-- Users start in weeks 1 and 4 of 2026 (weeks 2 and 3 have no new user).
CREATE TABLE ret_gap_events (user_id bigint, day date);
INSERT INTO ret_gap_events VALUES
  (1, '2026-01-05'), (1, '2026-01-12'), (2, '2026-01-06'), (2, '2026-01-27'),
  (3, '2026-01-26'), (3, '2026-02-02'), (4, '2026-01-28'), (1, '2026-02-09');
CREATE TABLE ret_gap AS SELECT activity_agg(user_id, day) AS s FROM ret_gap_events;

-- The default grid: every week from the first cohort to the last, empty ones with size 0.
SELECT r.cohort, r.cohort_size, r.period, r.retained, r.rate
  FROM ret_gap, retention(s, 'week', 2) r ORDER BY 1, 3;

-- Only the cohorts that have users.
SELECT r.cohort, r.cohort_size, r.period, r.retained, r.rate
  FROM ret_gap, retention(s, 'week', 2, empty_cohorts => false) r ORDER BY 1, 3;

-- Independent computation over the raw rows (plain SQL, first-week cohorts), equal to
-- empty_cohorts => false cell by cell.
WITH u AS (SELECT user_id, date_trunc('week', min(day))::date AS c FROM ret_gap_events GROUP BY 1),
     sizes AS (SELECT c, count(*) AS n FROM u GROUP BY c),
     cells AS (SELECT s.c, s.n, k FROM sizes s, generate_series(0, 2) k   -- complete weeks only
                WHERE s.c + 7 * k + 6 <= (SELECT max(day) FROM ret_gap_events)),
     sql AS (SELECT cells.c, cells.n, cells.k,
                    (SELECT count(DISTINCT e.user_id) FROM ret_gap_events e JOIN u USING (user_id)
                      WHERE u.c = cells.c AND date_trunc('week', e.day)::date = cells.c + 7 * cells.k) AS retained
               FROM cells)
SELECT (SELECT count(*) FROM (SELECT c, n, k, retained FROM sql
                              EXCEPT ALL SELECT r.cohort, r.cohort_size, r.period, r.retained
                                FROM ret_gap, retention(s, 'week', 2, empty_cohorts => false) r) x) AS missing,
       (SELECT count(*) FROM (SELECT r.cohort, r.cohort_size, r.period, r.retained
                                FROM ret_gap, retention(s, 'week', 2, empty_cohorts => false) r
                              EXCEPT ALL SELECT c, n, k, retained FROM sql) y) AS extra;

-- The default equals empty_cohorts => false plus exactly the empty cohorts.
SELECT (SELECT count(*) FROM (SELECT r.* FROM ret_gap, retention(s, 'week', 2) r WHERE r.cohort_size > 0
                              EXCEPT ALL SELECT r.* FROM ret_gap, retention(s, 'week', 2, empty_cohorts => false) r) x) AS differ,
       (SELECT count(*) FROM ret_gap, retention(s, 'week', 2) r
         WHERE r.cohort_size = 0 AND (r.retained <> 0 OR r.rate IS NOT NULL)) AS bad_empty;

-- A differentially private table must list every cohort: leaving out the empty ones
-- would reveal that their true size is 0.
SELECT kpi_test.error_of($$SELECT count(*) FROM ret_gap, retention(s, 'week', 2, empty_cohorts => false, epsilon => 1) r$$);
SELECT count(*) > 0 AS ok FROM ret_gap, retention(s, 'week', 2, epsilon => 1) r;
-- NULL option: no rows, as for the other options.
SELECT count(*) FROM ret_gap, retention(s, 'week', 2, empty_cohorts => NULL) r;

DROP TABLE ret_gap, ret_gap_events;
