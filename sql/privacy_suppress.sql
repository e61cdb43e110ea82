-- pg_kpi.min_group_size per family (issue 13 §1): every one-step KPI and
-- every accessor returns NULL for a group of fewer than k contributors, and
-- exactly the unsuppressed value otherwise.  Method: compute each result with
-- k = 0, then with k = 4, and compare against a plain-SQL count of the
-- group's contributors (rate: sql/privacy_setting.sql).
\i test/regress_helpers.sql
\pset null '(null)'

-- ===== NPS: responses =====
-- Groups g = 1..7 with g responses (scores spread over 0..10), plus NULL scores
-- that do not count.
CREATE TABLE priv_nps AS
SELECT g, CASE WHEN i = 2 THEN NULL ELSE (g * 7 + i * 5) % 11 END AS score
FROM generate_series(1, 7) AS g, generate_series(1, g + 1) AS i;
CREATE TEMP TABLE priv_nps_ref AS
SELECT g, count(score) AS n, nps_agg(score) AS s, nps(score) AS one_step FROM priv_nps GROUP BY g;
SET pg_kpi.min_group_size = 0;
CREATE TEMP TABLE priv_nps_k0 AS
SELECT g, one_step, nps(s) AS nps, promoters(s) AS p, passives(s) AS pa, detractors(s) AS d,
       responses(s) AS r, score_counts(s) AS sc, ci_lower(s) AS lo, ci_upper(s) AS hi
