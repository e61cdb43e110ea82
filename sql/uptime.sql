-- uptime_summary (uptime_agg, heartbeat_agg), state_summary (state_agg),
-- rollup(), accessors, text and binary forms, errors.  Every number is
-- checked against a plain-SQL computation with tstzrange/range_agg over the
-- same rows: each probe's state holds from its time until the next probe of
-- its group (at one instant, down wins), each heartbeat covers
-- [ts, ts + timeout).
\i test/regress_helpers.sql
\pset null '(null)'
SET TimeZone = 'UTC';

-- Random probes: 6 services over 3 days, every ~2 minutes with jitter, runs of
-- down probes, some duplicate instants with conflicting states; NULL rows.
SELECT setseed(0.42);
CREATE TABLE up_probes AS
SELECT g, ts, up FROM (
  SELECT g, timestamptz '2026-03-01 00:00+00' + (i * 120 + floor(random() * 90)::int) * interval '1 second' AS ts,
         (random() > CASE WHEN (i / 40) % 7 = 3 THEN 0.8 ELSE 0.03 END) AS up
  FROM generate_series(1, 6) g, generate_series(0, 2159) i) q;
INSERT INTO up_probes SELECT g, ts, NOT up FROM up_probes WHERE (extract(epoch FROM ts)::bigint + g) % 97 = 0;
INSERT INTO up_probes VALUES (1, NULL, true), (1, '2026-03-01 10:00+00', NULL), (NULL, '2026-03-01 10:00+00', false);
ANALYZE up_probes;

-- The plain-SQL truth: one state per instant, segments to the next probe.
CREATE TABLE up_truth AS
WITH p AS (SELECT g, ts, bool_and(up) AS up FROM up_probes WHERE ts IS NOT NULL AND up IS NOT NULL GROUP BY g, ts),
     seg AS (SELECT g, up, ts, lead(ts) OVER (PARTITION BY g ORDER BY ts) AS nxt FROM p)
SELECT g, range_agg(tstzrange(ts, nxt)) FILTER (WHERE up) AS up_mr,
          range_agg(tstzrange(ts, nxt)) FILTER (WHERE NOT up) AS down_mr,
          range_agg(tstzrange(ts, nxt)) AS known_mr
FROM seg WHERE nxt IS NOT NULL GROUP BY g;
CREATE FUNCTION pg_temp.len(m tstzmultirange) RETURNS interval LANGUAGE sql AS
$$ SELECT justify_hours(coalesce(sum(upper(r) - lower(r)), interval '0')) FROM unnest(m) r $$;
CREATE FUNCTION pg_temp.secs(m tstzmultirange) RETURNS numeric LANGUAGE sql AS
$$ SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0) FROM unnest(m) r $$;

CREATE TABLE up_sums AS SELECT g, uptime_agg(ts, up) AS s FROM up_probes GROUP BY g;
SELECT g, round(uptime(s)::numeric, 6) AS uptime, downtime(s), outages(s), mttr(s), longest_outage(s)
FROM up_sums ORDER BY g;
SELECT t.g,
       uptime(s) = pg_temp.secs(up_mr)::float8 / pg_temp.secs(known_mr)::float8 AS uptime_ok,
       downtime(s) = pg_temp.len(down_mr) AS downtime_ok,
       known_time(s) = pg_temp.len(known_mr) AS known_ok,
       outages(s) = (SELECT count(*) FROM unnest(down_mr)) AS outages_ok,
       longest_outage(s) = (SELECT justify_hours(max(upper(r) - lower(r))) FROM unnest(down_mr) r) AS longest_ok,
       abs(extract(epoch FROM mttr(s)) - (SELECT avg(extract(epoch FROM upper(r) - lower(r))) FROM unnest(down_mr) r)) <= 0.000001 AS mttr_ok,
       ARRAY(SELECT up_intervals(s)) = ARRAY(SELECT unnest(up_mr)) AS intervals_ok
