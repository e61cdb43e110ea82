# test/reliability_lib.sh — helpers shared by the reliability tiers
# (test/tiers/reliability_*.sh).  Source it; do not run it.  (It lives outside
# test/tiers/ because the test driver runs every file there as a tier.)
#
# Every helper talks to the cluster in PGHOST/PGPORT/PGUSER.

# rel_create_db NAME [SQL...]: (re)create database NAME with pg_kpi installed,
# then run the extra SQL commands in it.
rel_create_db() {
    local db=$1; shift
    local cmd args=()
    psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || return 1
    for cmd in "CREATE EXTENSION pg_kpi" "$@"; do args+=(-c "$cmd"); done
    psql -XAtq -v ON_ERROR_STOP=1 -d "$db" "${args[@]}" >/dev/null
}

rel_drop_db() {
    psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1
}

# The server log, when we can read it: $KPI_SERVER_LOG, or server.log next to
# the socket of a throwaway cluster started by test/lib.sh.
rel_server_log() {
    if [ -n "${KPI_SERVER_LOG:-}" ] && [ -r "$KPI_SERVER_LOG" ]; then
        echo "$KPI_SERVER_LOG"
    elif [ -n "${PGHOST:-}" ] && [ -r "$PGHOST/server.log" ]; then
        echo "$PGHOST/server.log"
    fi
}

# rel_log_mark: remember where the server log ends now (REL_LOG_OFFSET).
rel_log_mark() {
    local log
    log=$(rel_server_log)
    REL_LOG_OFFSET=0
    [ -n "$log" ] && REL_LOG_OFFSET=$(stat -c %s "$log")
}

# rel_log_check WHAT: "ok"/"not ok" line for the server log since rel_log_mark:
# no backend killed by a signal, no crash restart, no PANIC, no OOM kill.
rel_log_check() {
    local log lines
    log=$(rel_server_log)
    if [ -z "$log" ]; then
        echo "ok - $1: server log not readable here (set KPI_SERVER_LOG); checked the sentinel session only"
        return
    fi
    lines=$(tail -c +"$((REL_LOG_OFFSET + 1))" "$log" | grep -E \
        'terminated by signal|was terminated by|exited with exit code [2-9]|all server processes terminated|terminating any other active server processes|PANIC|Killed process|database system was not properly shut down' \
        | head -5)
    if [ -z "$lines" ]; then
        echo "ok - $1: server log shows no crash or restart"
    else
        echo "not ok - $1: server log shows a crash: $lines"
    fi
}

# A sentinel session: an idle backend started now; if any backend crashes,
# the postmaster kills every backend, so the sentinel's survival shows that
# no crash-restart happened in between.
rel_sentinel_start() {
    REL_SENTINEL_APP="kpi_sentinel_$$_$RANDOM"
    PGAPPNAME=$REL_SENTINEL_APP psql -XAtq -d postgres -c "SELECT pg_sleep(86400)" >/dev/null 2>&1 &
    REL_SENTINEL_JOB=$!
    REL_SENTINEL_PID=""
    for _ in $(seq 1 100); do
        REL_SENTINEL_PID=$(psql -XAtq -d postgres -c \
            "SELECT pid FROM pg_stat_activity WHERE application_name = '$REL_SENTINEL_APP'")
        [ -n "$REL_SENTINEL_PID" ] && break
        sleep 0.1
    done
}

# rel_sentinel_check WHAT: "ok"/"not ok" line; the sentinel backend must still exist.
rel_sentinel_check() {
    local alive
    alive=$(psql -XAtq -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE pid = '${REL_SENTINEL_PID:-0}'" 2>&1)
    if [ -n "$REL_SENTINEL_PID" ] && [ "$alive" = 1 ]; then
        echo "ok - $1: server up, sentinel backend $REL_SENTINEL_PID survived (no crash restart)"
    else
        echo "not ok - $1: sentinel backend ${REL_SENTINEL_PID:-?} is gone or the server is down ($alive)"
    fi
}

rel_sentinel_stop() {
    [ -n "${REL_SENTINEL_PID:-}" ] && psql -XAtq -d postgres -c "SELECT pg_terminate_backend($REL_SENTINEL_PID)" >/dev/null 2>&1
    [ -n "${REL_SENTINEL_JOB:-}" ] && wait "$REL_SENTINEL_JOB" 2>/dev/null
    REL_SENTINEL_PID=""
    REL_SENTINEL_JOB=""
}

# Milliseconds since the epoch.
rel_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
