# Tier: sharded execution over postgres_fdw.  Two throwaway shard clusters on
# loopback hold the rows of an events table; the cluster in PGHOST/PGPORT is
# the coordinator, where `events` is a table partitioned by product whose
# partitions are foreign tables on the shards (server option
# extensions 'pg_kpi').  Checks:
#   (a) one-step KPIs grouped by the partition key are computed entirely on the
#       shards (EXPLAIN VERBOSE: the aggregate is in the Remote SQL), and equal
#       a single-node computation and the plain SQL over the same rows;
#   (b) two-step: each shard returns *_agg summaries, the coordinator merges
#       them with rollup() — globally and per day (not the partition key) — for
#       every summary type; equal to single node and to plain SQL.
# SCALE_SHARD_ROWS rows in all (default 100000).
cd "$(dirname "$0")/../.."
source test/lib.sh
source test/scale/lib.sh
tmp=$(mktemp -d)
trap 'kpi_cluster_stop_all; rm -rf "$tmp"' EXIT
rows=${SCALE_SHARD_ROWS:-100000}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=kpi_scale_shards
t_start=$(kpi_now_ms)

psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
export PGDATABASE=$db
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -c "CREATE EXTENSION postgres_fdw" \
    -f test/scale/events.sql >/dev/null || exit 1
kpi_detect_kinds shards

# Which products each shard holds (the list partitions).
shard_products=("'assistant', 'copilot'" "'helpdesk', 'search'")

# The coordinator's single-node copy of the rows (in the background), then
# the shards, each loading its rows in the background once it is up.
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE TABLE events_local AS SELECT * FROM scale_events(1, $rows)" \
    -c "ANALYZE events_local" >/dev/null &
pids=($!)
# Both shard clusters start at once (each in a subshell that reports its
# directory and port back, so the EXIT trap here still stops them).
for i in 1 2; do
    (
        KPI_CLUSTERS=()
        if ! kpi_cluster_start SHARD "shared_buffers = 128MB" "max_parallel_workers_per_gather = 0"; then
            kpi_cluster_stop_all; exit 1
        fi
        echo "$SHARD_DIR $SHARD_PORT" > "$tmp/shard$i"
        export PGHOST=$SHARD_DIR PGPORT=$SHARD_PORT PGDATABASE=postgres
        psql -XAtq -c "CREATE DATABASE kpi_shard" >/dev/null || exit 1
        PGDATABASE=kpi_shard psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -f test/scale/events.sql \
            -c "CREATE TABLE events AS SELECT * FROM scale_events(1, $rows) WHERE product IN (${shard_products[$((i - 1))]})" \
            -c "ANALYZE events" >/dev/null
    ) &
    pids+=($!)
done
load_ok=yes
for pid in "${pids[@]}"; do wait "$pid" || load_ok=no; done
for i in 1 2; do
    if [ -s "$tmp/shard$i" ]; then
        read -r dir port < "$tmp/shard$i"
        KPI_CLUSTERS+=("$dir")
        printf -v "SHARD${i}_DIR" '%s' "$dir"; printf -v "SHARD${i}_PORT" '%s' "$port"
    else
        load_ok=no
    fi
done
if [ $load_ok = no ]; then echo "not ok - shards: load the shard clusters"; exit 0; fi

# The coordinator: foreign servers, the partitioned table, foreign partitions.
setup=""
for i in 1 2; do
    port_var="SHARD${i}_PORT"
    setup+="CREATE SERVER shard$i FOREIGN DATA WRAPPER postgres_fdw
              OPTIONS (host '127.0.0.1', port '${!port_var}', dbname 'kpi_shard',
                       extensions 'pg_kpi', fetch_size '10000', async_capable 'true');
            CREATE USER MAPPING FOR CURRENT_USER SERVER shard$i OPTIONS (user 'postgres');"
done
setup+="CREATE TABLE events (LIKE events_local) PARTITION BY LIST (product);"
for i in 1 2; do
    setup+="CREATE FOREIGN TABLE events_shard$i PARTITION OF events
              FOR VALUES IN (${shard_products[$((i - 1))]}) SERVER shard$i OPTIONS (table_name 'events');
            ANALYZE events_shard$i;"
done
if ! out=$(psql -XAtq -v ON_ERROR_STOP=1 -c "$setup" 2>&1); then
    echo "not ok - shards: coordinator setup: $out"; exit 0