FROM up_truth t JOIN up_sums u USING (g) ORDER BY t.g;

-- Clipped to during: windows inside, across and outside the data.
CREATE TABLE up_windows (w tstzrange);
INSERT INTO up_windows VALUES ('[2026-03-01 06:00+00, 2026-03-01 18:30+00)'), ('[2026-02-27, 2026-03-02 00:00+00)'),
  ('(2026-03-02 23:59:00+00,)'), ('[2026-03-05,2026-03-06)'), ('empty'), ('(,)'), ('[2026-03-01 10:17:30+00, 2026-03-01 10:18:10.5+00]'), ('(2026-03-01 10:00+00, 2026-03-01 11:00+00]');
SELECT w, count(*) AS groups,
       count(*) FILTER (WHERE uptime(s, w) IS NOT DISTINCT FROM pg_temp.secs(up_mr * tstzmultirange(w))::float8 / nullif(pg_temp.secs(known_mr * tstzmultirange(w)), 0)::float8) AS uptime_ok,
       count(*) FILTER (WHERE downtime(s, w) IS NOT DISTINCT FROM CASE WHEN isempty(known_mr * tstzmultirange(w)) THEN NULL ELSE pg_temp.len(down_mr * tstzmultirange(w)) END) AS downtime_ok,
       count(*) FILTER (WHERE outages(s, w) IS NOT DISTINCT FROM CASE WHEN isempty(known_mr * tstzmultirange(w)) THEN NULL ELSE (SELECT count(*) FROM unnest(down_mr * tstzmultirange(w))) END) AS outages_ok,
       count(*) FILTER (WHERE longest_outage(s, w) IS NOT DISTINCT FROM CASE WHEN isempty(known_mr * tstzmultirange(w)) THEN NULL ELSE (SELECT coalesce(justify_hours(max(upper(r) - lower(r))), '0') FROM unnest(down_mr * tstzmultirange(w)) r) END) AS longest_ok,
       count(*) FILTER (WHERE ARRAY(SELECT up_intervals(s, w)) = ARRAY(SELECT unnest(up_mr * tstzmultirange(w)))) AS intervals_ok
FROM up_truth JOIN up_sums USING (g), up_windows GROUP BY w ORDER BY w;

-- A hand-checked timeline: up 00:00, up 00:05, down 00:10, up 00:15, up 00:20.
-- Known 20 min, down 5 min: uptime 0.75, one outage of 5 min.
CREATE TABLE up_small (ts timestamptz, up boolean);
INSERT INTO up_small VALUES ('2026-01-01 00:20+00', true), ('2026-01-01 00:00+00', true), ('2026-01-01 00:10+00', false),
  ('2026-01-01 00:05+00', true), ('2026-01-01 00:15+00', true);
SELECT s, uptime(s), downtime(s), known_time(s), outages(s), mttr(s), longest_outage(s)
FROM (SELECT uptime_agg(ts, up) AS s FROM up_small) q;
SELECT up_intervals(uptime_agg(ts, up)) FROM up_small;
-- during [00:12, 00:17): down 00:12-00:15, up 00:15-00:17 -> 0.4; outage clipped to 3 min.
SELECT uptime(s, w), downtime(s, w), outages(s, w), mttr(s, w), ARRAY(SELECT up_intervals(s, w)) AS up
FROM (SELECT uptime_agg(ts, up) AS s FROM up_small) q, (VALUES (tstzrange('2026-01-01 00:12+00', '2026-01-01 00:17+00'))) v(w);
-- Before the first probe and after the last nothing is known.
SELECT uptime(s, w), downtime(s, w), outages(s, w), mttr(s, w), longest_outage(s, w), known_time(s, w)
FROM (SELECT uptime_agg(ts, up) AS s FROM up_small) q, (VALUES (tstzrange('2026-01-01 00:20+00', '2026-01-01 05:00+00'))) v(w);
-- One probe: known time is empty, so the share is NULL; a down probe last adds no outage.
SELECT s, uptime(s), downtime(s), outages(s), longest_outage(s), known_time(s), ARRAY(SELECT up_intervals(s)) AS up
FROM (SELECT uptime_agg(ts, up) AS s FROM up_small WHERE ts = '2026-01-01 00:10+00') q;
SELECT outages(uptime_agg(ts, up)), downtime(uptime_agg(ts, up))
FROM (VALUES ('2026-01-01 00:00+00'::timestamptz, true), ('2026-01-01 00:10+00', false)) v(ts, up);
-- Equal instants: down wins, whatever the row order.
SELECT uptime_agg(ts, up ORDER BY up)::text = uptime_agg(ts, up ORDER BY up DESC)::text AS order_free, uptime_agg(ts, up)
FROM (VALUES ('2026-01-01 00:00+00'::timestamptz, true), ('2026-01-01 00:10+00', true), ('2026-01-01 00:10+00', false),
             ('2026-01-01 00:20+00', true)) v(ts, up);

