-- latency_sketch, latency_agg(), rollup(), percentile_latency(),
-- latency_percentiles(), accessors, moving windows, errors.
-- Every percentile is checked against percentile_disc (nearest rank) with the
-- guarantee |r - x_k| <= alpha * x_k; equalities are checked against
-- independent plain-SQL computations.
\i test/regress_helpers.sql
\pset null '(null)'

-- Fixtures: deterministic data sets (fixed seed), 20,000 rows each.
SELECT setseed(0.3);
CREATE TABLE lat_data AS
SELECT 'lognormal' AS dist, i, exp(3 + 1.2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS x
FROM generate_series(1, 20000) i
UNION ALL
SELECT 'pareto', i, 5 / power(1 - random(), 1 / 1.1) FROM generate_series(1, 20000) i
UNION ALL
SELECT 'bimodal', i, CASE WHEN i % 2 = 0 THEN 20 ELSE 2000 END
                     * exp(0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
FROM generate_series(1, 20000) i
UNION ALL
SELECT 'constant', i, 42.5 FROM generate_series(1, 1000) i
UNION ALL
SELECT 'with_zeros', i, CASE WHEN i % 5 = 0 THEN 0 WHEN i % 7 = 0 THEN 1e-320 ELSE random() * 10 END
FROM generate_series(1, 5000) i
UNION ALL
SELECT 'uniform_small', i, random() * 0.001 FROM generate_series(1, 5000) i
UNION ALL
SELECT 'tiny1', 1, 7.25
UNION ALL
SELECT 'tiny2', i, i * 3.5 FROM generate_series(1, 2) i
UNION ALL
SELECT 'tiny3', i, (ARRAY[12.0, 0.5, 900.0])[i] FROM generate_series(1, 3) i;
CREATE TABLE lat_p (p float8);
INSERT INTO lat_p VALUES (0), (0.01), (0.5), (0.9), (0.95), (0.99), (0.999), (1);

-- Accuracy: every data set, every p, one-step and two-step forms, within alpha = 1%
-- of percentile_disc; p = 0 and p = 1 are the exact min and max.
WITH exact AS (
    SELECT d.dist, p.p, percentile_disc(p.p) WITHIN GROUP (ORDER BY d.x) AS xk,
           percentile_latency(d.x, p.p) AS one_step
    FROM lat_data d, lat_p p GROUP BY d.dist, p.p),
sk AS (SELECT dist, latency_agg(x) AS s FROM lat_data GROUP BY dist)
SELECT e.dist, count(*) AS ps,
       count(*) FILTER (WHERE abs(e.one_step - e.xk) <= 0.01 * e.xk) AS one_step_ok,
       count(*) FILTER (WHERE abs(percentile(sk.s, e.p) - e.xk) <= 0.01 * e.xk) AS two_step_ok,
       count(*) FILTER (WHERE percentile(sk.s, e.p) = e.one_step) AS forms_agree,
       bool_and(percentile(sk.s, 0) = (SELECT min(x) FROM lat_data m WHERE m.dist = e.dist)
                AND percentile(sk.s, 1) = (SELECT max(x) FROM lat_data m WHERE m.dist = e.dist)) AS exact_ends
FROM exact e JOIN sk USING (dist) GROUP BY e.dist ORDER BY e.dist;

-- A constant column gives the constant for every p; tiny inputs are exact where
-- the rank is the first or last one.
SELECT latency_percentiles(x, ARRAY(SELECT p FROM lat_p ORDER BY p)) AS constant
FROM lat_data WHERE dist = 'constant';
SELECT dist, latency_percentiles(x, '{0,0.5,1}') AS p0_p50_p100 FROM lat_data
WHERE dist LIKE 'tiny%' GROUP BY dist ORDER BY dist;

-- latency_percentiles equals percentile_latency for each p, in the order asked.
SELECT dist, latency_percentiles(x, '{0.99,0.5,0.95}')
             = ARRAY[percentile_latency(x, 0.99), percentile_latency(x, 0.5), percentile_latency(x, 0.95)] AS same
FROM lat_data GROUP BY dist ORDER BY dist;

-- Other accuracies: the bound scales with alpha (checked at 0.0001, 0.001, 0.05, 0.1).
-- 4096 buckets cover a ratio of gamma^4095 between the largest and smallest
-- value (only 2.27 at alpha = 0.0001); below max / gamma^4095 buckets are
-- collapsed and only the percentiles above it keep the guarantee.
WITH a(alpha) AS (VALUES (0.0001::float8), (0.001), (0.05), (0.1)),
exact AS (SELECT d.dist, p.p, percentile_disc(p.p) WITHIN GROUP (ORDER BY d.x) AS xk, max(d.x) AS mx
          FROM lat_data d, lat_p p GROUP BY d.dist, p.p),
sk AS (SELECT a.alpha, d.dist, latency_agg(d.x, a.alpha) AS s FROM lat_data d, a GROUP BY a.alpha, d.dist)
SELECT sk.alpha, count(*) AS checks,
       count(*) FILTER (WHERE e.covered) AS covered,
       count(*) FILTER (WHERE e.covered AND abs(percentile(sk.s, e.p) - e.xk) <= sk.alpha * e.xk) AS covered_within_alpha,
       bool_and(relative_accuracy(sk.s) = sk.alpha) AS alpha_kept
FROM sk JOIN LATERAL (SELECT *, xk = 0 OR (xk >= 2.2250738585072014e-308 AND
                                 ln(xk) >= ln(mx) - 4094 * ln((1 + sk.alpha) / (1 - sk.alpha))) AS covered
                      FROM exact WHERE exact.dist = sk.dist) e ON true
GROUP BY sk.alpha ORDER BY sk.alpha;
-- The bound is not trivially loose: at alpha = 0.1 some answers are more than 1% off.
SELECT count(*) FILTER (WHERE abs(percentile(s, 0.5) - xk) > 0.01 * xk) > 0 AS coarse_is_coarser
FROM (SELECT dist, latency_agg(x, 0.1) AS s, percentile_disc(0.5) WITHIN GROUP (ORDER BY x) AS xk
      FROM lat_data WHERE dist IN ('lognormal', 'pareto', 'bimodal', 'with_zeros', 'uniform_small')
      GROUP BY dist) q;

-- Accessors against plain SQL.
SELECT dist,
       num_values(s) = n AS count_ok, min_value(s) = mn AS min_ok, max_value(s) = mx AS max_ok,
       abs(mean(s) - av) <= 1e-12 * av AS mean_ok, relative_accuracy(s) = 0.01 AS alpha_ok
FROM (SELECT dist, latency_agg(x) AS s, count(x) AS n, min(x) AS mn, max(x) AS mx, avg(x) AS av
      FROM lat_data GROUP BY dist) q ORDER BY dist;
-- percentile_rank: the share of values <= v, within the share of values in v's bucket.
WITH v(v) AS (VALUES (1.0), (10.0), (20.0), (100.0), (2000.0)),
r AS (SELECT d.dist, v.v, percentile_rank(s.s, v.v) AS approx,
             (SELECT count(*) FILTER (WHERE x <= v.v * 0.98)::float8 / count(*) FROM lat_data x WHERE x.dist = d.dist) AS lo,
             (SELECT count(*) FILTER (WHERE x <= v.v * 1.02)::float8 / count(*) FROM lat_data x WHERE x.dist = d.dist) AS hi
      FROM (SELECT DISTINCT dist FROM lat_data) d, v,
           LATERAL (SELECT latency_agg(x) AS s FROM lat_data WHERE dist = d.dist) s)
SELECT dist, count(*) FILTER (WHERE approx BETWEEN lo AND hi) = count(*) AS rank_ok
FROM r GROUP BY dist ORDER BY dist;
SELECT percentile_rank(s, -1) AS below_min, percentile_rank(s, 0.5) AS at_min,
       percentile_rank(s, 900) AS at_max, percentile_rank(s, 1e300) AS above_max
FROM (SELECT latency_agg(x) AS s FROM lat_data WHERE dist = 'tiny3') q;

-- Zeros and subnormals go to the zero bucket; the text form shows it.
SELECT latency_agg(x) FROM (VALUES (0.0::float8), (0), (1e-320), (-0.0), (1), (2)) v(x);
SELECT percentile(s, 0.5) AS p50, percentile(s, 0.6) AS p60, min_value(s), max_value(s)
FROM (SELECT latency_agg(x) AS s FROM (VALUES (0.0::float8), (0), (1e-320), (1), (2)) v(x)) q;

-- Empty input, all-NULL input, one row, NULL groups, NULL p.
SELECT latency_agg(x) AS empty, percentile_latency(x, 0.5) AS empty_p, latency_percentiles(x, '{0.5}') AS empty_ps
FROM lat_data WHERE false;
SELECT latency_agg(NULL::float8) AS all_null, percentile_latency(NULL::float8, 0.5) AS all_null_p,
       latency_percentiles(NULL::float8, '{0.5}') AS all_null_ps FROM generate_series(1, 5);
SELECT latency_agg(3.25) AS one_row, percentile_latency(3.25, 0.5) AS one_p,
       latency_percentiles(3.25, '{0,0.5,1}') AS one_ps;
SELECT percentile_latency(x, NULL) AS null_p, latency_percentiles(x, NULL) AS null_ps
FROM lat_data WHERE dist = 'tiny3';
SELECT latency_percentiles(x, '{}') AS no_ps, latency_percentiles(x, '{0.5,NULL,1}') AS null_element
FROM lat_data WHERE dist = 'tiny3';
SELECT percentiles(s, '{1,NULL,0}'), percentiles(s, '{}') FROM (SELECT latency_agg(x) AS s FROM lat_data WHERE dist = 'tiny3') q;
SELECT g, num_values(latency_agg(x)), percentile_latency(x, 1) = max(x) AS max_ok
FROM (SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 END AS g,
             CASE WHEN i % 10 = 0 THEN NULL ELSE i END::float8 AS x
      FROM generate_series(1, 100) i) q GROUP BY g ORDER BY g;
SELECT percentile(NULL::latency_sketch, 0.5), num_values(NULL::latency_sketch), mean(NULL::latency_sketch),
       percentiles(NULL::latency_sketch, '{0.5}'), percentile_rank(NULL::latency_sketch, 1);

-- Bucket cap: values spanning 1e-40 .. 1e40 need more than 4096 buckets at 1%;
-- the lowest ones are collapsed, at most 4096 remain, the upper percentiles
-- keep the guarantee and the exact min/max are kept.
CREATE TABLE lat_wide AS SELECT i, power(10, -40 + 80 * ((i * 7919) % 10007) / 10006.0)::float8 AS x
FROM generate_series(1, 10007) i;
WITH s AS (SELECT latency_agg(x) AS s FROM lat_wide),
b AS (SELECT count(*) AS buckets, max(k) - min(k) + 1 AS span
      FROM s, regexp_matches(s::text, '(-?\d+):\d+', 'g') m, LATERAL (SELECT m[1]::int AS k) k)
SELECT b.buckets, b.span,
       (SELECT count(*) FILTER (WHERE abs(percentile(s.s, p.p) - xk) <= 0.01 * xk)
        FROM lat_p p, LATERAL (SELECT percentile_disc(p.p) WITHIN GROUP (ORDER BY x) AS xk FROM lat_wide) e
        WHERE p.p >= 0.5) AS upper_ok,
       min_value(s.s) = (SELECT min(x) FROM lat_wide) AS min_exact,
       percentile(s.s, 0.01) AS p01_collapsed
FROM s, b;
-- Collapsing does not depend on the order: rollup of chunks equals all rows.
-- (The float sum is left out: its last bits depend on the order of additions.)
CREATE FUNCTION pg_temp.no_sum(s latency_sketch) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT regexp_replace(s::text, 'sum=[^,]*,', '') $$;
SELECT (SELECT pg_temp.no_sum(rollup(s)) FROM (SELECT latency_agg(x) AS s FROM lat_wide GROUP BY i % 7) c)
     = (SELECT pg_temp.no_sum(latency_agg(x ORDER BY x DESC)) FROM lat_wide) AS collapse_order_free,
       (SELECT pg_temp.no_sum(latency_agg(x ORDER BY x)) FROM lat_wide)
     = (SELECT pg_temp.no_sum(latency_agg(x ORDER BY x DESC)) FROM lat_wide) AS asc_desc_same;
-- The widest possible range: the smallest normal double to the largest.
SELECT num_values(s), min_value(s), max_value(s), percentile(s, 0.9) = 1.7976931348623157e308 AS p90_is_max,
       percentile(s, 0.5) > 1e-300 AS p50_collapsed_upward
FROM (SELECT latency_agg(x) AS s FROM (VALUES (2.2250738585072014e-308), (1.7976931348623157e308), (1e-300)) v(x)) q;
SELECT kpi_test.error_of($$SELECT latency_agg(x) FROM (VALUES (1.7976931348623157e308), (1.7976931348623157e308)) v(x)$$);

-- rollup() of per-hour sketches equals the sketch of all rows, bucket for bucket.
-- Latencies in 1/64 ms make every float sum exact, so the sums must match too.
CREATE TABLE lat_events AS
SELECT i, timestamptz '2026-03-01 00:00+00' + i * interval '37 seconds' AS ts,
       CASE WHEN i % 13 = 0 THEN NULL
            ELSE round(64 * exp(4 + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))) / 64 END AS ms,
       CASE WHEN i % 11 = 0 THEN NULL ELSE 'svc_' || (i % 3) END AS svc
FROM generate_series(1, 30000) i;
CREATE TABLE lat_hourly AS
SELECT date_trunc('hour', ts) AS hour, svc, latency_agg(ms) AS s FROM lat_events GROUP BY 1, 2;
SELECT svc,
       (SELECT rollup(s)::text FROM lat_hourly h WHERE h.svc IS NOT DISTINCT FROM v.svc)
       = (SELECT latency_agg(ms)::text FROM lat_events e WHERE e.svc IS NOT DISTINCT FROM v.svc) AS same_text
FROM (SELECT DISTINCT svc FROM lat_events) v ORDER BY svc;
-- Daily sketches stored in a table roll up to weeks; percentiles from the rollup
-- equal the percentiles of the raw rows' sketch.
SELECT w.week, w.p = r.p AS same, w.n = r.n AS same_count
FROM (SELECT date_trunc('week', hour) AS week, percentiles(rollup(s), '{0.5,0.95,0.99}') AS p, num_values(rollup(s)) AS n
      FROM lat_hourly GROUP BY 1) w
JOIN (SELECT date_trunc('week', ts) AS week, latency_percentiles(ms, '{0.5,0.95,0.99}') AS p, count(ms) AS n
      FROM lat_events GROUP BY 1) r USING (week) ORDER BY w.week;
SELECT rollup(s) AS empty_rollup FROM lat_hourly WHERE false;
SELECT rollup(NULL::latency_sketch) AS null_rollup;
SELECT rollup(s) IS NULL AS nulls_skipped FROM (VALUES (NULL::latency_sketch), (NULL)) v(s);
-- On full-precision latencies the buckets, count, min and max still match exactly;
-- the float sum may differ in its last bits (documented).
SELECT (SELECT pg_temp.no_sum(rollup(s)) FROM (SELECT latency_agg(x) AS s FROM lat_data WHERE dist = 'lognormal' GROUP BY i % 17) c)
     = (SELECT pg_temp.no_sum(latency_agg(x)) FROM lat_data WHERE dist = 'lognormal') AS same_but_sum;

-- Text round trip, binary round trip, and the wire format.
SELECT count(*) AS sketches,
       count(*) FILTER (WHERE s::text::latency_sketch::text = s::text) AS text_roundtrip,
       count(*) FILTER (WHERE kpi_test.binary_roundtrip(s::text, 'latency_sketch') = s::text) AS binary_roundtrip
FROM (SELECT latency_agg(x) AS s FROM lat_data GROUP BY dist
      UNION ALL SELECT latency_agg(x, 0.0001) FROM lat_data GROUP BY dist
      UNION ALL SELECT latency_agg(x) FROM lat_wide) q;
SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})'::latency_sketch;
SELECT ' ( alpha = 0.01 , count = 3 , min = 1.5 , max = 10 , sum = 14 , zero = 0 , buckets = { 21 : 1 , 116 : 2 } ) '::latency_sketch AS blanks_allowed;
SELECT '(alpha=0.05,count=2,min=0,max=0,sum=0,zero=2,buckets={})'::latency_sketch AS zeros_only;
SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2},percentiles={0.5,NULL,1})'::latency_sketch AS with_percentiles;
SELECT kpi_test.binary_roundtrip('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2},percentiles={0.5,NULL,1})', 'latency_sketch') AS binary_with_percentiles;
SELECT kpi_test.send_bytes('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})', 'latency_sketch') AS wire_format;
-- Stored sizes: a few hundred bytes to a few KB for typical latencies.
SELECT dist, pg_column_size(s) < 4096 AS under_4kb, octet_length(s::text) > 0 AS has_text
FROM (SELECT dist, latency_agg(x) AS s FROM lat_data GROUP BY dist) q ORDER BY dist;
CREATE TABLE lat_store AS SELECT dist, latency_agg(x) AS s FROM lat_data GROUP BY dist;
SELECT count(*) FILTER (WHERE l.s::text = (SELECT latency_agg(x)::text FROM lat_data d WHERE d.dist = l.dist)) AS stored_equal
FROM lat_store l;

