-- quality_score(), weighted_score(), quality_agg(), weighted_score_agg(),
-- rollup(score_summary), accessors and response_quality(), compared with the
-- weighted average written out in SQL.
\i test/regress_helpers.sql
\pset null '(null)'

-- Fixture: 2,000 graded responses over 20 days; some NULL dimensions and a NULL team.
CREATE TABLE quality_grades AS
SELECT i,
       date '2026-05-01' + (i % 20) AS day,
       CASE WHEN i % 23 = 0 THEN NULL ELSE ((i * 7919) % 101) / 100.0 END::float8 AS relevance,
       ((i * 104729) % 97) / 96.0::float8 AS accuracy,
       CASE WHEN i % 29 = 0 THEN NULL ELSE ((i * 31) % 11) / 10.0 END::float8 AS completeness,
       ((i * 17) % 5) / 4.0::float8 AS tone,
       CASE WHEN i % 13 = 0 THEN NULL ELSE 'team_' || (i % 4) END AS team
FROM generate_series(1, 2000) AS i;

-- The default weights: 0.4, 0.4, 0.1, 0.1; rows with a NULL dimension skipped.
SELECT team,
       abs(quality_score(relevance, accuracy, completeness, tone)
           - avg(0.4 * relevance + 0.4 * accuracy + 0.1 * completeness + 0.1 * tone)) < 1e-12 AS same,
       round(quality_score(relevance, accuracy, completeness, tone)::numeric, 6) AS quality
FROM quality_grades GROUP BY team ORDER BY team;
-- Custom weights, and the same rubric through weighted_score().
SELECT team,
       abs(quality_score(relevance, accuracy, completeness, tone, '{0.25,0.25,0.25,0.25}')
           - avg((relevance + accuracy + completeness + tone) / 4)) < 1e-12 AS custom_same,
       abs(weighted_score(ARRAY[relevance, accuracy], ARRAY[0.7, 0.3])
           - avg(0.7 * relevance + 0.3 * accuracy)) < 1e-12 AS rubric_same
FROM quality_grades GROUP BY team ORDER BY team;
-- weighted_score over the four dimensions equals quality_score with the same weights.
SELECT quality_score(relevance, accuracy, completeness, tone)
     = weighted_score(ARRAY[relevance, accuracy, completeness, tone], ARRAY[0.4, 0.4, 0.1, 0.1]) AS same_summary
FROM quality_grades WHERE relevance IS NOT NULL AND completeness IS NOT NULL;

-- Empty, all-NULL and one-row inputs; boundary values 0 and 1.
SELECT quality_score(relevance, accuracy, completeness, tone) AS empty,
       quality_agg(relevance, accuracy, completeness, tone) AS empty_summary
FROM quality_grades WHERE false;
SELECT quality_score(NULL, 1, 1, 1) AS null_dimension, weighted_score(NULL, '{1}') AS null_scores,
       weighted_score_agg('{0.5}', NULL) AS null_weights;
SELECT quality_score(1, 1, 1, 1) AS all_ones, quality_score(0, 0, 0, 0) AS all_zeros,
       quality_score(1, 0, 1, 0) AS mixed, weighted_score('{1}', '{1}') AS one_dimension;
SELECT response_quality(0.9, 0.8, 0.7, 1.0) AS one_response,
       abs(response_quality(0.9, 0.8, 0.7, 1.0) - (0.4 * 0.9 + 0.4 * 0.8 + 0.1 * 0.7 + 0.1 * 1.0)) < 1e-15 AS same,
       response_quality(0.9, 0.8, 0.7, 1.0, '{0,0,0,1}') AS tone_only,
       response_quality(NULL, 0.8, 0.7, 1.0) AS null_in;
-- Weights within 1e-9 of summing to 1 are accepted.
SELECT round(quality_score(0.5, 0.5, 0.5, 0.5, '{0.4,0.4,0.1,0.1000000005}')::numeric, 9) AS nearly_one;

