-- Durations: the interval overloads of percentile_latency, latency_percentiles
-- and latency_agg, and percentile_interval()/percentiles_interval().
-- Checked against the float8 latency family fed EXTRACT(epoch FROM interval)
-- (same sketch, so equal text) and against percentile_disc over the intervals
-- (within the 1% guarantee).
\i test/regress_helpers.sql
\pset null '(null)'

SELECT setseed(0.15);
CREATE TABLE dur_tickets AS
SELECT i, i % 4 AS team,
       timestamptz '2026-01-01 00:00+00' + (i * 37 % 1440) * interval '1 minute' AS opened_at,
       CASE WHEN i % 23 = 0 THEN NULL
            ELSE round(exp(9 + 1.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) * 1000)
                 * interval '1 millisecond' END AS took
FROM generate_series(1, 4000) i;
ALTER TABLE dur_tickets ADD COLUMN resolved_at timestamptz;
UPDATE dur_tickets SET resolved_at = opened_at + took;
ANALYZE dur_tickets;

-- The sketch of intervals is the sketch of their seconds (EXTRACT(epoch)).
SELECT team, latency_agg(took)::text = latency_agg(extract(epoch FROM took)::float8)::text AS same_sketch,
       latency_agg(took, 0.02)::text = latency_agg(extract(epoch FROM took)::float8, 0.02)::text AS same_sketch_alpha
FROM dur_tickets GROUP BY team ORDER BY team;

-- Percentiles within 1% of percentile_disc over the intervals themselves.
SELECT team, p,
       abs(extract(epoch FROM r) - extract(epoch FROM x)) <= 0.01 * extract(epoch FROM x) AS within_1pct
FROM (SELECT team, p, percentile_latency(took, p) AS r,
             percentile_disc(p) WITHIN GROUP (ORDER BY took) AS x
      FROM dur_tickets, (VALUES (0.5::float8), (0.9), (0.99)) ps(p)
      GROUP BY team, p) q
ORDER BY team, p;

-- The interval results are the float8 results converted (to the microsecond),
-- for the one-step aggregates and the accessors.
SELECT team,
       percentile_latency(took, 0.9) = justify_hours(make_interval(secs => percentile_latency(extract(epoch FROM took)::float8, 0.9))) AS p90_same,
       latency_percentiles(took, '{0,0.5,1}') =
         (SELECT array_agg(justify_hours(make_interval(secs => v)) ORDER BY o)
          FROM unnest(latency_percentiles(extract(epoch FROM took)::float8, '{0,0.5,1}')) WITH ORDINALITY u(v, o)) AS array_same,
       percentile_interval(latency_agg(took), 0.9) = percentile_latency(took, 0.9) AS accessor_same,
       percentiles_interval(latency_agg(took), '{0.5,0.9}') = latency_percentiles(took, '{0.5,0.9}') AS accessors_same,
       latency_percentiles(took, '{0,1}') = ARRAY[min(took), max(took)] AS exact_ends
FROM dur_tickets GROUP BY team ORDER BY team;

-- Months are 30 days and years 365.25 days, as in EXTRACT(epoch); results
-- come back as days of 24 hours plus a time of day, to the microsecond.
SELECT max_value(latency_agg(x)) AS secs, percentile_latency(x, 1) AS back
FROM (VALUES (interval '1 mon'), ('1 year'), ('1 day 02:00:00.25')) v(x) GROUP BY x ORDER BY 1;
SELECT percentile_latency(x, 0.5) AS p50 FROM (VALUES (interval '26 hours'), ('26 hours')) v(x);
SELECT percentile_latency(x, 0.5) AS p50 FROM (VALUES (interval '1 day -2 hours')) v(x);
SELECT percentile_latency(x, 0.5) AS zero FROM (VALUES (interval '0')) v(x);

-- Empty input, all-NULL input, one row.
SELECT percentile_latency(took, 0.5), latency_percentiles(took, '{0.5}'), latency_agg(took)
FROM dur_tickets WHERE false;
SELECT percentile_latency(x, 0.5), latency_percentiles(x, '{0.5}'), latency_agg(x)
FROM (VALUES (NULL::interval), (NULL)) v(x);
SELECT percentile_latency(x, 0.5), latency_percentiles(x, '{0.1,0.9}'), percentile_interval(latency_agg(x), 0.3)
FROM (VALUES (interval '90 seconds')) v(x);
SELECT latency_percentiles(x, '{}') FROM (VALUES (interval '90 seconds')) v(x);
SELECT latency_percentiles(x, '{0.5,NULL}') FROM (VALUES (interval '90 seconds')) v(x);