-- Errors: latencies.
SELECT kpi_test.error_of($$SELECT latency_agg(-1)$$);
SELECT kpi_test.error_of($$SELECT latency_agg('NaN'::float8)$$);
SELECT kpi_test.error_of($$SELECT latency_agg('Infinity'::float8)$$);
SELECT kpi_test.error_of($$SELECT percentile_latency(-0.5, 0.5)$$);
SELECT kpi_test.error_of($$SELECT latency_percentiles('-Infinity'::float8, '{0.5}')$$);
SELECT kpi_test.error_of($$SELECT latency_agg(-1, 0.01)$$);
-- Errors: percentiles out of range (22003, as percentile_disc).
SELECT kpi_test.error_of($$SELECT percentile_latency(1, 1.5)$$);
SELECT kpi_test.error_of($$SELECT percentile_latency(1, -0.01)$$);
SELECT kpi_test.error_of($$SELECT percentile_latency(1, 'NaN')$$);
SELECT kpi_test.error_of($$SELECT latency_percentiles(1, '{0.5,2}')$$);
SELECT kpi_test.error_of($$SELECT percentile(latency_agg(1), 2)$$);
SELECT kpi_test.error_of($$SELECT percentiles(latency_agg(1), '{NaN}')$$);
SELECT kpi_test.error_of($$SELECT latency_percentiles(1, '{{0.5},{0.9}}')$$);
SELECT kpi_test.error_of($$SELECT latency_percentiles(1, array_fill(0.5::float8, ARRAY[1001]))$$);
SELECT kpi_test.error_of($$SELECT percentile_rank(latency_agg(1), 'NaN')$$);
-- Errors: p changing within a group.
SELECT kpi_test.error_of($$SELECT percentile_latency(i, CASE WHEN i < 3 THEN 0.5 ELSE 0.9 END) FROM generate_series(1, 5) i$$);
SELECT kpi_test.error_of($$SELECT latency_percentiles(i, CASE WHEN i < 3 THEN '{0.5,0.9}'::float8[] ELSE '{0.5}' END) FROM generate_series(1, 5) i$$);
SELECT kpi_test.error_of($$SELECT percentile_latency(i, i / 10.0) OVER (ORDER BY i ROWS 1 PRECEDING) FROM generate_series(1, 5) i$$);
-- Errors: relative accuracy.
SELECT kpi_test.error_of($$SELECT latency_agg(1, 0.5)$$);
SELECT kpi_test.error_of($$SELECT latency_agg(1, 0.00001)$$);
SELECT kpi_test.error_of($$SELECT latency_agg(1, 'NaN')$$);
SELECT kpi_test.error_of($$SELECT latency_agg(1, NULL)$$);
SELECT kpi_test.error_of($$SELECT latency_agg(i, CASE WHEN i < 3 THEN 0.01 ELSE 0.02 END) FROM generate_series(1, 5) i$$);
-- Errors: merging sketches of different accuracy.
SELECT kpi_test.error_of($$SELECT rollup(s) FROM (SELECT latency_agg(1, 0.01) UNION ALL SELECT latency_agg(1, 0.02)) v(s)$$);
-- Errors: counts that would overflow.
SELECT kpi_test.error_of($$SELECT rollup(s) FROM (VALUES ('(alpha=0.01,count=9223372036854775807,min=1,max=1,sum=1,zero=0,buckets={0:9223372036854775807})'::latency_sketch),
                                                          ('(alpha=0.01,count=1,min=1,max=1,sum=1,zero=0,buckets={0:1})')) v(s)$$);