FROM priv_nps_ref;
SET pg_kpi.min_group_size = 4;
SELECT r.g, r.n,
       nps(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.nps END AS nps_ok,
       (SELECT nps(score) FROM priv_nps x WHERE x.g = r.g) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.one_step END AS one_step_ok,
       promoters(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.p END AS promoters_ok,
       passives(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.pa END AS passives_ok,
       detractors(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.d END AS detractors_ok,
       responses(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.r END AS responses_ok,
       score_counts(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.sc END AS score_counts_ok,
       ci_lower(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.lo END AS ci_lower_ok,
       ci_upper(r.s) IS NOT DISTINCT FROM CASE WHEN r.n >= 4 THEN k0.hi END AS ci_upper_ok,
       nps(r.s) IS NULL AS hidden
FROM priv_nps_ref r JOIN priv_nps_k0 k0 USING (g) ORDER BY r.g;
-- Moving window: frames of 1..3 non-NULL scores are hidden.
SELECT i, nps(score) OVER w IS NULL AS hidden, count(score) OVER w < 4 AS expected_hidden
FROM (SELECT row_number() OVER () AS i, score FROM priv_nps WHERE g = 7) q
WINDOW w AS (ORDER BY i ROWS 3 PRECEDING) ORDER BY i;

-- ===== Quality scores: responses =====
CREATE TABLE priv_quality AS
SELECT g, (i % 5) / 4.0 AS rel, ((i + 1) % 5) / 4.0 AS acc, ((i + g) % 3) / 2.0 AS com,
       (i % 2)::float8 AS tone
FROM generate_series(1, 6) AS g, generate_series(1, g) AS i;
SET pg_kpi.min_group_size = 0;
CREATE TEMP TABLE priv_quality_k0 AS
SELECT g, count(*) AS n, quality_score(rel, acc, com, tone) AS qs,
       quality_score(rel, acc, com, tone, ARRAY[0.25, 0.25, 0.25, 0.25]) AS qs_w,
       weighted_score(ARRAY[rel, acc], ARRAY[0.5, 0.5]) AS ws,
       quality_agg(rel, acc, com, tone) AS s,
       weighted_score_agg(ARRAY[rel, acc], ARRAY[0.5, 0.5]) AS ws_s
FROM priv_quality GROUP BY g;
SET pg_kpi.min_group_size = 4;
SELECT k0.g, k0.n,
       q.qs IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.qs END AS quality_score_ok,
       q.qs_w IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.qs_w END AS custom_weights_ok,
       q.ws IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.ws END AS weighted_score_ok,
       quality_score(k0.s) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.qs END AS accessor_ok,
       weighted_score(k0.ws_s) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.ws END AS ws_accessor_ok,
       responses(k0.s) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.n END AS responses_ok,
       weights(k0.s) AS weights_not_hidden
FROM priv_quality_k0 k0
JOIN (SELECT g, quality_score(rel, acc, com, tone) AS qs,
             quality_score(rel, acc, com, tone, ARRAY[0.25, 0.25, 0.25, 0.25]) AS qs_w,
             weighted_score(ARRAY[rel, acc], ARRAY[0.5, 0.5]) AS ws
      FROM priv_quality GROUP BY g) q USING (g)
ORDER BY k0.g;
SELECT i, quality_score(rel, acc, com, tone) OVER w IS NULL AS hidden, i < 4 AS expected_hidden
FROM (SELECT row_number() OVER () AS i, * FROM priv_quality WHERE g = 6) q
WINDOW w AS (ORDER BY i ROWS 3 PRECEDING) ORDER BY i;

-- ===== Latency: values =====
CREATE TABLE priv_latency AS
SELECT g, 10.0 + (i * 37 % 17) AS ms, make_interval(secs => 1 + i % 7) AS took
FROM generate_series(1, 6) AS g, generate_series(1, g) AS i;
SET pg_kpi.min_group_size = 0;
CREATE TEMP TABLE priv_latency_k0 AS
SELECT g, count(*) AS n, latency_agg(ms) AS s, latency_agg(took) AS ds,
       percentile_latency(ms, 0.5) AS p50, latency_percentiles(ms, ARRAY[0.5, 0.9]) AS ps,
       percentile_latency(took, 0.9) AS d90, latency_percentiles(took, ARRAY[0.5]) AS dps
FROM priv_latency GROUP BY g;
CREATE TEMP TABLE priv_latency_acc_k0 AS
SELECT g, percentile(s, 0.5) AS p, percentiles(s, ARRAY[0.1, 0.99]) AS pp,
       percentile_rank(s, 15) AS pr, num_values(s) AS nv, mean(s) AS m,
       min_value(s) AS mn, max_value(s) AS mx,
       percentile_interval(ds, 0.5) AS pi, percentiles_interval(ds, ARRAY[0.5, 0.9]) AS pis
FROM priv_latency_k0;
SET pg_kpi.min_group_size = 4;
SELECT k0.g, k0.n,
       q.p50 IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.p50 END AS percentile_latency_ok,
       q.ps IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.ps END AS latency_percentiles_ok,
       q.d90 IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.d90 END AS interval_percentile_ok,
       q.dps IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.dps END AS interval_percentiles_ok,
       percentile(k0.s, 0.5) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.p END AS percentile_ok,
       percentiles(k0.s, ARRAY[0.1, 0.99]) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.pp END AS percentiles_ok,
       percentile_rank(k0.s, 15) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.pr END AS rank_ok,
       num_values(k0.s) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.n END AS num_values_ok,
       mean(k0.s) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.m END AS mean_ok,
       min_value(k0.s) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.mn END AS min_ok,
       max_value(k0.s) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.mx END AS max_ok,
       percentile_interval(k0.ds, 0.5) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.pi END AS pi_ok,
       percentiles_interval(k0.ds, ARRAY[0.5, 0.9]) IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN a.pis END AS pis_ok,
       relative_accuracy(k0.s) AS accuracy_not_hidden
FROM priv_latency_k0 k0 JOIN priv_latency_acc_k0 a USING (g)
JOIN (SELECT g, percentile_latency(ms, 0.5) AS p50, latency_percentiles(ms, ARRAY[0.5, 0.9]) AS ps,
             percentile_latency(took, 0.9) AS d90, latency_percentiles(took, ARRAY[0.5]) AS dps
      FROM priv_latency GROUP BY g) q USING (g)
ORDER BY k0.g;
-- Moving windows (the moving-aggregate state), float8 and interval forms.
SELECT i, percentile_latency(ms, 0.5) OVER w IS NULL AS p_hidden,
       latency_percentiles(ms, ARRAY[0.5]) OVER w IS NULL AS ps_hidden,
       percentile_latency(took, 0.5) OVER w IS NULL AS interval_hidden,
       latency_percentiles(took, ARRAY[0.5]) OVER w IS NULL AS intervals_hidden,
       i < 4 AS expected_hidden
FROM (SELECT row_number() OVER () AS i, * FROM priv_latency WHERE g = 6) q
WINDOW w AS (ORDER BY i ROWS 3 PRECEDING) ORDER BY i;

-- ===== Activity: users =====
-- Users 1..12: user u starts on 2026-01-05 + (5u mod 14) and comes back every
-- third day, u mod 4 times.
CREATE TABLE priv_events AS
SELECT u, date '2026-01-05' + (u * 5) % 14 + 3 * d AS day
FROM generate_series(1, 12) AS u, generate_series(0, u % 4) AS d;
-- Groups: the first g users for g = 1..6 (and all 12).
CREATE TEMP TABLE priv_act AS
SELECT g, activity_agg(u, day) AS s, count(DISTINCT u) AS n,
       count(DISTINCT u) FILTER (WHERE day >= '2026-01-10' AND day < '2026-01-17') AS n_week2,
       count(DISTINCT u) FILTER (WHERE day < '2026-01-10') AS n_week1
FROM (SELECT * FROM generate_series(1, 6) AS g UNION ALL SELECT 12) gg
JOIN priv_events e ON e.u <= gg.g GROUP BY g;
SET pg_kpi.min_group_size = 0;
CREATE TEMP TABLE priv_act_k0 AS
SELECT g, dau_mau(s) AS dm, retention_rate(s, 3) AS rr, retention_rate(s, 3, 'on_or_after') AS rr2,
       churn_rate(s, daterange('2026-01-06', '2026-01-10'), daterange('2026-01-10', '2026-01-17')) AS churn,
       customer_retention_rate(s, daterange('2026-01-06', '2026-01-10'), daterange('2026-01-10', '2026-01-17')) AS crr,
       active_users(s) AS au, active_users(s, daterange('2026-01-10', '2026-01-17')) AS au_week2,
       first_day(s) AS fd, last_day(s) AS ld,
       first_day(s, daterange('2026-01-10', '2026-01-17')) AS fd_week2,
       last_day(s, daterange('2026-01-10', '2026-01-17')) AS ld_week2
FROM priv_act;
CREATE TEMP TABLE priv_act_one_k0 AS
SELECT g, dau_mau(u, day) AS dm, retention_rate(u, day, 3) AS rr
FROM (SELECT * FROM generate_series(1, 6) AS g UNION ALL SELECT 12) gg
JOIN priv_events e ON e.u <= gg.g GROUP BY g;
SET pg_kpi.min_group_size = 4;
SELECT a.g, a.n, a.n_week1, a.n_week2,
       dau_mau(a.s) IS NOT DISTINCT FROM CASE WHEN a.n >= 4 THEN k0.dm END AS dau_mau_ok,
       o.dm IS NOT DISTINCT FROM CASE WHEN a.n >= 4 THEN o0.dm END AS dau_mau_agg_ok,
       active_users(a.s) IS NOT DISTINCT FROM CASE WHEN a.n >= 4 THEN k0.au END AS active_users_ok,
       active_users(a.s, daterange('2026-01-10', '2026-01-17')) IS NOT DISTINCT FROM
           CASE WHEN a.n_week2 >= 4 THEN k0.au_week2 END AS active_users_during_ok,
       churn_rate(a.s, daterange('2026-01-06', '2026-01-10'), daterange('2026-01-10', '2026-01-17'))
           IS NOT DISTINCT FROM CASE WHEN a.n_week1 >= 4 THEN k0.churn END AS churn_ok,
       customer_retention_rate(a.s, daterange('2026-01-06', '2026-01-10'), daterange('2026-01-10', '2026-01-17'))
           IS NOT DISTINCT FROM CASE WHEN a.n_week1 >= 4 THEN k0.crr END AS crr_ok,
       first_day(a.s) IS NOT DISTINCT FROM CASE WHEN a.n >= 4 THEN k0.fd END AS first_day_ok,
       last_day(a.s) IS NOT DISTINCT FROM CASE WHEN a.n >= 4 THEN k0.ld END AS last_day_ok,
       first_day(a.s, daterange('2026-01-10', '2026-01-17')) IS NOT DISTINCT FROM
           CASE WHEN a.n_week2 >= 4 THEN k0.fd_week2 END AS first_day_during_ok,
       last_day(a.s, daterange('2026-01-10', '2026-01-17')) IS NOT DISTINCT FROM
           CASE WHEN a.n_week2 >= 4 THEN k0.ld_week2 END AS last_day_during_ok
FROM priv_act a JOIN priv_act_k0 k0 USING (g) JOIN priv_act_one_k0 o0 USING (g)
JOIN (SELECT g, dau_mau(u, day) AS dm
      FROM (SELECT * FROM generate_series(1, 6) AS g UNION ALL SELECT 12) gg
      JOIN priv_events e ON e.u <= gg.g GROUP BY g) o USING (g)
ORDER BY a.g;
-- retention_rate: the group is the users old enough (first day + 3 <= last day of the summary).
WITH firsts AS (SELECT u, min(day) AS f FROM priv_events GROUP BY u),
     elig AS (SELECT a.g, count(*) FILTER (WHERE f.f + 3 <= (SELECT max(day) FROM priv_events e WHERE e.u <= a.g)) AS n_eligible
              FROM priv_act a JOIN firsts f ON f.u <= a.g GROUP BY a.g)
SELECT a.g, e.n_eligible,
       retention_rate(a.s, 3) IS NOT DISTINCT FROM CASE WHEN e.n_eligible >= 4 THEN k0.rr END AS retention_rate_ok,
       retention_rate(a.s, 3, 'on_or_after') IS NOT DISTINCT FROM CASE WHEN e.n_eligible >= 4 THEN k0.rr2 END AS on_or_after_ok,
       (SELECT retention_rate(u, day, 3) FROM priv_events x WHERE x.u <= a.g)
           IS NOT DISTINCT FROM CASE WHEN e.n_eligible >= 4 THEN o0.rr END AS retention_rate_agg_ok
FROM priv_act a JOIN elig e USING (g) JOIN priv_act_k0 k0 USING (g) JOIN priv_act_one_k0 o0 USING (g)
ORDER BY a.g;
-- stickiness(): each day's group is the users active in its window (the mau
-- column, counted here in plain SQL).
WITH days AS (SELECT d::date AS day FROM generate_series('2026-01-05'::date, '2026-01-27', '1 day') AS d),
     win AS (SELECT d.day, count(DISTINCT e.u) AS mau FROM days d
             JOIN priv_events e ON e.day BETWEEN d.day - 6 AND d.day GROUP BY d.day)
SELECT count(*) AS days, count(*) FILTER (WHERE w.mau < 4) AS small_days,
       bool_and((st.mau IS NULL) = (w.mau < 4)) AS hidden_exactly_when_small,
       bool_and(st.dau IS NULL AND st.dau_mau IS NULL OR w.mau >= 4) AS all_columns_hidden,
       bool_and(st.mau IS NULL OR st.mau = w.mau) AS shown_mau_matches_sql
FROM stickiness((SELECT s FROM priv_act WHERE g = 12), 7) st JOIN win w USING (day);
-- retention(): a cohort smaller than k shows its cells with NULL counts and rate
-- (users 1..6: weekly cohorts of 4 and 2 users).
WITH firsts AS (SELECT u, min(day) AS f FROM priv_events WHERE u <= 6 GROUP BY u),
     cohorts AS (SELECT date_trunc('week', f)::date AS cohort, count(*) AS size FROM firsts GROUP BY 1)
SELECT r.cohort, c.size AS sql_size, count(*) AS cells,
       bool_and(r.cohort_size IS NULL AND r.retained IS NULL AND r.rate IS NULL) AS all_hidden,
       bool_and(r.cohort_size = c.size) AS all_shown
FROM retention((SELECT s FROM priv_act WHERE g = 6), 'week', 3) r JOIN cohorts c USING (cohort)
GROUP BY r.cohort, c.size ORDER BY r.cohort;

-- ===== Revenue: rows =====
-- Groups g = 1..6 of g customers; amounts billed monthly or yearly.
CREATE TABLE priv_revenue AS
SELECT g, i, (i * 10)::numeric AS amount,
       CASE WHEN i % 2 = 0 THEN interval '1 month' ELSE interval '1 year' END AS period,
       (i * 3)::numeric AS cost, (i * 10 + g)::numeric AS end_mrr
FROM generate_series(1, 6) AS g, generate_series(1, g) AS i;
-- NULL amounts are not rows of mrr().
INSERT INTO priv_revenue SELECT 3, 100 + i, NULL, interval '1 month', 1, 1 FROM generate_series(1, 3) AS i;
SET pg_kpi.min_group_size = 0;
CREATE TEMP TABLE priv_revenue_k0 AS
SELECT g, count(amount) AS n, mrr(amount, period) AS mrr, ltv_cac_ratio(amount, cost) AS lc,
       count(*) FILTER (WHERE amount > 0) AS n_start,
       net_revenue_retention(amount, end_mrr) AS nrr, gross_revenue_retention(amount, end_mrr) AS grr,
       count(*) AS n_rows
FROM priv_revenue WHERE amount IS NOT NULL OR g = 3 GROUP BY g;
SET pg_kpi.min_group_size = 4;
SELECT k0.g, k0.n, k0.n_rows,
       q.mrr IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.mrr END AS mrr_ok,
       q.lc IS NOT DISTINCT FROM CASE WHEN k0.n >= 4 THEN k0.lc END AS ltv_cac_ok,
       q.nrr IS NOT DISTINCT FROM CASE WHEN k0.n_start >= 4 THEN k0.nrr END AS nrr_ok,
       q.grr IS NOT DISTINCT FROM CASE WHEN k0.n_start >= 4 THEN k0.grr END AS grr_ok
FROM priv_revenue_k0 k0
JOIN (SELECT g, mrr(amount, period) AS mrr,
             ltv_cac_ratio(amount, cost) FILTER (WHERE amount IS NOT NULL) AS lc,
             net_revenue_retention(amount, end_mrr) FILTER (WHERE amount IS NOT NULL) AS nrr,
             gross_revenue_retention(amount, end_mrr) FILTER (WHERE amount IS NOT NULL) AS grr
      FROM priv_revenue GROUP BY g) q USING (g)
ORDER BY k0.g;
-- mrr() in a moving window: frames of fewer than 4 rows are hidden.
SELECT i, mrr(amount, period) OVER (ORDER BY i ROWS 3 PRECEDING) IS NULL AS hidden, i < 4 AS expected_hidden
FROM priv_revenue WHERE g = 6 ORDER BY i;
-- The states count their rows (a {0, rows} pair in mrr's; a third element in
-- the pair states); a rollup of partial states is judged by the merged count.
SELECT mrr_accum(NULL, 10, '1 month') AS mrr_state, ltv_cac_accum('{0,0}', 10, 2) AS pair_state;
SELECT mrr_final(mrr_combine(mrr_accum(mrr_accum(NULL, 10, '1 month'), 5, '1 year'),
                             mrr_accum(mrr_accum(NULL, 1, '1 month'), 2, '1 month'))) AS four_rows_shown,
       mrr_final(mrr_combine(mrr_accum(NULL, 10, '1 month'), mrr_accum(NULL, 1, '1 month'))) AS two_rows_hidden;
-- A state without a count (as 1.0 built them) counts as 0 rows: hidden under k > 0.
SELECT mrr_final('{2629800000000,10}') AS no_count_hidden, ltv_cac_final('{10,2}') AS no_count_pair_hidden;
SET pg_kpi.min_group_size = 0;
SELECT mrr_final('{2629800000000,10}') AS no_count_shown_at_0, ltv_cac_final('{10,2}') AS pair_shown_at_0;
-- Invalid row counts are rejected.
SELECT kpi_test.error_of($$SELECT mrr_final('{0,-1,2629800000000,10}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{0,1.5,2629800000000,10}')$$);
SELECT kpi_test.error_of($$SELECT mrr_final('{0,1,0,2,2629800000000,10}')$$);
SELECT kpi_test.error_of($$SELECT ltv_cac_final('{10,2,-3}')$$);
SELECT kpi_test.error_of($$SELECT ltv_cac_final('{10,2,3,4}')$$);

RESET pg_kpi.min_group_size;
