-- user_activity storage (format version 2) and input limits: users whose
-- active days lie far apart cost bytes in proportion to their active days;
-- every answer is compared with plain SQL over the same (user, day) pairs;
-- days outside the date range are refused at input; 1.0 (version 1) values
-- still read.
\i test/regress_helpers.sql
\pset null '(null)'
SET TimeZone = 'UTC';

-- Defect: days outside the date range.  In New York, 4714-11-24 00:00 UTC BC
-- is still 4714-11-23 BC, a day type date cannot hold: refused (22008) by
-- every way in, so no summary or result can carry an unreadable date.
SET TimeZone = 'America/New_York';
SELECT kpi_test.error_of($$SELECT activity_agg(1::bigint, '4714-11-24 00:00:00+00 BC'::timestamptz)$$);
SELECT kpi_test.error_of($$SELECT dau_mau(1::bigint, '4714-11-24 00:00:00+00 BC'::timestamptz)$$);
SELECT kpi_test.error_of($$SELECT retention_rate('u1'::text, '4714-11-24 00:00:00+00 BC'::timestamptz, 1)$$);
SELECT kpi_test.error_of($$SELECT activity_accum(NULL::user_activity, gen_random_uuid(), '4714-11-24 00:00:00+00 BC'::timestamptz)$$);
-- Five hours later it is 4714-11-24 BC in New York too: accepted.
SELECT activity_agg(1::bigint, '4714-11-24 05:00:00+00 BC'::timestamptz)::text AS first_valid_day;
SET TimeZone = 'UTC';
-- retention() by month on a summary starting in 4714-11 BC: the first month
-- starts before 4714-11-24 BC, so its cohort is labelled 4714-11-24 BC; every
-- returned date reads back.
CREATE TABLE act_st_bc AS
SELECT activity_agg(u, d) AS s
FROM (VALUES (1::bigint, date '4714-11-24 BC'), (1, '4714-12-02 BC'), (2, '4714-12-05 BC'), (2, '4713-01-03 BC')) v(u, d);
SELECT r.cohort, r.cohort_size, r.period, r.retained, r.cohort::text::date = r.cohort AS reads_back
FROM act_st_bc, retention(s, 'month', 2) r ORDER BY cohort, period;
SELECT r.cohort, r.period, r.retained, r.cohort::text::date = r.cohort AS reads_back
FROM act_st_bc, retention(s, 'week', 1, week_start => 'sunday') r WHERE r.cohort_size > 0 ORDER BY cohort, period;
SELECT bool_and(r.period::text::date = r.period) AS lifecycle_reads_back, min(r.period) FROM act_st_bc, lifecycle(s, 'month') r;

-- The (user, day) pairs: dense users (a few months), sparse users spread over
-- millions of days, users at both ends of the date range, one user active on
-- two days 10 million days apart, and a user with dense days plus one far day;
-- inserted in random order.
CREATE TABLE act_st_pairs AS
SELECT DISTINCT u, d FROM (
    SELECT u::bigint, date '2026-01-01' + (u * k * 7) % 120 AS d
    FROM generate_series(1, 50) u, generate_series(1, 30) k
    UNION ALL
    SELECT u, date '2000-01-01' + (u * k * 104729) % 3000000
    FROM generate_series(100, 120) u, generate_series(1, 5) k
    UNION ALL
    SELECT 200, d FROM (VALUES (date '4714-11-24 BC'), (date '5874897-12-31'), (date '2026-01-10')) v(d)
    UNION ALL
    SELECT 201, d FROM (VALUES (date '2000-01-01'), (date '2000-01-01' + 10000000)) v(d)
    UNION ALL
    SELECT 202, date '2026-01-01' + 3 * k FROM generate_series(0, 999) k
    UNION ALL
    SELECT 202, date '9000-01-01'
    UNION ALL
    SELECT -9223372036854775808, date '2026-02-01'
) x;
CREATE TABLE act_st_rows AS SELECT u, d FROM act_st_pairs ORDER BY md5(u::text || d::text);
SELECT count(*) AS pairs, count(DISTINCT u) AS users, min(d), max(d) FROM act_st_pairs;

