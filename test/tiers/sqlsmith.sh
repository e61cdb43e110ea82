# Tier: random SQL from sqlsmith (Debian package `sqlsmith`) against a
# database with pg_kpi installed and tables that hold summaries of every type
# the extension creates (the samples of test/tiers/fuzz_summaries.sh, so a new
# type is covered as soon as it can be fuzzed) and raw rows of every argument
# type its aggregates take.  sqlsmith picks functions, aggregates and window
# functions from pg_proc, so its queries feed those columns to the summary
# accessors, aggregates, rollups and casts in random combinations.
#
# Fails when the server crashed (a backend killed by a signal, a crash
# restart), when the sentinel session died, or when pg_kpi code raised an
# internal error (SQLSTATE XX000: elog(ERROR), a failed check) — found in the
# server log, which logs errors of the sqlsmith role verbosely (LOCATION names
# the C file).  Ordinary errors of random queries (type mismatches, the
# extension's own input checks, statement_timeout) are expected.
#
# SQLSMITH_QUERIES (default 2500) statements, SQLSMITH_SEED (default 1);
# SQLSMITH_SEEDS="1 2 3" runs several seeds.  Skipped when sqlsmith is not
# installed and cannot be (no apt-get).
cd "$(dirname "$0")/../.."
source test/lib.sh
source test/reliability_lib.sh
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=kpi_sqlsmith
queries=${SQLSMITH_QUERIES:-2500}
seeds=${SQLSMITH_SEEDS:-${SQLSMITH_SEED:-1}}

if ! command -v sqlsmith >/dev/null 2>&1; then
    kpi_install_deps sqlsmith >/dev/null 2>&1
fi
if ! command -v sqlsmith >/dev/null 2>&1; then
    echo "ok - sqlsmith: skipped (package sqlsmith not installed and not installable)"
    exit 0
fi