-- Empty input and all-NULL input: NULL summary; accessors of NULL are NULL.
SELECT uptime_agg(ts, up), heartbeat_agg(ts, '1 min'), state_agg(ts, 'x') FROM up_small WHERE false;
SELECT uptime_agg(ts, up) FROM (VALUES (NULL::timestamptz, true), ('2026-01-01', NULL)) v(ts, up);
SELECT uptime(NULL::uptime_summary), outages(NULL::uptime_summary), duration_in(NULL::state_summary, 'x');

-- Serial, forced-parallel and rollup of per-day summaries are identical.
-- (9 copies of the probes shifted by 17 s each: the groups' probes interleave.)
CREATE TABLE up_big AS
SELECT p.g % 3 AS g, p.ts + k * interval '17 seconds' AS ts, p.up
FROM up_probes p, generate_series(0, 8) k WHERE p.g IS NOT NULL;
ANALYZE up_big;
CREATE TEMP TABLE up_serial AS SELECT g, uptime_agg(ts, up)::text AS s FROM up_big GROUP BY g;
CREATE TABLE up_daily AS
SELECT g, date_trunc('day', ts) AS day, uptime_agg(ts, up) AS s FROM up_big GROUP BY g, date_trunc('day', ts);
SELECT count(*) AS day_summaries FROM up_daily;
SELECT count(*) AS groups, count(*) FILTER (WHERE r.s::text = u.s) AS rollup_identical
FROM (SELECT g, rollup(s ORDER BY day DESC) AS s FROM up_daily GROUP BY g) r JOIN up_serial u USING (g);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT g, uptime_agg(ts, up) FROM up_big GROUP BY g;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.s::text = u.s) AS parallel_identical
FROM (SELECT g, uptime_agg(ts, up) AS s FROM up_big GROUP BY g) p JOIN up_serial u USING (g);
CREATE TABLE up_hourly AS
SELECT g, date_trunc('hour', ts) AS hour, uptime_agg(ts, up) AS s FROM up_big GROUP BY g, date_trunc('hour', ts);
ANALYZE up_hourly;
EXPLAIN (COSTS OFF) SELECT g, rollup(s) FROM up_hourly GROUP BY g;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.s::text = u.s) AS parallel_rollup_identical
FROM (SELECT g, rollup(s) AS s FROM up_hourly GROUP BY g) p JOIN up_serial u USING (g);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- Heartbeats: up is the union of [ts, ts + timeout); known runs from the first
-- heartbeat to the last coverage end; gaps are outages.
SELECT setseed(0.7);
CREATE TABLE up_beats AS
SELECT g, timestamptz '2026-03-01 00:00+00' + (i * 30 + floor(random() * 20)::int) * interval '1 second' AS ts,
       CASE WHEN i % 50 = 7 THEN interval '10 minutes' ELSE interval '45 seconds' END AS timeout
