-- mrr_bridge_agg(), rollup(mrr_bridge) and the accessors, against the plain
-- lag()/CASE SQL for MRR movements and plain sums of the MRR changes.
\i test/regress_helpers.sql
\pset null '(null)'

-- A hand-checked bridge.  Month 2 against month 1:
--   a 30 -> 50 expansion +20, b 50 -> 0 churn 50, c new 30, d 40 -> 25 contraction 15,
--   e 10 -> 10 flat, f churned in month 1, back at 60 in month 2: reactivation 60.
CREATE TABLE mb_small (customer text, month int, mrr numeric);
INSERT INTO mb_small VALUES
  ('a', 0, 30), ('a', 1, 30), ('a', 2, 50),
  ('b', 0, 50), ('b', 1, 50), ('b', 2, 0),
  ('c', 1, 0), ('c', 2, 30),
  ('d', 0, 40), ('d', 1, 40), ('d', 2, 25),
  ('e', 1, 10), ('e', 2, 10),
  ('f', 0, 20), ('f', 1, 0), ('f', 2, 60);
CREATE VIEW mb_small_moves AS
SELECT customer, month, mrr, mrr_movement(mrr) OVER w AS movement,
       coalesce(mrr, 0) - coalesce(lag(mrr) OVER w, 0) AS change
FROM mb_small WINDOW w AS (PARTITION BY customer ORDER BY month);
SELECT month, mrr_bridge_agg(movement, change) AS bridge FROM mb_small_moves GROUP BY month ORDER BY month;
-- new 30, expansion 20, contraction 15, churned 50, reactivation 60:
-- net new 30 + 20 + 60 - 15 - 50 = 45 (= MRR 175 - 130); quick ratio 110 / 65.
SELECT new_mrr(b), expansion_mrr(b), contraction_mrr(b), churned_mrr(b), reactivation_mrr(b),
       net_new_mrr(b), quick_ratio(b), quick_ratio(b) = 110.0 / 65 AS quick_ok,
       customers(b, 'new') AS n_new, customers(b, 'flat') AS n_flat, customers(b, 'churn') AS n_churn
FROM (SELECT mrr_bridge_agg(movement, change) AS b FROM mb_small_moves WHERE month = 2) q;
SELECT (SELECT sum(mrr) FROM mb_small WHERE month = 2) - (SELECT sum(mrr) FROM mb_small WHERE month = 1) AS mrr_delta;

-- A larger random history: 400 customers x 24 months with stretches of 0 and NULL.
CREATE TABLE mb_history AS
SELECT c AS customer, (date '2024-01-01' + m * interval '1 month')::date AS month,
       CASE WHEN (c * 31 + m * 17) % 11 = 0 THEN NULL
            WHEN (c * 7 + m * 5) % 6 = 0 OR m < c % 5 THEN 0
            ELSE ((c * 13 + (m / 3) * 29) % 4 * 25 + 25 + (c % 3) * 0.33)::numeric END AS mrr
