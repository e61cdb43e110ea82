# Tier: values stored by pg_kpi 1.0 still read back with the same answers.
# test/fixtures/1.0/ was generated once with 1.0 (test/fixtures/generate_1.0.sh) and is
# never regenerated: values of every summary type as COPY text, COPY binary, a plain and
# a custom pg_dump, the input rows they were built from, and answers.txt (every accessor
# 1.0 answered for every value).  For two installs of the current version — fresh, and
# 1.0 walked up with ALTER EXTENSION pg_kpi UPDATE — and for each of the four ways in,
# this tier loads the values and compares every answer with 1.0's, text for text.  It
# then rolls the old values up with values the current version builds from the
# remaining rows and compares with a summary built from all rows and with plain SQL,
# and rolls many copies of the old values up in a forced-parallel plan (vs serial).
# Last, values stored under 1.0 (tables, a materialized view, an expression index) are
# read after ALTER EXTENSION UPDATE in place.  Failures name the fixture, the value id
# and the accessor.  Needs PGHOST/PGPORT of a cluster where pg_kpi is installed.
cd "$(dirname "$0")/../.."
source test/lib.sh
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
fx=test/fixtures/1.0
types="rate nps score latency activity"
bindir=$(kpi_pg_bindir)
q() { "$bindir/psql" -XAtq -v ON_ERROR_STOP=1 "$@"; }
dbs=()
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pg_kpi_fixtures.XXXXXX")
chmod 755 "$scratch"
: > "$scratch/skip"
cleanup() {
    rm -rf "$scratch"
    local db
    for db in "${dbs[@]}"; do q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; done
}
trap cleanup EXIT

# The released 1.0 script is frozen, in the tree and where it is installed.
if sha256sum -c --quiet $fx/pg_kpi--1.0.sql.sha256 >/dev/null 2>&1; then
    echo "ok - fixtures: pg_kpi--1.0.sql is the released 1.0 script (sha256)"
else
    echo "not ok - fixtures: pg_kpi--1.0.sql changed: its sha256 is not the one in $fx/pg_kpi--1.0.sql.sha256"
fi
installed=$(q -d postgres -c "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'" 2>/dev/null)/extension/pg_kpi--1.0.sql
if [ -f "$installed" ]; then
    if [ "$(sha256sum < "$installed" | cut -d' ' -f1)" = "$(cut -d' ' -f1 $fx/pg_kpi--1.0.sql.sha256)" ]; then
        echo "ok - fixtures: the installed pg_kpi--1.0.sql is the released 1.0 script"
    else
        echo "not ok - fixtures: the installed $installed is not the released 1.0 script"
    fi
fi

default=$(q -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_kpi'")
[ -n "$default" ] || { echo "not ok - fixtures: pg_kpi is not installed"; exit 1; }

# new_db NAME: an empty database (dropped at exit).
new_db() {
    dbs+=("$1")
    q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}

# setup_ext DB MODE: fresh = CREATE EXTENSION (default version); upgraded = 1.0, then
# ALTER EXTENSION UPDATE; v1.0 = stays at 1.0.
setup_ext() {
    case $2 in
        fresh) q -d "$1" -c "CREATE EXTENSION pg_kpi" ;;
        upgraded) q -d "$1" -c "CREATE EXTENSION pg_kpi VERSION '1.0'" -c "ALTER EXTENSION pg_kpi UPDATE" ;;
        v1.0) q -d "$1" -c "CREATE EXTENSION pg_kpi VERSION '1.0'" ;;
    esac
}

