# Tier: the Debian package.  Builds postgresql-15-pg-kpi with dpkg-buildpackage -us -uc -b
# in a clean copy of the tree (debian/ uses pg_buildext), runs lintian (no errors
# allowed), sets aside the files a source `make install` put in the system PostgreSQL,
# installs the .deb with apt-get, runs the pg_regress suite against it with
# `make installcheck`, removes the package and puts the source install back, so the
# tiers after this one see what the test driver installed.
# Always tests the system PostgreSQL (/usr/lib/postgresql/15): it uses the driver's
# cluster when that runs the system binaries (CI, PG_CONFIG unset), otherwise (a private
# PG_CONFIG) it starts a throwaway cluster of its own from the system binaries.
cd "$(dirname "$0")/../.."
source test/lib.sh
root=$PWD
sys_pg_config=/usr/lib/postgresql/$KPI_PG_MAJOR/bin/pg_config
pkg=postgresql-$KPI_PG_MAJOR-pg-kpi
now() { date +%s; }
t_start=$(now)

# One package tier at a time on a machine (it changes the system PostgreSQL).
exec 9>/tmp/pg_kpi_package_tier.lock
flock 9

kpi_install_deps dpkg-dev debhelper postgresql-server-dev-all lintian fakeroot >/dev/null 2>&1
missing=""
for c in dpkg-buildpackage pg_buildext lintian apt-get "$sys_pg_config"; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -n "$missing" ]; then
    echo "not ok - package: missing tools:$missing (apt-get install dpkg-dev debhelper postgresql-server-dev-all lintian)"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pg_kpi_package.XXXXXX")
chmod 755 "$work"
src=$work/pg-kpi-src
backup=$work/source-install
installed_pkg=0
moved_paths=()
restore() {
    if [ $installed_pkg = 1 ] || dpkg -s "$pkg" >/dev/null 2>&1; then
        kpi_as_root apt-get remove -y -qq --purge "$pkg" >/dev/null 2>&1
    fi
    local f
    for f in "${moved_paths[@]}"; do
        [ -e "$backup$f" ] && kpi_as_root cp -a "$backup$f" "$(dirname "$f")/" && rm -rf "$backup$f"
    done
    moved_paths=()
}
cleanup() {
    restore
    kpi_cluster_stop_all
    rm -rf "$work"
}
trap cleanup EXIT

# 1. A clean copy of the tree: the files git tracks (as they are in the work tree,
# with new files not yet ignored), or the whole tree cleaned when it is no checkout.
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
        | xargs -0 cp --parents -t "$src"
else
    cp -a . "$src" && make -s -C "$src" clean PG_CONFIG="$sys_pg_config" >/dev/null 2>&1
fi
chmod -R a+rX "$work"

# 2. Build the binary package.
t0=$(now)
if (cd "$src" && env -u PG_CONFIG DEB_BUILD_OPTIONS=noautodbgsym dpkg-buildpackage -us -uc -b -j2) >"$work/build.log" 2>&1 \
    && deb=$(ls "$work"/${pkg}_*.deb 2>/dev/null | head -1) && [ -n "$deb" ]; then
    echo "ok - package: dpkg-buildpackage -us -uc -b builds $(basename "$deb") ($(( $(now) - t0 )) s)"
else
    echo "not ok - package: dpkg-buildpackage -us -uc -b failed"
    tail -25 "$work/build.log" | sed 's/^/#   /'
    exit 1
fi
if dpkg-deb -f "$deb" Package Version Depends | grep -q "^Version: 1.1.0-1$"; then
    echo "ok - package: $pkg version 1.1.0-1 (depends: $(dpkg-deb -f "$deb" Depends))"
else
    echo "not ok - package: $(basename "$deb") is not version 1.1.0-1"
fi
# The generated debian/control is what pg_buildext makes from control.in and pgversions.
if (cd "$src" && pg_buildext checkcontrol) >/dev/null 2>&1; then
    echo "ok - package: debian/control is up to date with debian/control.in and debian/pgversions"
else
    echo "not ok - package: debian/control is out of date (run pg_buildext updatecontrol)"
fi

