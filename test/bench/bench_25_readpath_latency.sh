# Section: the latency read path — a dashboard reading KPIs out of many
# stored latency sketches (one per service and minute, ~100 values each):
# per-row percentile(s, 0.95), num_values(s) and mean(s) over 20,000 stored
# sketches, beside tdigest_percentile() over tdigests of the same rows.
# Reports ms and µs per stored value.  Checks (never timings): every P95 is
# within alpha = 0.01 of percentile_disc over the sketch's rows, and the
# stored reads equal the one-step aggregates (in-memory sketches) over them.
# --quick: a tenth.
bench_section "Latency read path: per-row accessors over stored sketches (µs per sketch; ratio to tdigest_percentile)"

rl_n=20000
if [ "${BENCH_ROWS:-10000000}" -lt 1000000 ]; then rl_n=2000; fi
rl_have_td=0
psql -XAtq -c "CREATE EXTENSION IF NOT EXISTS tdigest" >/dev/null 2>&1 && rl_have_td=1

# Rows: sketch g holds 100 latencies, lognormal around 90 ms (fixed seed).
{
    echo "SELECT setseed(0.25);"
    echo "DROP TABLE IF EXISTS rl_rows, rl_lat;"
    echo "CREATE TABLE rl_rows AS SELECT g, exp(4.5 + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS ms
          FROM generate_series(1, $rl_n) g, generate_series(1, 100) k;"
    echo "CREATE TABLE rl_lat AS SELECT g, latency_agg(ms) AS s FROM rl_rows GROUP BY g;"
    if [ $rl_have_td = 1 ]; then
        echo "ALTER TABLE rl_lat ADD COLUMN t tdigest;"
        echo "UPDATE rl_lat l SET t = x.t FROM (SELECT g, tdigest(ms, 100) AS t FROM rl_rows GROUP BY g) x WHERE x.g = l.g;"
    fi
    echo "VACUUM ANALYZE rl_lat;"
} | psql -XAtq -v ON_ERROR_STOP=1 >/dev/null || { echo "not ok - latency read path: building the stored sketches"; return 0 2>/dev/null || exit 0; }

echo "  $rl_n stored sketches of 100 values; $(psql -XAtq -c "SELECT round(avg(pg_column_size(s))) FROM rl_lat") bytes per latency_sketch" \
     "$( [ $rl_have_td = 1 ] && psql -XAtq -c "SELECT ', ' || round(avg(pg_column_size(t))) || ' bytes per tdigest'  FROM rl_lat")"
ms_floor=$(bench_ms "SELECT count(s) FROM rl_lat")
bench_row "count(s) (floor: scan the stored sketches)" "$ms_floor"
ms_td=0
if [ $rl_have_td = 1 ]; then
    # tdigest has no scalar accessor: its percentile of one stored digest is
    # the aggregate tdigest_percentile(t, p) over a one-row group.
    ms_td=$(bench_ms "SELECT count(p) FROM (SELECT tdigest_percentile(t, 0.95) AS p FROM rl_lat GROUP BY g) q")
    bench_row "tdigest_percentile(t, 0.95) per stored digest" "$ms_td" "floor=$ms_floor"
fi
for expr in "percentile(s, 0.95)" "percentiles(s, '{0.5,0.95,0.99}')" "num_values(s)" "mean(s)"; do
    ms=$(bench_ms "SELECT count($expr) FROM rl_lat")
    bench_row "$expr per row" "$ms" "floor=$ms_floor" "tdigest=$ms_td"
    awk -v ms="$ms" -v f="$ms_floor" -v n="$rl_n" 'BEGIN { printf "    = %.2f µs per sketch (%.2f µs above the floor)\n", ms * 1000 / n, (ms - f) * 1000 / n }'
done
bench_check "latency read path: every stored P95 is within alpha = 0.01 of percentile_disc over its rows" \
    "(SELECT bool_and(abs(percentile(l.s, 0.95) - d.p) <= 0.01 * d.p)
      FROM rl_lat l JOIN (SELECT g, percentile_disc(0.95) WITHIN GROUP (ORDER BY ms) AS p FROM rl_rows GROUP BY g) d USING (g))"
bench_check "latency read path: stored reads equal the in-memory aggregates over the rows (P50/P95/P99, count)" \
    "(SELECT bool_and(percentiles(l.s, '{0.5,0.95,0.99}') = d.p AND num_values(l.s) = d.n)
      FROM rl_lat l JOIN (SELECT g, latency_percentiles(ms, '{0.5,0.95,0.99}') AS p, count(*) AS n
                          FROM rl_rows GROUP BY g) d USING (g))"
psql -XAtq -c "DROP TABLE rl_rows, rl_lat" >/dev/null || true
