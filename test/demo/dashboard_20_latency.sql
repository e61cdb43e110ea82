-- KPI dashboard, part 2: response latency P50/P95/P99 per product, the weekly
-- P95 trend rolled up from stored daily sketches, and a rolling P95.
\pset footer off
\echo
\echo '== Response latency by product (ms; P95 target < 2000 excellent, 2000-5000 acceptable) =='
SELECT product,
       round(p[1]::numeric, 1) AS p50, round(p[2]::numeric, 1) AS p95, round(p[3]::numeric, 1) AS p99,
       n
FROM (SELECT product, latency_percentiles(latency_ms, '{0.5,0.95,0.99}') AS p, count(latency_ms) AS n
      FROM interactions GROUP BY product) q
ORDER BY product;

\echo
\echo '== Weekly latency trend, rolled up from daily sketches (the materialized-view pattern) =='
CREATE TEMP TABLE latency_daily AS
SELECT date_trunc('day', ts) AS day, product, latency_agg(latency_ms) AS sketch
FROM interactions GROUP BY 1, 2;
SELECT to_char(date_trunc('week', day), 'YYYY-MM-DD') AS week,
       round(percentile(rollup(sketch), 0.5)::numeric, 1) AS p50,
       round(percentile(rollup(sketch), 0.95)::numeric, 1) AS p95,
       round(percentile(rollup(sketch), 0.99)::numeric, 1) AS p99,
       round(mean(rollup(sketch))::numeric, 1) AS mean,
       num_values(rollup(sketch)) AS n,
       round(100 * percentile_rank(rollup(sketch), 2000)::numeric, 1) || '%' AS "under 2 s"
FROM latency_daily GROUP BY 1 ORDER BY 1;

\echo
\echo '== Stored size of the daily sketches =='
SELECT count(*) AS sketches, round(avg(pg_column_size(sketch))) AS avg_bytes, max(pg_column_size(sketch)) AS max_bytes
FROM latency_daily;

\echo
\echo '== Rolling P95 over the last 1,000 requests (copilot, last 5 samples) =='
SELECT to_char(ts, 'YYYY-MM-DD HH24:MI') AS at, round(p95::numeric, 1) AS rolling_p95
FROM (SELECT ts, percentile_latency(latency_ms, 0.95) OVER (ORDER BY ts, id ROWS 999 PRECEDING) AS p95
      FROM interactions WHERE product = 'copilot') w
ORDER BY ts DESC LIMIT 5;