# 3. lintian: no errors (warnings and notes are shown, not failures).
t0=$(now)
lint=$(lintian --fail-on error "$work"/*.changes 2>/dev/null)
lint_status=$?
if [ $lint_status -eq 0 ] && ! echo "$lint" | grep -q '^E:'; then
    echo "ok - package: lintian reports no errors ($(echo "$lint" | grep -c '^W:') warnings; $(( $(now) - t0 )) s)"
else
    echo "not ok - package: lintian reports errors"
fi
echo "$lint" | grep -E '^(E|W):' | sed 's/^/#   /'

# 4. Set aside what a source `make install` put into the system PostgreSQL (the files
# no Debian package owns), so the test sees only the package's files.
sharedir=$("$sys_pg_config" --sharedir)
pkglibdir=$("$sys_pg_config" --pkglibdir)
dirs_state() { stat -c '%a %U:%G %n' / /usr /usr/share /usr/lib "$sharedir" "$sharedir/extension" "$pkglibdir" "$pkglibdir/bitcode" 2>/dev/null; }
dirs_before=$(dirs_state)
if dpkg -s "$pkg" >/dev/null 2>&1; then
    kpi_as_root apt-get remove -y -qq --purge "$pkg" >/dev/null 2>&1   # left over from an aborted run
fi
moved=0
for f in "$sharedir"/extension/pg_kpi.control "$sharedir"/extension/pg_kpi--*.sql \
         "$pkglibdir"/pg_kpi.so "$pkglibdir"/bitcode/pg_kpi.index.bc "$pkglibdir"/bitcode/pg_kpi; do
    [ -e "$f" ] || continue
    dpkg -S "$f" >/dev/null 2>&1 && continue
    kpi_as_root mkdir -p "$backup$(dirname "$f")" && kpi_as_root cp -a "$f" "$backup$(dirname "$f")/" \
        && kpi_as_root rm -rf "$f" && moved=$((moved + 1)) && moved_paths+=("$f")
done
left=$(ls "$sharedir"/extension/pg_kpi* "$pkglibdir"/pg_kpi.so 2>/dev/null)
if [ -z "$left" ]; then
    echo "ok - package: no pg_kpi files left in the system PostgreSQL ($moved source-installed set aside)"
else
    echo "not ok - package: pg_kpi files still in the system PostgreSQL: $left"
fi

# 5. Install the .deb with apt-get.
t0=$(now)
if (cd "$work" && kpi_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "./$(basename "$deb")") >"$work/apt.log" 2>&1; then
    installed_pkg=1
    echo "ok - package: apt-get install ./$(basename "$deb") ($(( $(now) - t0 )) s)"
else
    echo "not ok - package: apt-get install ./$(basename "$deb") failed"
    tail -10 "$work/apt.log" | sed 's/^/#   /'
    exit 1
fi
files=$(dpkg -L "$pkg")
want="$pkglibdir/pg_kpi.so $sharedir/extension/pg_kpi.control $sharedir/extension/pg_kpi--1.0.sql
      $sharedir/extension/pg_kpi--1.1.sql $sharedir/extension/pg_kpi--1.0--1.1.sql"
absent=""
for f in $want; do
    echo "$files" | grep -qx "$f" && [ -e "$f" ] || absent="$absent $f"
done
if [ -z "$absent" ]; then
    echo "ok - package: installs the library, the control file and the 1.0, 1.1 and 1.0--1.1 scripts"
else
    echo "not ok - package: does not install$absent"
fi
if [ "$(sha256sum < "$sharedir/extension/pg_kpi--1.0.sql" | cut -d' ' -f1)" = \
     "$(cut -d' ' -f1 test/fixtures/1.0/pg_kpi--1.0.sql.sha256)" ]; then
    echo "ok - package: its pg_kpi--1.0.sql is the released 1.0 script"
else
    echo "not ok - package: its pg_kpi--1.0.sql is not the released 1.0 script"
fi

# 6. The pg_regress suite against the package, on a cluster of the system PostgreSQL.
cluster_libdir=$(psql -XAtq -d postgres -c "SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'" 2>/dev/null)
if [ "$cluster_libdir" != "$pkglibdir" ]; then
    PG_CONFIG=$sys_pg_config kpi_cluster_start PKG >/dev/null \
        || { echo "not ok - package: start a cluster of the system PostgreSQL"; exit 1; }
    export PGHOST=$PKG_DIR PGPORT=$PKG_PORT PGUSER=postgres
fi
# The suite runs as two `make installcheck` halves at once, each in its own copy of the
# tree and its own database (the files that create roles and databases stay together in
# the first half), which about halves the wall time on two cores.
t0=$(now)
make_var() {   # make_var VAR [make args]: the value of a Makefile variable
    local var=$1; shift
    (cd "$src" && printf 'include Makefile\nprint-var:\n\t@echo $(%s)\n' "$var" \
        | make -s --no-print-directory -f - print-var PG_CONFIG="$sys_pg_config" "$@")
}
all_tests=$(make_var REGRESS KPI_THROWAWAY=1)
global=$(make_var REGRESS_NEEDS_THROWAWAY)
half_a="$global" half_b="" i=0
for t in $all_tests; do
    case " $global " in *" $t "*) continue ;; esac
    if [ $((i % 2)) -eq 0 ]; then half_b="$half_b $t"; else half_a="$half_a $t"; fi
    i=$((i + 1))
done
cp -a "$src" "$src-b"
(cd "$src" && make installcheck PG_CONFIG="$sys_pg_config" KPI_THROWAWAY=1 \
    REGRESS="$half_a" CONTRIB_TESTDB=contrib_regression_pkg_a >"$work/check_a.log" 2>&1; echo $? >"$work/check_a.rc") &
(cd "$src-b" && make installcheck PG_CONFIG="$sys_pg_config" KPI_THROWAWAY=1 \
    REGRESS="$half_b" CONTRIB_TESTDB=contrib_regression_pkg_b >"$work/check_b.log" 2>&1; echo $? >"$work/check_b.rc") &
wait
out=$(cat "$work/check_a.log" "$work/check_b.log")
status=$(( $(cat "$work/check_a.rc") + $(cat "$work/check_b.rc") ))
n_ok=$(echo "$out" | grep -cE '\.\.\. ok')
n_all=$(echo $all_tests | wc -w)
failed=$(echo "$out" | grep -E '\.\.\. FAILED|\.\.\. failed' | sed -E 's/^test +//; s/ +\.\.\..*//' | tr '\n' ' ')
if [ $status -eq 0 ] && [ "$n_ok" -eq "$n_all" ] && [ -z "$failed" ]; then
    echo "ok - package: make installcheck against the package passes all $n_ok pg_regress tests ($(( $(now) - t0 )) s)"
else
    echo "not ok - package: make installcheck against the package: $n_ok of $n_all pass; failed: ${failed:-(see below)}"
    echo "$out" | grep -vE '^(test |ok |not ok |#)' | tail -6 | sed 's/^/#   /'
    cat "$src/regression.diffs" "$src-b/regression.diffs" >"${TMPDIR:-/tmp}/pg_kpi_package_regression.diffs" 2>/dev/null
    echo "#   (diffs kept in ${TMPDIR:-/tmp}/pg_kpi_package_regression.diffs)"
    grep -E '^(diff|@@|[-+][^-+])' "${TMPDIR:-/tmp}/pg_kpi_package_regression.diffs" | head -60 | sed 's/^/#   /'
fi
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS contrib_regression_pkg_a" \
     -c "DROP DATABASE IF EXISTS contrib_regression_pkg_b" >/dev/null 2>&1

# 7. Remove the package; put the source install back.
if kpi_as_root apt-get remove -y -qq --purge "$pkg" >/dev/null 2>&1; then
    installed_pkg=0
    still=""
    for f in $want; do [ -e "$f" ] && still="$still $f"; done
    if [ -z "$still" ]; then
        echo "ok - package: apt-get remove $pkg removes its files"
    else
        echo "not ok - package: files left after apt-get remove:$still"
    fi
else
    echo "not ok - package: apt-get remove $pkg failed"
fi
restore
if [ $moved -eq 0 ] || [ -f "$pkglibdir/pg_kpi.so" ]; then
    echo "ok - package: the source install is back in place ($moved files)"
else
    echo "not ok - package: the source install could not be put back in $pkglibdir"
fi
if [ "$(dirs_state)" = "$dirs_before" ]; then
    echo "ok - package: the system directories keep their modes and owners"
else
    echo "not ok - package: system directory modes or owners changed:"
    diff <(echo "$dirs_before") <(dirs_state) | sed 's/^/#   /'
fi
echo "# package tier took $(( $(now) - t_start )) s"
