# Tier: load (issue 7.2).  pgbench with custom scripts against a populated
# database: LOAD_CLIENTS (default 8) clients run KPI queries — one-step
# aggregates over raw rows, two-step rollups of a materialized view of daily
# summaries, rolling-window queries — for LOAD_SECONDS (default 15; the
# issue's full run is LOAD_SECONDS=60) while one more client inserts events
# and refreshes the materialized view (REFRESH ... CONCURRENTLY).
#
# Checks: both pgbench runs finish with zero failed transactions and no
# aborted client; every inserted row is there; after a final refresh the
# rolled-up KPIs equal the one-step KPIs over the raw rows exactly and the
# plain-SQL formulas within 1e-12, and the view equals a fresh computation.
# Prints transactions per second (never asserted).  Families merged later
# (latency, activity) join automatically when their functions exist.
cd "$(dirname "$0")/../.."
source test/lib.sh
source test/reliability_lib.sh
db=kpi_load
secs=${LOAD_SECONDS:-15}
clients=${LOAD_CLIENTS:-8}
rows=${LOAD_ROWS:-200000}
pgbench="$(kpi_pg_bindir)/pgbench"
command -v "$pgbench" >/dev/null 2>&1 || pgbench=pgbench
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

has() { [ "$(psql -XAtq -d $db -c "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = '$1')")" = t ]; }

rel_create_db $db || { echo "not ok - load: create database $db"; exit 0; }
export PGDATABASE=$db
# Events: 60 days, 5 products; every KPI input column, with some NULLs.
psql -XAtq -v ON_ERROR_STOP=1 >/dev/null <<SQL || { echo "not ok - load: populate"; exit 0; }
SELECT setseed(0.7);
CREATE TABLE events (
    id bigserial PRIMARY KEY, day date NOT NULL, product int NOT NULL,
    ok boolean, score int, r float8, a float8, c float8, t float8,
    amount numeric, period interval, latency float8, uid bigint);
CREATE FUNCTION gen_events(n int) RETURNS SETOF events LANGUAGE sql VOLATILE AS \$\$
    SELECT nextval('events_id_seq'), date '2026-01-01' + floor(random() * 60)::int,
           1 + floor(random() * 5)::int,
           CASE WHEN random() < 0.02 THEN NULL ELSE random() < 0.8 END,
           CASE WHEN random() < 0.05 THEN NULL ELSE floor(random() * 11)::int END,
           random(), random(), random(), random(),
           round((random() * 200)::numeric, 2),
           (ARRAY['1 month', '1 year', '3 months', '7 days']::interval[])[1 + floor(random() * 4)::int],
           exp(random() * 8) / 100, floor(random() * 50000)::bigint
    FROM generate_series(1, n)
\$\$;
INSERT INTO events SELECT * FROM gen_events($rows);
CREATE INDEX ON events (product, day);
ANALYZE events;
SQL