FROM generate_series(1, 4) g, generate_series(0, 4000) i
WHERE random() > CASE WHEN (i / 100) % 9 = 4 THEN 0.7 ELSE 0.05 END;
CREATE TABLE up_beat_truth AS
SELECT g, range_agg(tstzrange(ts, ts + timeout)) AS up_mr,
       tstzmultirange(tstzrange(min(ts), max(ts + timeout))) AS known_mr
FROM up_beats GROUP BY g;
CREATE TABLE up_beat_sums AS SELECT g, heartbeat_agg(ts, timeout) AS s FROM up_beats GROUP BY g;
SELECT g, round(uptime(s)::numeric, 6) AS uptime, downtime(s), outages(s), mttr(s), longest_outage(s)
FROM up_beat_sums ORDER BY g;
SELECT g,
       uptime(s) = pg_temp.secs(up_mr)::float8 / pg_temp.secs(known_mr)::float8 AS uptime_ok,
       downtime(s) = pg_temp.len(known_mr - up_mr) AS downtime_ok,
       outages(s) = (SELECT count(*) FROM unnest(known_mr - up_mr)) AS outages_ok,
       longest_outage(s) = (SELECT justify_hours(max(upper(r) - lower(r))) FROM unnest(known_mr - up_mr) r) AS longest_ok,
       ARRAY(SELECT up_intervals(s)) = ARRAY(SELECT unnest(up_mr)) AS intervals_ok,
       (SELECT bool_and(uptime(s, w) IS NOT DISTINCT FROM pg_temp.secs(up_mr * tstzmultirange(w))::float8 / nullif(pg_temp.secs(known_mr * tstzmultirange(w)), 0)::float8)
        FROM up_windows) AS clipped_ok
FROM up_beat_truth JOIN up_beat_sums USING (g) ORDER BY g;
-- Hand-checked: beats at 00:00, 00:01, 00:10 with a 2-minute timeout: up
-- [00:00,00:03) and [00:10,00:12), known [00:00,00:12): uptime 5/12, down 7 min.
SELECT s, uptime(s), downtime(s), outages(s), longest_outage(s)
FROM (SELECT heartbeat_agg(ts, '2 min') AS s FROM (VALUES ('2026-01-01 00:10+00'::timestamptz), ('2026-01-01 00:00+00'), ('2026-01-01 00:01+00')) v(ts)) q;
-- Heartbeat summaries merge exactly in any grouping, overlapping or not.
SELECT count(*) AS groups,
       count(*) FILTER (WHERE r.s::text = b.s::text) AS hourly_rollup_identical
FROM (SELECT g, rollup(s) AS s FROM (SELECT g, heartbeat_agg(ts, timeout) AS s FROM up_beats GROUP BY g, extract(minute FROM ts)) h GROUP BY g) r
JOIN up_beat_sums b USING (g);

-- state_agg: time in each state, checked against lead() over state changes.
SELECT setseed(0.9);
CREATE TABLE st_events AS
SELECT t AS ticket, timestamptz '2026-03-01 00:00+00' + (t * 600 + k * 1800 + floor(random() * 1700)::int) * interval '1 second' AS ts,
       (ARRAY['open', 'pending', 'open', 'escalated', 'resolved'])[1 + floor(random() * 5)::int] AS state
FROM generate_series(1, 300) t, generate_series(0, 6) k;
INSERT INTO st_events SELECT ticket, ts, 'a' || state FROM st_events WHERE ticket % 37 = 0;
CREATE TABLE st_truth AS
WITH p AS (SELECT ticket, ts, min(state COLLATE "C") AS state FROM st_events GROUP BY ticket, ts),
     seg AS (SELECT ticket, state, ts, lead(ts) OVER (PARTITION BY ticket ORDER BY ts) AS nxt FROM p)