-- The summary and its accessors.
SELECT responses(s) = (SELECT count(*) FROM quality_grades WHERE relevance IS NOT NULL AND completeness IS NOT NULL) AS responses_ok,
       weights(s), quality_score(s) = weighted_score(s) AS same_accessor
FROM (SELECT quality_agg(relevance, accuracy, completeness, tone) AS s FROM quality_grades) q;
SELECT quality_agg(r, a, c, t) FROM (VALUES (1.0, 1.0, 1.0, 1.0), (0.5, 0.5, 0.5, 0.5)) v(r, a, c, t);
SELECT weighted_score_agg(s, '{0.5,0.5}') FROM (VALUES ('{1,0}'::float8[]), ('{0.5,0.5}')) v(s);
SELECT quality_score(NULL::score_summary), responses(NULL::score_summary), weights(NULL::score_summary);

-- Error paths: dimensions, weights, arrays.
SELECT kpi_test.error_of($$SELECT quality_score(1.5, 0, 0, 0)$$);
SELECT kpi_test.error_of($$SELECT quality_score(0, -0.1, 0, 0)$$);
SELECT kpi_test.error_of($$SELECT quality_score(0, 0, 'NaN', 0)$$);
SELECT kpi_test.error_of($$SELECT quality_score(0, 0, 0, 'Infinity')$$);
SELECT kpi_test.error_of($$SELECT quality_score(0.5, 0.5, 0.5, 0.5, '{0.5,0.5,0.5,0.5}')$$);
SELECT kpi_test.error_of($$SELECT quality_score(0.5, 0.5, 0.5, 0.5, '{0.5,0.5}')$$);
SELECT kpi_test.error_of($$SELECT quality_score(0.5, 0.5, 0.5, 0.5, '{1.5,-0.5,0,0}')$$);
SELECT kpi_test.error_of($$SELECT quality_score(0.5, 0.5, 0.5, 0.5, '{NaN,0,0,1}')$$);
SELECT kpi_test.error_of($$SELECT quality_score(0.5, 0.5, 0.5, 0.5, '{0.5,NULL,0.5,0}')$$);
SELECT kpi_test.error_of($$SELECT quality_score(0.5, 0.5, 0.5, 0.5, '{{0.5,0.5},{0,0}}')$$);
SELECT kpi_test.error_of($$SELECT weighted_score('{0.5,0.5,0.5}', '{0.5,0.5}')$$);
SELECT kpi_test.error_of($$SELECT weighted_score('{0.5,2}', '{0.5,0.5}')$$);
SELECT kpi_test.error_of($$SELECT weighted_score('{}', '{}')$$);
SELECT kpi_test.error_of($$SELECT weighted_score(array_fill(0.5::float8, ARRAY[65]), array_fill(1/65.0::float8, ARRAY[65]))$$);
SELECT weighted_score(array_fill(0.5::float8, ARRAY[64]), array_fill(1/64.0::float8, ARRAY[64])) AS max_dimensions;
SELECT kpi_test.error_of($$SELECT response_quality(0.5, 0.5, 0.5, 2)$$);
SELECT kpi_test.error_of($$SELECT response_quality(0.5, 0.5, 0.5, 0.5, '{1,1,1,1}')$$);
-- Weights that change within a group are an error.
SELECT kpi_test.error_of($$SELECT weighted_score(ARRAY[x, x], ARRAY[w, 1 - w]) FROM (VALUES (0.5, 0.3), (0.5, 0.6)) v(x, w)$$);
-- A scores array with a NULL element is skipped, like a NULL dimension.
SELECT weighted_score(s, '{0.5,0.5}') AS null_element_skipped,
       weighted_score_agg(s, '{0.5,0.5}') AS summary
FROM (VALUES ('{1,NULL}'::float8[]), ('{1,0}')) v(s);
SELECT kpi_test.error_of($$SELECT quality_score(0.5, 0.5, 0.5, 0.5, w) FROM (VALUES ('{1,0,0,0}'::float8[]), ('{0,1,0,0}')) v(w)$$);