# load DB METHOD LABEL: the 1.0 values into fx.<type> (text, binary: into schema.sql's
# tables, with the input rows, one type at a time so that one unreadable type does not
# hide the others; dump_plain, dump_custom: restore the dump).  A load that fails prints
# its "not ok" line with the error; returns 1 only when nothing could be loaded.
load() {
    local db=$1 method=$2 label=$3 t file err
    case $method in
        text|binary)
            q -d "$db" -f $fx/schema.sql >/dev/null || return 1
            for t in $types; do
                if [ "$method" = text ]; then
                    file=$fx/text/$t.copy
                    err=$(q -d "$db" -c "\\copy fx.$t FROM '$file'" 2>&1)
                else
                    file=$fx/binary/$t.bin
                    err=$(q -d "$db" -c "\\copy fx.$t FROM '$file' (FORMAT binary)" 2>&1)
                fi
                [ $? -eq 0 ] || echo "not ok - fixtures $label: $t: loading $file fails: $(echo "$err" | tr '\n' ' ')"
                q -d "$db" -c "\\copy fx.${t}_rows FROM '$fx/rows/$t.copy'" || return 1
            done ;;
        dump_plain)
            err=$(q -d "$db" -f $fx/dump.sql 2>&1 >/dev/null) \
                || { echo "not ok - fixtures $label: psql -f $fx/dump.sql fails: $(echo "$err" | tr '\n' ' ')"; return 1; } ;;
        dump_custom)
            err=$("$bindir/pg_restore" --no-owner --exit-on-error -d "$db" $fx/dump.custom 2>&1) \
                || { echo "not ok - fixtures $label: pg_restore $fx/dump.custom fails: $(echo "$err" | tr '\n' ' ')"; return 1; } ;;
    esac
}

# check_answers DB LABEL: every answer of answers.txt, per type, one ok/not ok line;
# up to 8 differences are shown as "#" lines naming value id and accessor.
check_answers() {
    local db=$1 label=$2 out script=$scratch/answers_$1.sql
    # One statement per answer (psql \gexec), each under statement_timeout, so a slow or
    # failing accessor costs one answer, not the group; an answer over the limit is not
    # asked again in the later loads (listed in $scratch/skip).
    cat > "$script" <<SQL
CREATE TEMP TABLE expected (type text, id text, ord int, expr text, answer text);
\\copy expected FROM '$fx/answers.txt'
CREATE TEMP TABLE got (type text, id text, ord int, expr text, answer text);
CREATE TEMP TABLE skip (type text, id text, ord int);
\\copy skip FROM '$scratch/skip'
INSERT INTO got SELECT e.type, e.id, e.ord, e.expr, '(not asked: over the time limit in an earlier load)'
  FROM expected e JOIN skip USING (type, id, ord);
SET statement_timeout = '${KPI_FIXTURE_ANSWER_TIMEOUT:-5s}';
\\set ON_ERROR_STOP 0
SELECT format('INSERT INTO got VALUES (%L, %L, %s, %L, fx.answer(%L, %L, %L, %L))',
              t.type, t.id, a.ord, a.expr, t.type, t.id, a.expr, a.only_if)
  FROM (SELECT 'rate' AS type, id FROM fx.rate UNION ALL SELECT 'nps', id FROM fx.nps
        UNION ALL SELECT 'score', id FROM fx.score UNION ALL SELECT 'latency', id FROM fx.latency
        UNION ALL SELECT 'activity', id FROM fx.activity) t
  JOIN fx.accessors a USING (type)
 WHERE NOT EXISTS (SELECT FROM skip s WHERE (s.type, s.id, s.ord) = (t.type, t.id, a.ord))
 ORDER BY t.type, t.id, a.ord \\gexec
\\set ON_ERROR_STOP 1
RESET statement_timeout;
\\copy (SELECT type, id, ord FROM expected e WHERE NOT EXISTS (SELECT FROM got g WHERE (g.type, g.id, g.ord) = (e.type, e.id, e.ord))) TO '$scratch/skip.new'
WITH cmp AS (
      SELECT coalesce(e.type, g.type) AS type, coalesce(e.id, g.id) AS id,
             coalesce(e.expr, g.expr) AS expr, e.answer AS was, g.answer AS now
        FROM expected e FULL JOIN got g ON (e.type, e.id, e.ord) = (g.type, g.id, g.ord)),
    bad AS (
      SELECT *, row_number() OVER (PARTITION BY type ORDER BY id, expr) AS n
        FROM cmp WHERE was IS DISTINCT FROM now)
SELECT t.type, (SELECT count(*) FROM cmp WHERE cmp.type = t.type),
       (SELECT count(*) FROM bad WHERE bad.type = t.type),
       coalesce((SELECT string_agg(format('#   %s %s: %s: 1.0 answered %s, now %s', type, id, expr,
                                          coalesce(left(was, 300), '(no value)'),
                                          coalesce(left(now, 300), '(no answer: over the time limit)')),
                                   '|||' ORDER BY n)
                   FROM bad WHERE bad.type = t.type AND n <= 8), '')
  FROM unnest(string_to_array('$types', ' ')) AS t(type);
SQL
    out=$(q -d "$db" -F $'\t' -f $fx/answers.sql -f "$script" 2>"$scratch/answers.err")
    if [ $? -ne 0 ]; then
        echo "not ok - fixtures $label: the answers could not be computed"
        sed 's/^/#   /' "$scratch/answers.err" | head -10
        return
    fi
    cat "$scratch/skip.new" >> "$scratch/skip"
    local type total nbad detail
    while IFS=$'\t' read -r type total nbad detail; do
        case " $types " in *" $type "*) ;; *) continue ;; esac
        if [ "$total" -gt 0 ] && [ "$nbad" -eq 0 ]; then
            echo "ok - fixtures $label: $type: all $total answers of 1.0 unchanged"
        else
            echo "not ok - fixtures $label: $type: $nbad of $total answers differ from 1.0 ($fx/answers.txt)"
            [ -n "$detail" ] && echo "${detail//|||/$'\n'}"
        fi
    done <<< "$out"
}