-- Errors: corrupted text input (22P02).
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=4,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=10,max=1.5,sum=14,zero=0,buckets={21:1,116:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.5,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={116:2,21:1})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,21:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:3,9999999:0})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=1e300,sum=14,zero=0,buckets={21:1,99999:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:-2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={25:1,116:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,117:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=1e100,sum=14,zero=0,buckets={21:1,11513:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=0,min=0,max=0,sum=0,zero=0,buckets={})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=1,min=1,max=1,sum=NaN,zero=0,buckets={0:1})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=1,min=1,max=1,sum=1,zero=0,buckets={0:1},percentiles={1.5})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=1,min=1,max=1,sum=1,zero=0,buckets={0:1}'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=1,min=1,max=1,sum=1,zero=0,buckets={0:1}) x'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(count=1,alpha=0.01,min=1,max=1,sum=1,zero=0,buckets={0:1})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=1,min=1,max=1,sum=1,zero=0,buckets={0:1 1:1})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=1,min=1,max=1,sum=1,zero=0,buckets={99999999999:1})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT ''::latency_sketch$$);
-- The sum must lie between count * min and count * max (the mean between min
-- and max): a mean of 1e300 with max 1 is rejected, and so is a sum below
-- count * min.  A float sum as 1.0 accumulated it (ten 0.1 add up to
-- 0.9999999999999999 < 10 * 0.1) still reads.
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=1,min=1,max=1,sum=1e300,zero=0,buckets={0:1})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=2,min=1,max=1,sum=1,zero=0,buckets={0:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=2,min=1,max=2,sum=4.5,zero=0,buckets={0:1,35:1})'::latency_sketch$$);
SELECT mean(s) = 0.9999999999999999::float8 / 10 AS mean_is_sum_over_count, num_values(s)
FROM (SELECT '(alpha=0.01,count=10,min=0.1,max=0.1,sum=0.9999999999999999,zero=0,buckets={-115:10})'::latency_sketch) v(s);
SELECT left(e, 5) AS sqlstate, substring(e FROM 'DETAIL: .*') AS detail
FROM kpi_test.error_of(format('SELECT %L::latency_sketch',
    '(alpha=0.01,count=4097,min=1,max=1e35,sum=1,zero=0,buckets={'
    || (SELECT string_agg(k || ':1', ',') FROM generate_series(0, 4096) k) || '})')) e;