SELECT ticket, state, sum(nxt - ts) AS took FROM seg WHERE nxt IS NOT NULL GROUP BY ticket, state;
CREATE TABLE st_sums AS SELECT ticket, state_agg(ts, state) AS s FROM st_events GROUP BY ticket;
SELECT count(*) AS ticket_states,
       count(*) FILTER (WHERE duration_in(s, state) = justify_hours(took)) AS duration_ok,
       count(*) FILTER (WHERE state_share(s, state) = extract(epoch FROM took)::float8
                         / (SELECT extract(epoch FROM sum(took))::float8 FROM st_truth t2 WHERE t2.ticket = t.ticket)) AS share_ok
FROM st_truth t JOIN st_sums USING (ticket);
-- Different tickets overlap in time: one timeline cannot hold them (error).
SELECT kpi_test.error_of($$SELECT rollup(s) FROM st_sums$$);
-- A hand-checked ticket: open 09:00, pending 10:30, open 11:00, resolved 12:00:
-- open 2h30, pending 30 min, resolved 0 (it is the last event).
SELECT s, states(s), duration_in(s, 'open') AS open, duration_in(s, 'pending') AS pending,
       duration_in(s, 'resolved') AS resolved, duration_in(s, 'unknown') AS unknown, state_share(s, 'pending') AS pending_share,
       duration_in(s, 'open', '[2026-01-01 10:00+00, 2026-01-01 11:30+00)') AS open_10_to_1130
FROM (SELECT state_agg(ts, st) AS s FROM (VALUES ('2026-01-01 11:00+00'::timestamptz, 'open'), ('2026-01-01 09:00+00', 'open'),
      ('2026-01-01 12:00+00', 'resolved'), ('2026-01-01 10:30+00', 'pending')) v(ts, st)) q;
-- Serial, parallel and daily rollup identical for states too.
CREATE TEMP TABLE st_serial AS SELECT ticket % 5 AS g, state_agg(ts, state)::text AS s FROM st_events GROUP BY 1;
SELECT count(*) FILTER (WHERE r.s::text = st_serial.s) AS rollup_identical
FROM (SELECT g, rollup(s) AS s FROM (SELECT ticket % 5 AS g, date_trunc('hour', ts) AS h, state_agg(ts, state) AS s FROM st_events GROUP BY 1, 2) d GROUP BY g) r
JOIN st_serial USING (g);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT count(*) FILTER (WHERE p.s::text = st_serial.s) AS parallel_identical
FROM (SELECT ticket % 5 AS g, state_agg(ts, state) AS s FROM st_events GROUP BY 1) p JOIN st_serial USING (g);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- The text form does not depend on TimeZone or DateStyle.
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'SQL, DMY';
SELECT uptime_agg(ts, up)::text = (SELECT s FROM up_serial WHERE g = 0) AS tz_free FROM up_big WHERE g = 0;
SELECT '(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:10:00.25Z down,2026-01-01T00:20:00Z up]})'::uptime_summary;
RESET DateStyle;
SET TimeZone = 'UTC';

-- Text and binary round trips.
SELECT s::text::uptime_summary::text = s::text AS text_roundtrip,
       kpi_test.binary_roundtrip(s::text, 'uptime_summary') = s::text AS binary_roundtrip
FROM up_sums UNION ALL
SELECT s::text::uptime_summary::text = s::text, kpi_test.binary_roundtrip(s::text, 'uptime_summary') = s::text FROM up_beat_sums UNION ALL
SELECT s::text::state_summary::text = s::text, kpi_test.binary_roundtrip(s::text, 'state_summary') = s::text FROM st_sums WHERE ticket < 3;
SELECT v::uptime_summary AS valid FROM (VALUES
  ('(kind=probes,pieces={raw[2026-01-01T00:00:00Z up,2026-01-01T00:01:00Z up],[2026-01-01T00:05:00.5Z down,2026-01-01T00:06:00Z down]})'),
  (' ( kind=probes , pieces={ [-0044-03-15T12:00:00Z down] } ) '),
  ('(kind=heartbeats,known=[2026-01-01T00:00:00Z,2026-01-01T00:05:00Z),up={[2026-01-01T00:00:00Z,2026-01-01T00:01:00Z),[2026-01-01T00:04:00Z,2026-01-01T00:05:00Z)})')) t(v);
