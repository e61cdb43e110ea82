# Tier: pg_dump / pg_restore round trips.  A database holds a table with a
# column of every summary type (daily summaries per product, plus NULL
# summaries and custom quality weights), a materialized view of weekly
# rollups with its unique index, and views that call the KPI functions.  It
# is dumped and restored into fresh databases three ways — plain SQL through
# psql, --format=custom through pg_restore, --format=directory with -j 2 —
# and every KPI read afterwards must equal the original, text for text; the
# restored summaries must also still equal the plain SQL over the raw rows.
# SCALE_DUMP_ROWS event rows (default 50000).
cd "$(dirname "$0")/../.."
source test/lib.sh
source test/scale/lib.sh
rows=${SCALE_DUMP_ROWS:-50000}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
bindir=$(kpi_pg_bindir)
src=kpi_scale_dump
work=$(mktemp -d "${TMPDIR:-/tmp}/pg_kpi_dump.XXXXXX")
chmod 777 "$work"
cleanup() {
    rm -rf "$work"
    psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS ${src}_plain" \
         -c "DROP DATABASE IF EXISTS ${src}_custom" -c "DROP DATABASE IF EXISTS ${src}_dir" >/dev/null 2>&1
}
trap cleanup EXIT
t_start=$(kpi_now_ms)

psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $src" -c "CREATE DATABASE $src" >/dev/null || exit 1
export PGDATABASE=$src
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -f test/scale/events.sql >/dev/null || exit 1
kpi_detect_kinds dump

coldefs=$(kpi_summary_coldefs)
aggs=$(kpi_agg_columns)
rollups=$(kpi_rollup_columns)
# Accessor reads of every active check, for the views.
reads=()
for line in "${KPI_CHECKS[@]}"; do
    kind=$(kpi_field "$line" 1)
    kpi_kind_active "$kind" || continue
    acc=$(kpi_field "$line" 3)
    reads+=("${acc//S/s_$kind} AS \"$kind $(kpi_field "$line" 2)\"")
done
read_cols=$(IFS=,; echo "${reads[*]}")
one=()
for line in "${KPI_ONE_STEP[@]}"; do
    kind=$(kpi_field "$line" 1)
    kpi_kind_active "$kind" && one+=("$(kpi_field "$line" 3) AS \"$kind $(kpi_field "$line" 2)\"")
done
one_cols=$(IFS=,; echo "${one[*]}")

if ! out=$(psql -XAtq -v ON_ERROR_STOP=1 2>&1 <<SQL
CREATE TABLE events AS SELECT * FROM scale_events(1, $rows);
-- every summary type as a column, per day and product
CREATE TABLE daily_kpis (day date, product text, $coldefs,
                         s_quality_equal score_summary,
                         PRIMARY KEY (day, product));
INSERT INTO daily_kpis
SELECT day, product, $aggs,
       quality_agg(relevance, accuracy, completeness, tone, '{0.25,0.25,0.25,0.25}')
FROM events GROUP BY day, product;
-- a row of NULL summaries (a day without data)
INSERT INTO daily_kpis (day, product) VALUES ('2026-07-01', 'assistant');
-- weekly rollups as a materialized view with its unique index
CREATE MATERIALIZED VIEW kpi_weekly AS
SELECT date_trunc('week', day)::date AS week, product, $rollups,
       rollup(s_quality_equal) AS s_quality_equal
FROM daily_kpis GROUP BY 1, 2;
CREATE UNIQUE INDEX ON kpi_weekly (week, product);
-- views calling the KPI functions
CREATE VIEW kpi_weekly_read AS
SELECT week, product, $read_cols, quality_score(s_quality_equal) AS quality_equal_weights
FROM kpi_weekly;
CREATE VIEW kpi_monthly_read AS
SELECT date_trunc('month', day)::date AS month, nps(rollup(s_nps)) AS nps,
       ci_lower(rollup(s_rate), 0.99) AS rate_lower_99, weights(rollup(s_quality_equal)) AS weights
FROM daily_kpis GROUP BY 1;
CREATE VIEW kpi_by_product AS
SELECT product, $one_cols FROM events GROUP BY product;
SQL
); then
    echo "not ok - dump: build the source database: $out"; exit 0
fi