FROM generate_series(1, 400) AS c, generate_series(0, 23) AS m;
-- Movements by mrr_movement() and by the plain lag()/bool_or()/CASE SQL.
CREATE TABLE mb_moves AS
SELECT customer, month, mrr, mrr_movement(mrr) OVER w AS k,
       CASE WHEN coalesce(mrr, 0) > 0 THEN
            CASE WHEN NOT coalesce(bool_or(mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) THEN 'new'
                 WHEN coalesce(lag(mrr) OVER w, 0) > 0 THEN
                      CASE WHEN mrr > lag(mrr) OVER w THEN 'expansion'
                           WHEN mrr < lag(mrr) OVER w THEN 'contraction' ELSE 'flat' END
                 ELSE 'reactivation' END
            WHEN coalesce(lag(mrr) OVER w, 0) > 0 THEN 'churn' END AS s,
       coalesce(mrr, 0) - coalesce(lag(mrr) OVER w, 0) AS change
FROM mb_history WINDOW w AS (PARTITION BY customer ORDER BY month);
SELECT count(*) AS rows, count(*) FILTER (WHERE k IS DISTINCT FROM s) AS labels_differ FROM mb_moves;
CREATE TABLE mb_monthly AS SELECT month, mrr_bridge_agg(k, change) AS b FROM mb_moves GROUP BY month;
-- Per month, every accessor equals the plain SQL sums over the SQL labels.
CREATE TEMP VIEW mb_sql AS
SELECT month,
       coalesce(sum(change) FILTER (WHERE s = 'new'), 0) AS new,
       coalesce(sum(change) FILTER (WHERE s = 'expansion'), 0) AS expansion,
       coalesce(-sum(change) FILTER (WHERE s = 'contraction'), 0) AS contraction,
       coalesce(-sum(change) FILTER (WHERE s = 'churn'), 0) AS churn,
       coalesce(sum(change) FILTER (WHERE s = 'reactivation'), 0) AS reactivation,
       count(*) FILTER (WHERE s = 'new') AS n_new, count(*) FILTER (WHERE s = 'flat') AS n_flat,
       count(*) FILTER (WHERE s = 'churn') AS n_churn
FROM mb_moves GROUP BY month;
SELECT count(*) AS months,
       count(*) FILTER (WHERE new_mrr(b) = new AND expansion_mrr(b) = expansion AND contraction_mrr(b) = contraction
                          AND churned_mrr(b) = churn AND reactivation_mrr(b) = reactivation) AS amounts_ok,
       count(*) FILTER (WHERE customers(b, 'new') = n_new AND customers(b, 'flat') = n_flat
                          AND customers(b, 'churn') = n_churn) AS counts_ok,
       count(*) FILTER (WHERE quick_ratio(b) IS NOT DISTINCT FROM
                          ((new + expansion + reactivation) / nullif(contraction + churn, 0))::float8) AS quick_ok
FROM mb_monthly JOIN mb_sql USING (month);
-- Net new MRR is the month-over-month change of total MRR.
SELECT count(*) AS months, count(*) FILTER (WHERE net_new_mrr(b) = change) AS net_new_is_mrr_change
FROM mb_monthly
JOIN (SELECT month, mrr - coalesce(lag(mrr) OVER (ORDER BY month), 0) AS change
      FROM (SELECT month, coalesce(sum(mrr), 0) AS mrr FROM mb_history GROUP BY month) t) t USING (month);
SELECT month, b FROM mb_monthly ORDER BY month LIMIT 3;

-- rollup of the months is the bridge of all rows; serial and parallel agree.
SELECT rollup(b)::text = (SELECT mrr_bridge_agg(k, change)::text FROM mb_moves) AS rollup_same FROM mb_monthly;
SELECT quick_ratio(rollup(b)), net_new_mrr(rollup(b)) = (SELECT sum(mrr) FROM mb_history WHERE month = '2025-12-01') AS net_new_total_ok
FROM mb_monthly;
CREATE TABLE mb_big AS SELECT m.* FROM mb_moves m, generate_series(1, 20);
ANALYZE mb_big;
CREATE TEMP TABLE mb_serial AS SELECT month, mrr_bridge_agg(k, change)::text AS b FROM mb_big GROUP BY month;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT month, mrr_bridge_agg(k, change) FROM mb_big GROUP BY month;
SELECT count(*) AS months, count(*) FILTER (WHERE p.b::text = s.b) AS parallel_identical
FROM (SELECT month, mrr_bridge_agg(k, change) AS b FROM mb_big GROUP BY month) p JOIN mb_serial s USING (month);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- NULL movements (never paying, still churned) and NULL changes are skipped;
-- no rows -> NULL; nothing lost -> quick ratio NULL.
SELECT mrr_bridge_agg(m, c) FROM (VALUES (NULL::text, 5::numeric), ('new', NULL)) v(m, c);
SELECT mrr_bridge_agg(k, change) FROM mb_moves WHERE false;
SELECT quick_ratio(b), net_new_mrr(b), new_mrr(NULL::mrr_bridge)
FROM (SELECT mrr_bridge_agg(m, c) AS b FROM (VALUES ('new', 10::numeric), ('flat', 0)) v(m, c)) q;

-- Text and binary forms.
SELECT b::text::mrr_bridge::text = b::text AS text_roundtrip,
       kpi_test.binary_roundtrip(b::text, 'mrr_bridge') = b::text AS binary_roundtrip
FROM mb_monthly ORDER BY month LIMIT 2;
SELECT '( new=1:10.50 , expansion=0:0,contraction=0:0,churn=2:40,reactivation=0:0,flat=3:0)'::mrr_bridge AS spaced;
SELECT kpi_test.send_bytes('(new=1:10.5,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)', 'mrr_bridge') AS bytes;
SELECT v, kpi_test.error_of(format('SELECT %L::mrr_bridge', v)) FROM (VALUES
  (''), ('(new=1:10)'), ('(new=1:10,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0,x=1:1)'),
  ('(new=-1:10,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)'),
  ('(new=1:-10,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)'),
  ('(new=1:0,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)'),
  ('(new=0:5,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)'),
  ('(new=1:5,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=2:1)'),
  ('(new=1:NaN,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)'),
  ('(new=1:1e5,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)'),
  ('(new=1:5.,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)'),
  ('(new=99999999999999999999:5,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)')) t(v);
-- Binary: version, then per kind an int64 count, an int32 length and
-- numeric_send's bytes (ndigits, weight, sign, dscale, digits).  Corruptions
-- of a valid all-zero bridge (121 bytes) are rejected.
CREATE TEMP TABLE mb_zero AS
SELECT kpi_test.send_bytes('(new=0:0,expansion=0:0,contraction=0:0,churn=0:0,reactivation=0:0,flat=0:0)', 'mrr_bridge') AS z;
SELECT length(z) AS bytes, kpi_test.recv_text(z, 'mrr_bridge') AS all_zero FROM mb_zero;
SELECT what, kpi_test.error_of(format('SELECT kpi_test.recv_text(%L, %L)', b, 'mrr_bridge')) FROM mb_zero, LATERAL (VALUES
  ('empty', '\x'::bytea), ('version 2', '\x02'), ('truncated', substr(z, 1, 30)),
  ('negative count', overlay(z PLACING '\xffffffffffffffff' FROM 2 FOR 8)),
  ('count 1, amount 0', overlay(z PLACING '\x0000000000000001' FROM 2 FOR 8)),
  ('one digit announced, none sent', overlay(z PLACING '\x0001' FROM 14 FOR 2)),
  ('NaN amount', overlay(z PLACING '\xc000' FROM 18 FOR 2)),
  ('length 7', overlay(z PLACING '\x00000007' FROM 10 FOR 4)),
  ('trailing byte', z || '\xff'::bytea)) t(what, b);

-- Errors.
SELECT kpi_test.error_of($$SELECT mrr_bridge_agg('upgrade', 10)$$);
SELECT kpi_test.error_of($$SELECT mrr_bridge_agg('churn', 10)$$);
SELECT kpi_test.error_of($$SELECT mrr_bridge_agg('new', -10)$$);
SELECT kpi_test.error_of($$SELECT mrr_bridge_agg('flat', 1)$$);
SELECT kpi_test.error_of($$SELECT mrr_bridge_agg('expansion', 'NaN')$$);
SELECT kpi_test.error_of($$SELECT mrr_bridge_agg('expansion', 'Infinity')$$);
SELECT kpi_test.error_of($$SELECT customers(mrr_bridge_agg('new', 10), 'upgrades')$$);

-- pg_kpi.min_group_size: a bridge of fewer rows reads as NULL.
SET pg_kpi.min_group_size = 5;
SELECT month, new_mrr(b), quick_ratio(b), customers(b, 'new')
FROM (SELECT month, mrr_bridge_agg(movement, change) AS b FROM mb_small_moves GROUP BY month) q ORDER BY month;
RESET pg_kpi.min_group_size;
