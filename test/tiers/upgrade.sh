# Tier: versions and upgrades.
# - pg_kpi--1.0.sql is the released 1.0 script and is never edited (checksum).
# - Install the oldest version, walk every ALTER EXTENSION ... UPDATE step to the
#   default version, and compare the result with a fresh install of the default
#   version object by object: the full pg_proc row of every function, the full
#   pg_aggregate row of every aggregate, every type's I/O, binary I/O, storage and
#   alignment, every cast, operator, table (and its contents) and comment
#   (test/extension_catalog.sql).  A forgotten PARALLEL SAFE, combine function or
#   changed default shows up as a differing line.
# - Every C symbol the 1.0 script names resolves in the current library (a 1.0
#   install creates every 1.0 function, so a missing symbol fails that install).
cd "$(dirname "$0")/../.."
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
q() { psql -XAtq -v ON_ERROR_STOP=1 "$@"; }

frozen_sha=$(cut -d" " -f1 test/fixtures/1.0/pg_kpi--1.0.sql.sha256)
if [ "$(sha256sum pg_kpi--1.0.sql | cut -d' ' -f1)" = "$frozen_sha" ]; then
    echo "ok - pg_kpi--1.0.sql is the released 1.0 script, unchanged"
else
    echo "not ok - pg_kpi--1.0.sql was edited: released scripts are frozen (put changes in src/ and src/upgrade/)"
fi

default=$(q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_kpi'")
versions=$(q -d postgres -c "SELECT version FROM pg_available_extension_versions WHERE name = 'pg_kpi'
                              ORDER BY string_to_array(version, '.')::int[]")
oldest=$(echo "$versions" | head -n 1)
[ -n "$default" ] && [ -n "$oldest" ] || { echo "not ok - pg_kpi is not installed"; exit 1; }
if [ "$oldest" = "1.0" ]; then
    echo "ok - the released version 1.0 is installable"
else
    echo "not ok - the oldest installable version is $oldest, not the released 1.0"
fi

# The extension's objects in a database, described completely, plus the
# contents of every table the extension owns (shipped configuration rows).
describe() {
    local db=$1 rel
    q -d "$db" -f test/extension_catalog.sql
    for rel in $(q -d "$db" -c "SELECT c.oid::regclass FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
                                WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind = 'r'
                                  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_kpi')"); do
        q -d "$db" -c "SELECT 'row of $rel: ' || t::text FROM $rel t ORDER BY 1"
    done
}

q -d postgres -c "DROP DATABASE IF EXISTS kpi_upgrade_fresh" -c "DROP DATABASE IF EXISTS kpi_upgrade_walk" \
  -c "CREATE DATABASE kpi_upgrade_fresh" -c "CREATE DATABASE kpi_upgrade_walk" >/dev/null || exit 1
q -d kpi_upgrade_fresh -c "CREATE EXTENSION pg_kpi" || exit 1
if q -d kpi_upgrade_walk -c "CREATE EXTENSION pg_kpi VERSION '$oldest'"; then
    echo "ok - install the oldest version, $oldest (every C symbol its script names resolves)"
else
    echo "not ok - install the oldest version, $oldest"
fi
previous=$oldest
for v in $(echo "$versions" | tail -n +2); do
    if q -d kpi_upgrade_walk -c "ALTER EXTENSION pg_kpi UPDATE TO '$v'"; then
        echo "ok - ALTER EXTENSION pg_kpi UPDATE from $previous to $v"
    else
        echo "not ok - ALTER EXTENSION pg_kpi UPDATE from $previous to $v"
    fi
    previous=$v
done
installed=$(q -d kpi_upgrade_walk -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_kpi'")
if [ "$installed" = "$default" ]; then
    echo "ok - the update path from $oldest reaches the default version $default"
else
    echo "not ok - the update path from $oldest ends at $installed, not $default"
fi

fresh=$(describe kpi_upgrade_fresh)
walked=$(describe kpi_upgrade_walk)
n_fresh=$(echo "$fresh" | grep -c .)
if [ "$n_fresh" -gt 100 ] && [ "$fresh" = "$walked" ]; then
    echo "ok - updated and fresh installs are identical in $n_fresh catalog descriptions" \
         "($(echo "$fresh" | grep -c '^function') functions, $(echo "$fresh" | grep -c '^aggregate') aggregates," \
         "$(echo "$fresh" | grep -c '^type') types)"
else
    echo "not ok - updated and fresh installs differ ('<' fresh install, '>' after the update path):"
    diff <(echo "$fresh") <(echo "$walked") | grep '^[<>]' | cut -c1-400 | head -40
fi
q -d postgres -c "DROP DATABASE kpi_upgrade_fresh" -c "DROP DATABASE kpi_upgrade_walk" >/dev/null
