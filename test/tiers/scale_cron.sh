# Tier: scheduled rollups.  A materialized view of per-day, per-product
# summaries (every summary kind) with its unique index is refreshed by
# REFRESH MATERIALIZED VIEW CONCURRENTLY from a pg_cron job; weekly and
# monthly KPIs are read with rollup().  The test inserts new events (into
# existing days and a new week), checks that the view is now stale (the check
# can fail), waits (bounded) for the scheduled refresh, and checks that the
# rolled-up KPIs equal the plain SQL over the raw rows.
# pg_cron >= 1.5 takes a '2 seconds' schedule; older versions (Debian 12 has
# 1.4) only whole minutes, so the wait is up to a minute there.
# Without pg_cron (not installed, or not in shared_preload_libraries) the
# scheduling checks are skipped and the refresh is run by hand.
cd "$(dirname "$0")/../.."
source test/lib.sh
source test/scale/lib.sh
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=kpi_scale_cron
job=pg_kpi_scale_cron_refresh
t_start=$(kpi_now_ms)
cron_db=""
cleanup() {
    [ -n "$cron_db" ] && psql -XAtq -d "$cron_db" \
        -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$job'" >/dev/null 2>&1
    psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
export PGDATABASE=$db
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -f test/scale/events.sql >/dev/null || exit 1
kpi_detect_kinds cron

# Is pg_cron usable here?  It must be installed and preloaded; its metadata
# lives in cron.database_name, from where jobs are scheduled into our database.
cron_ok=no
loaded=$(psql -XAtq -c "SELECT current_setting('shared_preload_libraries') ~ 'pg_cron',
                               current_setting('cron.database_name', true)" -F '|')
IFS='|' read -r preloaded cron_name <<< "$loaded"
if [ "$preloaded" = t ] && [ -n "$cron_name" ]; then
    if psql -XAtq -d "$cron_name" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null 2>&1; then
        cron_ok=yes; cron_db=$cron_name
        cron_version=$(psql -XAtq -d "$cron_db" -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")
    fi
fi
if [ $cron_ok = yes ]; then
    # Second-granularity schedules arrived in pg_cron 1.5.
    if printf '1.5\n%s\n' "${cron_version%%-*}" | sort -V -C; then
        schedule='2 seconds'; wait_s=20
    else
        schedule='* * * * *'; wait_s=75
    fi
    echo "# pg_cron $cron_version (metadata in database $cron_db): schedule '$schedule'"
else
    reason="pg_cron is not installed or not in shared_preload_libraries"
    [ "$preloaded" = t ] && reason="CREATE EXTENSION pg_cron failed in cron.database_name"
fi

base_rows=${SCALE_CRON_ROWS:-40000}
new_rows=$((base_rows / 4))
aggs=$(kpi_agg_columns)
rollups=$(kpi_rollup_columns)
if ! out=$(psql -XAtq -v ON_ERROR_STOP=1 2>&1 <<SQL
CREATE TABLE events AS SELECT * FROM scale_events(1, $base_rows, '2026-08-03', 49);
CREATE MATERIALIZED VIEW kpi_daily AS
SELECT day, product, $aggs FROM events GROUP BY day, product;
CREATE UNIQUE INDEX kpi_daily_key ON kpi_daily (day, product);
SQL
); then
    echo "not ok - cron: create events and the kpi_daily materialized view: $out"; exit 0
fi
n_daily=$(psql -XAtq -c "SELECT count(*) FROM kpi_daily")

if [ $cron_ok = yes ]; then
    jobid=$(psql -XAtq -d "$cron_db" -c "SELECT cron.schedule_in_database('$job', '$schedule',
                 'REFRESH MATERIALIZED VIEW CONCURRENTLY public.kpi_daily', '$db')" 2>&1)
    if [[ "$jobid" =~ ^[0-9]+$ ]]; then
        echo "ok - cron: pg_cron job $jobid refreshes kpi_daily ($n_daily day x product rows) CONCURRENTLY on schedule '$schedule'"
    else
        echo "not ok - cron: cron.schedule_in_database failed: $jobid"; cron_ok=no; cron_db=""
    fi
else
    echo "ok - cron: schedule the refresh with pg_cron # SKIP $reason"
fi

# New events: into the existing days (rows 1..base_rows cover 7 weeks) and one new week.
inserted_at=$(psql -XAtq -v ON_ERROR_STOP=1 \
    -c "INSERT INTO events SELECT * FROM scale_events($base_rows + 1, $base_rows + $new_rows, '2026-08-03', 56)" \
    -c "SELECT clock_timestamp()" 2>&1 | tail -1)
t_insert=$(kpi_now_ms)

weekly="SELECT date_trunc('week', day)::date AS week, product, $rollups FROM kpi_daily GROUP BY 1, 2"
monthly="SELECT date_trunc('month', day)::date AS month, $rollups FROM kpi_daily GROUP BY 1"
raw_weekly="(SELECT *, date_trunc('week', day)::date AS week FROM events) raw"
raw_monthly="(SELECT *, date_trunc('month', day)::date AS month FROM events) raw"

# Negative control: before the refresh the view misses the new rows, and the comparison says so.
stale=$(kpi_report_compare "stale" "$(kpi_compare_query "$weekly" "$raw_weekly" "week, product")")
if echo "$stale" | grep -q '^not ok'; then
    echo "ok - cron: before the refresh the weekly rollups differ from the raw rows ($(echo "$stale" | grep -c '^not ok') checks see the $new_rows new events)"
else
    echo "not ok - cron: the comparison did not notice the $new_rows unrefreshed events"
fi

if [ $cron_ok = yes ]; then
    status=""
    deadline=$(( $(date +%s) + wait_s ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        status=$(psql -XAtq -d "$cron_db" -F '|' -c "
            SELECT status, coalesce(return_message, '') FROM cron.job_run_details
            WHERE jobid = $jobid AND start_time > '$inserted_at' AND status IN ('succeeded', 'failed')
            ORDER BY start_time LIMIT 1" 2>&1)
        [ -n "$status" ] && break
        sleep 1
    done
    waited=$(( ($(kpi_now_ms) - t_insert) / 1000 ))
    case "$status" in
        succeeded*) echo "ok - cron: the scheduled REFRESH ... CONCURRENTLY ran and succeeded ${waited} s after the insert" ;;
        failed*)    echo "not ok - cron: the scheduled refresh failed: ${status#failed|}" ;;
        *)          echo "not ok - cron: no scheduled refresh within ${wait_s} s of the insert ($status)" ;;
    esac
else
    psql -XAtq -c "REFRESH MATERIALIZED VIEW CONCURRENTLY kpi_daily" >/dev/null \
        && echo "ok - cron: REFRESH MATERIALIZED VIEW CONCURRENTLY by hand (pg_cron unavailable)" \
        || echo "not ok - cron: REFRESH MATERIALIZED VIEW CONCURRENTLY failed"
fi

n_events=$(psql -XAtq -c "SELECT count(*) FROM events")
n_daily=$(psql -XAtq -c "SELECT count(*) FROM kpi_daily")
kpi_report_compare_all "cron weekly rollup(kpi_daily) per product" "$(kpi_compare_query "$weekly" "$raw_weekly" "week, product")"
kpi_report_compare_all "cron monthly rollup(kpi_daily)" "$(kpi_compare_query "$monthly" "$raw_monthly" "month")"
kpi_report_compare_all "cron all-time rollup(kpi_daily)" "$(kpi_compare_query "SELECT $rollups FROM kpi_daily" "events" "")"
echo "# $n_events events, $n_daily rows in kpi_daily; scale_cron total $(( $(kpi_now_ms) - t_start )) ms"
