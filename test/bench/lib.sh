# test/bench/lib.sh — timing helpers for the benchmark sections (sourced by run.sh).
# Times come from EXPLAIN (ANALYZE, TIMING OFF): the server's own execution time
# of the query, parallel plans included, without psql's result transfer.

BENCH_REPS=${BENCH_REPS:-3}

# Print the median execution time in ms of a query over BENCH_REPS runs (after one warm-up).
bench_ms() {
    local query=$1 i times=()
    psql -XAtq -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $query" >/dev/null || return 1
    for i in $(seq 1 "$BENCH_REPS"); do
        times+=("$(psql -XAtq -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $query" \
                   | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p')")
    done
    printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (BENCH_REPS + 1) / 2 ))p"
}

# Print one table row: name, ms, and ms as a ratio of each reference (name=ms pairs).
bench_row() {
    local name=$1 ms=$2; shift 2
    local out pair
    out=$(printf '  %-44s %10.1f ms' "$name" "$ms")
    for pair in "$@"; do
        out+=$(awk -v a="$ms" -v b="${pair#*=}" -v n="${pair%%=*}" \
               'BEGIN { if (b > 0) printf "   %6.2fx %s", a / b, n }')
    done
    echo "$out"
}

# Print a TAP line for a non-timing check (accuracy, exactness): bench_check NAME SQL-boolean.
bench_check() {
    local name=$1 sql=$2 result
    result=$(psql -XAtq -c "SELECT ($sql)::boolean" 2>&1)
    if [ "$result" = t ]; then echo "ok - $name"; else echo "not ok - $name ($result)"; fi
}

bench_section() { printf '\n%s\n' "$*"; }
