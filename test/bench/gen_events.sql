-- test/bench/gen_events.sql — the benchmark's events table: :rows AI-assistant
-- interactions over 90 days (fixed seed), one column per KPI family's input.
--   psql -v rows=10000000 -f test/bench/gen_events.sql
SELECT setseed(0.42);
DROP TABLE IF EXISTS events;
CREATE UNLOGGED TABLE events AS
SELECT i AS id,
       timestamptz '2026-01-01 00:00:00+00' + (random() * interval '90 days') AS ts,
       (1 + floor(power(random(), 3) * 1000000))::bigint AS user_id,
       random() < 0.82 AS completed,
       CASE WHEN random() < 0.3 THEN random() < 0.85 END AS thumbs_up,
       CASE WHEN random() < 0.2 THEN 1 + floor(random() * 5)::int END AS stars,
       CASE WHEN random() < 0.1 THEN least(10, floor(random() * 11 + random() * 3))::int END AS nps_score,
       random() AS relevance, random() AS accuracy, random() AS completeness, random() AS tone,
       exp(5.5 + 0.9 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS latency_ms
FROM generate_series(1, :rows) AS i;
ALTER TABLE events SET LOGGED;
VACUUM ANALYZE events;
