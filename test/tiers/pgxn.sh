# Tier: PGXN.  META.json against the required fields and formats of the PGXN Meta
# Spec v1.0.0 (https://pgxn.org/spec/), its versions against the control file and the
# Makefile; then `make dist` (git archive of HEAD) makes pg_kpi-<version>.zip, which
# must hold exactly the files a user builds, installs and tests from (no test tiers,
# fixtures, benchmarks, CI, debian/), and must build with `make` on its own.
cd "$(dirname "$0")/../.."
source test/lib.sh
kpi_find_pg_config
pg_config=${PG_CONFIG:-pg_config}
command -v jq >/dev/null 2>&1 || kpi_install_deps jq unzip >/dev/null 2>&1
command -v unzip >/dev/null 2>&1 || kpi_install_deps unzip >/dev/null 2>&1
for c in jq unzip git; do
    command -v $c >/dev/null 2>&1 || { echo "not ok - pgxn: $c is not installed"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/pg_kpi_pgxn.XXXXXX")
trap 'rm -rf "$work"' EXIT

# check NAME JQ-EXPRESSION: ok when the expression is true for META.json.
check() {
    if [ "$(jq -r "$2" META.json 2>/dev/null)" = true ]; then
        echo "ok - pgxn: META.json $1"
    else
        echo "not ok - pgxn: META.json $1 (jq: $2)"
    fi
}
if ! jq -e . META.json >/dev/null 2>&1; then
    echo "not ok - pgxn: META.json is not valid JSON"
    exit 1
fi
semver='^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$'
term='^[^/\\\\[:space:][:cntrl:]]{2,}$'
check "has every required field (name, abstract, version, maintainer, license, provides, meta-spec)" \
    '[has("name"), has("abstract"), has("version"), has("maintainer"), has("license"), has("provides"), has("meta-spec")] | all'
check "meta-spec.version is 1.0.0" '."meta-spec".version == "1.0.0"'
check "name is a term (2+ characters, no slash, backslash, space or control)" ".name | type == \"string\" and test(\"$term\")"
check "abstract is a non-empty string" '.abstract | type == "string" and length > 0'
check "version is a semantic version" ".version | type == \"string\" and test(\"$semver\")"
check "maintainer is a non-empty string or list of strings" \
    '.maintainer | (type == "string" and length > 0) or (type == "array" and length > 0 and all(type == "string" and length > 0))'
check "license is a known license string or a {name: URL} object" \
    '.license | (type == "string" and IN("agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd", "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source", "restricted", "unrestricted", "unknown")) or (type == "object" and length > 0)'
check "provides maps extension names (terms) to a file and a semantic version" \
    ".provides | type == \"object\" and length > 0 and (to_entries | all((.key | test(\"$term\")) and (.value | has(\"file\") and has(\"version\") and (.version | test(\"$semver\")))))"
check "prereqs: PostgreSQL required at runtime, with a version" \
    '.prereqs.runtime.requires.PostgreSQL | type == "string" and test("^[0-9]+\\.[0-9]+\\.[0-9]+$")'
check "resources name a homepage, a bug tracker and a repository" \
    '.resources | (.homepage | type == "string") and (.bugtracker.web | type == "string") and (.repository.url | type == "string") and (.repository.type | type == "string")'

# The versions agree: META.json, provides.pg_kpi, the control file, the Makefile.
meta_version=$(jq -r .version META.json)
control_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" pg_kpi.control)
make_version=$(make -s --no-print-directory -f - print-version <<'EOF' 2>/dev/null
include Makefile
print-version:
	@echo $(DISTVERSION)
EOF
)
if [ "$meta_version" = "$control_version.0" ] && [ "$(jq -r '.provides.pg_kpi.version' META.json)" = "$meta_version" ] \
    && [ "$make_version" = "$meta_version" ]; then
    echo "ok - pgxn: META.json version $meta_version = provides.pg_kpi = control default_version $control_version = make dist $make_version"
else
    echo "not ok - pgxn: versions disagree: META.json $meta_version, provides.pg_kpi $(jq -r '.provides.pg_kpi.version' META.json), control $control_version, Makefile DISTVERSION $make_version"
fi
missing=""
for f in $(jq -r '.provides[] | .file, (.docfile // empty)' META.json); do
    git ls-files --error-unmatch "$f" >/dev/null 2>&1 || missing="$missing $f"
done
if [ -z "$missing" ]; then
    echo "ok - pgxn: the files META.json provides are in the tree"
else
    echo "not ok - pgxn: META.json names files not in the tree:$missing"
fi

# make dist: the zip holds exactly the distributed tracked files under pg_kpi-<version>/.
zip=pg_kpi-$meta_version.zip
rm -f "$zip"
if ! make -s dist >"$work/dist.log" 2>&1 || [ ! -f "$zip" ]; then
    echo "not ok - pgxn: make dist did not make $zip"
    sed 's/^/#   /' "$work/dist.log" | tail -5
    rm -f "pg_kpi-$make_version.zip"
    exit 1
fi
mv "$zip" "$work/"
echo "ok - pgxn: make dist makes $zip ($(stat -c %s "$work/$zip") bytes)"
unzip -Z1 "$work/$zip" | grep -v '/$' | sort > "$work/in_zip"
git ls-files Makefile pg_kpi.control 'pg_kpi--*.sql' src sql expected test/regress_helpers.sql \
    test/hostile.sql README.md META.json LICENSE | sed "s|^|pg_kpi-$meta_version/|" | sort > "$work/expected"
extra=$(comm -23 "$work/in_zip" "$work/expected" | tr '\n' ' ')
absent=$(comm -13 "$work/in_zip" "$work/expected" | tr '\n' ' ')
if [ -z "$extra" ] && [ -z "$absent" ]; then
    echo "ok - pgxn: $zip holds exactly the $(wc -l < "$work/expected") files a user builds from"
else
    echo "not ok - pgxn: $zip contents: unexpected [${extra}] missing [${absent}]"
fi
if grep -qE "^pg_kpi-$meta_version/(debian|test/tiers|test/fixtures|test/bench|\.ci)/" "$work/in_zip"; then
    echo "not ok - pgxn: $zip holds test tiers, fixtures, benchmarks, CI or debian/"
else
    echo "ok - pgxn: $zip holds no test tiers, fixtures, benchmarks, CI or debian/"
fi
# Every file the regress suite reads with \i is in the zip.
needed=$(grep -ho '^\\i [^ ]*' sql/*.sql | awk '{print $2}' | sort -u)
unread=""
for f in $needed; do grep -qx "pg_kpi-$meta_version/$f" "$work/in_zip" || unread="$unread $f"; done
if [ -z "$unread" ]; then
    echo "ok - pgxn: $zip holds every file the regress suite includes ($(echo $needed))"
else
    echo "not ok - pgxn: $zip lacks files the regress suite includes:$unread"
fi

# The unpacked zip builds on its own, and builds the same install and upgrade scripts.
(cd "$work" && unzip -q "$zip")
dir=$work/pg_kpi-$meta_version
if make -s -C "$dir" -j2 PG_CONFIG="$pg_config" >"$work/build.log" 2>&1 && [ -f "$dir/pg_kpi.so" ]; then
    echo "ok - pgxn: the unpacked $zip builds with make (PG_CONFIG=$pg_config)"
else
    echo "not ok - pgxn: the unpacked $zip does not build"
    tail -10 "$work/build.log" | sed 's/^/#   /'
fi
same=1
for s in pg_kpi--1.1.sql pg_kpi--1.0--1.1.sql; do
    make -s "$s" PG_CONFIG="$pg_config" >/dev/null 2>&1
    cmp -s "$s" "$dir/$s" || same=0
done
if [ $same = 1 ]; then
    echo "ok - pgxn: the zip builds the same pg_kpi--1.1.sql and pg_kpi--1.0--1.1.sql as the tree"
else
    echo "not ok - pgxn: the zip builds different install or upgrade scripts than the tree (uncommitted changes?)"
fi
