# Tier: a second client library.  Queries the KPIs through node-postgres (`pg`
# on npm; test/client/package.json + package-lock.json) with named prepared
# statements, bound parameters and text and binary results, and compares every
# value with what psql prints for the same PREPARE/EXECUTE (see
# test/client/kpi_client_test.js).  Installs Debian's nodejs and npm when node
# is missing; skips (ok ... # SKIP) when node or the npm registry is unavailable.
cd "$(dirname "$0")/../.."
source test/lib.sh
source test/scale/lib.sh
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=kpi_scale_client
rows=${SCALE_CLIENT_ROWS:-20000}
t_start=$(kpi_now_ms)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    kpi_log "installing nodejs and npm for the client tier"
    export DEBIAN_FRONTEND=noninteractive
    { kpi_as_root apt-get update -qq && kpi_as_root apt-get install -y -qq --no-install-recommends nodejs npm; } >/dev/null 2>&1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "ok - client: node-postgres tier # SKIP node/npm could not be installed"
    exit 0
fi
if [ ! -f test/client/node_modules/pg/package.json ]; then
    if ! out=$(cd test/client && timeout 300 npm ci --no-audit --no-fund 2>&1); then
        echo "ok - client: node-postgres tier # SKIP npm ci failed (registry unreachable?): $(echo "$out" | tail -2 | tr '\n' ' ')"
        exit 0
    fi
fi
echo "# node $(node --version), node-postgres $(node -p "require('./test/client/node_modules/pg/package.json').version")"

trap 'psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
export PGDATABASE=$db
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -f test/scale/events.sql \
    -c "CREATE TABLE events AS SELECT * FROM scale_events(1, $rows)" -c "ANALYZE events" >/dev/null || exit 1

node test/client/kpi_client_test.js
status=$?
echo "# $rows events; scale_client total $(( $(kpi_now_ms) - t_start )) ms"
exit $status
