-- Product analytics over user_activity: retention() with every option,
-- lifecycle(), activity_frequency(), the calendar dau_mau(s, during), the
-- churn/CRR history check, and activity_intersect / activity_except /
-- overlap_users.  Every result is compared with a plain-SQL computation of
-- the definition over the raw (user, day) rows.
\i test/regress_helpers.sql
\pset null '(null)'
SET TimeZone = 'UTC';

-- Fixture: 300 users over 150 days from 2026-01-01 (a Thursday), drawn from
-- a hash (deterministic on every platform): each user starts on a hash-chosen
-- day, is active on about a third of the following days with gaps of various
-- lengths (so users return, lapse and resurrect), some stop early, some are
-- one-day users; two products 'a' and 'b' that share part of their users.
CREATE TABLE an_events AS
WITH u AS (SELECT u, abs(hashint4(u)) % 140 AS start, 5 + abs(hashint4(u + 7)) % 150 AS len,
                  abs(hashint4(u + 13)) % 3 AS kind
           FROM generate_series(1, 300) u)
SELECT u AS user_id, date '2026-01-01' + k AS day,
       CASE WHEN abs(hashint4(u * 7 + k)) % 4 = 0 THEN 'b' ELSE 'a' END AS product
FROM u, generate_series(0, 149) k
WHERE k >= start AND k < start + len
  AND (k = start
       OR (kind = 0 AND abs(hashint4(u * 1000 + k)) % 3 = 0)
       OR (kind = 1 AND abs(hashint4(u * 1000 + k)) % 9 = 0)
       OR (kind = 2 AND u % 4 <> 0 AND (k - start) % 17 < 3 AND abs(hashint4(u * 1000 + k)) % 2 = 0));
CREATE TABLE an_pairs AS SELECT DISTINCT user_id, day FROM an_events;
CREATE INDEX ON an_pairs (user_id, day);
ANALYZE an_pairs;
CREATE TABLE an_summary AS SELECT activity_agg(user_id, day) AS s FROM an_events;
SELECT count(*) AS pairs, count(DISTINCT user_id) AS users, min(day) AS first, max(day) AS last,
       (SELECT count(*) FROM (SELECT user_id FROM an_pairs GROUP BY 1 HAVING count(*) = 1) x) AS one_day_users
FROM an_pairs;

-- ===== retention() options against the plain-SQL definition =====
-- The first day of the period holding d.
CREATE FUNCTION an_period(d date, g text, week_start text) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN g = 'week' AND week_start = 'sunday' THEN (date_trunc('week', d + 1) - interval '1 day')::date
                ELSE date_trunc(g, d)::date END