SELECT kpi_test.send_bytes('(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:10:00Z down]})', 'uptime_summary') AS bytes;
SELECT '(states={"","a\"b\\c","open"},pieces={[2026-01-01T00:00:00Z 2,2026-01-01T01:00:00Z 1,2026-01-01T02:00:00Z 0]})'::state_summary AS quoted;
-- rollup() of a stored raw (partial) state merges exactly with overlapping raw probes.
SELECT rollup(s) FROM (VALUES ('(kind=probes,pieces={raw[2026-01-01T00:00:00Z up,2026-01-01T00:10:00Z up]})'::uptime_summary),
                              ('(kind=probes,pieces={raw[2026-01-01T00:05:00Z down]})')) v(s);

-- Corrupted text is rejected (22P02).
SELECT v, kpi_test.error_of(format('SELECT %L::uptime_summary', v)) FROM (VALUES
  (''), ('(kind=probes)'), ('(kind=pings,pieces={})'), ('(kind=probes,pieces={})'), ('(kind=probes,pieces={[]})'),
  ('(kind=probes,pieces={[2026-01-01T00:00:00Z sideways]})'),
  ('(kind=probes,pieces={[2026-01-01T00:00:00 up]})'),
  ('(kind=probes,pieces={[2026-02-30T00:00:00Z up]})'),
  ('(kind=probes,pieces={[2026-01-01T24:00:00Z up]})'),
  ('(kind=probes,pieces={[2026-01-01T00:00:00.1234567Z up]})'),
  ('(kind=probes,pieces={[2026-01-01T00:10:00Z up,2026-01-01T00:00:00Z down]})'),
  ('(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:00:00Z down]})'),
  ('(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:01:00Z up,2026-01-01T00:02:00Z down]})'),
  ('(kind=probes,pieces={[2026-01-01T00:00:00Z up]}) x'),
  ('(kind=heartbeats,known=[2026-01-01T00:00:00Z,2026-01-01T00:05:00Z),up={[2026-01-01T00:00:00Z,2026-01-01T00:01:00Z)})'),
  ('(kind=heartbeats,known=[2026-01-01T00:00:00Z,2026-01-01T00:05:00Z),up={[2026-01-01T00:00:00Z,2026-01-01T00:03:00Z),[2026-01-01T00:03:00Z,2026-01-01T00:05:00Z)})'),
  ('(kind=heartbeats,known=[2026-01-01T00:00:00Z,2026-01-01T00:05:00Z),up={})'),
  ('(kind=probes,pieces={[294277-01-01T00:00:00Z up]})')) t(v);
SELECT v, kpi_test.error_of(format('SELECT %L::state_summary', v)) FROM (VALUES
  ('(states={"b","a"},pieces={[2026-01-01T00:00:00Z 0]})'), ('(states={"a","a"},pieces={[2026-01-01T00:00:00Z 0]})'),
  ('(states={"a"},pieces={[2026-01-01T00:00:00Z 1]})'), ('(states={"a},pieces={[2026-01-01T00:00:00Z 0]})'),
  ('(states={"a\x"},pieces={[2026-01-01T00:00:00Z 0]})'), ('(states={},pieces={[2026-01-01T00:00:00Z 0]})')) t(v);
-- Finished summaries whose probes interleave cannot be merged exactly: error.
SELECT kpi_test.error_of($$SELECT '(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:10:00Z up],[2026-01-01T00:05:00Z down]})'::uptime_summary$$);
SELECT kpi_test.error_of($$SELECT rollup(s) FROM up_daily$$);
SELECT kpi_test.error_of($$SELECT rollup(s) FROM up_sums WHERE g IN (1, 2)$$);
-- The same summary twice holds the same probes: rollup() keeps one copy, and
-- so does a direct call of the combine function (whose result is flattened).
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE ARRAY(SELECT r::text FROM (SELECT uptime_combine(s, s) AS r) q) = ARRAY[s::text]) AS self_combine_same
FROM up_sums;
SELECT count(*) AS summaries,
       count(*) FILTER (WHERE ARRAY(SELECT r::text FROM (SELECT state_combine(s, s) AS r) q) = ARRAY[s::text]) AS self_combine_same