# The reads compared before and after (their output, text for text).
read_queries=(
  "SELECT * FROM daily_kpis ORDER BY day, product"
  "SELECT * FROM kpi_weekly ORDER BY week, product"
  "SELECT * FROM kpi_weekly_read ORDER BY week, product"
  "SELECT * FROM kpi_monthly_read ORDER BY month"
  "SELECT * FROM kpi_by_product ORDER BY product"
)
snapshot() {   # snapshot DB -> one md5 per read, plus row counts
    local q
    for q in "${read_queries[@]}"; do
        psql -XAtq -d "$1" -c "$q" 2>&1 | md5sum | cut -c1-32
        psql -XAtq -d "$1" -c "SELECT count(*) FROM ($q) x" 2>&1
    done
}
before=$(snapshot "$src")
if echo "$before" | sed -n '2~2p' | grep -qvE '^[1-9][0-9]*$'; then
    echo "not ok - dump: a KPI read of the source database failed or returned no rows"; echo "$before" | sed 's/^/# /'
fi
n_daily=$(psql -XAtq -c "SELECT count(*) FROM daily_kpis")
n_weekly=$(psql -XAtq -c "SELECT count(*) FROM kpi_weekly")
echo "# source database: $rows events, $n_daily daily summary rows, $n_weekly weekly rows (materialized view), 3 views (built in $(( $(kpi_now_ms) - t_start )) ms)"

restore_and_check() {   # restore_and_check LABEL TARGET_DB, running $dump_cmd then $restore_cmd
    local label=$1 target=$2 t0 after out
    t0=$(kpi_now_ms)
    psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $target" -c "CREATE DATABASE $target" >/dev/null || return
    if ! out=$(eval "$dump_cmd" 2>&1); then echo "not ok - dump ($label): pg_dump failed: $out"; return; fi
    if ! out=$(eval "$restore_cmd" 2>&1); then echo "not ok - dump ($label): restore failed: $(echo "$out" | head -5)"; return; fi
    echo "ok - dump ($label): dump and restore succeed without errors ($(( $(kpi_now_ms) - t0 )) ms)"
    after=$(snapshot "$target")
    if [ "$after" = "$before" ]; then
        echo "ok - dump ($label): ${#read_queries[@]} KPI reads (summary columns, materialized view, 3 views) equal the original, text for text"
    else
        echo "not ok - dump ($label): KPI reads differ after restore"
        diff <(echo "$before") <(echo "$after") | sed 's/^/# /'
    fi
    # The restored materialized view is refreshable and still matches the raw rows.
    if psql -XAtq -d "$target" -c "REFRESH MATERIALIZED VIEW CONCURRENTLY kpi_weekly" >/dev/null 2>&1; then
        echo "ok - dump ($label): REFRESH MATERIALIZED VIEW CONCURRENTLY works on the restored view"
    else
        echo "not ok - dump ($label): REFRESH MATERIALIZED VIEW CONCURRENTLY failed on the restored view"
    fi
    PGDATABASE=$target kpi_report_compare_all "dump ($label) restored weekly summaries" \
        "$(kpi_compare_query "SELECT week, product, $(kpi_summary_names) FROM kpi_weekly" \
            "(SELECT *, date_trunc('week', day)::date AS week FROM events) raw" "week, product")"
}

dump_cmd="'$bindir/pg_dump' -d $src -f '$work/plain.sql'"
restore_cmd="psql -XAtq -v ON_ERROR_STOP=1 -d ${src}_plain -f '$work/plain.sql' >/dev/null"
restore_and_check "plain format, psql" "${src}_plain"

dump_cmd="'$bindir/pg_dump' -d $src --format=custom -f '$work/db.dump'"
restore_cmd="'$bindir/pg_restore' --exit-on-error -d ${src}_custom '$work/db.dump'"
restore_and_check "custom format, pg_restore" "${src}_custom"

dump_cmd="'$bindir/pg_dump' -d $src --format=directory --jobs=2 -f '$work/dir'"
restore_cmd="'$bindir/pg_restore' --exit-on-error --jobs=2 -d ${src}_dir '$work/dir'"
restore_and_check "directory format, 2 jobs" "${src}_dir"

size=$(du -k "$work/db.dump" | cut -f1)
echo "# custom-format dump: ${size} kB; scale_dump total $(( $(kpi_now_ms) - t_start )) ms"