CREATE TABLE act_st AS SELECT activity_agg(u, d) AS s FROM act_st_rows;

-- The same summary, bit for bit, however it is built: rows in another order,
-- timestamptz input, a rollup of parts (by user and by date), a running
-- window's last row, chained direct activity_accum calls, a forced-parallel
-- plan, and text and binary round trips.
SELECT (SELECT activity_agg(u, d::timestamptz)::text FROM act_st_rows WHERE d BETWEEN '4713-01-01 BC' AND '294276-01-01')
       = (SELECT activity_agg(u, d)::text FROM act_st_rows WHERE d BETWEEN '4713-01-01 BC' AND '294276-01-01') AS from_timestamptz;
SELECT (SELECT activity_agg(u, d ORDER BY d DESC)::text FROM act_st_rows) = s::text AS other_order,
       (SELECT rollup(p)::text FROM (SELECT activity_agg(u, d) p FROM act_st_rows GROUP BY u % 3) q) = s::text AS rollup_by_user,
       (SELECT rollup(p)::text FROM (SELECT activity_agg(u, d) p FROM act_st_rows GROUP BY d > '2026-01-15', d < '3000-01-01') q) = s::text AS rollup_by_day,
       (SELECT w::text FROM (SELECT activity_agg(u, d) OVER (ORDER BY d, u) w, row_number() OVER (ORDER BY d DESC, u DESC) rn FROM act_st_rows) q WHERE rn = 1) = s::text AS window_last_row,
       s::text::user_activity::text = s::text AS text_roundtrip,
       kpi_test.binary_roundtrip(s::text, 'user_activity') = s::text AS binary_roundtrip
FROM act_st;
DO $$
DECLARE
    acc user_activity;
    r record;
BEGIN
    FOR r IN SELECT u, d FROM act_st_rows LOOP
        acc := activity_accum(acc, r.u, r.d);
    END LOOP;
    RAISE NOTICE 'direct activity_accum calls give the same summary: %', acc::text = (SELECT s::text FROM act_st);
END $$;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT activity_agg(u, d) FROM act_st_rows;
SELECT activity_agg(u, d)::text = (SELECT s::text FROM act_st) AS parallel_same FROM act_st_rows;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;

-- rollup() of large summaries (over 4,096 users: merged as they are, in one
-- k-way pass), of small ones (their users appended, sorted when read), and
-- of both at once, with users in several parts, dense and far apart: the
-- summary of all the rows, bit for bit.
CREATE TABLE act_st_big AS
SELECT (i % 6000)::bigint AS u, date '2026-01-01' + (i * 7 + i / 6000) % 200 AS d FROM generate_series(1, 60000) i
UNION ALL SELECT (i % 50)::bigint, date '2000-01-01' + i * 100000 FROM generate_series(1, 40) i;
CREATE TABLE act_st_big_all AS SELECT activity_agg(u, d)::text AS t FROM act_st_big;
SELECT (SELECT min(active_users(p)) FROM (SELECT activity_agg(u, d) p FROM act_st_big GROUP BY (d - date '2000-01-01') % 2) q) > 4096 AS large_parts_are_large,
       (SELECT max(active_users(p)) FROM (SELECT activity_agg(u, d) p FROM act_st_big GROUP BY d) q) <= 4096 AS small_parts_are_small,
       (SELECT rollup(p)::text FROM (SELECT activity_agg(u, d) p FROM act_st_big GROUP BY (d - date '2000-01-01') % 2) q) = t AS large_parts,
       (SELECT rollup(p)::text FROM (SELECT activity_agg(u, d) p FROM act_st_big GROUP BY d) q) = t AS small_parts,
       (SELECT rollup(p)::text FROM (SELECT activity_agg(u, d) p FROM act_st_big GROUP BY (d - date '2000-01-01') % 2
                                     UNION ALL SELECT activity_agg(u, d) FROM act_st_big GROUP BY d) q) = t AS both_twice,
       t LIKE '%/%' AND t LIKE '%+%' AS lists_and_bitmaps
