# Section: latency percentiles (P50/P95/P99) beside count(*), the exact
# percentile_cont, and the tdigest extension; accuracy against percentile_disc;
# the stored size of a sketch; rolling P95 with a small and a large frame.
bench_section "Latency percentiles, 3 quantiles (ratio to count(*); speed-up of latency_percentiles over each)"

lat_q="ARRAY[0.5,0.95,0.99]::float8[]"
ms_kpi=$(bench_ms "SELECT latency_percentiles(latency_ms, $lat_q) FROM events")
ms_cont=$(bench_ms "SELECT percentile_cont($lat_q) WITHIN GROUP (ORDER BY latency_ms) FROM events")
have_tdigest=$(psql -XAtq -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'tdigest'")
if [ "$have_tdigest" = 1 ] && psql -XAtq -c "CREATE EXTENSION IF NOT EXISTS tdigest" >/dev/null 2>&1; then
    ms_td=$(bench_ms "SELECT tdigest_percentile(latency_ms, 100, $lat_q) FROM events")
else
    ms_td=""
fi

bench_row "latency_percentiles(ms, {.5,.95,.99})" "$ms_kpi" "count=$BASE_COUNT"
bench_row "percentile_cont({.5,.95,.99}) (exact sort)" "$ms_cont" "count=$BASE_COUNT" "latency_percentiles=$ms_kpi"
if [ -n "$ms_td" ]; then
    bench_row "tdigest_percentile(ms, 100, {.5,.95,.99})" "$ms_td" "count=$BASE_COUNT" "latency_percentiles=$ms_kpi"
else
    echo "  tdigest_percentile(ms, 100, {.5,.95,.99})    skipped (extension tdigest not available)"
fi

# Max relative error of each method against percentile_disc (nearest rank).
lat_err() {   # lat_err SQL-returning-float8[]
    psql -XAtq -c "WITH e AS (SELECT percentile_disc($lat_q) WITHIN GROUP (ORDER BY latency_ms) AS x FROM events),
                        r AS (SELECT ($1) AS r)
                   SELECT to_char(max(abs(r.r[i] - e.x[i]) / e.x[i]), 'FM0.000000') FROM e, r, generate_series(1, 3) i"
}
err_kpi=$(lat_err "SELECT latency_percentiles(latency_ms, $lat_q) FROM events")
err_cont=$(lat_err "SELECT percentile_cont($lat_q) WITHIN GROUP (ORDER BY latency_ms) FROM events")
if [ -n "$ms_td" ]; then
    err_td=$(lat_err "SELECT tdigest_percentile(latency_ms, 100, $lat_q) FROM events")
else
    err_td="skipped"
fi
echo "  max relative error vs percentile_disc:  latency_percentiles $err_kpi (alpha 0.01)," \
     "percentile_cont $err_cont, tdigest $err_td"
bench_check "latency_percentiles within alpha = 0.01 of percentile_disc at P50/P95/P99" \
    "(WITH e AS (SELECT percentile_disc($lat_q) WITHIN GROUP (ORDER BY latency_ms) AS x FROM events),
           r AS (SELECT latency_percentiles(latency_ms, $lat_q) AS r FROM events)
      SELECT bool_and(abs(r.r[i] - e.x[i]) <= 0.01 * e.x[i]) FROM e, r, generate_series(1, 3) i)"

# Stored size of the sketch of all rows (and of a tdigest, for comparison).
size_kpi=$(psql -XAtq -c "SELECT pg_column_size(latency_agg(latency_ms)) || ' bytes stored (' || octet_length(latency_agg(latency_ms)::text) || ' as text), '
                                 || length(regexp_replace(latency_agg(latency_ms)::text, '[^:]', '', 'g')) || ' buckets' FROM events")
if [ -n "$ms_td" ]; then
    size_td=$(psql -XAtq -c "SELECT pg_column_size(tdigest(latency_ms, 100)) || ' bytes' FROM events")
else
    size_td="skipped"
fi
echo "  sketch size: latency_agg $size_kpi; tdigest(100) $size_td"
bench_check "latency_sketch of all rows is at most 16 KB at alpha = 0.01" \
    "(SELECT pg_column_size(latency_agg(latency_ms)) <= 16384 FROM events)"

# Rolling P95: the cost per row must not grow with the frame (moving-aggregate mode).
roll_rows=1000000
[ "$BENCH_ROWS" -lt 1000000 ] && roll_rows=$BENCH_ROWS
[ "$BENCH_ROWS" -le 100000 ] && roll_rows=30000
bench_section "Rolling P95 over $roll_rows rows (ORDER BY id): frame 100 vs 10,000 rows"
psql -XAtq -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS lat_roll" \
     -c "CREATE TABLE lat_roll AS SELECT id, latency_ms FROM events WHERE id <= $roll_rows" \
     -c "ALTER TABLE lat_roll ADD PRIMARY KEY (id)" -c "VACUUM ANALYZE lat_roll" >/dev/null
ms_base=$(bench_ms "SELECT count(c) FROM (SELECT count(*) OVER (ORDER BY id ROWS 99 PRECEDING) AS c FROM lat_roll) s")
ms_f100=$(bench_ms "SELECT count(p) FROM (SELECT percentile_latency(latency_ms, 0.95) OVER (ORDER BY id ROWS 99 PRECEDING) AS p FROM lat_roll) s")
ms_f10k=$(bench_ms "SELECT count(p) FROM (SELECT percentile_latency(latency_ms, 0.95) OVER (ORDER BY id ROWS 9999 PRECEDING) AS p FROM lat_roll) s")
bench_row "count(*) OVER (ROWS 99 PRECEDING) (floor)" "$ms_base"
bench_row "percentile_latency(ms, 0.95), frame 100" "$ms_f100" "floor=$ms_base"
bench_row "percentile_latency(ms, 0.95), frame 10,000" "$ms_f10k" "floor=$ms_base" "frame_100=$ms_f100"
bench_check "rolling P95 equals the frame's sketch (frames of 100 and 10,000, 20 sampled rows each)" \
    "(SELECT bool_and(w.p100 = (SELECT percentile(latency_agg(latency_ms), 0.95) FROM lat_roll b
                               WHERE b.id BETWEEN w.id - 99 AND w.id)
                  AND w.p10k = (SELECT percentile(latency_agg(latency_ms), 0.95) FROM lat_roll b
                                WHERE b.id BETWEEN w.id - 9999 AND w.id))
      FROM (SELECT id, percentile_latency(latency_ms, 0.95) OVER (ORDER BY id ROWS 99 PRECEDING) AS p100,
                   percentile_latency(latency_ms, 0.95) OVER (ORDER BY id ROWS 9999 PRECEDING) AS p10k
            FROM lat_roll) w
      WHERE w.id % ($roll_rows / 20) = 0)"
psql -XAtq -c "DROP TABLE lat_roll" >/dev/null
