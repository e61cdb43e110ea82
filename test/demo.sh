#!/usr/bin/env bash
# test/demo.sh — the main job (README "Try it"): a throwaway PostgreSQL cluster
# with pg_kpi installed, a realistic sample warehouse loaded into the database
# kpi_demo, and the KPI dashboard printed through psql.
#
# If PGHOST, PGPORT or PGDATABASE is set, the demo uses that server instead
# (pg_kpi must already be installed there; the data goes into schema kpi_demo).
#
#   bash test/demo.sh          run, print the dashboard, stop the cluster
#   bash test/demo.sh --keep   keep the throwaway cluster running until Ctrl-C
#
# Warehouse parts are test/demo/warehouse_*.sql, dashboard parts
# test/demo/dashboard_*.sql, each run in name order.
set -uo pipefail
cd "$(dirname "$0")/.."
source test/lib.sh

keep=no
[ "${1:-}" = "--keep" ] && keep=yes

if [ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
    kpi_log "using your server (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGDATABASE=${PGDATABASE:-})"
    own_server=yes
else
    own_server=no
    kpi_install_deps || exit 1
    kpi_build_install || exit 1
    trap kpi_cluster_stop_all EXIT
    trap 'exit 130' INT TERM
    kpi_start_main_cluster || exit 1
    psql -XAtq -d postgres -c "CREATE DATABASE kpi_demo" || exit 1
    export PGDATABASE=kpi_demo
fi
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

psql -XAtq -v ON_ERROR_STOP=1 <<'SQL' || exit 1
CREATE EXTENSION IF NOT EXISTS pg_kpi;
DROP SCHEMA IF EXISTS kpi_demo CASCADE;
CREATE SCHEMA kpi_demo;
SQL

start=$(date +%s)
for f in test/demo/warehouse_*.sql; do
    PGOPTIONS="$PGOPTIONS -c search_path=kpi_demo,public" \
        psql -XAtq -v ON_ERROR_STOP=1 -f "$f" >/dev/null || { kpi_log "loading $f failed"; exit 1; }
done
kpi_log "sample warehouse loaded into schema kpi_demo in $(( $(date +%s) - start )) s"

echo
echo "pg_kpi KPI dashboard — sample warehouse (schema kpi_demo)"
for f in test/demo/dashboard_*.sql; do
    PGOPTIONS="$PGOPTIONS -c search_path=kpi_demo,public" \
        psql -X -q -v ON_ERROR_STOP=1 -v own_server=$own_server -f "$f" || { kpi_log "dashboard $f failed"; exit 1; }
done

if [ "$own_server" = no ]; then
    echo
    echo "Connect to this cluster while it runs:"
    echo "  psql \"host=$PGHOST port=$PGPORT user=postgres dbname=kpi_demo options=-csearch_path=kpi_demo,public\""
    echo "  (or over TCP: psql -h 127.0.0.1 -p $PGPORT -U postgres kpi_demo)"
    if [ "$keep" = yes ]; then
        echo "The cluster keeps running until you press Ctrl-C."
        while true; do sleep 3600; done
    elif [ -t 0 ]; then
        read -r -p "Press Enter to stop the cluster (run with --keep to keep it until Ctrl-C) " _
    else
        echo "(Not a terminal: stopping the cluster now. Run with --keep to keep it running.)"
    fi
fi
