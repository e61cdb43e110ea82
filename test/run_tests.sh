#!/usr/bin/env bash
# test/run_tests.sh — the one test command (README "Run the tests"; .ci/run calls it).
#
# Installs what is missing, builds and installs pg_kpi, starts a throwaway
# cluster (as the postgres OS user when run as root), runs every test tier:
#   1. pg_regress: sql/*.sql against expected/*.out
#   2. every test/tiers/*.sh (each prints "ok - name" / "not ok - name" lines)
# and ends with one line "N passed, N failed".  Exit status 0 only if nothing failed.
#
# Options:  --tier NAME   run only the regress suite ("regress") or one tier file
# pg_regress output stays in results/ and regression.diffs until the next
# build (make clean removes it).
set -uo pipefail

cd "$(dirname "$0")/.."
source test/lib.sh

only_tier=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tier) only_tier=$2; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

passed=0
failed=0
failures=()

record() {   # record ok|fail NAME
    if [ "$1" = ok ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$2")
    fi
}

finish() {
    kpi_cluster_stop_all
    if [ ${#failures[@]} -gt 0 ]; then
        echo "failed:"
        printf '  %s\n' "${failures[@]}"
    fi
    echo "$passed passed, $failed failed"
}

kpi_install_deps postgresql-15-tdigest postgresql-15-hll postgresql-15-cron \
    libpostgresql-jdbc-java openjdk-17-jdk-headless \
    || { echo "could not install the build dependencies"; echo "0 passed, 1 failed"; exit 1; }
kpi_build_install || { echo "0 passed, 1 failed"; exit 1; }

trap 'finish' EXIT
trap 'exit 130' INT TERM
kpi_start_main_cluster || { record fail "start throwaway cluster"; exit 1; }
kpi_log "throwaway cluster on port $PGPORT (socket in $PGHOST)"

# Tier 1: pg_regress.
if [ -z "$only_tier" ] || [ "$only_tier" = regress ]; then
    echo "== regress (pg_regress sql/*.sql)"
    out=$(make -s installcheck KPI_THROWAWAY=1 2>&1)
    status=$?
    echo "$out" | grep -E '^(test | *[a-z_0-9]+ +\.\.\.|ok|not ok)' || true
    n_ok=$(echo "$out" | grep -cE '\.\.\. ok')
    n_bad=$(echo "$out" | grep -cE '\.\.\. FAILED|\.\.\. failed')
    for _ in $(seq 1 "$n_ok"); do record ok regress; done
    while read -r name; do
        [ -n "$name" ] && record fail "regress: $name"
    done < <(echo "$out" | grep -E '\.\.\. FAILED|\.\.\. failed' | sed -E 's/^test +//; s/ +\.\.\..*//')
    if [ $status -ne 0 ] && [ "$n_bad" -eq 0 ]; then
        echo "$out" | tail -20
        record fail "regress: pg_regress exited with $status"
    fi
    if [ "$n_bad" -gt 0 ] && [ -f regression.diffs ]; then
        head -200 regression.diffs
    fi
fi

# Tier 2+: test/tiers/*.sh, each against the same cluster.
for tier in test/tiers/*.sh; do
    [ -e "$tier" ] || continue
    name=$(basename "$tier" .sh)
    if [ -n "$only_tier" ] && [ "$only_tier" != "$name" ]; then continue; fi
    echo "== tier $name"
    tier_out=$(mktemp)
    bash "$tier" 2>&1 | tee "$tier_out"
    status=${PIPESTATUS[0]}
    t_ok=$(grep -cE '^ok( |$)' "$tier_out")
    t_bad=$(grep -cE '^not ok( |$)' "$tier_out")
    for _ in $(seq 1 "$t_ok"); do record ok "$name"; done
    while read -r line; do
        record fail "$name: ${line#not ok - }"
    done < <(grep -E '^not ok( |$)' "$tier_out")
    if [ "$status" -ne 0 ] && [ "$t_bad" -eq 0 ]; then
        record fail "$name: exited with status $status"
    fi
    if [ "$t_ok" -eq 0 ] && [ "$t_bad" -eq 0 ] && [ "$status" -eq 0 ]; then
        record fail "$name: ran no test"
    fi
    rm -f "$tier_out"
done

[ "$failed" -eq 0 ]