FROM act_st_big_all;

-- Users and day ranges, against SQL.
SELECT active_users(s) = (SELECT count(DISTINCT u) FROM act_st_pairs) AS users_ok,
       first_day(s) = (SELECT min(d) FROM act_st_pairs) AS first_ok,
       last_day(s) = (SELECT max(d) FROM act_st_pairs) AS last_ok
FROM act_st;
SELECT r, active_users(s, r) AS kpi, (SELECT count(DISTINCT u) FROM act_st_pairs WHERE d <@ r) AS sql,
       first_day(s, r) IS NOT DISTINCT FROM (SELECT min(d) FROM act_st_pairs WHERE d <@ r) AS first_ok,
       last_day(s, r) IS NOT DISTINCT FROM (SELECT max(d) FROM act_st_pairs WHERE d <@ r) AS last_ok
FROM act_st, (VALUES (daterange('2026-01-01', '2026-02-01')), (daterange('2000-01-01', '9000-01-01')),
                     (daterange(NULL, '2000-01-01')), (daterange('9000-01-01', NULL)), (daterange('2026-01-02', '2026-01-03', '[]')),
                     (daterange('3000-01-01', '3000-01-02')), (daterange(NULL, NULL)), (daterange('2027-06-01', '2400-01-01'))) v(r)
ORDER BY r;

-- DAU/MAU: pairs / days of D / users (the same divisions as the SQL).
SELECT dau_mau(s) = (SELECT count(*)::float8 / (max(d) - min(d) + 1)::float8 / count(DISTINCT u)::float8 FROM act_st_pairs) AS dau_mau_ok,
       (SELECT dau_mau(u, d) FROM act_st_rows) = dau_mau(s) AS one_step_ok
FROM act_st;

-- N-day retention, both modes, against SQL.
CREATE FUNCTION act_st_retention_rate(n int, mode text) RETURNS float8 LANGUAGE sql AS $$
    WITH fu AS (SELECT u, min(d) AS c FROM act_st_pairs GROUP BY u),
         lastday AS (SELECT max(d) AS l FROM act_st_pairs)
    SELECT (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM act_st_pairs p WHERE p.u = fu.u
                                           AND ((p.d - fu.c)::bigint = n OR (mode = 'on_or_after' AND (p.d - fu.c)::bigint >= n)))))::float8
           / nullif(count(*), 0)::float8
    FROM fu, lastday WHERE (fu.c - date '2000-01-01')::bigint + n <= (lastday.l - date '2000-01-01')::bigint
$$;
SELECT mode, count(*) AS checked,
       count(*) FILTER (WHERE retention_rate(s, n, mode) IS NOT DISTINCT FROM act_st_retention_rate(n, mode)) AS equal
FROM act_st, (VALUES (0), (1), (3), (7), (30), (104729), (10000000), (2000000000)) v(n), (VALUES ('on'), ('on_or_after')) m(mode)
GROUP BY mode ORDER BY mode;

-- Churn and customer retention between two periods, against SQL.
SELECT churn_rate(s, '[2026-01-01,2026-02-01)', '[2026-02-01,2026-05-01)') =
       (SELECT count(*) FILTER (WHERE NOT cur)::float8 / count(*)::float8
        FROM (SELECT bool_or(d >= '2026-02-01' AND d < '2026-05-01') cur FROM act_st_pairs GROUP BY u
              HAVING bool_or(d >= '2026-01-01' AND d < '2026-02-01')) x) AS churn_ok
FROM act_st;

