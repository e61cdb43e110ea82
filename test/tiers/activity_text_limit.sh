# Tier: every user_activity value that can exist can be output as text (so
# pg_dump, plain or custom, can dump it).  pg_kpi 1.0 accepted a summary of
# 44M users with 19-digit ids (396 MB flat) whose text form passed 1 GB: the
# value could be stored but not output.  Since issue 11 such a value is
# refused when it is built (54000).  The cheapest way to build one: a binary
# COPY of a crafted 154 MB version 2 summary, 38.5M users with 20-character
# ids, one day each (4 bytes per user, 26 characters of text): 1,001,000,128
# bytes of text.  Needs PGHOST/PGPORT of a cluster where pg_kpi is installed
# and a superuser (server-side COPY files in the data directory).
cd "$(dirname "$0")/../.."
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=kpi_act_text_limit
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null &&
    psql -XAtq -d $db -c "CREATE EXTENSION pg_kpi" >/dev/null ||
    { echo "not ok - activity text limit: create database"; exit 0; }

out=$(psql -XAtq -d $db 2>&1 <<'SQL'
SET max_parallel_workers_per_gather = 0;
DO $$
DECLARE
    n int := 38500000;
    f text := current_setting('data_directory') || '/pg_kpi_act_text_limit.bin';
BEGIN
    -- header: version 2, flags 0, retention_n 0, first_day = last_day = 2026-01-01, users;
    -- then the first user (key varint, day 0, 1-byte bitmap), then n - 1 users each
    -- one key above the last
    CREATE TEMP TABLE big AS
    SELECT '\x0200000000000000251900002519'::bytea || int4send(n)
           || '\x80808080808080a303000101'::bytea || decode(repeat('01000101', n - 1), 'hex') AS b;
    EXECUTE format('COPY (SELECT b FROM big) TO %L (FORMAT binary)', f);
    DROP TABLE big;
    CREATE TEMP TABLE v (s user_activity);
    BEGIN
        EXECUTE format('COPY v FROM %L (FORMAT binary)', f);
    EXCEPTION WHEN OTHERS THEN
        EXECUTE format('COPY (SELECT 1 WHERE false) TO %L', f);
        RAISE;
    END;
    EXECUTE format('COPY (SELECT 1 WHERE false) TO %L', f);
    RAISE NOTICE 'stored: % users', (SELECT active_users(s) FROM v);
END $$;
\echo state=:SQLSTATE
SQL
)
state=$(echo "$out" | sed -n 's/^state=//p')
if [ "$state" = 54000 ] && echo "$out" | grep -q "text form would take 1001000128 bytes"; then
    echo "ok - activity text limit: a summary whose text form would take 1,001,000,128 bytes is refused at input (54000)"
else
    echo "not ok - activity text limit: expected 54000 at input, got ${state:-?}: $(echo "$out" | head -c 400)"
fi
# Summaries below the limit are built and print as plain SQL spells them.
out=$(psql -XAtq -d $db -c "SELECT (SELECT activity_agg(i, date '2026-01-01')::text FROM generate_series(-9000000000000000000, -8999999999999000001) i)
    = '(first_day=2026-01-01,last_day=2026-01-01,users=1000000,activity={'
      || (SELECT string_agg(i || ':0+01', ',' ORDER BY i) FROM generate_series(-9000000000000000000, -8999999999999000001) i) || '})'" 2>&1)
if [ "$out" = t ]; then
    echo "ok - activity text limit: a million 20-character ids print as plain SQL spells them (26 MB)"
else
    echo "not ok - activity text limit: a million 20-character ids: $out"
fi
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
exit 0
