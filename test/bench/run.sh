#!/usr/bin/env bash
# test/bench/run.sh — pg_kpi benchmarks: each KPI beside count(*) over the same
# rows and beside the hand-written SQL it replaces, as ratios, in one run.
#
#   bash test/bench/run.sh            full run: 10M-row events table
#   bash test/bench/run.sh --quick    ~100k rows (the test command runs this)
#   bash test/bench/run.sh --rows N   any size
#   BENCH_ONLY=rates bash test/bench/run.sh   only the sections whose file name matches
#
# Uses the server in PGHOST/PGPORT if set (database kpi_bench is recreated),
# otherwise builds, installs and starts a throwaway cluster.  Sections live in
# test/bench/bench_*.sh and are run in name order.  Accuracy and exactness
# checks print "ok"/"not ok" lines; times are reported, never asserted.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib.sh
source test/bench/lib.sh

rows=10000000
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) rows=100000; BENCH_REPS=1; shift ;;
        --rows) rows=$2; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

if [ -z "${PGHOST:-}${PGPORT:-}" ]; then
    kpi_install_deps postgresql-15-tdigest postgresql-15-hll || exit 1
    kpi_build_install || exit 1
    trap kpi_cluster_stop_all EXIT
    kpi_start_main_cluster || exit 1
fi
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS kpi_bench" -c "CREATE DATABASE kpi_bench" || exit 1
export PGDATABASE=kpi_bench
psql -XAtq -c "CREATE EXTENSION pg_kpi" || exit 1
export BENCH_ROWS=$rows

echo "pg_kpi benchmark: $rows rows, $(nproc) cores, $(psql -XAtq -c 'SHOW server_version'),"\
     "max_parallel_workers_per_gather=$(psql -XAtq -c 'SHOW max_parallel_workers_per_gather'), median of $BENCH_REPS"
start=$(date +%s)
psql -XAtq -v ON_ERROR_STOP=1 -v rows="$rows" -f test/bench/gen_events.sql >/dev/null || exit 1
echo "generated events in $(( $(date +%s) - start )) s; table size $(psql -XAtq -c "SELECT pg_size_pretty(pg_table_size('events'))")"

BASE_COUNT=$(bench_ms "SELECT count(*) FROM events")
bench_row "count(*) (floor)" "$BASE_COUNT"

status=0
for section in test/bench/bench_*${BENCH_ONLY:-}*.sh; do
    source "$section" || status=1
done
exit $status