FROM st_sums;
SELECT count(*) AS summaries, count(*) FILTER (WHERE (SELECT rollup(x) FROM (VALUES (s), (s)) v(x))::text = s::text) AS self_rollup_same
FROM up_sums;
-- Touching at one instant is fine unless the earlier piece's state would win there.
SELECT rollup(s) FROM (VALUES ('(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:10:00Z up]})'::uptime_summary),
                              ('(kind=probes,pieces={[2026-01-01T00:10:00Z down,2026-01-01T00:20:00Z up]})')) v(s);
SELECT kpi_test.error_of($$SELECT rollup(s) FROM (VALUES ('(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:10:00Z down]})'::uptime_summary),
                              ('(kind=probes,pieces={[2026-01-01T00:10:00Z up,2026-01-01T00:20:00Z down]})')) v(s)$$);
-- Probes and heartbeats do not mix.
SELECT kpi_test.error_of($$SELECT rollup(s) FROM (SELECT uptime_agg(ts, up) AS s FROM up_small UNION ALL SELECT heartbeat_agg(ts, '1 min') FROM up_small) q$$);

-- Corrupted binary is rejected (22P03).
SELECT kpi_test.error_of(format('SELECT kpi_test.recv_text(%L, %L)', b, 'uptime_summary')) FROM (VALUES
  ('\x'::bytea), ('\x02'), ('\x0107'), ('\x0101'),
  ('\x01010000000000000000'),
  ('\x0101000000000000000100000000000000000100'),
  ('\x010100000000000000010000000000000000010000000000000000ff'),
  ('\x010100000000000000010000000000000000027fffffffffffffff01'),
  ('\x01010000000000000001000000000000000001800000000000000001'),
  ('\x0101000000000000000100000000000000000100000000000000000100'),
  ('\x0102000000000000000000000000000000010000000000000000'),
  ('\x01030000000000000000')) t(b);
SELECT kpi_test.error_of(format('SELECT kpi_test.recv_text(%L, %L)', b, 'state_summary')) FROM (VALUES
  ('\x0101'), ('\x010300000000000000010000000000000002610000000000000001000000000000000001000000000000000000'),
  ('\x0103000000000000000100000000000000016100000000000000010000000000000000010000000000000000000100000000')) t(b);

-- Errors in the aggregates.
SELECT kpi_test.error_of($$SELECT uptime_agg(ts, true) FROM (VALUES ('infinity'::timestamptz)) v(ts)$$);
SELECT kpi_test.error_of($$SELECT heartbeat_agg(ts, '0') FROM (VALUES (now())) v(ts)$$);
SELECT kpi_test.error_of($$SELECT heartbeat_agg(ts, '-1 min') FROM (VALUES (now())) v(ts)$$);
SELECT kpi_test.error_of($$SELECT heartbeat_agg(ts, '1 min') FROM (VALUES ('294276-12-31 23:59:59+00'::timestamptz)) v(ts)$$);
SELECT kpi_test.error_of($$SELECT state_agg(ts, 'x') FROM (VALUES ('-infinity'::timestamptz)) v(ts)$$);
SELECT kpi_test.error_of($$SELECT state_agg(now(), i::text) FROM generate_series(1, 256) i$$);

-- Direct calls outside an aggregate do not modify their arguments.
SELECT uptime_accum(s, '2026-01-01 00:30+00', false) AS plus_probe, s AS unchanged
FROM (SELECT '(kind=probes,pieces={[2026-01-01T00:00:00Z up,2026-01-01T00:20:00Z up]})'::uptime_summary AS s) q;