-- retention() and stickiness() over sparse users on a shorter range (their
-- per-day tables fit), against SQL: users active every 40 days or so.
CREATE TABLE act_st_mid AS
SELECT DISTINCT u::bigint, date '2020-01-01' + (u * k * 37) % 3000 AS d FROM generate_series(1, 40) u, generate_series(1, 8) k;
CREATE TABLE act_st_mid_s AS SELECT activity_agg(u, d) AS s FROM act_st_mid;
SELECT s::text LIKE '%/%' AS has_day_lists, s::text LIKE '%+%' AS has_bitmaps FROM act_st_mid_s;
WITH fu AS (SELECT u, date_trunc('month', min(d))::date AS cohort FROM act_st_mid GROUP BY u),
     lastday AS (SELECT max(d) AS l FROM act_st_mid),
     cs AS (SELECT cohort, count(*) AS size FROM fu GROUP BY cohort),
     per AS (SELECT cs.cohort, cs.size, k, (cs.cohort + k * interval '1 month')::date AS ps,
                    (cs.cohort + (k + 1) * interval '1 month')::date AS pe
             FROM cs, generate_series(0, 24) k),
     hits AS (SELECT per.cohort, per.k, count(DISTINCT fu.u) AS retained
              FROM per JOIN fu USING (cohort) JOIN act_st_mid p ON p.u = fu.u AND p.d >= per.ps AND p.d < per.pe
              GROUP BY per.cohort, per.k),
     sql AS (SELECT per.cohort, per.size AS cohort_size, per.k AS period, coalesce(hits.retained, 0) AS retained,
                    coalesce(hits.retained, 0)::float8 / per.size::float8 AS rate
             FROM per LEFT JOIN hits USING (cohort, k), lastday WHERE per.pe - 1 <= lastday.l),
     kpi AS (SELECT r.cohort, r.cohort_size, r.period, r.retained, r.rate FROM act_st_mid_s, retention(s, 'month', 24) r
             WHERE r.cohort_size > 0)
SELECT (SELECT count(*) FROM kpi) AS rows,
       (SELECT count(*) FROM (SELECT * FROM kpi EXCEPT ALL SELECT * FROM sql) x) AS only_kpi,
       (SELECT count(*) FROM (SELECT * FROM sql EXCEPT ALL SELECT * FROM kpi) x) AS only_sql;
WITH days AS (SELECT g::date AS day FROM generate_series(date '2020-01-01', date '2028-12-31', interval '1 day') g),
     sql AS (SELECT day, (SELECT count(DISTINCT u) FROM act_st_mid WHERE d = day) AS dau,
                    (SELECT count(DISTINCT u) FROM act_st_mid WHERE d > day - 30 AND d <= day) AS mau
             FROM days WHERE day BETWEEN (SELECT min(d) FROM act_st_mid) AND (SELECT max(d) FROM act_st_mid))
SELECT count(*) AS days,
       count(*) FILTER (WHERE k.dau = sql.dau AND k.mau = sql.mau) AS equal
FROM act_st_mid_s, stickiness(s, 30) k JOIN sql USING (day);

-- Size: what a user costs.  One user active on two days 10 million days
-- apart: bytes, not a 1.25 MB bitmap.  Dense daily users: 8 bytes or less
-- each, as in 1.0.
SELECT pg_column_size(activity_agg(1::bigint, d)) AS two_far_days_bytes
FROM (VALUES (date '2000-01-01'), (date '2000-01-01' + 10000000)) v(d);
SELECT pg_column_size(activity_agg(u, d)) AS whole_date_range_bytes, activity_agg(u, d)::text
FROM (VALUES (7::bigint, date '4714-11-24 BC'), (7, date '5874897-12-31')) v(u, d);
SELECT round(pg_column_size(s)::numeric / active_users(s), 2) AS dense_bytes_per_user
FROM (SELECT activity_agg(u, date '2026-01-01' + (u * k) % 30) s FROM generate_series(1, 10000) u, generate_series(1, 10) k) q;
-- The per-user memory follows the active days too (activity_memory_bytes is a diagnostic).
SELECT activity_memory_bytes(s) < 100000 AS small_in_memory FROM act_st;