-- rollup() of per-day summaries equals the summary of all rows, exactly.
CREATE TABLE quality_daily AS
SELECT day, team, quality_agg(relevance, accuracy, completeness, tone) AS s FROM quality_grades GROUP BY day, team;
SELECT (SELECT rollup(s)::text FROM quality_daily)
     = (SELECT quality_agg(relevance, accuracy, completeness, tone)::text FROM quality_grades) AS rollup_exact;
SELECT team, abs(quality_score(rollup(s)) - e.q) < 1e-12 AS same
FROM quality_daily
JOIN (SELECT team, avg(0.4 * relevance + 0.4 * accuracy + 0.1 * completeness + 0.1 * tone) AS q
      FROM quality_grades GROUP BY team) e USING (team)
GROUP BY team, e.q ORDER BY team;
SELECT rollup(s) AS empty_rollup FROM quality_daily WHERE false;
SELECT kpi_test.error_of($$SELECT rollup(s) FROM (SELECT quality_agg(0.5, 0.5, 0.5, 0.5) AS s
                                                   UNION ALL SELECT quality_agg(0.5, 0.5, 0.5, 0.5, '{1,0,0,0}')) q$$);

-- Text form, round trips and rejected input.
SELECT '(responses=2,sum=1,sum_frac=2305843009213693952,weights={0.4,0.4,0.1,0.1})'::score_summary AS text_in,
       quality_score('(responses=2,sum=1,sum_frac=2305843009213693952,weights={0.4,0.4,0.1,0.1})'::score_summary) AS mean;
