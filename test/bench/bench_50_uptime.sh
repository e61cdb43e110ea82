# Section: uptime — uptime_agg() beside count(*) and the plain SQL it replaces
# (lead() to turn probes into spans, range_agg() to coalesce them, multirange
# lengths for the share), per service and over the whole table, and rollup()
# of per-day summaries.
#
# Its own table: $BENCH_ROWS probes (100 services, one probe every 10 s each,
# fixed seed), with outages as runs of failed probes.
bench_section "Uptime (ratio to count(*) and to the range_agg SQL), $BENCH_ROWS probes"

psql -XAtq -v ON_ERROR_STOP=1 -v rows="$BENCH_ROWS" >/dev/null <<'SQL' || return 1
SET client_min_messages = warning;
SELECT setseed(0.5050);
DROP TABLE IF EXISTS probes, probes_daily;
CREATE UNLOGGED TABLE probes AS
SELECT s AS service,
       timestamptz '2026-01-01 00:00+00' + (i * 10) * interval '1 second' + (s % 7) * interval '1 second' AS ts,
       NOT (((i / 30) * 7919 + s * 104729) % 211 = 0 OR random() < 0.002) AS up
FROM generate_series(0, greatest(1, :rows / 100) - 1) AS i, generate_series(1, 100) AS s;
ALTER TABLE probes SET LOGGED;
VACUUM ANALYZE probes;
SQL

uptime_sql="SELECT service,
       (SELECT sum(extract(epoch FROM upper(x) - lower(x))) FROM unnest(up_mr) x)
       / (SELECT sum(extract(epoch FROM upper(x) - lower(x))) FROM unnest(known_mr) x) AS uptime
FROM (SELECT service, range_agg(r) FILTER (WHERE up) AS up_mr, range_agg(r) AS known_mr
      FROM (SELECT service, up, tstzrange(ts, lead(ts) OVER (PARTITION BY service ORDER BY ts)) AS r FROM probes) s
      WHERE NOT upper_inf(r) GROUP BY service) q"

ms_count=$(bench_ms "SELECT count(*) FROM probes")
bench_row "count(*) over probes (floor)" "$ms_count"
ms_sql=$(bench_ms "$uptime_sql")
bench_row "lead() + range_agg() uptime per service" "$ms_sql" "count=$ms_count"
ms_kpi=$(bench_ms "SELECT service, uptime(uptime_agg(ts, up)) FROM probes GROUP BY service")
bench_row "uptime(uptime_agg(ts, up)) per service" "$ms_kpi" "count=$ms_count" "sql=$ms_sql"
ms_one=$(bench_ms "SELECT uptime(uptime_agg(ts, up)) FROM probes WHERE service = 1")
bench_row "uptime(uptime_agg(ts, up)) of one service" "$ms_one" "count=$ms_count"
ms_all=$(bench_ms "SELECT outages(uptime_agg(ts, up)) FROM probes")
bench_row "uptime_agg(ts, up) of all probes, one group" "$ms_all" "count=$ms_count"
psql -XAtq -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || return 1
CREATE TABLE probes_daily AS
SELECT service, ts::date AS day, uptime_agg(ts, up) AS s FROM probes GROUP BY 1, 2;
VACUUM ANALYZE probes_daily;
SQL
ms_roll=$(bench_ms "SELECT service, uptime(rollup(s)) FROM probes_daily GROUP BY service")
bench_row "uptime(rollup(s)) of per-day summaries" "$ms_roll" "count=$ms_count" "sql=$ms_sql"
echo "  per-day summaries: $(psql -XAtq -c "SELECT count(*) || ' rows, ' || pg_size_pretty(pg_table_size('probes_daily')) || ', ' || round(avg(pg_column_size(s))) || ' bytes each' FROM probes_daily")"

bench_check "uptime_agg equals the range_agg SQL per service (within 1e-12)" \
    "(SELECT bool_and(abs(k.u - s.uptime::float8) <= 1e-12) AND count(*) = 100
      FROM (SELECT service, uptime(uptime_agg(ts, up)) AS u FROM probes GROUP BY service) k
      JOIN ($uptime_sql) s USING (service))"
bench_check "rollup of per-day summaries is the summary of all probes" \
    "(SELECT bool_and(r.s::text = a.s::text)
      FROM (SELECT service, rollup(s) AS s FROM probes_daily GROUP BY service) r
      JOIN (SELECT service, uptime_agg(ts, up) AS s FROM probes GROUP BY service) a USING (service))"
