# Tier: client libraries besides psql.  The cases of test/client/cases.json
# (prepared statements with bound parameters: confidence, weights arrays,
# dates and dateranges, percentile p, retention mode) run through
#   - node-postgres (`pg` on npm; test/client/package.json + package-lock.json),
#     text results (its binary mode decodes rows as UTF-8: not usable), and
#   - the PostgreSQL JDBC driver (Debian libpostgresql-jdbc-java), server-side
#     prepared with binary result transfer,
# and every value must equal what psql prints for the same PREPARE/EXECUTE.
# Installs Debian's nodejs and npm when node is missing; a client that cannot
# be installed (no node, npm registry unreachable, no JDK or driver) is
# skipped with "ok - ... # SKIP".
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
node_ok=yes
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "ok - client: node-postgres # SKIP node/npm could not be installed"
    node_ok=no
elif [ ! -f test/client/node_modules/pg/package.json ]; then
    if ! out=$(cd test/client && timeout 300 npm ci --no-audit --no-fund 2>&1); then
        echo "ok - client: node-postgres # SKIP npm ci failed (registry unreachable?): $(echo "$out" | tail -2 | tr '\n' ' ')"
        node_ok=no
    fi
fi
[ "$node_ok" = yes ] && echo "# node $(node --version), node-postgres $(node -p "require('./test/client/node_modules/pg/package.json').version")"

trap 'psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
export PGDATABASE=$db
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_kpi" -f test/scale/events.sql \
    -c "CREATE TABLE events AS SELECT * FROM scale_events(1, $rows)" -c "ANALYZE events" >/dev/null || exit 1

status=0
if [ "$node_ok" = yes ]; then
    node test/client/kpi_client_test.js || status=1
fi

jar=/usr/share/java/postgresql.jar
if command -v java >/dev/null 2>&1 && [ -f "$jar" ] && java --list-modules 2>/dev/null | grep -q '^jdk.compiler'; then
    # pgjdbc has no Unix-socket support: it connects over TCP to 127.0.0.1:$PGPORT.
    java -cp "$jar" test/client/KpiJdbcTest.java test/client || status=1
else
    echo "ok - client: JDBC # SKIP needs a JDK (openjdk-17-jdk-headless) and libpostgresql-jdbc-java"
fi
echo "# $rows events; scale_client total $(( $(kpi_now_ms) - t_start )) ms"
exit $status
