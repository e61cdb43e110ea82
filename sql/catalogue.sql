-- The README's KPI catalogue: every recipe run on small fixtures whose answers
-- are counted by hand (and, where the guides give one, the guides' own worked
-- example).  The tables carry the generic names the README's recipes use, in
-- their own schema.
\i test/regress_helpers.sql
\pset null '(null)'
SET TimeZone = 'UTC';
CREATE SCHEMA kpi_catalogue;
SET search_path = kpi_catalogue, public;

-- 20 AI interactions, built so every share is a round number:
--   completed i <= 14 (14/20 = 0.70), thumbs up i % 5 <> 0 (16/20 = 0.80),
--   stars 1 + i % 5 (2,3,4,5,1,...: 4-5 stars 8/20 = 0.40, mean 3.0),
--   escalated i % 4 = 0 (5/20 = 0.25), correct first i % 4 <> 0 (15/20 = 0.75),
--   hallucinated i = 7 (1/20 = 0.05), harmful none (0), intent right except
--   i = 3, 11 (18/20 = 0.90), quality 0.9/0.8/1.0/0.5 (= 0.36+0.32+0.10+0.05 = 0.83),
--   latency i/10 s (P50 = 1.0, P95 = 1.9, P99 = 2.0 by nearest rank),
--   turns 1 + i % 6 (sum 68, mean 3.4), cost $0.04 each,
--   AI used on even i; converted: AI users i <= 12 (6/10), others i <= 7 (4/10).
CREATE TABLE interactions AS
SELECT i AS id, 'u' || (i % 7) AS user_id, i <= 14 AS completed, i % 5 <> 0 AS thumbs_up,
       1 + i % 5 AS stars, i % 4 = 0 AS escalated, i % 4 <> 0 AS correct_first,
       i = 7 AS hallucinated, false AS harmful,
       'intent' || (i % 3) AS true_intent,
       CASE WHEN i IN (3, 11) THEN 'other' ELSE 'intent' || (i % 3) END AS predicted_intent,
       0.9::float8 AS relevance, 0.8::float8 AS accuracy, 1.0::float8 AS completeness, 0.5::float8 AS tone,
       i / 10.0::float8 AS latency_s, 1 + i % 6 AS turns, 0.04::numeric AS cost,
       i % 2 = 0 AS used_ai, (i % 2 = 0 AND i <= 12) OR (i % 2 = 1 AND i <= 7) AS converted
FROM generate_series(1, 20) i;

SELECT rate(completed) AS task_completion,          -- 0.70
       rate(thumbs_up) AS usat,                     -- 0.80
       avg(stars) AS usat_stars,                    -- 3.0
       rate(stars >= 4) AS csat,                    -- 0.40
       round(quality_score(relevance, accuracy, completeness, tone)::numeric, 12) AS quality,  -- 0.83
       rate(correct_first) AS first_response_accuracy,  -- 0.75
       rate(escalated) AS escalation,               -- 0.25
       rate(NOT escalated) AS deflection,           -- 0.75
       rate(hallucinated) AS hallucination,         -- 0.05
       rate(harmful) AS harmful_content,            -- 0
       rate(predicted_intent = true_intent) AS intent_accuracy,  -- 0.90
       avg(turns) AS avg_turns,                     -- 3.4
       rate(converted) AS conversion,               -- 0.50
       round(lift(converted, used_ai)::numeric, 12) AS conversion_lift  -- 0.6 / 0.4 - 1 = 0.5
FROM interactions;
SELECT abs(quality_score(relevance, accuracy, completeness, tone) - 0.83) < 1e-12 AS quality_is_083,
       abs(lift(converted, used_ai) - 0.5) < 1e-12 AS lift_is_half
FROM interactions;
-- Latency percentiles within 1% of the nearest-rank values 1.0, 1.9, 2.0.
SELECT p, abs(v - x) <= 0.01 * x AS within_1pct
FROM interactions, LATERAL (SELECT latency_percentiles(latency_s, '{0.5,0.95,0.99}') AS ps FROM interactions) l,
     unnest(l.ps, ARRAY[1.0, 1.9, 2.0], ARRAY[0.5, 0.95, 0.99]) AS u(v, x, p)
WHERE interactions.id = 1 ORDER BY p;