-- Text input: a day list spelled /gap/gap..., a bitmap spelled +hex; either
-- spelling is accepted for any user; with a day list anywhere, every user is
-- stored in the canonical encoding.
SELECT '(first_day=2026-01-01,last_day=2026-10-28,users=2,activity={5:0/100/200,6:1+03})'::user_activity::text AS lists_and_bitmaps;
-- Bitmaps only, as 1.0 wrote them, one where the day list wins (days 0 and
-- 200: 4 bytes against 27): read as the version 1 value 1.0 stored (so 1.0
-- dumps restore bit for bit); what is built from it is version 2.
SELECT v::text AS read_as_written, substr(kpi_test.send_bytes(v::text, 'user_activity'), 1, 1) AS version_byte,
       (SELECT rollup(x)::text FROM (VALUES (v)) q(x)) AS rebuilt
FROM (SELECT '(first_day=2026-01-01,last_day=2026-07-20,users=1,activity={5:0+0100000000000000000000000000000000000000000000000001})'::user_activity AS v) s;
-- Days 0 and 32 are a bitmap (6 bytes; the list's 3 do not win: a list is
-- stored only at a quarter of the bitmap's bytes or less, see the README).
SELECT '(first_day=2026-01-01,last_day=2026-02-02,users=1,activity={5:0/32})'::user_activity::text AS moderately_sparse;
SELECT '(first_day=2026-01-01,last_day=2026-01-03,users=1,activity={5:0/1/1})'::user_activity::text AS dense_list_stored_as_bitmap;
SELECT kpi_test.error_of($$SELECT '(first_day=2026-01-01,last_day=2026-12-31,users=1,activity={5:0/0})'::user_activity$$);
SELECT kpi_test.error_of($$SELECT '(first_day=2026-01-01,last_day=2026-12-31,users=1,activity={5:0/365})'::user_activity$$);
SELECT kpi_test.error_of($$SELECT '(first_day=2026-01-01,last_day=2026-12-31,users=1,activity={5:0/x})'::user_activity$$);
SELECT kpi_test.error_of($$SELECT '(first_day=2026-01-01,last_day=2026-12-31,users=1,activity={5:0/100/})'::user_activity$$);
SELECT kpi_test.error_of($$SELECT '(first_day=2026-01-01,last_day=2026-12-31,users=1,activity={5:0/100})'::user_activity$$);

-- Binary version 2: a day list record is 0, m, m gaps.
SELECT kpi_test.send_bytes('(first_day=2026-01-01,last_day=2026-12-31,users=1,activity={5:0/100/264})', 'user_activity') AS wire_list;
-- corrupted: a zero gap, more gaps than there are, a truncated gap, lists
-- where the bitmap is stored (days 0, 1; days 0, 32), a bitmap where the list
-- is (days 0, 200)
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x02000000000000002519000026850000000185808080808080808001000002008802', 'user_activity')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x02000000000000002519000026850000000185808080808080808001000005648802', 'user_activity')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x020000000000000025190000268500000001858080808080808080010000026488', 'user_activity')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x020000000000000025190000251a000000018580808080808080800100000101', 'user_activity')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x0200000000000000251900002539000000018580808080808080800100000120', 'user_activity')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x02000000000000002519000025e10000000185808080808080808001001a0100000000000000000000000000000000000000000000000001', 'user_activity')$$);
-- ...but that bitmap is a valid version 1 value (1.0 wrote bitmaps only): it
-- reads, and anything built from it is written in version 2.
SELECT kpi_test.recv_text('\x01000000000000002519000025e10000000185808080808080808001001a0100000000000000000000000000000000000000000000000001', 'user_activity') AS version_1_value;
WITH v AS (SELECT kpi_test.recv_text('\x01000000000000002519000025e10000000185808080808080808001001a0100000000000000000000000000000000000000000000000001', 'user_activity')::user_activity AS s)
SELECT (SELECT rollup(s)::text FROM v) AS rebuilt,
       (SELECT active_users(s, '[2026-07-20,2026-07-21)') FROM v) AS on_day_200,
       (SELECT first_day(s, '[2026-01-02,)') FROM v) AS first_after_day_0,
       (SELECT kpi_test.send_bytes(rollup(s)::text, 'user_activity') FROM v) AS rebuilt_wire;