# Summary columns: one table per summary type, filled from the fuzz tier's samples.
sample_sql=()
while IFS= read -r line; do
    entry=${line#  \"}
    entry=${entry%\"}
    typ=${entry%%|*}
    query=${entry#*|}
    query=${query//\\\"/\"}
    sample_sql+=("DO \$kpi\$ BEGIN IF to_regtype('$typ') IS NOT NULL THEN
        EXECUTE \$q\$CREATE TABLE ${typ}_values (id int, v $typ)\$q\$;
        EXECUTE format('INSERT INTO ${typ}_values SELECT i, s::$typ FROM unnest((%s)) WITH ORDINALITY u(s, i)', \$q\$$query\$q\$);
        INSERT INTO ${typ}_values VALUES (0, NULL);
    END IF; END \$kpi\$")
done < <(grep -E '^  "[a-z_]+\|SELECT ' test/tiers/fuzz_summaries.sh)

rel_create_db $db \
    "CREATE TABLE events AS
       SELECT i AS id, i % 7 AS grp, (i * 37) % 101 AS user_id,
              md5((i % 13)::text) AS user_name,
              ('00000000-0000-0000-0000-' || lpad(to_hex(i % 17), 12, '0'))::uuid AS user_uuid,
              timestamptz '2026-01-01 00:00+00' + (i % 40) * interval '97 minutes' AS ts,
              date '2026-01-01' + (i * 7) % 45 AS day,
              CASE WHEN i % 9 = 0 THEN NULL ELSE i % 3 <> 0 END AS ok,
              CASE WHEN i % 10 = 0 THEN NULL ELSE i % 11 END AS score,
              CASE WHEN i % 8 = 0 THEN NULL ELSE (i % 23) / 10.0::float8 END AS x,
              (i % 5) / 5.0::float8 AS share,
              (i % 19) * interval '13 minutes' AS dur,
              ((i * 31) % 200 - 40)::numeric(12, 2) AS amount,
              (1 + i % 12) * interval '1 month' AS period,
              (ARRAY['new', 'expansion', 'contraction', 'churn', 'reactivation', 'flat', 'open', 'closed'])[1 + i % 8] AS kind,
              ARRAY[(i % 4) / 4.0, 0.5, 1]::float8[] AS answers,
              ARRAY[0.25, 0.25, 0.5]::float8[] AS weights,
              ARRAY[0.5, 0.9, 0.99]::float8[] AS fractions,
              tstzrange(timestamptz '2026-01-01 00:00+00' + (i % 5) * interval '1 hour',
                        timestamptz '2026-01-02 00:00+00' + (i % 3) * interval '1 day') AS during_tz,
              daterange(date '2026-01-01' + i % 10, date '2026-02-01' + i % 20) AS during
       FROM generate_series(1, 60) i" \
    "INSERT INTO events (id, grp) VALUES (61, NULL)" \
    "INSERT INTO events (id, x, amount, dur) VALUES (62, 'NaN', 'NaN', '1 year'), (63, 'Infinity', '1e9', '0'), (64, '-1e308', '-0.01', '-1 second')" \
    "${sample_sql[@]}" \
    "DROP ROLE IF EXISTS kpi_smith" \
    "CREATE ROLE kpi_smith LOGIN" \
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO kpi_smith" \
    "ANALYZE" \
    || { echo "not ok - sqlsmith: create database $db"; exit 0; }
# Verbose error reports of the sqlsmith role's sessions (SQLSTATE and C file).
psql -XAtq -d postgres -c "ALTER ROLE kpi_smith IN DATABASE $db SET log_error_verbosity = verbose" \
    -c "ALTER ROLE kpi_smith IN DATABASE $db SET log_min_error_statement = error" >/dev/null

missing=$(psql -XAtq -d $db -c "SELECT string_agg(t.typname, ' ' ORDER BY t.typname)
    FROM pg_type t JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kpi'
    WHERE t.typtype = 'b' AND NOT EXISTS (SELECT FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE a.atttypid = t.oid AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r')")
if [ -n "$missing" ]; then
    echo "not ok - sqlsmith: no table holds type(s) $missing (add samples to test/tiers/fuzz_summaries.sh)"
fi

log=$(rel_server_log)
rel_log_mark
rel_sentinel_start
out=$(mktemp)
total=0
kpi_calls=0
for seed in $seeds; do
    start=$(date +%s)
    # sqlsmith's own connection sets statement_timeout (1 s) for each query.
    timeout 600 sqlsmith --target="host=$PGHOST port=$PGPORT user=kpi_smith dbname=$db" \
        --exclude-catalog --seed="$seed" --max-queries="$queries" --dump-all-queries \
        >"$out" 2>"$out.err"
    status=$?
    n=$(grep -c ';$' "$out")
    # queries calling a function of schema public (the extension's; tables have no parenthesis)
    k=$(awk 'BEGIN { RS = ";\n" } /public\.[a-z_0-9]+\(/ { k++ } END { print k + 0 }' "$out")
    total=$((total + n)); kpi_calls=$((kpi_calls + k))
    if [ $status -ne 0 ] && grep -qiE 'broken|connection|terminat' "$out.err"; then
        echo "not ok - sqlsmith seed $seed: sqlsmith lost its connection (exit $status): $(tail -c 600 "$out.err" | tr '\n' ' ')"
        last=$(awk 'BEGIN{RS=";\n"} {q=$0} END{print q}' "$out" | head -c 3000)
        echo "# last query: $last"
    elif [ "$n" -lt "$queries" ] && [ $status -ne 0 ]; then
        echo "not ok - sqlsmith seed $seed: exit $status after $n queries: $(tail -c 600 "$out.err" | tr '\n' ' ')"
    else
        echo "ok - sqlsmith seed $seed: $n queries ($k calling pg_kpi functions) in $(( $(date +%s) - start )) s"
    fi
done
rm -f "$out" "$out.err"

# Internal errors raised from pg_kpi's C files (LOCATION: function, file.c:line).
if [ -n "$log" ]; then
    files=$(cd src && ls *.c | paste -sd'|')
    internal=$(tail -c +"$((REL_LOG_OFFSET + 1))" "$log" \
        | grep -E -A1 'ERROR:  XX000|TRAP:|FailedAssertion' \
        | grep -E -B1 "LOCATION:  [a-z_0-9]+, ($files):|TRAP:|FailedAssertion" | head -20)
    if [ -z "$internal" ]; then
        echo "ok - sqlsmith: no internal error (XX000) or assertion from pg_kpi code in $total queries"
    else
        echo "not ok - sqlsmith: internal error from pg_kpi code: $(echo "$internal" | tr '\n' ' ' | cut -c1-1500)"
    fi
fi
rel_sentinel_check "sqlsmith: after $total queries"
rel_log_check "sqlsmith"
rel_sentinel_stop
rel_drop_db $db
psql -XAtq -d postgres -c "DROP ROLE IF EXISTS kpi_smith" >/dev/null 2>&1
