# Tier: install the oldest available version of pg_kpi, walk every
# ALTER EXTENSION ... UPDATE step to the default version, and check that the
# updated extension has exactly the objects (and function definitions) of a
# fresh install of the default version.
cd "$(dirname "$0")/../.."
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
q() { psql -XAtq -v ON_ERROR_STOP=1 "$@"; }

default=$(q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_kpi'")
versions=$(q -d postgres -c "SELECT version FROM pg_available_extension_versions WHERE name = 'pg_kpi'
                              ORDER BY string_to_array(version, '.')::int[]")
oldest=$(echo "$versions" | head -n 1)
[ -n "$default" ] && [ -n "$oldest" ] || { echo "not ok - pg_kpi is not installed"; exit 1; }

# The objects of the extension in a database, described portably, with a hash
# of each (non-aggregate) function's definition.
objects() {
    q -d "$1" -c "SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
                         || coalesce(' = ' || md5(pg_get_functiondef(p.oid)), '')
                  FROM pg_depend d
                  LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid AND p.prokind <> 'a'
                  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_kpi') AND d.deptype = 'e'
                  ORDER BY 1"
}

q -d postgres -c "DROP DATABASE IF EXISTS kpi_upgrade_fresh" -c "DROP DATABASE IF EXISTS kpi_upgrade_walk" \
  -c "CREATE DATABASE kpi_upgrade_fresh" -c "CREATE DATABASE kpi_upgrade_walk" >/dev/null || exit 1
q -d kpi_upgrade_fresh -c "CREATE EXTENSION pg_kpi" || exit 1
if q -d kpi_upgrade_walk -c "CREATE EXTENSION pg_kpi VERSION '$oldest'"; then
    echo "ok - install the oldest version, $oldest"
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
fresh=$(objects kpi_upgrade_fresh)
walked=$(objects kpi_upgrade_walk)
if [ -n "$fresh" ] && [ "$fresh" = "$walked" ]; then
    echo "ok - updated and fresh installs have the same $(echo "$fresh" | wc -l) objects"
else
    echo "not ok - updated and fresh installs differ:"
    diff <(echo "$fresh") <(echo "$walked") | head -20
fi
q -d postgres -c "DROP DATABASE kpi_upgrade_fresh" -c "DROP DATABASE kpi_upgrade_walk" >/dev/null
