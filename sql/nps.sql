-- nps(), nps_agg(), rollup(nps_summary), accessors, score_counts, interval.
-- Every result is compared with the FILTER formula written out in SQL.
\i test/regress_helpers.sql
\pset null '(null)'

-- Fixture: 3,000 answers over 30 days, spread over all scores, with NULL
-- answers and a NULL segment.
CREATE TABLE nps_answers AS
SELECT i,
       date '2026-03-01' + (i % 30) AS day,
       CASE WHEN i % 13 = 0 THEN NULL ELSE least(10, ((i * 7919) % 11 + (i * 31) % 5))::int END AS score,
       CASE WHEN i % 17 = 0 THEN NULL ELSE (ARRAY['smb', 'mid', 'ent'])[1 + i % 3] END AS segment
FROM generate_series(1, 3000) AS i;

-- The formula: 100 * (count(score >= 9) - count(score <= 6)) / count(score).
CREATE VIEW nps_expected AS
SELECT segment,
       100.0::float8 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score) AS nps,
       count(*) FILTER (WHERE score >= 9) AS promoters,
       count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,
       count(*) FILTER (WHERE score <= 6) AS detractors,
       count(score) AS responses
FROM nps_answers GROUP BY segment;

SELECT segment, abs(a.nps - e.nps) < 1e-12 AS same, round(a.nps::numeric, 4) AS nps
FROM (SELECT segment, nps(score) AS nps FROM nps_answers GROUP BY segment) a
JOIN nps_expected e USING (segment) ORDER BY segment;
SELECT e.segment IS NULL AS null_segment, abs(a.nps - e.nps) < 1e-12 AS same
FROM (SELECT nps(score) AS nps FROM nps_answers WHERE segment IS NULL) a, nps_expected e WHERE e.segment IS NULL;

-- Accessors against the counts.
SELECT segment,
       promoters(s) = e.promoters AND passives(s) = e.passives AND detractors(s) = e.detractors
         AND responses(s) = e.responses AND abs(nps(s) - e.nps) < 1e-12 AS accessors_ok,
       score_counts(s) = (SELECT array_agg(c ORDER BY k)
                          FROM (SELECT k, count(*) FILTER (WHERE a.score = k) AS c
                                FROM generate_series(0, 10) k
                                LEFT JOIN nps_answers a ON a.segment IS NOT DISTINCT FROM x.segment
                                GROUP BY k) q) AS counts_ok
FROM (SELECT segment, nps_agg(score) AS s FROM nps_answers GROUP BY segment) x
JOIN nps_expected e USING (segment) ORDER BY segment;

-- Empty input, all-NULL input, a single row, the extremes.
SELECT nps(score) AS empty, nps_agg(score) AS empty_summary FROM nps_answers WHERE false;
SELECT nps(NULL::int) AS all_null, nps_agg(NULL::int) AS all_null_summary FROM generate_series(1, 3);
SELECT nps(10) AS one_promoter, nps(0) AS one_detractor, nps(7) AS one_passive;
SELECT nps(s), ci_lower(nps_agg(s)), ci_upper(nps_agg(s)) FROM (VALUES (9), (10), (9)) v(s);
SELECT nps(s), ci_lower(nps_agg(s)), ci_upper(nps_agg(s)) FROM (VALUES (0), (6), (3)) v(s);
-- smallint input works through the implicit cast.
SELECT nps(s::smallint) AS from_smallint FROM (VALUES (10), (3), (8)) v(s);
-- Accessors on NULL.
SELECT nps(NULL::nps_summary), promoters(NULL::nps_summary), score_counts(NULL::nps_summary),
       ci_lower(NULL::nps_summary);

-- Confidence interval against NPS ± z·SE written out in SQL.
WITH e AS (SELECT * FROM nps_expected WHERE segment = 'smb'),
     v AS (SELECT nps, promoters::float8 / responses AS pp, detractors::float8 / responses AS pd,
                  responses::float8 AS n FROM e),
     z(conf, z) AS (VALUES (0.95, 1.959963984540054), (0.9, 1.6448536269514722), (0.99, 2.5758293035489004)),
     x AS (SELECT conf, nps - z * 100 * sqrt((pp + pd - (pp - pd) ^ 2) / n) AS lo,
                        nps + z * 100 * sqrt((pp + pd - (pp - pd) ^ 2) / n) AS hi FROM v, z)
SELECT conf, abs(ci_lower(s, conf) - lo) < 1e-9 AS lower_ok, abs(ci_upper(s, conf) - hi) < 1e-9 AS upper_ok,
       round(ci_lower(s, conf)::numeric, 3) AS lower, round(ci_upper(s, conf)::numeric, 3) AS upper
FROM x, (SELECT nps_agg(score) AS s FROM nps_answers WHERE segment = 'smb') q ORDER BY conf;
SELECT ci_lower(s) = ci_lower(s, 0.95) AS default_is_95 FROM (SELECT nps_agg(score) AS s FROM nps_answers) q;
-- Clamped to [-100, 100]: one promoter and one detractor have a wide interval.
SELECT ci_lower(s), ci_upper(s) FROM (SELECT nps_agg(v) AS s FROM (VALUES (10), (0)) t(v)) q;