$$;
-- The cohort table by the definitions in the README, written out in SQL:
-- cohorts = the periods from the first active period (or, with as_of, from
-- as_of's period minus `periods`, if earlier) to as_of's period; members =
-- users whose first period it is ('first') or who are active in it
-- ('recurring'); anchor = a member's first day in the cohort period; period k
-- = the k-th calendar period after the cohort's, or days [lo, hi] after the
-- anchor (rolling: k*L .. k*L+L-1 with L = 1, 7, 30; brackets b: k = 0 is
-- day 0, k >= 1 is [b[k], b[k+1]-1]); retained = active in the window (on) or
-- on some day from its start (on_or_after).  A cell is complete when it ends
-- by as_of (rolling: the window of a member anchored on the cohort period's
-- last day); incomplete cells are returned when include_incomplete and the
-- cell has started by as_of.
CREATE FUNCTION an_sql_retention(g text, periods int, mode text, coh text, ws text, cal boolean,
                                 brackets int[], as_of_in date, incl boolean)
RETURNS TABLE(cohort date, cohort_size bigint, period int, retained bigint, rate float8, incomplete boolean)
LANGUAGE sql AS $$
    WITH par AS (
        SELECT coalesce(as_of_in, (SELECT max(day) FROM an_pairs)) AS as_of,
               ('1 ' || g)::interval AS step,
               CASE WHEN brackets IS NOT NULL THEN array_length(brackets, 1) - 1 ELSE periods END AS kmax,
               brackets IS NULL AND cal AS calendar,
               CASE g WHEN 'day' THEN 1 WHEN 'week' THEN 7 ELSE 30 END AS len),
    grid AS (
        SELECT c::date AS cohort
        FROM par, generate_series(
                 CASE WHEN as_of_in IS NULL THEN an_period((SELECT min(day) FROM an_pairs), g, ws)
                      ELSE least(an_period((SELECT min(day) FROM an_pairs), g, ws),
                                 (an_period(par.as_of, g, ws) - par.kmax * par.step)::date) END,
                 an_period(par.as_of, g, ws), par.step) c),
    mem AS (
        SELECT user_id, an_period(min(day), g, ws) AS cohort, min(day) AS anchor
        FROM an_pairs WHERE coh = 'first' GROUP BY user_id
        UNION ALL
        SELECT user_id, an_period(day, g, ws), min(day)
        FROM an_pairs WHERE coh = 'recurring' GROUP BY user_id, an_period(day, g, ws)),
    cells AS (
        SELECT grid.cohort, k,
               CASE WHEN brackets IS NULL THEN k * par.len WHEN k = 0 THEN 0 ELSE brackets[k] END AS lo,
               CASE WHEN brackets IS NULL THEN k * par.len + par.len - 1 WHEN k = 0 THEN 0 ELSE brackets[k + 1] - 1 END AS hi,
               (grid.cohort + k * par.step)::date AS cal_start,
               (grid.cohort + (k + 1) * par.step)::date - 1 AS cal_end,
               (grid.cohort + par.step)::date - 1 AS cohort_end
        FROM grid, par, generate_series(0, par.kmax) k),
    judged AS (
        SELECT cells.*,
               CASE WHEN par.calendar THEN cal_start ELSE cohort + lo END AS cell_start,
               CASE WHEN par.calendar THEN cal_end ELSE cohort_end + hi END AS cell_end
        FROM cells, par)
    SELECT j.cohort,
           (SELECT count(*) FROM mem WHERE mem.cohort = j.cohort),
           j.k,
           (SELECT count(*) FROM mem, par
            WHERE mem.cohort = j.cohort
              AND EXISTS (SELECT 1 FROM an_pairs p
                          WHERE p.user_id = mem.user_id
                            AND p.day >= CASE WHEN par.calendar THEN j.cal_start ELSE mem.anchor + j.lo END
                            AND (mode = 'on_or_after'
                                 OR p.day <= CASE WHEN par.calendar THEN j.cal_end ELSE mem.anchor + j.hi END))),
           NULL::float8,
           j.cell_end > par.as_of
    FROM judged j, par
    WHERE j.cell_end <= par.as_of OR (incl AND j.cell_start <= par.as_of)
$$;
-- Rates are retained / cohort_size (NULL for an empty cohort): fill them in.
CREATE FUNCTION an_sql_retention_rated(g text, periods int, mode text, coh text, ws text, cal boolean,
                                       brackets int[], as_of date, incl boolean)
RETURNS TABLE(cohort date, cohort_size bigint, period int, retained bigint, rate float8, incomplete boolean)
LANGUAGE sql AS $$
    SELECT cohort, cohort_size, period, retained, retained::float8 / nullif(cohort_size, 0)::float8, incomplete
    FROM an_sql_retention(g, periods, mode, coh, ws, cal, brackets, as_of, incl)
$$;

CREATE TABLE an_cases(i int, g text, periods int, mode text, coh text, ws text, cal boolean,
                      brackets int[], as_of date, incl boolean);
INSERT INTO an_cases VALUES
    -- today's options (first, monday, calendar) across granularities and modes
    (1, 'day', 10, 'on', 'first', 'monday', true, NULL, NULL, false),
    (2, 'week', 12, 'on', 'first', 'monday', true, NULL, NULL, false),
    (3, 'month', 4, 'on_or_after', 'first', 'monday', true, NULL, NULL, false),
    -- recurring cohorts
    (4, 'day', 7, 'on', 'recurring', 'monday', true, NULL, NULL, false),
    (5, 'week', 8, 'on', 'recurring', 'monday', true, NULL, NULL, false),
    (6, 'week', 8, 'on_or_after', 'recurring', 'monday', true, NULL, NULL, false),
    (7, 'month', 3, 'on', 'recurring', 'monday', true, NULL, NULL, false),
    -- Sunday weeks
    (8, 'week', 6, 'on', 'first', 'sunday', true, NULL, NULL, false),
    (9, 'week', 6, 'on', 'recurring', 'sunday', true, NULL, NULL, false),
    -- rolling windows (Amplitude)
    (10, 'day', 9, 'on', 'first', 'monday', false, NULL, NULL, false),
    (11, 'week', 6, 'on', 'first', 'monday', false, NULL, NULL, false),
    (12, 'week', 6, 'on_or_after', 'first', 'sunday', false, NULL, NULL, false),
    (13, 'month', 3, 'on', 'first', 'monday', false, NULL, NULL, false),
    (14, 'week', 5, 'on', 'recurring', 'monday', false, NULL, NULL, false),
    -- custom brackets (Amplitude / Mixpanel)
    (15, 'week', 12, 'on', 'first', 'monday', true, '{1,7,14,30,60,90}', NULL, false),
    (16, 'month', 12, 'on_or_after', 'first', 'monday', true, '{1,2,3,8,31}', NULL, false),
    (17, 'day', 12, 'on', 'recurring', 'monday', true, '{3,5,9}', NULL, false),
    -- as_of and incomplete periods
    (18, 'week', 8, 'on', 'first', 'monday', true, NULL, '2026-03-18', false),
    (19, 'week', 8, 'on', 'first', 'monday', true, NULL, '2026-03-18', true),
    (20, 'month', 4, 'on', 'recurring', 'sunday', true, NULL, '2026-04-15', true),
    (21, 'week', 6, 'on', 'first', 'monday', false, NULL, '2026-03-18', true),
    (22, 'day', 5, 'on_or_after', 'recurring', 'monday', true, NULL, '2025-12-30', true),
    (23, 'week', 4, 'on', 'first', 'sunday', true, NULL, '2026-08-20', true),
    (24, 'week', 10, 'on', 'first', 'monday', true, '{1,7,14,30}', '2026-04-01', true),
    (25, 'month', 2, 'on', 'first', 'monday', true, NULL, '2026-01-15', false);
SELECT c.i, c.g, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl,
       (SELECT count(*) FROM retention(s, c.g, c.periods, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl)) AS rows,
       (SELECT count(*) FROM (SELECT * FROM retention(s, c.g, c.periods, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl)
                              EXCEPT ALL
                              SELECT * FROM an_sql_retention_rated(c.g, c.periods, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl)) x) AS only_kpi,
       (SELECT count(*) FROM (SELECT * FROM an_sql_retention_rated(c.g, c.periods, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl)
                              EXCEPT ALL
                              SELECT * FROM retention(s, c.g, c.periods, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl)) x) AS only_sql,
       (SELECT count(*) FILTER (WHERE r.incomplete) FROM retention(s, c.g, c.periods, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl) r) AS incomplete,
       (SELECT count(*) FILTER (WHERE r.cohort_size = 0) FROM retention(s, c.g, c.periods, c.mode, c.coh, c.ws, c.cal, c.brackets, c.as_of, c.incl) r) AS empty_cohorts
FROM an_summary, an_cases c ORDER BY c.i;

-- Named arguments in any order; the defaults are today's retention(): the
-- 1.0 positional call (s, granularity, periods, mode) still works and equals
-- the call spelling every default out.
SELECT (SELECT count(*) FROM (SELECT * FROM retention(s) EXCEPT ALL
        SELECT * FROM retention(s, 'week', 12, 'on', 'first', 'monday', true, NULL, NULL, false)) x) AS defaults_differ,
       (SELECT count(*) FROM (SELECT * FROM retention(s, 'month', 3, 'on_or_after') EXCEPT ALL
        SELECT * FROM retention(s, mode => 'on_or_after', periods => 3, granularity => 'month')) x) AS named_differ,
       (SELECT count(*) FROM retention(s, cohort => 'recurring', week_start => 'sunday', as_of => '2026-03-01')) > 0 AS named_ok,
       (SELECT bool_and(NOT incomplete) FROM retention(s)) AS no_incomplete_by_default,
       (SELECT bool_and(rate = 1) FROM retention(s, 'month') WHERE period = 0 AND cohort_size > 0) AS period0_full,
       (SELECT bool_and(rate IS NULL AND retained = 0) FROM retention(s, 'day', 3) WHERE cohort_size = 0) AS empty_cohort_null_rate
FROM an_summary;
-- A small table to read: weekly cohorts, recurring, Sunday weeks, with the running week.
SELECT r.* FROM an_summary, retention(s, 'week', 3, cohort => 'recurring', week_start => 'sunday',
                                      as_of => '2026-05-27', include_incomplete => true) r
WHERE r.cohort >= '2026-04-26' ORDER BY cohort, period;
-- Brackets: period 0 is the cohort day, period k covers [b(k-1), b(k)) days after it.
SELECT r.* FROM an_summary, retention(s, 'month', brackets => '{1,7,14,30}') r
ORDER BY cohort, period LIMIT 8;
-- NULL summary: no rows; a NULL option: no rows (as the STRICT 1.0 function); NULL
-- brackets and as_of mean "not given".
SELECT (SELECT count(*) FROM retention(NULL::user_activity)) AS null_summary,
       (SELECT count(*) FROM retention(s, NULL)) AS null_granularity,
       (SELECT count(*) FROM retention(s, cohort => NULL)) AS null_cohort,
       (SELECT count(*) FROM retention(s, brackets => NULL, as_of => NULL)) = (SELECT count(*) FROM retention(s)) AS null_options_default
FROM an_summary;
-- One user, one day.
SELECT * FROM retention('(first_day=2026-03-04,last_day=2026-03-04,users=1,activity={7:0+01})', 'day', 2);
SELECT * FROM retention('(first_day=2026-03-04,last_day=2026-03-04,users=1,activity={7:0+01})', 'day', 2,
                        as_of => '2026-03-05', include_incomplete => true);

-- ===== lifecycle() against SQL =====
CREATE FUNCTION an_sql_lifecycle(g text, as_of_in date)
RETURNS TABLE(period date, new bigint, "returning" bigint, resurrecting bigint, dormant bigint, quick_ratio float8)
LANGUAGE sql AS $$
    WITH par AS (SELECT coalesce(as_of_in, (SELECT max(day) FROM an_pairs)) AS as_of, ('1 ' || g)::interval AS step),
         up AS (SELECT DISTINCT user_id, date_trunc(g, day)::date AS p FROM an_pairs, par
                WHERE date_trunc(g, day) <= date_trunc(g, par.as_of)),
         fp AS (SELECT user_id, min(p) AS first FROM up GROUP BY user_id),
         grid AS (SELECT g2::date AS p FROM par, generate_series(date_trunc(g, (SELECT min(day) FROM an_pairs)),
                                                                date_trunc(g, par.as_of), par.step) g2),
         c AS (
            SELECT grid.p,
                   (SELECT count(*) FROM fp WHERE fp.first = grid.p) AS new,
                   (SELECT count(*) FROM up a JOIN up b ON a.user_id = b.user_id AND b.p = (a.p - par.step)::date
                    WHERE a.p = grid.p) AS ret,
                   (SELECT count(*) FROM up a JOIN fp USING (user_id)
                    WHERE a.p = grid.p AND fp.first < grid.p
                      AND NOT EXISTS (SELECT 1 FROM up b WHERE b.user_id = a.user_id AND b.p = (a.p - par.step)::date)) AS res,
                   (SELECT count(*) FROM up b
                    WHERE b.p = (grid.p - par.step)::date
                      AND NOT EXISTS (SELECT 1 FROM up a WHERE a.user_id = b.user_id AND a.p = grid.p)) AS dor
            FROM grid, par)
    SELECT p, new, ret, res, dor, (new + res)::float8 / nullif(dor, 0)::float8 FROM c
$$;
SELECT g, as_of, (SELECT count(*) FROM lifecycle(s, g, as_of)) AS rows,
       (SELECT count(*) FROM (SELECT * FROM lifecycle(s, g, as_of) EXCEPT ALL SELECT * FROM an_sql_lifecycle(g, as_of)) x) AS only_kpi,
       (SELECT count(*) FROM (SELECT * FROM an_sql_lifecycle(g, as_of) EXCEPT ALL SELECT * FROM lifecycle(s, g, as_of)) x) AS only_sql
FROM an_summary, (VALUES ('day', NULL::date), ('week', NULL), ('month', NULL), ('week', '2026-03-10'), ('month', '2026-09-30'),
                         ('week', '2025-12-01')) v(g, as_of)
ORDER BY g, as_of;
SELECT l.* FROM an_summary, lifecycle(s, 'month') l ORDER BY period;
-- Every user is new exactly once; default granularity is week.
SELECT (SELECT sum(new) FROM lifecycle(s, 'week')) = (SELECT count(DISTINCT user_id) FROM an_pairs) AS new_once,
       (SELECT count(*) FROM (SELECT * FROM lifecycle(s) EXCEPT ALL SELECT * FROM lifecycle(s, 'week')) x) AS default_differs
FROM an_summary;

-- ===== activity_frequency() against SQL =====
CREATE FUNCTION an_sql_frequency(g text, as_of_in date)
RETURNS TABLE(period date, active_days int, users bigint) LANGUAGE sql AS $$
    WITH par AS (SELECT coalesce(as_of_in, (SELECT max(day) FROM an_pairs)) AS as_of, ('1 ' || g)::interval AS step),
         grid AS (SELECT g2::date AS p FROM par, generate_series(date_trunc(g, (SELECT min(day) FROM an_pairs)),
                                                                date_trunc(g, par.as_of), par.step) g2),
         per_user AS (SELECT date_trunc(g, day)::date AS p, user_id, count(*) AS n FROM an_pairs GROUP BY 1, 2)
    SELECT grid.p, k, (SELECT count(*) FROM per_user WHERE per_user.p = grid.p AND per_user.n = k)
    FROM grid, par, generate_series(1, ((grid.p + par.step)::date - grid.p)) k
$$;
SELECT g, as_of, (SELECT count(*) FROM activity_frequency(s, g, as_of)) AS rows,
       (SELECT count(*) FROM (SELECT * FROM activity_frequency(s, g, as_of) EXCEPT ALL SELECT * FROM an_sql_frequency(g, as_of)) x) AS only_kpi,
       (SELECT count(*) FROM (SELECT * FROM an_sql_frequency(g, as_of) EXCEPT ALL SELECT * FROM activity_frequency(s, g, as_of)) x) AS only_sql
FROM an_summary, (VALUES ('day', NULL::date), ('week', NULL), ('month', NULL), ('month', '2026-03-31'), ('week', '2025-11-30')) v(g, as_of)
ORDER BY g, as_of;
SELECT f.* FROM an_summary, activity_frequency(s, 'week') f WHERE f.period = '2026-02-02' ORDER BY active_days;
SELECT (SELECT count(*) FROM (SELECT * FROM activity_frequency(s) EXCEPT ALL SELECT * FROM activity_frequency(s, 'month')) x) AS default_differs,
       (SELECT sum(users * active_days) FROM activity_frequency(s)) = (SELECT count(*) FROM an_pairs) AS all_pairs_counted
FROM an_summary;

-- ===== calendar dau_mau(s, during) =====
-- The issue's example: four users active 29 times between April 2 and 30 and
-- nobody on April 1: dau_mau(s) averages over the 29 days from the first to
-- the last active day (0.25); the calendar month averages over 30 (0.2417).
CREATE TABLE an_april AS
SELECT activity_agg(u, d::date) AS s
FROM (VALUES (1, '2026-04-02', '2026-04-12'), (2, '2026-04-13', '2026-04-22'),
             (3, '2026-04-23', '2026-04-29'), (4, '2026-04-30', '2026-04-30')) v(u, f, l),
     generate_series(f::date, l::date, interval '1 day') d;
SELECT dau_mau(s) AS span_mean, round(dau_mau(s, '[2026-04-01,2026-05-01)')::numeric, 6) AS calendar_month,
       dau_mau(s, '[2026-04-01,2026-05-01)') = 29.0::float8 / 30.0::float8 / 4.0::float8 AS exact
FROM an_april;
CREATE FUNCTION an_sql_dau_mau(r daterange) RETURNS float8 LANGUAGE sql AS $$
    WITH days AS (SELECT g::date AS day FROM generate_series(lower(r), upper(r) - 1, interval '1 day') g)
    SELECT ((SELECT count(*) FROM an_pairs p WHERE p.day <@ r)::float8 / (SELECT count(*) FROM days)::float8)
           / nullif((SELECT count(DISTINCT user_id) FROM an_pairs p WHERE p.day <@ r), 0)::float8
$$;
SELECT r, dau_mau(s, r) IS NOT DISTINCT FROM an_sql_dau_mau(r) AS ok, round(dau_mau(s, r)::numeric, 6) AS dau_mau
FROM an_summary, (VALUES (daterange('2026-01-01', '2026-02-01')), ('[2026-02-01,2026-02-28]'), ('(2026-03-01,2026-03-08]'),
                         ('[2025-12-01,2026-01-10)'), ('[2026-05-20,2026-07-01)'), ('[2025-01-01,2025-02-01)'),
                         ('[2026-01-01,2026-05-31)')) v(r)
ORDER BY r;
-- The whole span of D equals dau_mau(s).
SELECT dau_mau(s, daterange(first_day(s), last_day(s), '[]')) = dau_mau(s) AS span_equals FROM an_summary;
SELECT dau_mau(NULL::user_activity, '[2026-01-01,2026-02-01)') AS null_summary;

-- ===== churn_rate / customer_retention_rate need history before previous =====
-- Choice: NULL with a WARNING (not an error), so a month-over-month table whose
-- first month lacks history shows NULL in that row instead of failing the query.
-- The summary starts 2026-01-01: previous from then on gives numbers equal to
-- SQL; previous starting earlier gives NULL and a warning with a hint.
CREATE FUNCTION an_sql_churn(prev daterange, cur daterange, crr boolean) RETURNS float8 LANGUAGE sql AS $$
    WITH u AS (SELECT user_id, bool_or(day <@ prev) AS in_prev, bool_or(day <@ cur) AS in_cur,
                      min(day) <@ cur AS new_in_cur
               FROM an_pairs GROUP BY user_id)
    SELECT CASE WHEN crr
                THEN (count(*) FILTER (WHERE in_cur) - count(*) FILTER (WHERE in_cur AND new_in_cur))::float8
                     / nullif(count(*) FILTER (WHERE in_prev), 0)::float8
                ELSE (count(*) FILTER (WHERE in_prev AND NOT in_cur))::float8
                     / nullif(count(*) FILTER (WHERE in_prev), 0)::float8 END
    FROM u
$$;
SELECT churn_rate(s, '[2026-02-01,2026-03-01)', '[2026-03-01,2026-04-01)') = an_sql_churn('[2026-02-01,2026-03-01)', '[2026-03-01,2026-04-01)', false) AS churn_ok,
       customer_retention_rate(s, '[2026-02-01,2026-03-01)', '[2026-03-01,2026-04-01)') = an_sql_churn('[2026-02-01,2026-03-01)', '[2026-03-01,2026-04-01)', true) AS crr_ok,
       churn_rate(s, '[2026-01-01,2026-02-01)', '[2026-02-01,2026-03-01)') IS NOT NULL AS starts_on_first_day
FROM an_summary;
SELECT churn_rate(s, '[2025-12-15,2026-01-15)', '[2026-01-15,2026-02-15)') AS churn_no_history FROM an_summary;
-- Nobody active in previous: NULL as before, without a warning.
SELECT churn_rate(s, '[2025-12-01,2026-01-01)', '[2026-01-01,2026-02-01)') AS nobody_in_previous FROM an_summary;
SELECT customer_retention_rate(s, '(2025-12-31,2026-02-01)', '[2026-02-01,2026-03-01)') AS crr_exclusive_bound_ok,
       customer_retention_rate(s, '[2025-12-31,2026-02-01)', '[2026-02-01,2026-03-01)') AS crr_no_history
FROM an_summary;
-- An empty summary range is still an error before the history check.
SELECT kpi_test.error_of($$SELECT churn_rate(s, 'empty', '[2026-01-01,2026-02-01)') FROM an_summary$$);

-- ===== activity_intersect, activity_except, overlap_users =====
CREATE TABLE an_products AS
SELECT (SELECT activity_agg(user_id, day) FROM an_events WHERE product = 'a') AS a,
       (SELECT activity_agg(user_id, day) FROM an_events WHERE product = 'b') AS b,
       (SELECT activity_agg('u' || user_id, day) FROM an_events WHERE product = 'a') AS ta,
       (SELECT activity_agg('u' || user_id, day) FROM an_events WHERE product = 'b') AS tb;
SELECT overlap_users(a, b) = (SELECT count(*) FROM (SELECT user_id FROM an_events WHERE product = 'a'
                                                    INTERSECT SELECT user_id FROM an_events WHERE product = 'b') x) AS overlap_ok,
       overlap_users(a, b) AS overlap, overlap_users(b, a) = overlap_users(a, b) AS symmetric,
       overlap_users(ta, tb) = overlap_users(a, b) AS text_ids_ok,
       activity_intersect(a, b)::text = (SELECT activity_agg(user_id, day)::text FROM an_events
                                         WHERE product = 'a' AND user_id IN (SELECT user_id FROM an_events WHERE product = 'b')) AS intersect_ok,
       activity_except(a, b)::text = (SELECT activity_agg(user_id, day)::text FROM an_events
                                      WHERE product = 'a' AND user_id NOT IN (SELECT user_id FROM an_events WHERE product = 'b')) AS except_ok,
       activity_intersect(ta, tb)::text = (SELECT activity_agg('u' || user_id, day)::text FROM an_events
                                           WHERE product = 'a' AND user_id IN (SELECT user_id FROM an_events WHERE product = 'b')) AS text_intersect_ok,
       active_users(activity_intersect(a, b)) + active_users(activity_except(a, b)) = active_users(a) AS partition_ok
FROM an_products;
-- Nobody in common: overlap 0, intersect NULL (a summary of no users), except = a.
SELECT overlap_users(a, x) AS overlap, activity_intersect(a, x) AS nobody, activity_except(a, x)::text = a::text AS all_of_a,
       activity_except(a, a) AS a_minus_a, activity_intersect(a, a)::text = a::text AS a_and_a
FROM an_products, (SELECT activity_agg(id, date '2026-01-05') AS x FROM generate_series(100000, 100003) id) q;
SELECT overlap_users(NULL, a) AS null_overlap, activity_intersect(a, NULL) AS null_intersect FROM an_products;
-- The results are ordinary summaries: they round-trip through text and binary.
SELECT activity_intersect(a, b)::text::user_activity::text = activity_intersect(a, b)::text AS text_roundtrip,
       kpi_test.binary_roundtrip(activity_except(a, b)::text, 'user_activity') = activity_except(a, b)::text AS binary_roundtrip
FROM an_products;

-- ===== errors =====
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, cohort => 'new')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, week_start => 'saturday')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, 'quarter')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, periods => -1)$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, mode => 'after')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, brackets => '{}')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, brackets => '{1,NULL,7}')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, brackets => '{7,7,14}')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, brackets => '{0,7}')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, brackets => '{1,7,200000}')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, brackets => '{{1,7},{14,30}}')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, as_of => 'infinity')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, retention(s, 'day', 100000000, as_of => '2026-03-01')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, lifecycle(s, 'year')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, lifecycle(s, as_of => '-infinity')$$);
SELECT kpi_test.error_of($$SELECT * FROM an_summary, activity_frequency(s, 'hour')$$);
SELECT kpi_test.error_of($$SELECT dau_mau(s, 'empty') FROM an_summary$$);
SELECT kpi_test.error_of($$SELECT dau_mau(s, '[2026-01-01,)') FROM an_summary$$);