# The daily summaries, one column per family present.
mv_cols="rate_agg(ok) AS completion, nps_agg(score) AS nps, quality_agg(r, a, c, t) AS quality, count(*) AS n"
# what must be identical between the view and a fresh computation (summaries
# whose text holds a float sum, which depends on row order, are compared by
# their exact parts)
cmp_cols="completion::text, nps::text, quality::text, n"
one_cols="rate(ok), ci_lower(rate_agg(ok)), nps(score), quality_score(r, a, c, t), mrr(amount, period), lift(ok, score >= 9)"
two_cols="rate(rollup(completion)), ci_upper(rollup(completion)), nps(rollup(nps)), quality_score(rollup(quality)), sum(n)"
win_cols="nps(score) OVER w, rate(ok) OVER w, quality_score(r, a, c, t) OVER w, mrr(amount, period) OVER w"
# KPI from the view | the same KPI over raw rows (compared exactly)
checks=(
  "rate(rollup(completion))|rate(ok)"
  "trials(rollup(completion))|count(ok)"
  "successes(rollup(completion))|count(*) FILTER (WHERE ok)"
  "nps(rollup(nps))|nps(score)"
  "responses(rollup(nps))|count(score)"
  "quality_score(rollup(quality))|quality_score(r, a, c, t)"
  "sum(n)|count(*)"
)
# KPI over raw rows | plain SQL (compared within 1e-12)
sql_checks=(
  "rate(ok)|avg(ok::int)::float8"
  "nps(score)|(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score))::float8"
  "quality_score(r, a, c, t)|avg(0.4 * r + 0.4 * a + 0.1 * c + 0.1 * t)"
  "mrr(amount, period)::float8|sum(amount / (12 * extract(year FROM period) + extract(month FROM period) + extract(day FROM period) / 30.4375))::float8"
)
if has latency_agg; then
    mv_cols="$mv_cols, latency_agg(latency) AS latency"
    cmp_cols="$cmp_cols, num_values(latency), min_value(latency), max_value(latency), percentile(latency, 0.5), percentile(latency, 0.99)"
    one_cols="$one_cols, percentile_latency(latency, 0.95)"
    two_cols="$two_cols, percentile(rollup(latency), 0.95)"
    win_cols="$win_cols, percentile_latency(latency, 0.95) OVER w"
    checks+=("percentile(rollup(latency), 0.95)|percentile(latency_agg(latency), 0.95)"
             "num_values(rollup(latency))|count(latency)")
fi
if has activity_agg; then
    mv_cols="$mv_cols, activity_agg(uid, day) AS users"
    cmp_cols="$cmp_cols, users::text"
    one_cols="$one_cols, dau_mau(uid, day)"
    two_cols="$two_cols, dau_mau(rollup(users)), active_users(rollup(users))"
    checks+=("dau_mau(rollup(users))|dau_mau(uid, day)"
             "active_users(rollup(users))|count(DISTINCT uid)")
fi
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE MATERIALIZED VIEW kpi_daily AS SELECT day, product, $mv_cols FROM events GROUP BY day, product" \
    -c "CREATE UNIQUE INDEX ON kpi_daily (day, product)" >/dev/null || { echo "not ok - load: materialized view"; exit 0; }

range="day BETWEEN date '2026-01-01' + :d AND date '2026-01-01' + :d + 13"
cat > "$work/one_step.sql" <<SQL
\set p random(1, 5)
\set d random(0, 45)
SELECT product, $one_cols FROM events WHERE product = :p AND $range GROUP BY product;
SQL
cat > "$work/two_step.sql" <<SQL
\set d random(0, 45)
SELECT product, $two_cols FROM kpi_daily WHERE $range GROUP BY product;
SELECT date_trunc('month', day), $two_cols FROM kpi_daily GROUP BY 1;
SQL
cat > "$work/window.sql" <<SQL
\set p random(1, 5)
\set d random(0, 45)
SELECT count(q) FROM (SELECT $win_cols FROM events WHERE product = :p AND $range
                      WINDOW w AS (ORDER BY day, id ROWS 999 PRECEDING)) q;
SQL
cat > "$work/insert.sql" <<SQL
INSERT INTO events SELECT * FROM gen_events(50);
SQL
cat > "$work/refresh.sql" <<SQL
REFRESH MATERIALIZED VIEW CONCURRENTLY kpi_daily;
SQL

before=$(psql -XAtq -c "SELECT count(*) FROM events")
rel_log_mark
rel_sentinel_start
"$pgbench" -n -c "$clients" -j 2 -T "$secs" -f "$work/one_step.sql" -f "$work/two_step.sql" -f "$work/window.sql" \
    >"$work/readers.out" 2>"$work/readers.err" &
readers=$!
"$pgbench" -n -c 1 -T "$secs" -f "$work/insert.sql@9" -f "$work/refresh.sql@1" \
    >"$work/writer.out" 2>"$work/writer.err" &
writer=$!
wait $readers; r_status=$?
wait $writer; w_status=$?