# check_rollups DB LABEL: old values rolled up with what the current version builds
# from the part-2 rows equal the current build over all rows; the current build of the
# part-1 rows equals the stored 1.0 value; the rolled-up value agrees with plain SQL.
check_rollups() {
    local db=$1 label=$2 out
    out=$(q -d "$db" -F $'\t' \
        -c "CREATE SCHEMA now1; CREATE SCHEMA now2; CREATE SCHEMA nowall; CREATE SCHEMA rolled" \
        -c "DO \$\$ DECLARE t text; s text; BEGIN
              FOREACH s IN ARRAY ARRAY['now1','now2','nowall','rolled'] LOOP
                FOREACH t IN ARRAY string_to_array('$types', ' ') LOOP
                  EXECUTE format('CREATE TABLE %I.%I (LIKE fx.%I)', s, t, t);
                END LOOP;
              END LOOP; END \$\$" \
        -c "\\set dest now1" -c "\\set parts 1" -f $fx/build.sql \
        -c "\\set dest now2" -c "\\set parts 2" -f $fx/build.sql \
        -c "\\set dest nowall" -c "\\set parts 1,2" -f $fx/build.sql \
        -c "DO \$\$ DECLARE t text; BEGIN
              FOREACH t IN ARRAY string_to_array('$types', ' ') LOOP
                EXECUTE format('INSERT INTO rolled.%I SELECT id, rollup(v) FROM
                                  (SELECT id, v FROM fx.%I WHERE id IN (SELECT id FROM fx.%I)
                                   UNION ALL SELECT id, v FROM now2.%I) u GROUP BY id', t, t, t || '_rows', t);
              END LOOP; END \$\$" \
        -f test/fixtures/rollup_checks.sql 2>&1)
    if [ $? -ne 0 ]; then
        echo "not ok - fixtures $label: rolling up the 1.0 values failed"
        echo "$out" | sed 's/^/#   /' | head -10
        return
    fi
    local check total nbad detail
    while IFS=$'\t' read -r check total nbad detail; do
        [ -n "$check" ] || continue
        if [ "$total" -gt 0 ] && [ "$nbad" -eq 0 ]; then
            echo "ok - fixtures $label: $check ($total values)"
        else
            echo "not ok - fixtures $label: $check: $nbad of $total values wrong${detail:+: $detail}"
        fi
    done <<< "$out"
}

for mode in fresh upgraded; do
    for method in text binary dump_plain dump_custom; do
        db=kpi_fx_${mode}_$method
        label="$mode/$method"
        new_db $db || { echo "not ok - fixtures $label: create database"; continue; }
        # A fresh install restoring a dump gets the extension from the dump's CREATE EXTENSION.
        if ! { [ $mode = fresh ] && [[ $method = dump_* ]]; }; then
            setup_ext $db $mode >/dev/null || { echo "not ok - fixtures $label: install pg_kpi ($mode)"; continue; }
        fi
        load $db $method "$label" || continue
        v=$(q -d $db -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_kpi'")
        if [ "$v" = "$default" ]; then
            echo "ok - fixtures $label: 1.0 values loaded into pg_kpi $v"
        else
            echo "not ok - fixtures $label: pg_kpi is at version $v, not the default $default"
        fi
        check_answers $db "$label"
        case $method in text|binary) check_rollups $db "$label" ;; esac
        q -d postgres -c "DROP DATABASE $db" >/dev/null
    done
done

# In place: tables, a materialized view and an expression index made under 1.0 (text,
# binary and custom-dump loads), then ALTER EXTENSION pg_kpi UPDATE, then read.
for method in text binary dump_custom; do
    db=kpi_fx_inplace_$method
    label="in-place/$method"
    new_db $db && setup_ext $db v1.0 >/dev/null || { echo "not ok - fixtures $label: install 1.0"; continue; }
    load $db $method "$label" || continue
    q -d $db -c "CREATE MATERIALIZED VIEW fx.latency_mv AS
                   SELECT relative_accuracy(v) AS alpha, rollup(v) AS v, count(*) AS n
                     FROM fx.latency WHERE v IS NOT NULL GROUP BY 1" \
             -c "CREATE INDEX fx_rate_by_rate ON fx.rate (rate(v))" \
             -c "CREATE TABLE fx.before AS SELECT alpha, v::text AS v FROM fx.latency_mv" >/dev/null \
        || { echo "not ok - fixtures $label: materialized view and index under 1.0"; continue; }
    if q -d $db -c "ALTER EXTENSION pg_kpi UPDATE" >/dev/null \
        && [ "$(q -d $db -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_kpi'")" = "$default" ]; then
        echo "ok - fixtures $label: ALTER EXTENSION pg_kpi UPDATE from 1.0 to $default with 1.0 values stored"
    else
        echo "not ok - fixtures $label: ALTER EXTENSION pg_kpi UPDATE from 1.0 with 1.0 values stored"
        continue
    fi
    check_answers $db "$label"
    bad=$(q -d $db -c "REINDEX INDEX fx.fx_rate_by_rate" -c "SET enable_seqscan = off" \
             -c "SELECT count(*) FROM fx.rate WHERE rate(v) >= 0.5 AND id NOT IN
                    (SELECT id FROM fx.rate r2 WHERE r2.v IS NOT NULL AND successes(r2.v) * 2 >= trials(r2.v) AND trials(r2.v) > 0)" \
             -c "SELECT count(*) FROM fx.latency_mv m FULL JOIN fx.before b USING (alpha) WHERE m.v::text IS DISTINCT FROM b.v" \
             -c "REFRESH MATERIALIZED VIEW fx.latency_mv" \
             -c "SELECT count(*) FROM fx.latency_mv m FULL JOIN fx.before b USING (alpha) WHERE m.v::text IS DISTINCT FROM b.v" 2>&1 | tr '\n' ' ')
    if [ "$bad" = "0 0 0 " ]; then
        echo "ok - fixtures $label: expression index and materialized view made under 1.0 still read and refresh the same"
    else
        echo "not ok - fixtures $label: expression index / materialized view after the update (mismatch counts or error: $bad)"
    fi
    q -d postgres -c "DROP DATABASE $db" >/dev/null
done
