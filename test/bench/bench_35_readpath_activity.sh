# Section: the activity read path — a dashboard reading KPIs out of many
# stored user_activity summaries (rollup), beside hll_union_agg over the same
# stored rows, in two shapes:
#   many small summaries: 20,000 summaries of 100 users (e.g. per team and day)
#   few large summaries:  90 daily summaries of 50,000 users
# Reports the server's execution time (ms, median) and, when the server runs
# on this machine, the backend's CPU time (user + system, from /proc, 10 ms
# resolution): on a loaded machine the CPU time is the cost, the execution
# time also counts the waits for a core.  Both per (user, summary) entry, and
# the bytes per entry stored.  Exactness: the rollup equals the summary of
# all rows.  --quick: a tenth.
bench_section "Activity read path: rollup of stored summaries (ns per (user, summary) entry; ratio to hll_union_agg)"

# rp_cpu_ms QUERY: median CPU time (ms) of the backend over BENCH_REPS runs
# after a warm-up, or nothing when the backend's /proc entry is not readable.
rp_cpu_ms() {
    local q=$1 i out
    out=$(psql -XAtq <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv KPI_PID :pid
\o /dev/null
$q;
\o
$(for i in $(seq 1 "$BENCH_REPS"); do printf '%s\n' "\\! awk '{print \$14 + \$15}' /proc/\$KPI_PID/stat 2>/dev/null" "\\o /dev/null" "$q;" "\\o" "\\! awk '{print \$14 + \$15}' /proc/\$KPI_PID/stat 2>/dev/null"; done)
SQL
)
    echo "$out" | awk -v hz="$(getconf CLK_TCK)" 'NR % 2 == 1 { a = $1 } NR % 2 == 0 { print ($1 - a) * 1000 / hz }' |
        sort -g | sed -n "$(( (BENCH_REPS + 1) / 2 ))p"
}

# rp_row NAME QUERY ENTRIES HLL_MS: one row (execution ms, ratio to hll), then ns per entry.
rp_row() {
    local ms cpu
    ms=$(bench_ms "$2")
    bench_row "$1" "$ms" "hll=$4"
    cpu=$(rp_cpu_ms "$2")
    awk -v ms="$ms" -v cpu="${cpu:-}" -v n="$3" 'BEGIN {
        printf "    = %.0f ns per entry", ms * 1e6 / n
        if (cpu != "") printf "; CPU %.0f ms = %.0f ns per entry", cpu, cpu * 1e6 / n
        printf "\n" }'
}

rp_small=20000 rp_days=90
if [ "${BENCH_ROWS:-10000000}" -lt 1000000 ]; then rp_small=2000 rp_days=9; fi
rp_have_hll=0
psql -XAtq -c "CREATE EXTENSION IF NOT EXISTS hll" >/dev/null 2>&1 && rp_have_hll=1

# Rows: team g has 100 users a day drawn from a population of 1M; day d has
# 50,000 users out of 100,000.
rp_small_rows="SELECT g, (g * 7919 + k * 104729) % 1000000 AS u, date '2026-01-01' + g % 90 AS d
               FROM generate_series(1, $rp_small) g, generate_series(1, 100) k"
rp_large_rows="SELECT date '2026-01-01' + d AS d, (d * 7 + k * 2) % 100000 AS u
               FROM generate_series(0, $rp_days - 1) d, generate_series(1, 50000) k"
{
    echo "DROP TABLE IF EXISTS rp_small, rp_large;"
    echo "CREATE TABLE rp_small AS SELECT g, activity_agg(u, d) AS s FROM ($rp_small_rows) r GROUP BY g;"
    echo "CREATE TABLE rp_large AS SELECT d, activity_agg(u, d) AS s FROM ($rp_large_rows) r GROUP BY d;"
    if [ $rp_have_hll = 1 ]; then
        echo "ALTER TABLE rp_small ADD COLUMN h hll; ALTER TABLE rp_large ADD COLUMN h hll;"
        echo "UPDATE rp_small t SET h = x.h FROM (SELECT g, hll_add_agg(hll_hash_bigint(u)) h FROM ($rp_small_rows) r GROUP BY g) x WHERE x.g = t.g;"
        echo "UPDATE rp_large t SET h = x.h FROM (SELECT d, hll_add_agg(hll_hash_bigint(u)) h FROM ($rp_large_rows) r GROUP BY d) x WHERE x.d = t.d;"
    fi
    echo "VACUUM ANALYZE rp_small; VACUUM ANALYZE rp_large;"
} | psql -XAtq -v ON_ERROR_STOP=1 >/dev/null || { echo "not ok - read path: building the stored summaries"; return 0 2>/dev/null || exit 0; }

for shape in small large; do
    entries=$(psql -XAtq -c "SELECT sum(active_users(s)) FROM rp_$shape")
    nsum=$(psql -XAtq -c "SELECT count(*) FROM rp_$shape")
    echo "  $shape: $nsum summaries, $entries (user, summary) entries"
    ms_hll=0
    if [ $rp_have_hll = 1 ]; then
        ms_hll=$(bench_ms "SELECT hll_cardinality(hll_union_agg(h)) FROM rp_$shape")
        bench_row "$shape: hll_union_agg (approximate)" "$ms_hll"
        cpu=$(rp_cpu_ms "SELECT hll_cardinality(hll_union_agg(h)) FROM rp_$shape")
        [ -n "$cpu" ] && echo "    CPU $cpu ms"
    fi
    rp_row "$shape: active_users(rollup(s))" "SELECT active_users(rollup(s)) FROM rp_$shape" "$entries" "$ms_hll"
    rp_row "$shape: dau_mau(rollup(s))" "SELECT dau_mau(rollup(s)) FROM rp_$shape" "$entries" "$ms_hll"
    psql -XAtq -F ' ' -c "SELECT round(sum(pg_column_size(s))::numeric / sum(active_users(s)), 2),
                                 round(sum(length(user_activity_send(s)) - 18)::numeric / sum(active_users(s)), 2) FROM rp_$shape" |
        while read -r per_user raw; do echo "    stored: $per_user bytes per (user, summary) entry ($raw before compression)"; done
done
bench_check "read path: rollup of the small summaries equals the summary of all their rows" \
    "(SELECT rollup(s)::text FROM rp_small) = (SELECT activity_agg(u, d)::text FROM ($rp_small_rows) r)"
bench_check "read path: rollup of the daily summaries equals the summary of all their rows" \
    "(SELECT rollup(s)::text FROM rp_large) = (SELECT activity_agg(u, d)::text FROM ($rp_large_rows) r)"
psql -XAtq -c "DROP TABLE rp_small, rp_large" >/dev/null || true