-- Error paths.
SELECT kpi_test.error_of($$SELECT nps(11)$$);
SELECT kpi_test.error_of($$SELECT nps(-1)$$);
SELECT kpi_test.error_of($$SELECT nps_agg(s) FROM (VALUES (5), (2147483647)) v(s)$$);
SELECT kpi_test.error_of($$SELECT ci_lower(nps_agg(5), 1.5)$$);
SELECT kpi_test.error_of($$SELECT ci_upper(nps_agg(5), 'NaN')$$);
SELECT kpi_test.error_of($$SELECT nps(7.5)$$);

-- rollup() of per-day summaries equals the summary of all rows.
CREATE TABLE nps_daily AS SELECT day, segment, nps_agg(score) AS s FROM nps_answers GROUP BY day, segment;
SELECT (SELECT rollup(s)::text FROM nps_daily) = (SELECT nps_agg(score)::text FROM nps_answers) AS rollup_same;
SELECT segment, abs(nps(rollup(s)) - e.nps) < 1e-12 AS same
FROM nps_daily JOIN nps_expected e USING (segment) GROUP BY segment, e.nps ORDER BY segment;
SELECT rollup(s) AS empty_rollup FROM nps_daily WHERE false;

-- Text form, round trips and rejected input.
SELECT nps_agg(s) FROM (VALUES (0), (6), (7), (9), (10), (10)) v(s);
SELECT '(0=1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1,10=2)'::nps_summary::text
     = (SELECT nps_agg(s)::text FROM (VALUES (0), (6), (7), (9), (10), (10)) v(s)) AS text_matches;
SELECT kpi_test.binary_roundtrip(nps_agg(score)::text, 'nps_summary') = nps_agg(score)::text AS binary_roundtrip
FROM nps_answers;
SELECT kpi_test.error_of($$SELECT '(0=1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1)'::nps_summary$$);
SELECT kpi_test.error_of($$SELECT '(0=1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1,10=2,11=0)'::nps_summary$$);
SELECT kpi_test.error_of($$SELECT '(0=-1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1,10=2)'::nps_summary$$);
SELECT kpi_test.error_of($$SELECT '(0=9223372036854775807,1=1,2=0,3=0,4=0,5=0,6=0,7=0,8=0,9=0,10=0)'::nps_summary$$);
SELECT kpi_test.error_of($$SELECT 'nps'::nps_summary$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(substring(kpi_test.send_bytes('(0=1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1,10=2)', 'nps_summary') from 1 for 80), 'nps_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(0=1,1=0,2=0,3=0,4=0,5=0,6=1,7=1,8=0,9=1,10=2)', 'nps_summary') placing '\xff' from 2), 'nps_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x00', 'nps_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x01' || int8send(9223372036854775807) || int8send(1) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0) || int8send(0), 'nps_summary')$$);

-- Moving window: a rolling NPS over ROWS 9 PRECEDING equals the FILTER
-- formula per frame computed by a self-join.
CREATE TABLE nps_seq AS SELECT i, score FROM nps_answers WHERE i <= 400;
SELECT count(*) AS frames, count(*) FILTER (WHERE w.v IS NOT DISTINCT FROM j.v
                                              OR abs(w.v - j.v) < 1e-12) AS equal
FROM (SELECT i, nps(score) OVER (ORDER BY i ROWS 9 PRECEDING) AS v FROM nps_seq) w
JOIN (SELECT a.i, 100.0::float8 * (count(*) FILTER (WHERE b.score >= 9) - count(*) FILTER (WHERE b.score <= 6))
                  / nullif(count(b.score), 0) AS v
      FROM nps_seq a JOIN nps_seq b ON b.i BETWEEN a.i - 9 AND a.i GROUP BY a.i) j USING (i);
-- A rolling 7-day NPS (RANGE frame over dates) equals the formula over the
-- answers of the 7 days ending on each row's day.
SELECT count(*) AS rows, count(*) FILTER (WHERE abs(w.v - j.v) < 1e-12) AS equal
FROM (SELECT day, nps(score) OVER (ORDER BY day RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW) AS v
      FROM nps_answers) w
JOIN (SELECT d.day, 100.0::float8 * (count(*) FILTER (WHERE a.score >= 9) - count(*) FILTER (WHERE a.score <= 6))
                    / count(a.score) AS v
      FROM (SELECT DISTINCT day FROM nps_answers) d
      JOIN nps_answers a ON a.day BETWEEN d.day - 6 AND d.day GROUP BY d.day) j USING (day);

-- Serial and forced-parallel plans give identical results.
CREATE TABLE nps_big AS
SELECT i % 7 AS g, CASE WHEN i % 19 = 0 THEN NULL ELSE ((i * 2654435761) % 11)::int END AS score
FROM generate_series(1, 100000) i;
ANALYZE nps_big;
CREATE TEMP TABLE nps_serial AS SELECT g, nps(score) AS v, nps_agg(score)::text AS s FROM nps_big GROUP BY g;
-- Small tables get a fixed worker count, so the plan does not depend on statistics.
ALTER TABLE nps_daily SET (parallel_workers = 2);
ANALYZE nps_daily;
ALTER TABLE nps_big SET (parallel_workers = 2);
ANALYZE nps_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT g, nps(score), nps_agg(score) FROM nps_big GROUP BY g;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.v = s.v AND p.s = s.s) AS identical
FROM (SELECT g, nps(score) AS v, nps_agg(score)::text AS s FROM nps_big GROUP BY g) p JOIN nps_serial s USING (g);
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM nps_daily;
SELECT rollup(s)::text = (SELECT nps_agg(score)::text FROM nps_answers) AS parallel_rollup FROM nps_daily;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