-- Ranks near 2^63: with 2^63-1 and 2^63-512 values, p = 1 is the maximum and
-- p = 0 the minimum (the rank ceil(p * count) must not overflow).
SELECT num_values(s), percentile(s, 1) AS p100, percentile(s, 0) AS p0, percentile(s, 0.5) AS p50,
       percentiles(s, '{0,1}') AS both
FROM (VALUES ('(alpha=0.01,count=9223372036854775807,min=1,max=2,sum=9223372036854775808,zero=0,buckets={0:9223372036854775806,35:1})'::latency_sketch),
             ('(alpha=0.01,count=9223372036854775296,min=1,max=2,sum=9223372036854775808,zero=0,buckets={0:9223372036854775295,35:1})')) v(s);

-- Errors: corrupted binary input (22P03).  The valid payload is
-- version 01, flags 00, 0 percentiles, 2 buckets, first index 21, alpha,
-- count 3, zero 0, sum, min, max, then varints: 01 (count) 5f (delta 95) 02 (count).
SELECT kpi_test.recv_text('\x010000000000000200000015' || '\x3f847ae147ae147b'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x015f02', 'latency_sketch') AS valid_payload;
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x030000000000000200000015' || '\x3f847ae147ae147b'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x015f02', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x010000000000000200000015' || '\x3f847ae147ae147b'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x015f', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x010000000000000200000015' || '\x3f847ae147ae147b'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x015f02ff', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x01000000' || '\x7fffffff'::bytea || '\x00000015' || '\x3f847ae147ae147b' || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x015f02', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x010000000000000200000015' || '\x3f847ae147ae147b'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x01ffffffffffffffffffff7f02', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x010000000000000200000015' || '\x7ff8000000000000'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x015f02', 'latency_sketch')$$);
-- Over-long varints are rejected (one encoding per value): the first count 1
-- as 81 00, then the index delta 95 as df 00.
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x010000000000000200000015' || '\x3f847ae147ae147b'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x81005f02', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x010000000000000200000015' || '\x3f847ae147ae147b'::bytea || '\x0000000000000003' || '\x0000000000000000'
                          || '\x402c000000000000' || '\x3ff8000000000000' || '\x4024000000000000' || '\x01df0002', 'latency_sketch')$$);
