# test/lib.sh — shared shell helpers for the demo, the test driver, the
# benchmarks and the test tiers: install what is missing, build and install
# the extension, and start/stop throwaway PostgreSQL clusters.
#
# Source it; do not run it.  Every cluster started with kpi_cluster_start is
# stopped by kpi_cluster_stop_all, which the callers register with `trap`.

KPI_ROOT=${KPI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KPI_PG_MAJOR=${KPI_PG_MAJOR:-15}
KPI_CLUSTERS=()

kpi_log() { printf '[pg_kpi] %s\n' "$*" >&2; }

# Run a command as root (directly, or through sudo when we are not root).
kpi_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Run a command as the cluster owner: `postgres` when we are root, else ourselves.
kpi_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Install the Debian packages needed to build, install and test (only the missing ones).
# Extra package names may be passed; they are installed if available, skipped otherwise.
kpi_install_deps() {
    local need=() optional=("$@") pkg
    for pkg in build-essential "postgresql-$KPI_PG_MAJOR" "postgresql-server-dev-$KPI_PG_MAJOR" \
               postgresql-contrib util-linux; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    local opt_missing=()
    for pkg in "${optional[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || opt_missing+=("$pkg")
    done
    if [ ${#need[@]} -eq 0 ] && [ ${#opt_missing[@]} -eq 0 ]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        kpi_log "missing packages ${need[*]} ${opt_missing[*]} and no apt-get: install them by hand"
        [ ${#need[@]} -eq 0 ]
        return
    fi
    kpi_log "installing packages: ${need[*]} ${opt_missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    kpi_as_root apt-get update -qq >/dev/null || return 1
    if [ ${#need[@]} -gt 0 ]; then
        kpi_as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || return 1
    fi
    for pkg in "${opt_missing[@]}"; do
        kpi_as_root apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 \
            || kpi_log "optional package $pkg is not available; tests that need it will be skipped"
    done
}

# Use the server's own pg_config when none is on PATH (a bare Debian image has
# /usr/lib/postgresql/N/bin/pg_config but not always /usr/bin/pg_config).
kpi_find_pg_config() {
    if [ -z "${PG_CONFIG:-}" ] && ! command -v pg_config >/dev/null 2>&1; then
        export PG_CONFIG=/usr/lib/postgresql/$KPI_PG_MAJOR/bin/pg_config
    fi
}

# The bin directory of the PostgreSQL server we build against.
kpi_pg_bindir() {
    local bindir
    kpi_find_pg_config
    bindir=$(${PG_CONFIG:-pg_config} --bindir 2>/dev/null)
    if [ -x "$bindir/initdb" ]; then echo "$bindir"; else echo "/usr/lib/postgresql/$KPI_PG_MAJOR/bin"; fi
}

# Build and install the extension (quietly; the log is shown on failure).
kpi_build_install() {
    local log
    kpi_find_pg_config
    log=$(mktemp)
    if ! (cd "$KPI_ROOT" && make -s clean && make -s ${KPI_MAKE_FLAGS:-} && kpi_as_root make -s install ${KPI_MAKE_FLAGS:-} ${PG_CONFIG:+PG_CONFIG=$PG_CONFIG}) >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        kpi_log "build failed"
        return 1
    fi
    rm -f "$log"
}

# Find a TCP port on 127.0.0.1 that nothing listens on.
kpi_free_port() {
    local port tries=0
    while [ $tries -lt 200 ]; do
        port=$(( 20000 + RANDOM % 20000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    return 1
}

# Start a throwaway cluster in a new temporary directory.
# Usage: kpi_cluster_start VAR [postgres -c settings...]
# Sets VAR_DIR and VAR_PORT; the socket lives in VAR_DIR.  Extra arguments are
# appended to postgresql.conf (e.g. "shared_preload_libraries='pg_cron'").
kpi_cluster_start() {
    local var=$1; shift
    local bindir dir port setting
    bindir=$(kpi_pg_bindir)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pg_kpi_cluster.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    KPI_CLUSTERS+=("$dir")
    port=$(kpi_free_port) || { kpi_log "no free port"; return 1; }
    kpi_as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    {
        echo "port = $port"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$dir'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "shared_buffers = 512MB"
        echo "work_mem = 64MB"
        echo "maintenance_work_mem = 512MB"
        echo "max_wal_size = 4GB"
        echo "max_worker_processes = 16"
        echo "max_parallel_workers = 8"
        echo "max_parallel_workers_per_gather = 2"
        echo "logging_collector = off"
        echo "log_min_messages = warning"
        for setting in "$@"; do echo "$setting"; done
    } | kpi_as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    if [ -n "${KPI_VALGRIND:-}" ]; then
        # Run the server (and every backend it forks) under valgrind memcheck.
        kpi_as_owner bash -c "setsid valgrind --quiet --trace-children=yes --leak-check=no \
            --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END --read-var-info=no \
            --suppressions='$KPI_ROOT/test/valgrind.supp' --log-file='$dir/valgrind.%p.log' \
            '$bindir/postgres' -D '$dir/data' >'$dir/server.log' 2>&1 </dev/null &"
        local waited=0
        until "$bindir/pg_isready" -q -h "$dir" -p "$port"; do
            sleep 1; waited=$((waited + 1))
            [ $waited -lt 180 ] || { cat "$dir/server.log" >&2; return 1; }
        done
    elif ! kpi_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
        cat "$dir/server.log" >&2
        return 1
    fi
    printf -v "${var}_DIR" '%s' "$dir"
    printf -v "${var}_PORT" '%s' "$port"
}

# Stop one throwaway cluster and remove its directory.
kpi_cluster_stop() {
    local dir=$1
    [ -d "$dir/data" ] && kpi_as_owner "$(kpi_pg_bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
}

# Stop every cluster this shell started (register with: trap kpi_cluster_stop_all EXIT).
kpi_cluster_stop_all() {
    local dir
    for dir in "${KPI_CLUSTERS[@]}"; do
        kpi_cluster_stop "$dir"
    done
    KPI_CLUSTERS=()
}

# Start the main throwaway cluster and point libpq's environment at it.
# When pg_cron is installed, the cluster preloads it (jobs run in background
# workers; its metadata lives in the database postgres) for scheduled rollups.
kpi_start_main_cluster() {
    local cron=() libdir
    kpi_find_pg_config
    libdir=$(${PG_CONFIG:-pg_config} --pkglibdir 2>/dev/null || echo "/usr/lib/postgresql/$KPI_PG_MAJOR/lib")
    if [ -f "$libdir/pg_cron.so" ]; then
        cron=("shared_preload_libraries = 'pg_cron'" "cron.database_name = 'postgres'" "cron.use_background_workers = on")
    fi
    kpi_cluster_start KPI_MAIN "${cron[@]}" "$@" || return 1
    export PGHOST=$KPI_MAIN_DIR PGPORT=$KPI_MAIN_PORT PGUSER=postgres
    export PGDATABASE=${PGDATABASE:-postgres}
}