-- ===== pg_kpi.min_group_size (privacy.c) =====
-- Each table hides the counts of a group smaller than the setting: a
-- retention cohort (cohort_size, retained, rate), a lifecycle period (users
-- active in it or the period before), an activity_frequency period (users
-- active in it); dau_mau(s, during) and overlap_users return NULL.
CREATE TEMP TABLE an_k0_ret AS SELECT r.* FROM an_summary, retention(s, 'day', 3, cohort => 'recurring') r;
CREATE TEMP TABLE an_k0_life AS SELECT l.* FROM an_summary, lifecycle(s, 'day') l;
CREATE TEMP TABLE an_k0_freq AS SELECT f.* FROM an_summary, activity_frequency(s, 'week') f;
SET pg_kpi.min_group_size = 25;
SELECT count(*) AS cells,
       count(*) FILTER (WHERE z.cohort_size < 25) AS hidden_expected,
       count(*) FILTER (WHERE CASE WHEN z.cohort_size < 25
                                   THEN k.cohort_size IS NULL AND k.retained IS NULL AND k.rate IS NULL
                                   ELSE (k.cohort_size, k.retained, k.rate) = (z.cohort_size, z.retained, z.rate) END) AS ok
FROM an_summary, retention(s, 'day', 3, cohort => 'recurring') k JOIN an_k0_ret z USING (cohort, period);
SELECT count(*) AS periods,
       count(*) FILTER (WHERE z.new + z."returning" + z.resurrecting + z.dormant < 25) AS hidden_expected,
       count(*) FILTER (WHERE CASE WHEN z.new + z."returning" + z.resurrecting + z.dormant < 25
                                   THEN k.new IS NULL AND k.dormant IS NULL AND k.quick_ratio IS NULL
                                   ELSE (k.new, k."returning", k.resurrecting, k.dormant) = (z.new, z."returning", z.resurrecting, z.dormant) END) AS ok
