-- session_number(ts, idle): a window function, compared with the plain-SQL
-- lag() formulation of the same definition.
\i test/regress_helpers.sql
\pset null '(null)'
SET TimeZone = 'UTC';

-- Fixture: 50 users, irregular gaps from seconds to days, exact-boundary gaps
-- (a gap equal to idle does not start a session), duplicate timestamps.
CREATE TABLE sess_events AS
SELECT u AS user_id,
       timestamptz '2026-01-01 00:00:00+00'
         + sum(CASE WHEN (u * 7 + i * 13) % 17 = 0 THEN interval '30 minutes'
                    WHEN (u * 7 + i * 13) % 17 = 1 THEN interval '0'
                    WHEN (u * 7 + i * 13) % 11 = 0 THEN ((u + i) % 50) * interval '1 hour'
                    ELSE ((u * 31 + i * 17) % 1800) * interval '1 second' END)
           OVER (PARTITION BY u ORDER BY i) AS ts
FROM generate_series(1, 50) u, generate_series(1, 120) i;
SELECT count(*) AS events FROM sess_events;

-- Against lag(): a new session when there is no previous row or the gap exceeds idle.
CREATE FUNCTION sess_sql(idle interval) RETURNS TABLE(user_id int, ts timestamptz, s bigint) LANGUAGE sql AS $$
    SELECT user_id, ts,
           sum(CASE WHEN prev IS NULL OR ts - prev > idle THEN 1 ELSE 0 END)
               OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING)
    FROM (SELECT user_id, ts, lag(ts) OVER (PARTITION BY user_id ORDER BY ts) AS prev FROM sess_events) x
$$;
SELECT idle, count(*) AS rows,
       count(*) FILTER (WHERE k.s = q.s) AS equal,
       max(k.s) AS max_sessions
FROM (VALUES (interval '30 minutes'), (interval '0'), (interval '10 minutes'), (interval '1 day'), (interval '1 mon')) v(idle),
     LATERAL (SELECT user_id, ts, session_number(ts, idle) OVER (PARTITION BY user_id ORDER BY ts) AS s
              FROM sess_events) k
     JOIN LATERAL (SELECT * FROM sess_sql(idle)) q USING (user_id, ts)
GROUP BY idle ORDER BY idle;
-- (duplicate timestamps join to each other; they are in the same session, so
-- count only distinct (user, ts) for the row count check)
SELECT count(*) = (SELECT count(*) FROM sess_events) AS one_number_per_row,
       bool_and(s >= 1) AS positive
FROM (SELECT session_number(ts, '30 minutes') OVER (PARTITION BY user_id ORDER BY ts) AS s FROM sess_events) x;

-- A small example: a gap exactly equal to idle stays in the session.
SELECT ts, session_number(ts, interval '30 minutes') OVER (ORDER BY ts)
FROM (VALUES (timestamptz '2026-01-01 10:00+00'), ('2026-01-01 10:30+00'), ('2026-01-01 11:00:01+00'),
             ('2026-01-01 11:00:01+00'), ('2026-01-02 09:00+00')) v(ts);
-- NULL timestamps get NULL and do not break a session (they sort last here);
-- a NULL idle gives NULL.
SELECT ts, session_number(ts, interval '1 hour') OVER (ORDER BY ts NULLS FIRST)
FROM (VALUES (timestamptz '2026-01-01 10:00+00'), (NULL), ('2026-01-01 10:30+00')) v(ts);
SELECT session_number(ts, NULL) OVER (ORDER BY ts) FROM (VALUES (timestamptz '2026-01-01 10:00+00')) v(ts);
SELECT count(*) AS no_rows FROM (SELECT session_number(ts, '1 hour') OVER () FROM sess_events WHERE false) x;
-- Each partition starts again at 1.
SELECT user_id, min(s), max(s) FROM (SELECT user_id, session_number(ts, '1 hour') OVER (PARTITION BY user_id ORDER BY ts) AS s
                                     FROM sess_events WHERE user_id <= 3) x GROUP BY user_id ORDER BY user_id;
-- Months count as 30 days, days as 24 hours, as interval comparison does.
SELECT session_number(ts, interval '1 mon') OVER (ORDER BY ts) AS s
FROM (VALUES (timestamptz '2026-01-01 00:00+00'), ('2026-01-31 00:00+00'), ('2026-03-02 00:00:01+00')) v(ts);

-- Errors: rows out of order, a negative idle, infinite timestamps.
SELECT kpi_test.error_of($$SELECT session_number(ts, '1 hour') OVER (ORDER BY id)
                           FROM (VALUES (1, timestamptz '2026-01-01 10:00+00'), (2, '2026-01-01 09:00+00')) v(id, ts)$$);
SELECT kpi_test.error_of($$SELECT session_number(ts, '1 hour') OVER (ORDER BY ts DESC)
                           FROM sess_events$$);
SELECT kpi_test.error_of($$SELECT session_number(ts, '-1 minute') OVER (ORDER BY ts)
                           FROM (VALUES (timestamptz '2026-01-01 10:00+00')) v(ts)$$);
SELECT kpi_test.error_of($$SELECT session_number(ts, '1 mon -31 days') OVER (ORDER BY ts)
                           FROM (VALUES (timestamptz '2026-01-01 10:00+00')) v(ts)$$);
SELECT kpi_test.error_of($$SELECT session_number(ts, '1 hour') OVER (ORDER BY ts)
                           FROM (VALUES (timestamptz 'infinity')) v(ts)$$);

-- Works in a parallel query's leader over a parallel scan underneath.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT count(*) FILTER (WHERE k.s = q.s) = count(*) AS parallel_equal
FROM (SELECT user_id, ts, session_number(ts, '30 minutes') OVER (PARTITION BY user_id ORDER BY ts) AS s FROM sess_events) k
JOIN sess_sql('30 minutes') q USING (user_id, ts);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