# pgbench_result NAME STATUS OUT ERR
pgbench_result() {
    local name=$1 status=$2 out=$3 err=$4 tx failed tps
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out")
    if [ "$status" -eq 0 ] && [ -n "$tx" ] && [ "$tx" -gt 0 ] && [ "${failed:-0}" = 0 ] \
       && ! grep -qiE 'aborted|error' "$err"; then
        echo "ok - load: $name: $tx transactions in $secs s, 0 failed, $tps tps"
    else
        echo "not ok - load: $name: exit $status, ${tx:-?} transactions, ${failed:-?} failed: $(grep -iE -m3 'aborted|error' "$err" "$out" | tr '\n' ' ' | cut -c1-600)"
    fi
}
pgbench_result "$clients readers (one-step, two-step, window)" $r_status "$work/readers.out" "$work/readers.err"
pgbench_result "1 writer (insert 50 rows x9, refresh concurrently x1)" $w_status "$work/writer.out" "$work/writer.err"
sed -n 's/^SQL script \([0-9]\): .*\/\([a-z_]*\.sql\)$/\1 \2/p; s/^ - \([0-9]*\) transactions .*/   \1 transactions/p' \
    "$work/readers.out" "$work/writer.out" | paste - - | sed 's/^/# load: script /'

# Every insert is there.
inserts=$(awk '/^SQL script [0-9]+: .*insert\.sql/ {f = 1; next} f && /^ - [0-9]+ transactions/ {print $2; exit}' "$work/writer.out")
after=$(psql -XAtq -c "SELECT count(*) FROM events")
if [ -n "$inserts" ] && [ "$after" -eq $((before + inserts * 50)) ]; then
    echo "ok - load: every insert is there ($before + $inserts x 50 = $after rows)"
else
    echo "not ok - load: $before rows + ${inserts:-?} inserts x 50 <> $after rows"
fi

# Final refresh, then the view against a fresh computation and the raw rows.
psql -XAtq -c "REFRESH MATERIALIZED VIEW kpi_daily" >/dev/null
diff=$(psql -XAtq -c "WITH f AS (SELECT day, product, $mv_cols FROM events GROUP BY day, product),
                           a AS (SELECT day, product, $cmp_cols FROM f), b AS (SELECT day, product, $cmp_cols FROM kpi_daily)
                      SELECT (SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE b) x) + (SELECT count(*) FROM (TABLE b EXCEPT ALL TABLE a) y)" 2>&1)
if [ "$diff" = 0 ]; then
    echo "ok - load: the refreshed view equals a fresh computation from raw rows"
else
    echo "not ok - load: view vs fresh computation: $diff differing groups"
fi
for scope in "product" "date_trunc('month', day)"; do
    for entry in "${checks[@]}"; do
        left=${entry%%|*}; right=${entry#*|}
        bad=$(psql -XAtq -c "SELECT count(*) FROM (SELECT $scope AS k, $left AS v FROM kpi_daily GROUP BY 1) m
                             FULL JOIN (SELECT $scope AS k, $right AS v FROM events GROUP BY 1) e USING (k)
                             WHERE m.v IS DISTINCT FROM e.v" 2>&1)
        if [ "$bad" = 0 ]; then echo "ok - load: per $scope, $left = $right over raw rows"
        else echo "not ok - load: per $scope, $left <> $right: $bad groups differ"; fi
    done
done
for entry in "${sql_checks[@]}"; do
    left=${entry%%|*}; right=${entry#*|}
    bad=$(psql -XAtq -c "SELECT count(*) FROM (SELECT product, $left AS x, $right AS y FROM events GROUP BY product) q
                         WHERE abs(x - y) > 1e-12 * greatest(1, abs(y)) OR x IS NULL" 2>&1)
    if [ "$bad" = 0 ]; then echo "ok - load: per product, $left matches $right"
    else echo "not ok - load: per product, $left vs $right: $bad products differ"; fi
done

rel_sentinel_check "load"
rel_log_check "load"
rel_sentinel_stop
rel_drop_db $db
exit 0