FROM an_summary, lifecycle(s, 'day') k JOIN an_k0_life z USING (period);
SELECT count(*) AS cells,
       count(*) FILTER (WHERE CASE WHEN (SELECT sum(users) FROM an_k0_freq y WHERE y.period = z.period) < 25
                                   THEN k.users IS NULL ELSE k.users = z.users END) AS ok
FROM an_summary, activity_frequency(s, 'week') k JOIN an_k0_freq z USING (period, active_days);
SELECT dau_mau(s, '[2026-01-01,2026-01-03)') AS few_users, dau_mau(s, '[2026-01-01,2026-02-01)') IS NOT NULL AS many_users,
       (SELECT overlap_users(p.a, (SELECT activity_agg(id, date '2026-01-05') FROM generate_series(1, 10) id)) FROM an_products p) AS small_overlap,
       (SELECT overlap_users(a, b) FROM an_products) AS large_overlap
FROM an_summary;
RESET pg_kpi.min_group_size;

-- The first valid date (4714-11-24 BC): a first period starting before it is
-- labelled with that day, in every table.
CREATE TABLE an_bc AS
SELECT activity_agg(u, d) AS s
FROM (VALUES (1::bigint, date '4714-11-24 BC'), (1, '4714-12-02 BC'), (2, '4714-12-05 BC'), (2, '4713-01-03 BC')) v(u, d);
SELECT l.*, l.period::text::date = l.period AS reads_back FROM an_bc, lifecycle(s, 'month') l ORDER BY period;
SELECT f.* FROM an_bc, activity_frequency(s, 'month') f WHERE f.users > 0 ORDER BY period, active_days;
SELECT r.cohort, r.period, r.retained, r.incomplete FROM an_bc, retention(s, 'month', 1, cohort => 'recurring', as_of => '4713-01-03 BC', include_incomplete => true) r
ORDER BY cohort, period;