SELECT kpi_test.binary_roundtrip(s::text, 'score_summary') = s::text AS binary_roundtrip, s::text::score_summary::text = s::text AS text_roundtrip
FROM (SELECT quality_agg(relevance, accuracy, completeness, tone) AS s FROM quality_grades) q;
SELECT kpi_test.binary_roundtrip('(responses=0,sum=0,sum_frac=0,weights={})', 'score_summary') AS empty_roundtrip;
SELECT kpi_test.error_of($$SELECT '(responses=2,sum=5,sum_frac=0,weights={0.4,0.4,0.1,0.1})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=2,sum=1,sum_frac=4611686018427387904,weights={0.4,0.4,0.1,0.1})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=2,sum=1,sum_frac=0,weights={0.4,0.4})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=2,sum=1,sum_frac=0,weights={})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=0,sum=1,sum_frac=0,weights={1})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=-2,sum=0,sum_frac=0,weights={1})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=2,sum=1,sum_frac=0,weights={nan,1})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=2,sum=1,sum_frac=0,weights={1,)'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=2,sum=1,sum_frac=0)'::score_summary$$);
-- The exact sum (whole units and fraction) is at most responses times the
-- largest score: one response with weight 1 scores at most 1, so sum=1 reads
-- and sum=1 plus 2^-62, or 2 plus a fraction, do not (text and binary).
SELECT '(responses=1,sum=1,sum_frac=0,weights={1})'::score_summary AS at_the_bound;
SELECT kpi_test.error_of($$SELECT '(responses=1,sum=1,sum_frac=1,weights={1})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=1,sum=2,sum_frac=4611686018427387903,weights={1})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT '(responses=3,sum=3,sum_frac=1,weights={0.5,0.5})'::score_summary$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x0101' || '\x0000000000000001'::bytea || '\x0000000000000002' || '\x3fffffffffffffff' || '\x3ff0000000000000', 'score_summary')$$);
-- Summaries the aggregates build at the bound read back: all-ones rows, with
-- weights summing to 1 and to 1 + 5e-10 (within the tolerance).
SELECT s::text::score_summary::text = s::text AS reads_back, responses(s), quality_score(s)
FROM (SELECT quality_agg(1, 1, 1, 1) FROM generate_series(1, 3)
      UNION ALL SELECT quality_agg(1, 1, 1, 1, '{0.3,0.3,0.3,0.1000000005}') FROM generate_series(1, 3)) v(s);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text('\x0141', 'score_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(substring(kpi_test.send_bytes('(responses=2,sum=1,sum_frac=0,weights={0.5,0.5})', 'score_summary') from 1 for 30), 'score_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(responses=2,sum=1,sum_frac=0,weights={0.5,0.5})', 'score_summary') placing '\x01' from 2), 'score_summary')$$);
SELECT kpi_test.error_of($$SELECT kpi_test.recv_text(overlay(kpi_test.send_bytes('(responses=2,sum=1,sum_frac=0,weights={0.5,0.5})', 'score_summary') placing '\x7ff8000000000000' from 27), 'score_summary')$$);

-- Moving window: the rolling quality over ROWS 4 PRECEDING equals the weighted
-- average per frame computed by a self-join; removal is exact, so frames that
-- hold the same rows give bit-identical results.
CREATE TABLE quality_seq AS SELECT i, relevance, accuracy, completeness, tone FROM quality_grades WHERE i <= 300;
SELECT count(*) AS frames, count(*) FILTER (WHERE w.v IS NOT DISTINCT FROM j.v OR abs(w.v - j.v) < 1e-12) AS equal
FROM (SELECT i, quality_score(relevance, accuracy, completeness, tone) OVER (ORDER BY i ROWS 4 PRECEDING) AS v
      FROM quality_seq) w
JOIN (SELECT a.i, avg(0.4 * b.relevance + 0.4 * b.accuracy + 0.1 * b.completeness + 0.1 * b.tone) AS v
      FROM quality_seq a JOIN quality_seq b ON b.i BETWEEN a.i - 4 AND a.i GROUP BY a.i) j USING (i);
SELECT count(*) FILTER (WHERE w.v IS DISTINCT FROM j.v) AS differing_frames
FROM (SELECT i, weighted_score(ARRAY[relevance, tone], '{0.5,0.5}') OVER (ORDER BY i ROWS 9 PRECEDING) AS v
      FROM quality_seq) w
JOIN (SELECT a.i, (SELECT weighted_score(ARRAY[b.relevance, b.tone], '{0.5,0.5}')
                   FROM quality_seq b WHERE b.i BETWEEN a.i - 9 AND a.i) AS v
      FROM quality_seq a) j USING (i);

-- Serial and forced-parallel plans give identical results.
CREATE TABLE quality_big AS
SELECT i % 6 AS g, ((i * 7919) % 1001) / 1000.0::float8 AS r, ((i * 31) % 101) / 100.0::float8 AS a,
       ((i * 13) % 11) / 10.0::float8 AS c, ((i * 3) % 7) / 6.0::float8 AS t
FROM generate_series(1, 100000) i;
ANALYZE quality_big;
CREATE TEMP TABLE quality_serial AS
SELECT g, quality_score(r, a, c, t) AS q, quality_agg(r, a, c, t)::text AS s,
       weighted_score(ARRAY[r, a], '{0.2,0.8}') AS w FROM quality_big GROUP BY g;
-- Small tables get a fixed worker count, so the plan does not depend on statistics.
ALTER TABLE quality_daily SET (parallel_workers = 2);
ANALYZE quality_daily;
ALTER TABLE quality_big SET (parallel_workers = 2);
ANALYZE quality_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT g, quality_score(r, a, c, t), quality_agg(r, a, c, t) FROM quality_big GROUP BY g;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.q = s.q AND p.s = s.s AND p.w = s.w) AS identical
FROM (SELECT g, quality_score(r, a, c, t) AS q, quality_agg(r, a, c, t)::text AS s,
             weighted_score(ARRAY[r, a], '{0.2,0.8}') AS w FROM quality_big GROUP BY g) p
JOIN quality_serial s USING (g);
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM quality_daily;
SELECT rollup(s)::text = (SELECT quality_agg(relevance, accuracy, completeness, tone)::text FROM quality_grades) AS parallel_rollup
FROM quality_daily;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