fi
counts=$(psql -XAtq -F '|' -c "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM events_local),
                                      (SELECT count(*) FROM events_shard1), (SELECT count(*) FROM events_shard2)")
IFS='|' read -r n_dist n_local n_s1 n_s2 <<< "$counts"
if [ "$n_dist" = "$n_local" ] && [ "$n_local" = "$rows" ] && [ "$n_s1" -gt 0 ] && [ "$n_s2" -gt 0 ]; then
    echo "ok - shards: $n_dist rows over 2 shards ($n_s1 + $n_s2) equal the $n_local single-node rows (setup $(( $(kpi_now_ms) - t_start )) ms)"
else
    echo "not ok - shards: row counts distributed $n_dist (shards $n_s1 + $n_s2), single node $n_local, expected $rows"
fi

export PGOPTIONS="$PGOPTIONS -c enable_partitionwise_aggregate=on"

# Server-side execution time of a query: the best of 3 runs in one session
# (so the postgres_fdw connections are already open after the first).
exec_ms() {
    psql -XAtq -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $1" -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $1" \
         -c "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $1" 2>/dev/null \
        | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' | sort -g | head -1
}

# --- (a) one-step KPIs grouped by the partition key: full pushdown ---------
one_cols=(); raw_cols=(); funcs=(); checks=()
n=0
for line in "${KPI_ONE_STEP[@]}"; do
    kind=$(kpi_field "$line" 1)
    kpi_kind_active "$kind" || continue
    n=$((n + 1))
    call=$(kpi_field "$line" 3)
    one_cols+=("$call AS k$n")
    raw_cols+=("$(kpi_field "$line" 4) AS k$n")
    funcs+=("${call%%(*}")
    checks+=("$kind $(kpi_field "$line" 2)|k$n|$(kpi_field "$line" 5)")
done
one_select=$(IFS=,; echo "${one_cols[*]}")
raw_select=$(IFS=,; echo "${raw_cols[*]}")
q_one="SELECT product, $one_select FROM events GROUP BY product"

plan=$(psql -XAtq -c "EXPLAIN (VERBOSE, COSTS OFF) $q_one" 2>&1)
remote=$(echo "$plan" | grep 'Remote SQL:')
missing=()
[ "$(echo "$remote" | grep -c 'GROUP BY')" -eq 2 ] || missing+=("GROUP BY in both Remote SQLs")
for f in "${funcs[@]}"; do
    [ "$(echo "$remote" | grep -c "public\.$f(")" -eq 2 ] || missing+=("$f")
done
if echo "$plan" | grep -qE '^ *(->  )?(HashAggregate|GroupAggregate|Aggregate|Finalize|Partial)'; then
    missing+=("no local aggregation node")
fi
if [ ${#missing[@]} -eq 0 ]; then
    echo "ok - shards: one-step KPIs grouped by the partition key are pushed down whole to both shards (${funcs[*]} in Remote SQL)"
else
    echo "not ok - shards: one-step pushdown missing: ${missing[*]}"
    echo "$plan" | sed 's/^/# /'
fi
echo "$plan" | sed 's/^/# /'

t_dist=$(exec_ms "$q_one")
t_local=$(exec_ms "SELECT product, $one_select FROM events_local GROUP BY product")
cmp_sel=()
for c in "${checks[@]}"; do
    IFS='|' read -r label col tol <<< "$c"
    cmp_sel+=("SELECT '$label', count(*),
               count(*) FILTER (WHERE NOT kpi_close(d.$col::float8, l.$col::float8, 1e-12)),
               count(*) FILTER (WHERE NOT kpi_close(d.$col::float8, r.$col::float8, $tol)),
               min(format('%s: sharded %s, single node %s, plain SQL %s', product, d.$col, l.$col, r.$col))
                   FILTER (WHERE NOT kpi_close(d.$col::float8, l.$col::float8, 1e-12)
                              OR NOT kpi_close(d.$col::float8, r.$col::float8, $tol))
               FROM d FULL JOIN l USING (product) FULL JOIN r USING (product)")
done
body=$(printf '%s\nUNION ALL\n' "${cmp_sel[@]}"); body=${body%UNION ALL*}
out=$(psql -XAtq -F '|' -c "WITH d AS ($q_one),
    l AS (SELECT product, $one_select FROM events_local GROUP BY product),
    r AS (SELECT product, $raw_select FROM events_local GROUP BY product)
    $body" 2>&1)
[ -n "$out" ] || echo "not ok - shards: one-step comparison returned nothing"
while IFS='|' read -r label groups bad_local bad_raw example; do
    if [ "$groups" = 4 ] && [ "$bad_local" = 0 ] && [ "$bad_raw" = 0 ]; then
        echo "ok - shards: one-step $label per product (pushed down) equals single node and plain SQL"
    else
        echo "not ok - shards: one-step $label: $groups groups, $bad_local differ from single node, $bad_raw from plain SQL; $example $label"
    fi
done <<< "$out"
echo "# one-step KPIs per product, execution time: sharded (pushed down) ${t_dist} ms, single node ${t_local} ms ($rows rows)"

# The extensions option is what allows the pushdown: without it the shards
# ship raw rows and the coordinator aggregates.
plan_noext=$(psql -XAtq -c "ALTER SERVER shard1 OPTIONS (DROP extensions)" \
                        -c "EXPLAIN (VERBOSE, COSTS OFF) $q_one" \
                        -c "ALTER SERVER shard1 OPTIONS (ADD extensions 'pg_kpi')" 2>&1)
if echo "$plan_noext" | grep 'Remote SQL' | grep -vq "public\.${funcs[0]}(" \
   && echo "$plan_noext" | grep -qE 'Aggregate'; then
    echo "ok - shards: without extensions 'pg_kpi' the shard1 partition is aggregated on the coordinator (the option is what pushes down)"
else
    echo "not ok - shards: plan without the extensions option was not as expected"
    echo "$plan_noext" | sed 's/^/# /'
fi

# --- (b) two-step: shard summaries merged with rollup() ---------------------
aggs=$(kpi_agg_columns)
rollups=$(kpi_rollup_columns)
q_shard_sums="SELECT product, day, $aggs FROM events GROUP BY product, day"
q_daily="SELECT day, $rollups FROM ($q_shard_sums) per_shard GROUP BY day"
q_global="SELECT $rollups FROM ($q_shard_sums) per_shard"

plan=$(psql -XAtq -c "EXPLAIN (VERBOSE, COSTS OFF) $q_daily" 2>&1)
remote=$(echo "$plan" | grep 'Remote SQL:')
missing=()
for kind in $(kpi_summary_kinds); do
    for line in "${KPI_KINDS[@]}"; do
        [ "$(kpi_field "$line" 1)" = "$kind" ] || continue
        f=$(kpi_field "$line" 3); f=${f%%(*}
        [ "$(echo "$remote" | grep -c "public\.$f(")" -eq 2 ] || missing+=("$f")
    done
done
echo "$plan" | grep -qE 'Aggregate' || missing+=("local rollup aggregation")
if [ ${#missing[@]} -eq 0 ]; then
    echo "ok - shards: two-step plan: each shard computes the *_agg summaries per (product, day) remotely, the coordinator runs rollup()"
else
    echo "not ok - shards: two-step pushdown missing: ${missing[*]}"
    echo "$plan" | sed 's/^/# /'
fi
echo "$plan" | sed 's/^/# /'
shipped=$(psql -XAtq -c "SELECT count(*) FROM ($q_shard_sums) x")
echo "# two-step: the shards return $shipped summary rows instead of $rows event rows"

t_dist=$(exec_ms "$q_daily")
t_local=$(exec_ms "SELECT day, $aggs FROM events_local GROUP BY day")
echo "# daily summaries of every kind, execution time: sharded two-step ${t_dist} ms, single node ${t_local} ms"
raw_daily="events_local"
kpi_report_compare_all "shards two-step per day" "$(kpi_compare_query "$q_daily" "$raw_daily" "day")"
kpi_report_compare_all "shards two-step global" "$(kpi_compare_query "$q_global" "events_local" "")"

# The merged summaries are the single-node summaries, value for value.
for kind in $(kpi_summary_kinds); do
    for line in "${KPI_KINDS[@]}"; do
        [ "$(kpi_field "$line" 1)" = "$kind" ] || continue
        agg=$(kpi_field "$line" 3)
        res=$(psql -XAtq -F '|' -c "
            WITH d AS ($q_daily), l AS (SELECT day, $agg AS s FROM events_local GROUP BY day)
            SELECT count(*), count(*) FILTER (WHERE $(kpi_canonical "$kind" "d.s_$kind") IS DISTINCT FROM $(kpi_canonical "$kind" l.s))
            FROM d FULL JOIN l USING (day)" 2>&1)
        IFS='|' read -r n bad <<< "$res"
        if [ "$bad" = 0 ] && [ "${n:-0}" -gt 0 ]; then
            echo "ok - shards: rollup of shard $(kpi_field "$line" 2) values equals the single-node $agg, text for text ($n days; compared: $(kpi_canonical "$kind" s))"
        else
            echo "not ok - shards: rollup of shard $(kpi_field "$line" 2) differs from single node on $bad of $n days ($res)"
        fi
    done
done

echo "# scale_shards total $(( $(kpi_now_ms) - t_start )) ms"
psql -XAtq -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1 || true