-- Cost per resolution: the guide's worked example, $0.04 per interaction at
-- 70% success = $0.057; from rows: $0.80 spent / 14 resolved = $0.0571.
-- Human: $25/hour at 8 tickets/hour = $3.125; reduction 1 - 0.0571/3.125 = 98.2%.
SELECT round(cost_per_resolution(0.04, 0.70), 3) AS ai_cost_per_resolution,
       round(sum(cost) / count(*) FILTER (WHERE completed), 4) AS from_rows,
       round(25.0 / 8, 3) AS human_cost_per_resolution,
       round(100 * (1 - cost_per_resolution(0.04, 0.70) / (25.0 / 8)), 1) AS cost_reduction_pct
FROM interactions;
SELECT cost_per_resolution(0.04, 0) AS nothing_resolved;
SELECT kpi_test.error_of($$SELECT cost_per_resolution(0.04, 1.5)$$);
SELECT kpi_test.error_of($$SELECT cost_per_resolution(-1, 0.5)$$);

-- NPS: the retention guide's example, 60% promoters and 15% detractors = 45
-- (20 answers: 12 promoters, 5 passives, 3 detractors); the therapy guide's,
-- 60% and 20% = 40.
CREATE TABLE survey AS
SELECT 'a' AS wave, s AS score FROM unnest(ARRAY[9,10,9,10,9,10,9,10,9,10,9,10, 7,8,7,8,7, 3,6,0]) s
UNION ALL
SELECT 'b', s FROM unnest(ARRAY[9,10,9,10,9,10, 7,8, 5,6]) s;
SELECT wave, nps(score) FROM survey GROUP BY wave ORDER BY wave;

-- CRR and churn: the retention guide's example.  1,000 users active in
-- January; 900 of them and 200 new users in February (1,100):
-- CRR = (1,100 - 200) / 1,000 = 90%, churn = 100 / 1,000 = 10%.
-- (previous starts on the first day of the data: churn_rate and
-- customer_retention_rate return NULL with a warning when the summary starts
-- after the start of previous, since history before it would be missing.)
CREATE TABLE user_days AS
SELECT u AS user_id, date '2026-01-10' AS day FROM generate_series(1, 1000) u
UNION ALL SELECT u, date '2026-02-10' FROM generate_series(1, 900) u
UNION ALL SELECT u, date '2026-02-20' FROM generate_series(1001, 1200) u;
SELECT customer_retention_rate(a, '[2026-01-10,2026-02-01)', '[2026-02-01,2026-03-01)') AS crr,
       churn_rate(a, '[2026-01-10,2026-02-01)', '[2026-02-01,2026-03-01)') AS churn,
       active_users(a, '[2026-02-01,2026-03-01)') AS february_users
FROM (SELECT activity_agg(user_id, day) AS a FROM user_days) q;

