# Tier: the change-alert recipe (README "Alerting") on the demo warehouse.
# The sample warehouse is built twice in fresh databases — with the injected
# change (warehouse_60_completion_drop.sql: helpdesk completion falls by 8% in
# the last week) and without it — and kpi_check_alerts('2026-10-29') from
# warehouse_95_alerts.sql must record exactly the one real drop, and nothing
# without the injection.  The drop is also recomputed from the raw rows in
# plain SQL.
cd "$(dirname "$0")/../.."
source test/lib.sh
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=kpi_alert_demo
drop_dbs() { psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS ${db}" -c "DROP DATABASE IF EXISTS ${db}_clean" >/dev/null 2>&1; }
trap drop_dbs EXIT
drop_dbs

build() {   # build DATABASE FILES...: a warehouse from these parts
    local d=$1; shift
    psql -XAtq -d postgres -c "CREATE DATABASE $d" >/dev/null || return 1
    psql -XAtq -d "$d" -c "CREATE EXTENSION pg_kpi" >/dev/null || return 1
    for f in "$@"; do
        psql -XAtq -v ON_ERROR_STOP=1 -d "$d" -f "$f" >/dev/null || { echo "# loading $f failed"; return 1; }
    done
}
parts_common=(test/demo/warehouse_10_interactions.sql)
parts_tail=(test/demo/warehouse_90_daily_rollups.sql test/demo/warehouse_95_alerts.sql)

if build $db "${parts_common[@]}" test/demo/warehouse_60_completion_drop.sql "${parts_tail[@]}"; then
    echo "ok - demo warehouse with the injected drop built"
else
    echo "not ok - demo warehouse with the injected drop built"; exit 0
fi
got=$(psql -XAtq -d $db -c "SELECT product || ' ' || alert FROM kpi_check_alerts(date '2026-10-29') ORDER BY 1")
if [ "$got" = "helpdesk completion_drop" ]; then
    echo "ok - kpi_check_alerts finds exactly the injected drop (helpdesk completion_drop)"
else
    echo "not ok - kpi_check_alerts finds exactly the injected drop (got: $(echo $got))"
fi
again=$(psql -XAtq -d $db -c "SELECT count(*) FROM kpi_check_alerts(date '2026-10-29')" -c "SELECT count(*) FROM kpi_alerts")
if [ "$(echo $again)" = "0 1" ]; then
    echo "ok - a second run records no duplicate"
else
    echo "not ok - a second run records no duplicate (got: $(echo $again))"
fi
# The same decision from the raw rows: relative change of the weekly completion
# rate below -5% with a two-sided pooled z-test p < 0.05 (|z| > 1.959964).
sql_found=$(psql -XAtq -d $db -c "
WITH w AS (SELECT product, ts >= timestamptz '2026-10-23 00:00:00+00' AS cur,
                  count(*) FILTER (WHERE completed)::float8 AS x, count(completed)::float8 AS n
           FROM interactions WHERE ts >= timestamptz '2026-10-16 00:00:00+00' GROUP BY 1, 2),
     p AS (SELECT c.product, c.x / c.n AS pc, b.x / b.n AS pb, (c.x + b.x) / (c.n + b.n) AS pool, c.n AS nc, b.n AS nb
           FROM w c JOIN w b ON b.product = c.product AND c.cur AND NOT b.cur)
SELECT product FROM p
WHERE pc / pb - 1 < -0.05 AND abs(pc - pb) / sqrt(pool * (1 - pool) * (1 / nc + 1 / nb)) > 1.959964
ORDER BY 1")
if [ "$sql_found" = "helpdesk" ]; then
    echo "ok - plain SQL over the raw rows flags the same product"
else
    echo "not ok - plain SQL over the raw rows flags the same product (got: $(echo $sql_found))"
fi

if build ${db}_clean "${parts_common[@]}" "${parts_tail[@]}"; then
    n=$(psql -XAtq -d ${db}_clean -c "SELECT count(*) FROM kpi_check_alerts(date '2026-10-29')")
    if [ "$n" = "0" ]; then
        echo "ok - without the injected change kpi_check_alerts records nothing"
    else
        echo "not ok - without the injected change kpi_check_alerts records nothing (got $n alerts)"
    fi
else
    echo "not ok - demo warehouse without the injection built"
fi