-- Format version 2 (the wire_format above): the float8 sum (bytes 37-44)
-- must be the rounding of the exact sum's limbs (first limb index at 61-62,
-- number of limbs at 63-64, limbs from 65), whose first and last limbs are
-- not zero and which fit in the accumulator.
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})', 'latency_sketch') placing '\x402e000000000000' from 37), 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})', 'latency_sketch') placing '\x0000000000000000' from 65), 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})', 'latency_sketch') placing '\x0022' from 61), 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})', 'latency_sketch') placing '\x0024' from 63), 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})', 'latency_sketch') placing '\x0012' from 61), 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x0100ffff0000000200000015', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x01', 'latency_sketch')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('', 'latency_sketch')$$);

-- Reproducible sketches: the sum is exact (rounded once, when read), so a
-- sketch depends only on the multiset of its rows.  The values mix 2^40 +
-- k/1024 and k/1024 (each exact in float8 and in numeric): their float8
-- running sum depends on the order, their exact sum does not.  Serial,
-- forced-parallel and rollup-of-parts sketches give the same text, 5 runs
-- each, and mean() is the numeric sum rounded to float8 over the count.
CREATE TABLE lat_repro AS
SELECT i, xn, xn::float8 AS x
FROM (SELECT i, CASE WHEN i % 3 = 0 THEN 1099511627776 ELSE 0 END + ((i::bigint * 7919) % 100003) / 1024.0 AS xn
      FROM generate_series(1, 200000) i) q;