-- DAU/MAU: 4 users over 4 days, each active on one day: DAU 1, MAU 4 = 25%
-- (the guide's 5,000 / 20,000).
SELECT dau_mau(u, date '2026-03-01' + u - 1) AS dau_mau FROM generate_series(1, 4) u;

-- 90-day retention: 20 users starting 2026-01-01, 9 active again on day 90
-- (2026-04-01): 45% (the therapy guide's 450 / 1,000; band > 40%).  30 days:
-- 12 of 20 on 2026-01-31 = 60%.
CREATE TABLE app_days AS
SELECT u AS user_id, date '2026-01-01' AS day FROM generate_series(1, 20) u
UNION ALL SELECT u, date '2026-04-01' FROM generate_series(1, 9) u
UNION ALL SELECT u, date '2026-01-31' FROM generate_series(1, 12) u;
SELECT retention_rate(user_id, day, 30) AS d30, retention_rate(user_id, day, 90) AS d90 FROM app_days;

-- Session completion: 100 therapy sessions started, 87 completed = 87%
-- (the guide's 870 / 1,000; band > 85%).
CREATE TABLE therapy_sessions AS
SELECT s AS session_id, 'u' || (s % 9) AS user_id, s <= 87 AS completed FROM generate_series(1, 100) s;
SELECT rate(completed) AS session_completion FROM therapy_sessions;

-- MRR: the therapy guide's example, 500 subscribers at $30 and 200 at $50 =
-- $25,000; in February 575 at $30 and 230 at $50 = $28,750 (growth 15%).
-- ARPU = 25,000 / 700 = $35.71.
CREATE TABLE subscriptions AS
SELECT date '2026-01-01' AS month, 'c' || c AS customer_id, 30.00 AS amount, interval '1 month' AS billing_period FROM generate_series(1, 500) c
UNION ALL SELECT date '2026-01-01', 'p' || c, 50.00, interval '1 month' FROM generate_series(1, 200) c
UNION ALL SELECT date '2026-02-01', 'c' || c, 30.00, interval '1 month' FROM generate_series(1, 575) c
UNION ALL SELECT date '2026-02-01', 'p' || c, 50.00, interval '1 month' FROM generate_series(1, 230) c;
SELECT month, mrr(amount, billing_period) AS mrr,
       round(mrr(amount, billing_period) / count(DISTINCT customer_id), 2) AS arpu
FROM subscriptions GROUP BY month ORDER BY month;
SELECT month, m / lag(m) OVER (ORDER BY month) - 1 AS mrr_growth
FROM (SELECT month, mrr(amount, billing_period) AS m FROM subscriptions GROUP BY month) q ORDER BY month;

-- CAC: $15,000 / 250 new paying users = $60 (band $30-100); usage-based CLV:
-- $25 x 18 months = $450; LTV:CAC = 450 / 60 = 7.5 (band >= 3); subscription
-- LTV: ARPU $30 at 5% monthly churn and 80% margin = $480; payback:
-- $60 / ($30 x 0.8) = 2.5 months.
SELECT cac(15000, 250) AS cac, usage_ltv(25, 18) AS usage_clv,
       usage_ltv(25, 18) / cac(15000, 250) AS ltv_to_cac,
       ltv(30, 0.05, 0.8) AS subscription_ltv,
       cac_payback_months(60, 30, 0.8) AS payback_months;
SELECT ltv_cac_ratio(v, c) AS ltv_cac_per_customer
FROM (VALUES (450::numeric, 60::numeric), (300, 60), (600, 60)) t(v, c);  -- 1350 / 180 = 7.5
SELECT kpi_test.error_of($$SELECT usage_ltv(-25, 18)$$);
SELECT kpi_test.error_of($$SELECT usage_ltv(25, 'NaN')$$);

-- Finance: revenue, direct costs (AI hosting, therapist fees) and operating
-- costs per month, plus $30,000 of R&D in month 1.
CREATE TABLE finance (month int, revenue numeric, direct_costs numeric, operating_costs numeric);
INSERT INTO finance VALUES (1, 10000, 2800, 47200), (2, 20000, 5600, 14400), (3, 30000, 8400, 11600),
                           (4, 40000, 11200, 8800), (5, 50000, 14000, 6000);
-- Gross margin month 5: (50,000 - 14,000) / 50,000 = 72% (SaaS band > 70%);
-- gross profit 36,000; net profit 36,000 - 6,000 = 30,000.
SELECT month, revenue - direct_costs AS gross_profit,
       (revenue - direct_costs) / revenue AS gross_margin,
       revenue - direct_costs - operating_costs AS net_profit
FROM finance WHERE month = 5;
-- Break-even: the first month whose cumulative profit is >= 0.  Monthly
-- profit -40,000, 0, 10,000, 20,000, 30,000; cumulative -40k, -40k, -30k,
-- -10k, +20k: month 5.
SELECT min(month) AS break_even_month
FROM (SELECT month, sum(revenue - direct_costs - operating_costs) OVER (ORDER BY month) AS cumulative FROM finance) q
WHERE cumulative >= 0;

-- Uptime: minute probes over one day with one failed probe: known time runs
-- from 00:00 to 23:59 (1,439 minutes), down 1 minute: 1,438 / 1,439 = 99.93%
-- (band > 99.9%).
CREATE TABLE probes AS
SELECT timestamptz '2026-03-01 00:00+00' + m * interval '1 minute' AS checked_at, m <> 600 AS ok
FROM generate_series(0, 1439) m;
SELECT uptime(s) AS uptime, uptime(s) = 1438.0 / 1439 AS uptime_ok, downtime(s), outages(s)
FROM (SELECT uptime_agg(checked_at, ok) AS s FROM probes) q;

-- Support ticket resolution time: 10 tickets taking 1..10 x 5 hours
-- (5h, 10h, ..., 50h): P50 = 25h by nearest rank (within 1%), 4 of 10
-- resolved within 24 hours (band < 24 h).
CREATE TABLE tickets AS
SELECT t AS ticket_id, timestamptz '2026-03-01 08:00+00' AS opened_at,
       timestamptz '2026-03-01 08:00+00' + t * interval '5 hours' AS resolved_at
FROM generate_series(1, 10) t;
SELECT abs(extract(epoch FROM percentile_latency(resolved_at - opened_at, 0.5)) - 25 * 3600) <= 0.01 * 25 * 3600 AS p50_25h,
       rate(resolved_at - opened_at < interval '24 hours') AS within_24h
FROM tickets;

-- Average AI response time: mean and P95 from a latency sketch (seconds):
-- mean of 0.1..2.0 = 1.05.
SELECT abs(mean(latency_agg(latency_s)) - 1.05) < 1e-9 AS mean_105 FROM interactions;

-- Therapist utilization: a day from 09:00 to 17:00 (8 h) with sessions
-- 09:00-10:00 and 11:00-13:00 (3 h): 37.5%.
CREATE TABLE therapist_events (therapist_id int, changed_at timestamptz, status text);
INSERT INTO therapist_events VALUES
  (1, '2026-03-02 09:00+00', 'in_session'), (1, '2026-03-02 10:00+00', 'available'),
  (1, '2026-03-02 11:00+00', 'in_session'), (1, '2026-03-02 13:00+00', 'available'),
  (1, '2026-03-02 17:00+00', 'off');
SELECT therapist_id, state_share(state_agg(changed_at, status), 'in_session') AS utilization,
       duration_in(state_agg(changed_at, status), 'in_session') AS in_session
FROM therapist_events GROUP BY therapist_id;

-- Symptom reduction: PHQ-9 from first to latest measurement, per user
-- 20 -> 10 (50%), 15 -> 12 (20%), 10 -> 10 (0%): mean 23.3%.
CREATE TABLE symptom_scores (user_id text, measured_at date, phq9 int);
INSERT INTO symptom_scores VALUES ('a', '2026-01-01', 20), ('a', '2026-02-01', 14), ('a', '2026-03-01', 10),
  ('b', '2026-01-05', 15), ('b', '2026-03-05', 12), ('c', '2026-01-09', 10), ('c', '2026-02-09', 10);
SELECT round(avg(1 - last::numeric / first), 4) AS symptom_reduction
FROM (SELECT user_id, (array_agg(phq9 ORDER BY measured_at))[1] AS first,
             (array_agg(phq9 ORDER BY measured_at DESC))[1] AS last
      FROM symptom_scores GROUP BY user_id) q;

-- Average sessions per user (30-minute idle gap): user a 3 sessions, b 1,
-- c 2: 6 / 3 = 2.0; the same as counting session_number() by hand.
CREATE TABLE app_events (user_id text, ts timestamptz);
INSERT INTO app_events VALUES
  ('a', '2026-03-01 10:00+00'), ('a', '2026-03-01 10:20+00'), ('a', '2026-03-01 10:50+00'),
  ('a', '2026-03-01 11:21+00'), ('a', '2026-03-02 09:00+00'),
  ('b', '2026-03-01 10:00+00'),
  ('c', '2026-03-01 12:00+00'), ('c', '2026-03-01 12:29+00'), ('c', '2026-03-01 13:30+00');
SELECT sessions_per_user(user_id, ts, '30 minutes') AS sessions_per_user,
       (SELECT avg(n) FROM (SELECT user_id, max(s) AS n
                            FROM (SELECT user_id, session_number(ts, '30 minutes') OVER (PARTITION BY user_id ORDER BY ts) AS s
                                  FROM app_events) e GROUP BY user_id) u)::float8 AS by_session_number
FROM app_events;

-- Repeat query rate (7 days): 20 users; u1 asks the same question again after
-- 3 days (a repeat), u2 after 8 days (not within 7), u3 asks two different
-- questions, the rest ask once: 1 / 20 = 5% (band < 5%, so just outside).
CREATE TABLE queries (user_id text, query text, asked_at timestamptz);
INSERT INTO queries SELECT 'u' || u, 'question ' || u, '2026-03-01 09:00+00' FROM generate_series(1, 20) u;
INSERT INTO queries VALUES ('u1', 'question 1', '2026-03-04 09:00+00'), ('u2', 'question 2', '2026-03-09 09:00+00'),
  ('u3', 'another question', '2026-03-02 09:00+00');
SELECT repeat_query_rate(user_id, lower(query), asked_at) AS repeat_7d,
       repeat_query_rate(user_id, lower(query), asked_at, '10 days') AS repeat_10d
FROM queries;
-- The plain SQL it replaces (note coalesce: a user with one ask is a "no").
SELECT rate(coalesce(repeated, false)) AS by_lag
FROM (SELECT user_id, bool_or(asked_at - prev <= interval '7 days') AS repeated
      FROM (SELECT user_id, asked_at, lag(asked_at) OVER (PARTITION BY user_id, lower(query) ORDER BY asked_at) AS prev
            FROM queries) q GROUP BY user_id) u;

-- The two event-list aggregates against their plain-SQL definitions on random
-- data, in serial and forced-parallel plans.
SELECT setseed(0.25);
CREATE TABLE cat_events AS
SELECT 'u' || floor(random() * 400)::int AS user_id, 'q' || floor(random() * 30)::int AS query,
       timestamptz '2026-01-01 00:00+00' + random() * interval '90 days' AS ts
FROM generate_series(1, 30000);
ANALYZE cat_events;
CREATE TEMP TABLE cat_truth AS
SELECT (SELECT rate(coalesce(repeated, false))
        FROM (SELECT user_id, bool_or(ts - prev <= interval '7 days') AS repeated
              FROM (SELECT user_id, ts, lag(ts) OVER (PARTITION BY user_id, query ORDER BY ts) AS prev FROM cat_events) q
              GROUP BY user_id) u) AS repeat_rate,
       (SELECT avg(n)::float8 FROM (SELECT user_id, max(s) AS n
                                    FROM (SELECT user_id, session_number(ts, '6 hours') OVER (PARTITION BY user_id ORDER BY ts) AS s
                                          FROM cat_events) e GROUP BY user_id) u) AS sessions;
SELECT repeat_query_rate(user_id, query, ts) = (SELECT repeat_rate FROM cat_truth) AS repeat_ok,
       abs(sessions_per_user(user_id, ts, '6 hours') - (SELECT sessions FROM cat_truth)) < 1e-12 AS sessions_ok
FROM cat_events;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT repeat_query_rate(user_id, query, ts), sessions_per_user(user_id, ts, '6 hours') FROM cat_events;
SELECT repeat_query_rate(user_id, query, ts) = (SELECT repeat_rate FROM cat_truth) AS parallel_repeat_ok,
       abs(sessions_per_user(user_id, ts, '6 hours') - (SELECT sessions FROM cat_truth)) < 1e-12 AS parallel_sessions_ok
FROM cat_events;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
-- Empty input, NULL rows, errors.
SELECT repeat_query_rate(user_id, query, ts), sessions_per_user(user_id, ts, '1 hour') FROM cat_events WHERE false;
SELECT repeat_query_rate(u, q, t), sessions_per_user(u, t, '1 hour')
FROM (VALUES (NULL::text, 'q', now()), ('u', NULL, now())) v(u, q, t);
SELECT kpi_test.error_of($$SELECT repeat_query_rate('u', 'q', now(), '0')$$);
SELECT kpi_test.error_of($$SELECT sessions_per_user('u', now(), '-1 hour')$$);
SELECT kpi_test.error_of($$SELECT sessions_per_user('u', 'infinity', '1 hour')$$);
SELECT kpi_test.error_of($$SELECT sessions_per_user(u, now(), w) FROM (VALUES ('a', interval '1 hour'), ('b', '2 hours')) v(u, w)$$);
SELECT kpi_test.error_of($$SELECT repeat_query_final('\x0102'::bytea)$$);
SELECT kpi_test.error_of($$SELECT sessions_per_user_final(repeat_query_accum_7d(NULL, 'u', 'q', now()))$$);
RESET search_path;
