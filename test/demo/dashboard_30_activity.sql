-- KPI dashboard, part 3: user activity — DAU/MAU, weekly retention cohorts,
-- churn and customer retention month over month, the stickiness trend, and
-- sessions.  One user_activity summary per day is stored (as a materialized
-- view would) and everything else is read from rollups of those summaries.
\pset footer off
CREATE TEMP TABLE daily_activity AS
SELECT date_trunc('day', ts)::date AS day, product, activity_agg(user_id, ts) AS s
FROM interactions GROUP BY 1, 2;

\echo
\echo '== DAU/MAU stickiness over the quarter (exact; zero-activity days count) =='
SELECT coalesce(product, 'all products') AS product,
       active_users(s) AS active_users,
       round(100 * dau_mau(s)::numeric, 2) || '%' AS "DAU/MAU",
       round(100 * retention_rate(s, 7)::numeric, 1) || '%' AS "day-7 retention",
       round(100 * retention_rate(s, 30, 'on_or_after')::numeric, 1) || '%' AS "day-30+ retention"
FROM (SELECT product, rollup(s) AS s FROM daily_activity GROUP BY ROLLUP (product)) r
ORDER BY product NULLS LAST;

\echo
\echo '== Weekly retention cohorts (share of each signup week active in week k; complete weeks only) =='
WITH r AS (SELECT c.* FROM (SELECT rollup(s) AS s FROM daily_activity) a, retention(a.s, 'week', 8) c)
SELECT cohort, max(cohort_size) AS users,
       max(to_char(100 * rate, 'FM990') || '%') FILTER (WHERE period = 0) AS w0,
       max(to_char(100 * rate, 'FM990') || '%') FILTER (WHERE period = 1) AS w1,
       max(to_char(100 * rate, 'FM990') || '%') FILTER (WHERE period = 2) AS w2,
       max(to_char(100 * rate, 'FM990') || '%') FILTER (WHERE period = 3) AS w3,
       max(to_char(100 * rate, 'FM990') || '%') FILTER (WHERE period = 4) AS w4,
       max(to_char(100 * rate, 'FM990') || '%') FILTER (WHERE period = 6) AS w6,
       max(to_char(100 * rate, 'FM990') || '%') FILTER (WHERE period = 8) AS w8
FROM r GROUP BY cohort ORDER BY cohort;

\echo
\echo '== Churn and customer retention rate (CRR), month over month =='
WITH a AS (SELECT rollup(s) AS s FROM daily_activity),
     m(previous, current) AS (VALUES (daterange('2026-08-01', '2026-09-01'), daterange('2026-09-01', '2026-10-01')),
                                     (daterange('2026-09-01', '2026-10-01'), daterange('2026-10-01', '2026-11-01')))
SELECT to_char(lower(previous), 'Mon') || ' -> ' || to_char(lower(current), 'Mon') AS months,
       active_users(s, previous) AS "active before",
       active_users(s, current) AS "active after",
       round(100 * churn_rate(s, previous, current)::numeric, 1) || '%' AS churn,
       round(100 * customer_retention_rate(s, previous, current)::numeric, 1) || '%' AS "CRR"
FROM a, m ORDER BY lower(previous);

\echo
\echo '== Stickiness trend (rolling 30-day DAU/MAU, PostHog definition; every 7th day) =='
SELECT st.day, st.dau, st.mau AS "30-day actives", round(100 * st.dau_mau::numeric, 1) || '%' AS "DAU/MAU"
FROM (SELECT rollup(s) AS s FROM daily_activity) a, stickiness(a.s, 30) st
WHERE (st.day - first_day(a.s)) % 7 = 6 ORDER BY st.day;

\echo
\echo '== Sessions (a new session after 30 idle minutes), by product =='
SELECT product, count(DISTINCT (user_id, session)) AS sessions,
       round(count(*)::numeric / count(DISTINCT (user_id, session)), 2) AS "interactions per session",
       round(count(DISTINCT (user_id, session))::numeric / count(DISTINCT user_id), 2) AS "sessions per user"
FROM (SELECT product, user_id,
             session_number(ts, interval '30 minutes') OVER (PARTITION BY product, user_id ORDER BY ts) AS session
      FROM interactions) s
GROUP BY product ORDER BY product;