ANALYZE lat_repro;
SELECT count(*) FILTER (WHERE x <> xn::float8) AS inexact_values,
       sum(x ORDER BY i) = sum(x ORDER BY i DESC) AS float8_sum_order_independent FROM lat_repro;
SELECT latency_agg(x)::text AS serial_text, (sum(xn)::float8 / count(*)) AS numeric_mean FROM lat_repro \gset
SELECT mean(:'serial_text'::latency_sketch) = :numeric_mean AS mean_is_exact_sum_rounded,
       :'serial_text' ~ 'sum=[0-9.e+]+\+' AS sum_has_several_terms;
SELECT count(*) FILTER (WHERE s = :'serial_text') AS serial_same_of_5
FROM (SELECT (SELECT latency_agg(x)::text FROM lat_repro WHERE r > 0) AS s FROM generate_series(1, 5) r) v;
SELECT count(*) FILTER (WHERE s = :'serial_text') AS rollup_same_of_5
FROM (SELECT (SELECT rollup(d)::text FROM (SELECT latency_agg(x) AS d FROM lat_repro
                                            WHERE r > 0 GROUP BY (i * r) % 10) parts) AS s
      FROM generate_series(1, 5) r) v;
SELECT :'serial_text'::latency_sketch::text = :'serial_text' AS text_roundtrip,
       kpi_test.binary_roundtrip(:'serial_text', 'latency_sketch') = :'serial_text' AS binary_roundtrip;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT latency_agg(x) FROM lat_repro;
SELECT latency_agg(x)::text = :'serial_text' AS parallel_1 FROM lat_repro;
SELECT latency_agg(x)::text = :'serial_text' AS parallel_2 FROM lat_repro;
SELECT latency_agg(x)::text = :'serial_text' AS parallel_3 FROM lat_repro;
SELECT latency_agg(x)::text = :'serial_text' AS parallel_4 FROM lat_repro;
SELECT latency_agg(x)::text = :'serial_text' AS parallel_5 FROM lat_repro;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
-- The text form of 1.0 (one float8 sum) still reads with the same answers,
-- and an exact sum's terms may be given in any split that adds up.
SELECT s::text, mean(s), percentile(s, 0.5)
FROM (VALUES ('(alpha=0.01,count=3,min=1.5,max=10,sum=14,zero=0,buckets={21:1,116:2})'::latency_sketch),
             ('(alpha=0.01,count=10,min=0.1,max=0.1,sum=0.9999999999999999,zero=0,buckets={-115:10})'),
             ('(alpha=0.01,count=3,min=1.5,max=10,sum=7+7,zero=0,buckets={21:1,116:2})'),
             ('(alpha=0.01,count=3,min=1.5,max=10,sum=14+1e-300,zero=0,buckets={21:1,116:2})')) v(s);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=10,sum=14+-1,zero=0,buckets={21:1,116:2})'::latency_sketch$$);
SELECT kpi_test.error_of($$SELECT '(alpha=0.01,count=3,min=1.5,max=1e308,sum=1e308+1e308,zero=0,buckets={21:1,116:2})'::latency_sketch$$);

