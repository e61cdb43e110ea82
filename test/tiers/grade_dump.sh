# Tier: pg_dump / restore of the kpi_benchmark configuration table.  A
# database adds its own bands (a new KPI, a changed shipped band); it is dumped
# (plain SQL and --format=custom) and restored into new databases.  The
# restore must keep every user row, must not duplicate the shipped rows (which
# CREATE EXTENSION recreates), and kpi_grade must answer as in the original.
cd "$(dirname "$0")/../.."
source test/lib.sh
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
bindir=$(kpi_pg_bindir)
src=kpi_grade_dump
work=$(mktemp -d "${TMPDIR:-/tmp}/pg_kpi_grade_dump.XXXXXX")
chmod 777 "$work"
drop_dbs() {
    psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS ${src}_plain" \
         -c "DROP DATABASE IF EXISTS ${src}_custom" >/dev/null 2>&1
}
cleanup() { rm -rf "$work"; drop_dbs; }
trap cleanup EXIT
drop_dbs
psql -XAtq -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE ${src}_plain" \
     -c "CREATE DATABASE ${src}_custom" >/dev/null || exit 1

psql -XAtq -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL' || { echo "not ok - set up user bands"; exit 0; }
CREATE EXTENSION pg_kpi;
INSERT INTO kpi_benchmark (kpi, segment, band, lower, upper, source) VALUES
  ('csat_score', 'all', 'low', NULL, 3.5, 'team'), ('csat_score', 'all', 'ok', 3.5, NULL, 'team');
UPDATE kpi_benchmark SET upper = 0.25, source = 'our target' WHERE kpi = 'dau_mau' AND band = 'healthy';
SQL

# Shipped rows of a fresh install (the restore must have exactly these again).
fresh=$(psql -XAtq -d ${src}_plain -c "CREATE EXTENSION pg_kpi" -c "SELECT count(*) FROM kpi_benchmark" \
        -c "DROP EXTENSION pg_kpi")
# The state to compare: the user rows and grades (a changed shipped band is a
# user row that overrides the shipped row of the same name).
state() {
    psql -XAtq -d "$1" -c "
SELECT kpi, segment, band, lower, upper, source FROM kpi_benchmark WHERE NOT shipped ORDER BY 1, 2, 3;
SELECT kpi_grade('csat_score', 3.2), kpi_grade('csat_score', 4), kpi_grade('dau_mau', 0.22),
       kpi_grade('dau_mau', 0.27), kpi_grade('dau_mau', 0.15), kpi_grade('nps', 45);"
}
counts() { psql -XAtq -d "$1" -c "SELECT count(*) FILTER (WHERE shipped), count(*) FILTER (WHERE NOT shipped) FROM kpi_benchmark"; }
expected=$(state $src)
c=$(counts $src)
echo "# fresh install: $fresh shipped rows; after the user's changes: shipped|user = $c"
if [ "$c" = "$((fresh - 1))|3" ]; then
    echo "ok - user rows added and a shipped band changed (it became a user row)"
else
    echo "not ok - user rows added and a shipped band changed (got $c)"
fi

if "$bindir/pg_dump" -d $src -f "$work/plain.sql" && psql -XAtq -v ON_ERROR_STOP=1 -d ${src}_plain -f "$work/plain.sql" >/dev/null 2>"$work/plain.err"; then
    got=$(state ${src}_plain)
    if [ "$got" = "$expected" ] && [ "$(counts ${src}_plain)" = "$fresh|3" ]; then
        echo "ok - plain pg_dump restore keeps user rows, does not duplicate shipped rows, grades unchanged"
    else
        echo "not ok - plain pg_dump restore keeps user rows, does not duplicate shipped rows, grades unchanged"
        diff <(echo "$expected") <(echo "$got") | head -10; counts ${src}_plain; counts ${src}_custom
    fi
else
    echo "not ok - plain pg_dump restore ran"; head -5 "$work/plain.err"
fi

if "$bindir/pg_dump" -Fc -d $src -f "$work/custom.dump" && "$bindir/pg_restore" -d ${src}_custom "$work/custom.dump" 2>"$work/custom.err"; then
    got=$(state ${src}_custom)
    if [ "$got" = "$expected" ] && [ "$(counts ${src}_custom)" = "$fresh|3" ]; then
        echo "ok - pg_restore of a custom dump keeps user rows, does not duplicate shipped rows, grades unchanged"
    else
        echo "not ok - pg_restore of a custom dump keeps user rows, does not duplicate shipped rows, grades unchanged"
        diff <(echo "$expected") <(echo "$got") | head -10; counts ${src}_plain; counts ${src}_custom
    fi
else
    echo "not ok - pg_restore of a custom dump ran"; head -5 "$work/custom.err"
fi
# The dump holds only the user rows of kpi_benchmark.
n=$(grep -c "guide [PRT]:" "$work/plain.sql")
if [ "$n" -eq 0 ] && grep -q "our target" "$work/plain.sql"; then
    echo "ok - the dump holds the user rows and none of the shipped ones"
else
    echo "not ok - the dump holds the user rows and none of the shipped ones ($n shipped rows found)"
fi