-- The resolution-time example of the README: P50/P90 and the share resolved
-- within 24 hours, per team, checked against percentile_disc and a count.
SELECT team, percentile_latency(resolved_at - opened_at, 0.5) AS p50,
       percentile_latency(resolved_at - opened_at, 0.9) AS p90,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY took) AS exact_p50,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY took) AS exact_p90,
       rate(resolved_at - opened_at < interval '24 hours') AS within_24h,
       rate(resolved_at - opened_at < interval '24 hours')
         = count(*) FILTER (WHERE took < interval '24 hours')::float8 / count(took) AS rate_checked
FROM dur_tickets GROUP BY team ORDER BY team;

-- Moving-window mode: a rolling P90 over the last 50 tickets equals the
-- percentile recomputed over each frame's rows.
SELECT count(*) AS rows, count(*) FILTER (WHERE w.p90 IS NOT DISTINCT FROM r.p90) AS same
FROM (SELECT i, percentile_latency(took, 0.9) OVER (ORDER BY i ROWS 49 PRECEDING) AS p90
      FROM dur_tickets) w
JOIN LATERAL (SELECT percentile_latency(took, 0.9) AS p90 FROM dur_tickets d
              WHERE d.i BETWEEN w.i - 49 AND w.i) r ON true;
SELECT count(*) AS rows, count(*) FILTER (WHERE w.ps IS NOT DISTINCT FROM r.ps) AS same
FROM (SELECT i, latency_percentiles(took, '{0.5,0.95}') OVER (ORDER BY i ROWS 9 PRECEDING) AS ps
      FROM dur_tickets WHERE i <= 600) w
JOIN LATERAL (SELECT latency_percentiles(took, '{0.5,0.95}') AS ps FROM dur_tickets d
              WHERE d.i BETWEEN w.i - 9 AND w.i) r ON true;
EXPLAIN (COSTS OFF)
SELECT percentile_latency(took, 0.9) OVER (ORDER BY i ROWS 49 PRECEDING) FROM dur_tickets;

-- Serial and forced-parallel plans agree; the plan aggregates partially.
-- (The sketch's float sum depends on the order rows are added, so the
-- sketches are compared by count, extremes and buckets through percentiles.)
CREATE TEMP TABLE dur_serial AS
SELECT team, (SELECT ARRAY[num_values(s)::float8, min_value(s), max_value(s)] || percentiles(s, '{0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.99}')
              FROM (SELECT latency_agg(took) AS s) q)::text AS s, percentile_latency(took, 0.9) AS p90,
       latency_percentiles(took, '{0.5,0.99}') AS ps
FROM dur_tickets GROUP BY team;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT team, latency_agg(took), percentile_latency(took, 0.9), latency_percentiles(took, '{0.5,0.99}')
FROM dur_tickets GROUP BY team;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.s = s.s AND p.p90 = s.p90 AND p.ps = s.ps) AS identical
FROM (SELECT team, (SELECT ARRAY[num_values(s)::float8, min_value(s), max_value(s)] || percentiles(s, '{0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.99}')
                     FROM (SELECT latency_agg(took) AS s) q)::text AS s, percentile_latency(took, 0.9) AS p90,
             latency_percentiles(took, '{0.5,0.99}') AS ps
      FROM dur_tickets GROUP BY team) p JOIN dur_serial s USING (team);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- Errors: negative durations (22003) in every form, bad p, mixed accuracy.
SELECT kpi_test.error_of($$SELECT percentile_latency(x, 0.5) FROM (VALUES (interval '-1 second')) v(x)$$);
SELECT kpi_test.error_of($$SELECT latency_percentiles(x, '{0.5}') FROM (VALUES (interval '1 day -25 hours')) v(x)$$);
SELECT kpi_test.error_of($$SELECT latency_agg(x) FROM (VALUES (interval '-1 mon')) v(x)$$);
SELECT kpi_test.error_of($$SELECT latency_agg(x, 0.01) FROM (VALUES (interval '-1 microsecond')) v(x)$$);
SELECT kpi_test.error_of($$SELECT percentile_latency(x, 0.5) OVER (ROWS 1 PRECEDING) FROM (VALUES (interval '1 s'), (interval '-1 s')) v(x)$$);
SELECT kpi_test.error_of($$SELECT latency_percentiles(x, '{0.5}') OVER (ROWS 1 PRECEDING) FROM (VALUES (interval '-1 s')) v(x)$$);
SELECT kpi_test.error_of($$SELECT percentile_latency(x, 1.5) FROM (VALUES (interval '1 s')) v(x)$$);
SELECT kpi_test.error_of($$SELECT latency_agg(x, 0.5) FROM (VALUES (interval '1 s')) v(x)$$);
SELECT kpi_test.error_of($$SELECT percentile_interval(latency_agg(x), -0.1) FROM (VALUES (interval '1 s')) v(x)$$);
SELECT kpi_test.error_of($$SELECT percentile_interval(latency_agg(x), 0.5) FROM (VALUES (1e300::float8)) v(x)$$);