-- Moving window: a rolling P95 over ROWS 99 PRECEDING equals, for every frame,
-- the percentile of the sketch of that frame's rows (self-join), and stays within
-- 1% of percentile_disc over the frame.  The data has NULLs, zeros, a rising run
-- (the oldest row is the frame's minimum) and a falling run (it is the maximum).
CREATE TABLE lat_seq AS
SELECT i, CASE WHEN i % 17 = 0 THEN NULL
               WHEN i % 23 = 0 THEN 0
               WHEN i BETWEEN 400 AND 700 THEN i::float8
               WHEN i BETWEEN 800 AND 1100 THEN (2000 - i)::float8
               ELSE exp(3 + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) END AS x
FROM generate_series(1, 2000) i;
SELECT count(*) AS frames,
       count(*) FILTER (WHERE w.r IS NOT DISTINCT FROM j.r) AS equal_to_frame_sketch,
       count(*) FILTER (WHERE abs(w.r - j.xk) <= 0.01 * j.xk) AS within_alpha
FROM (SELECT i, percentile_latency(x, 0.95) OVER (ORDER BY i ROWS 99 PRECEDING) AS r FROM lat_seq) w
JOIN (SELECT a.i, percentile(latency_agg(b.x), 0.95) AS r, percentile_disc(0.95) WITHIN GROUP (ORDER BY b.x) AS xk
      FROM lat_seq a JOIN lat_seq b ON b.i BETWEEN a.i - 99 AND a.i GROUP BY a.i) j USING (i);
-- Several percentiles (some in the zero bucket, one NULL), a frame reaching
-- forward, min and max at the frame edges.
SELECT count(*) AS frames, count(*) FILTER (WHERE w.r IS NOT DISTINCT FROM j.r) AS equal_to_frame_sketch
FROM (SELECT i, latency_percentiles(x, '{0,0.03,0.1,0.5,0.99,NULL,1}') OVER (ORDER BY i ROWS BETWEEN 20 PRECEDING AND 5 FOLLOWING) AS r FROM lat_seq) w
JOIN (SELECT a.i, percentiles(latency_agg(b.x), '{0,0.03,0.1,0.5,0.99,NULL,1}') AS r
      FROM lat_seq a JOIN lat_seq b ON b.i BETWEEN a.i - 20 AND a.i + 5 GROUP BY a.i) j USING (i);
-- RANGE frames over peers, and partitions.
SELECT count(*) AS rows, count(*) FILTER (WHERE w.r IS NOT DISTINCT FROM j.r) AS equal_to_frame_sketch
FROM (SELECT i, percentile_latency(x, 0.5) OVER (PARTITION BY i % 3 ORDER BY i / 10 RANGE BETWEEN 4 PRECEDING AND CURRENT ROW) AS r FROM lat_seq) w
JOIN (SELECT a.i, percentile(latency_agg(b.x), 0.5) AS r
      FROM lat_seq a JOIN lat_seq b ON b.i % 3 = a.i % 3 AND b.i / 10 BETWEEN a.i / 10 - 4 AND a.i / 10 GROUP BY a.i) j USING (i);
-- A frame spanning more than 4096 buckets (collapsed) is recomputed, still equal.
SELECT count(*) AS frames, count(*) FILTER (WHERE w.r IS NOT DISTINCT FROM j.r) AS equal_to_frame_sketch
FROM (SELECT i, latency_percentiles(x, '{0.01,0.5,0.99}') OVER (ORDER BY i ROWS 50 PRECEDING) AS r FROM lat_wide WHERE i <= 600) w
JOIN (SELECT a.i, percentiles(latency_agg(b.x), '{0.01,0.5,0.99}') AS r
      FROM lat_wide a JOIN lat_wide b ON b.i BETWEEN a.i - 50 AND a.i WHERE a.i <= 600 GROUP BY a.i) j USING (i);
-- Frames holding only NULLs give NULL.
SELECT i, x, percentile_latency(x, 0.5) OVER (ORDER BY i ROWS 1 PRECEDING) AS p50
FROM (VALUES (1, 5.0::float8), (2, NULL), (3, NULL), (4, 7.0), (5, 0)) v(i, x) ORDER BY i;

-- Serial and forced-parallel plans give identical results.
CREATE TABLE lat_big AS
SELECT i, i % 5 AS g,
       CASE WHEN i % 19 = 0 THEN NULL ELSE exp(4 + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) END AS x
FROM generate_series(1, 200000) i;
ALTER TABLE lat_big ADD COLUMN q float8;
UPDATE lat_big SET q = round(x * 64) / 64;
ANALYZE lat_big;
CREATE TEMP TABLE lat_serial AS
SELECT g, percentile_latency(x, 0.95) AS p95, latency_percentiles(x, '{0.5,0.99}') AS ps,
       latency_agg(q)::text AS s_exact_sums, pg_temp.no_sum(latency_agg(x)) AS s_no_sum,
       mean(latency_agg(x)) AS mean
FROM lat_big GROUP BY g;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT g, percentile_latency(x, 0.95), latency_percentiles(x, '{0.5,0.99}'), latency_agg(q), latency_agg(x)
FROM lat_big GROUP BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE p.p95 = s.p95 AND p.ps = s.ps AND p.s_exact_sums = s.s_exact_sums
                        AND p.s_no_sum = s.s_no_sum AND abs(p.mean - s.mean) <= 1e-12 * s.mean) AS identical
FROM (SELECT g, percentile_latency(x, 0.95) AS p95, latency_percentiles(x, '{0.5,0.99}') AS ps,
             latency_agg(q)::text AS s_exact_sums, pg_temp.no_sum(latency_agg(x)) AS s_no_sum,
             mean(latency_agg(x)) AS mean
      FROM lat_big GROUP BY g) p
JOIN lat_serial s USING (g);
EXPLAIN (COSTS OFF) SELECT percentile_latency(x, 0.5), latency_agg(x, 0.02) FROM lat_big;
SELECT percentile_latency(x, 0.5) = percentile(latency_agg(x), 0.5) AS agree
FROM lat_big;
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM lat_hourly;
SELECT rollup(s)::text = (SELECT latency_agg(ms)::text FROM lat_events) AS parallel_rollup FROM lat_hourly;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- The transition and combine functions take flat sketches as well as expanded
-- ones: a user aggregate whose initial state is a flat sketch (INITCOND), and
-- direct calls outside any aggregate, which must not change their arguments.
CREATE AGGREGATE pg_temp.latency_after_seed(float8) (
    SFUNC = latency_accum, STYPE = latency_sketch, FINALFUNC = latency_sketch_final,
    INITCOND = '(alpha=0.01,count=2,min=0.5,max=12,sum=12.5,zero=0,buckets={-34:1,125:1})');
SELECT pg_temp.latency_after_seed(x)::text
       = (SELECT latency_agg(y)::text FROM (VALUES (0.5::float8), (12), (0.5), (12), (900)) v(y)) AS seeded_equal
FROM (VALUES (0.5::float8), (12), (900)) v(x);
SELECT latency_accum(s, 900) AS plus_900, s AS unchanged
FROM (SELECT '(alpha=0.01,count=2,min=0.5,max=12,sum=12.5,zero=0,buckets={-34:1,125:1})'::latency_sketch AS s) q;
SELECT latency_combine(s, s) AS doubled, latency_combine(NULL, s)::text = s::text AS null_first, latency_combine(s, NULL)::text = s::text AS null_second
FROM (SELECT '(alpha=0.01,count=2,min=0.5,max=12,sum=12.5,zero=0,buckets={-34:1,125:1})'::latency_sketch AS s) q;

-- Hash aggregation that spills to disk (tiny work_mem) gives the same sketches
-- as sorted aggregation.
SET work_mem = '64kB';
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE lat_spill AS
SELECT i % 3000 AS g, ((i * 7919) % 1000)::float8 + 0.25 AS x FROM generate_series(1, 120000) i;
SET enable_sort = off;
CREATE TEMP TABLE lat_hashed AS SELECT g, latency_agg(x)::text AS s, percentile_latency(x, 0.9) AS p FROM lat_spill GROUP BY g;
RESET enable_sort;
SET enable_hashagg = off;
SELECT count(*) AS groups, count(*) FILTER (WHERE h.s = r.s AND h.p = r.p) AS same
FROM lat_hashed h JOIN (SELECT g, latency_agg(x)::text AS s, percentile_latency(x, 0.9) AS p FROM lat_spill GROUP BY g) r USING (g);
RESET enable_hashagg;
RESET max_parallel_workers_per_gather;
RESET work_mem;

-- rollup() as a window over stored daily sketches (a rolling 7-day sketch): each
-- frame's rollup equals the sketch of that frame's raw rows.
CREATE TEMP TABLE lat_days AS
SELECT i % 30 AS day, ((i * 7919) % 1000)::float8 / 4 AS x FROM generate_series(1, 30000) i;
SELECT count(*) AS days,
       count(*) FILTER (WHERE w.s::text = (SELECT latency_agg(x)::text FROM lat_days d WHERE d.day BETWEEN w.day - 6 AND w.day)) AS equal
FROM (SELECT day, rollup(s) OVER (ORDER BY day ROWS 6 PRECEDING) AS s
      FROM (SELECT day, latency_agg(x) AS s FROM lat_days GROUP BY day) daily) w;
-- DISTINCT inside the aggregate, and grouping sets.
SELECT num_values(latency_agg(DISTINCT x)) AS distinct_values FROM lat_days;
SELECT g, percentile_latency(x, 0.5) = percentile_disc(0.5) WITHIN GROUP (ORDER BY x) AS exact_here,
       abs(percentile_latency(x, 0.5) - percentile_disc(0.5) WITHIN GROUP (ORDER BY x))
           <= 0.01 * percentile_disc(0.5) WITHIN GROUP (ORDER BY x) AS within_alpha
FROM (SELECT i % 2 AS g, i::float8 AS x FROM generate_series(1, 10) i) q GROUP BY ROLLUP (g) ORDER BY g;
